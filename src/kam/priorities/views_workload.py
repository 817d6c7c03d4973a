"""The workload page: per KAM, the accounts, the hours their service levels ask against the
capacity, and (for the programme lead) the suggested moves, each with a button to move the
account (kam.priorities.workload documents the rule)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.models import Account
from kam.core.models import Period
from kam.core.versions import EditConflict
from kam.priorities.views_time import period_chosen
from kam.priorities.workload_read import account_move, workload
from kam.users.models import User


def workload_page(request: HttpRequest) -> HttpResponse:
    period = period_chosen(request)
    rows, moves = ([], [])
    if period is not None:
        rows, moves = workload(period, today=timezone.localdate())
    if not request.user.is_lead:
        rows, moves = [r for r in rows if r.user.pk == request.user.pk], []
    return render(
        request,
        "priorities/workload.html",
        {
            "period": period,
            "periods": Period.objects.all(),
            "rows": rows,
            "moves": moves,
            "any_capacity": any(r.capacity is not None for r in rows),
        },
    )


@require_POST
def workload_move(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied(_("Only the programme lead moves accounts between KAMs."))
    account = get_object_or_404(
        Account.objects.visible_to(request.user), public_id=request.POST.get("account")
    )
    to = (
        User.objects.filter(pk=request.POST.get("to") or 0).first()
        if (str(request.POST.get("to", "")).isdigit())
        else None
    )
    version = request.POST.get("version")
    try:
        if to is None:
            raise ValidationError({"to": _("Choose a key account manager.")})
        account_move(
            account=account,
            to=to,
            by=request.user,
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(
            request,
            _("%(account)s now belongs to %(kam)s.") % {"account": account.name, "kam": to},
        )
    url = reverse("priorities:workload")
    period = request.POST.get("period")
    return redirect(f"{url}?period={period}" if period and period.isdigit() else url)
