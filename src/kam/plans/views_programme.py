"""Pages of the programme's plans (the list, its exports, the printable plan and its PDF),
attachments and capability checklists. Thin: parse, call a query or service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.access import CHANGE, account_or_404, can
from kam.planning.models import Opportunity
from kam.plans import attachments as files
from kam.plans import capabilities, exports, printing, programme
from kam.plans.forms_programme import (
    AttachmentForm,
    CapabilityForm,
    CommentForm,
    ProgrammeFilterForm,
)
from kam.plans.models import Attachment, CapabilityChecklist, Plan
from kam.users.models import User

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[ProgrammeFilterForm, list[programme.Row]]:
    today = timezone.localdate()
    rows_all = programme.all_rows(user=request.user, today=today)
    form = ProgrammeFilterForm(
        request.GET or None,
        periods=programme.periods_of(rows_all),
        tiers=sorted({r.tier for r in rows_all if r.tier}),
    )
    if not form.is_valid():
        return form, rows_all
    wanted = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", False)}
    if not wanted:
        return form, rows_all
    return form, programme.programme_rows(user=request.user, today=today, rows=rows_all, **wanted)


def programme_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = programme.hydrate(page.object_list)  # the objects of the rows shown
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "summary": _summary(rows),
    }
    template = "plans/partials/_programme_table.html" if request.htmx else "plans/programme.html"
    return render(request, template, context)


def _summary(rows: list[programme.Row]) -> dict[str, int]:
    return {
        "plans": len(rows),
        "waiting": sum(1 for r in rows if r.waiting_ids),
        "off_track": sum(1 for r in rows if r.status == programme.OFF_TRACK),
        "overdue": sum(1 for r in rows if r.review_overdue),
        "late": sum(r.late for r in rows),
    }


def programme_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    _form, rows = _filtered(request)
    rows = programme.hydrate(rows)
    stamp = f"account-plans-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.to_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stamp}.{fmt}"'
    return response


def _plan(request: HttpRequest, public_id) -> Plan:
    try:
        return (
            Plan.objects.visible_to(request.user)
            .select_related("account", "period", "account__owner")
            .get(public_id=public_id)
        )
    except (Plan.DoesNotExist, ValidationError, ValueError) as missing:
        raise Http404 from missing


def plan_print(request: HttpRequest, public_id) -> HttpResponse:
    plan = _plan(request, public_id)
    context = printing.print_context(plan=plan, today=timezone.localdate())
    return render(request, "plans/print.html", context)


def plan_pdf(request: HttpRequest, public_id) -> HttpResponse:
    plan = _plan(request, public_id)
    try:
        pdf = printing.plan_pdf(plan=plan, today=timezone.localdate())
    except printing.RenderingUnavailable as why:
        return render(request, "plans/pdf_unavailable.html", {"plan": plan, "why": why}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"plan-{plan.account.code}-{plan.period.name}.pdf".replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- attachments ---------------------------------------------------------------------------


def _panel(request: HttpRequest, *, plan=None, opportunity=None, form=None, status=200):
    owner = plan or opportunity
    account = owner.account
    context = {
        "account": account,
        "plan": plan,
        "opportunity": opportunity,
        "attachments": files.attachments_of(plan=plan, opportunity=opportunity).prefetch_related(
            "comments__author"
        ),
        "form": form or AttachmentForm(),
        "comment_form": CommentForm(),
        "can_attach": can(request.user, CHANGE, account),
        "can_comment": can(request.user, CHANGE, account)
        or account.mentors.filter(mentor=request.user).exists(),
        "max_size": settings.KAM_ATTACHMENT_MAX_BYTES,
        "accepted": files.allowed_names(),
        "upload_url": request.path,
    }
    if request.htmx or (plan is not None and request.GET.get("panel")):
        return render(request, "plans/partials/_attachments.html", context, status=status)
    return render(request, "plans/attachments.html", context, status=status)


def _upload(request: HttpRequest, *, plan=None, opportunity=None) -> HttpResponse:
    account = (plan or opportunity).account
    if not can(request.user, CHANGE, account):
        raise PermissionDenied(_("Only the account team and the programme lead attach files."))
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            files.attachment_add(
                by=request.user,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                plan=plan,
                opportunity=opportunity,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("File attached."))
            if not request.htmx:
                return redirect(request.path)
            form = None
    status = 200 if form is None or request.htmx else 400
    return _panel(request, plan=plan, opportunity=opportunity, form=form, status=status)


def plan_attachments(request: HttpRequest, public_id) -> HttpResponse:
    plan = _plan(request, public_id)
    if request.method == "POST":
        return _upload(request, plan=plan)
    return _panel(request, plan=plan)


def opportunity_attachments(request: HttpRequest, public_id) -> HttpResponse:
    try:
        opportunity = (
            Opportunity.objects.visible_to(request.user)
            .select_related("account")
            .get(public_id=public_id)
        )
    except (Opportunity.DoesNotExist, ValidationError) as missing:
        raise Http404 from missing
    if request.method == "POST":
        return _upload(request, opportunity=opportunity)
    return _panel(request, opportunity=opportunity)


def _attachment(request: HttpRequest, public_id) -> Attachment:
    try:
        return (
            Attachment.objects.visible_to(request.user)
            .select_related("account", "plan", "opportunity")
            .get(public_id=public_id)
        )
    except (Attachment.DoesNotExist, ValidationError) as missing:
        raise Http404 from missing


def attachment_download(request: HttpRequest, public_id) -> FileResponse:
    attachment = _attachment(request, public_id)
    return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> FileResponse:
    """The stored file as a download, typed by what its content was checked to be."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as gone:
        raise Http404 from gone
    name = attachment.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _back(attachment: Attachment) -> str:
    if attachment.plan_id:
        return reverse("plans:plan_attachments", args=[attachment.plan.public_id])
    return reverse("plans:opportunity_attachments", args=[attachment.opportunity.public_id])


