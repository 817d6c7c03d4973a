from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kam.core.jobs import job_submit, jobs_sweep
from kam.core.models import Job
from kam.ledger.forms import ImportForm


def _upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def import_upload(request: HttpRequest) -> HttpResponse:
    """The programme lead uploads a file; the import runs in the background."""
    if not request.user.is_lead:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        target = _upload_dir() / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        job = job_submit(
            kind="import",
            params={
                "kind": form.cleaned_data["kind"],
                "path": str(target),
                "mapping": form.cleaned_data["mapping"],
                "constants": form.cleaned_data["constants"]
                | ({"cost_missing": "unknown"} if form.cleaned_data["cost_unknown"] else {}),
                "skip_bad": form.cleaned_data["skip_bad"],
                "round_money": form.cleaned_data["round_money"],
                "number_lines": form.cleaned_data["number_lines"],
                "credit_prefix": form.cleaned_data["credit_prefix"],
                "create_accounts": form.cleaned_data["create_accounts"],
                "encoding": form.cleaned_data["encoding"],
                "reject_path": str(target.with_suffix(".rejects.csv")),
            },
            by=request.user,
        )
        return redirect(reverse("selection:job", kwargs={"public_id": job.public_id}))
    jobs_sweep()  # the list below shows a dead import as failed, not running for ever
    recent = Job.objects.filter(kind="import").select_related("created_by")[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "ledger/import.html", {"form": form, "recent": recent}, status=status)


def import_rejects(request: HttpRequest, public_id) -> FileResponse:
    """The rejected rows of one's own import, with their reasons, as the import wrote them."""
    job = get_object_or_404(Job, public_id=public_id, kind="import", created_by=request.user)
    path = job.result.get("reject_path")
    # Only a file the job itself wrote, inside the uploads folder, is ever served.
    if not path or Path(path).parent != _upload_dir() or not Path(path).exists():
        raise Http404
    return FileResponse(Path(path).open("rb"), as_attachment=True, filename="rejected-rows.csv")