@require_POST
def attachment_comment(request: HttpRequest, public_id) -> HttpResponse:
    attachment = _attachment(request, public_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            files.attachment_comment_add(
                by=request.user, attachment=attachment, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect(_back(attachment))


@require_POST
def attachment_delete(request: HttpRequest, public_id) -> HttpResponse:
    attachment = _attachment(request, public_id)
    version = request.POST.get("version")
    files.attachment_delete(
        by=request.user,
        attachment=attachment,
        expected_version=int(version) if version and version.isdigit() else None,
    )
    messages.success(request, _("File removed."))
    return redirect(_back(attachment))


# -- capability checklists -----------------------------------------------------------------


def _checklist_page(request, *, account=None, kam=None):
    scope = capabilities.ACCOUNT if account is not None else capabilities.KAM
    may_edit = (
        can(request.user, CHANGE, account)
        if account is not None
        else capabilities.may_assess_kam(request.user, kam)
    )
    form = CapabilityForm(scope=scope)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("You may read this checklist but not assess it."))
        form = CapabilityForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                capabilities.checklist_record(
                    by=request.user,
                    account=account,
                    kam=kam,
                    answers=form.answers(),
                    assessed_on=form.cleaned_data["assessed_on"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                status = 400
            else:
                messages.success(request, _("Assessment recorded."))
                return redirect(request.path)
        else:
            status = 400
    rows = (
        CapabilityChecklist.objects.filter(account=account)
        if account
        else (CapabilityChecklist.objects.filter(kam=kam, account__isnull=True))
    )
    history = list(capabilities.with_answers(rows)[:20])
    for checklist in history:
        checklist.by_item = {a.item: a for a in checklist.answers.all()}
    context = {
        "account": account,
        "kam": kam,
        "form": form,
        "may_edit": may_edit,
        "history": history,
        "items": capabilities.items_of(scope),
    }
    template = "plans/partials/_capabilities.html" if request.htmx else "plans/capabilities.html"
    return render(request, template, context, status=status)


def account_capabilities(request: HttpRequest, public_id) -> HttpResponse:
    return _checklist_page(request, account=account_or_404(request.user, public_id))


def kam_capabilities(request: HttpRequest, username: str) -> HttpResponse:
    kam = get_object_or_404(User, username=username, is_active=True)
    if not capabilities.may_see_kam(request.user, kam):
        raise Http404
    return _checklist_page(request, kam=kam)
