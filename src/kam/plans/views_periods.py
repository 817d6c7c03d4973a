"""The programme's plan periods on pages: the lead renames, moves and removes them through
the API's services (``period_update``, ``period_delete``): anyone else 403, bad input 422 on
its field, a stale edit or deletion 409 with the input kept and the stored values named."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.core.formviews import put_errors
from kam.core.models import Period
from kam.core.versionforms import stored_values
from kam.core.versions import EditConflict
from kam.plans import services
from kam.plans.forms_plan import PeriodDeleteForm, PeriodEditForm


def _require_lead(request) -> None:
    # What the page offers; the service refuses saving in the same words.
    if not request.user.is_lead:
        raise PermissionDenied(_("Only the programme lead adds, changes or removes periods."))


@require_GET
def period_list(request):
    _require_lead(request)
    periods = Period.objects.order_by("-starts_on", "name")
    return render(request, "plans/periods.html", {"periods": periods})


def _initial(period: Period) -> dict[str, Any]:
    return {
        "name": period.name,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "version": period.version,
    }


def _page(request, period, form, delete_form, status=200, delete_error=""):
    context = {
        "period": period,
        "form": form,
        "delete_form": delete_form,
        "delete_error": delete_error,
    }
    return render(request, "plans/period_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def period_edit(request, period_id: int):
    _require_lead(request)
    period = get_object_or_404(Period, pk=period_id)
    delete_form = PeriodDeleteForm(initial={"version": period.version}, prefix="delete")
    if request.method == "GET":
        return _page(request, period, PeriodEditForm(initial=_initial(period)), delete_form)
    form = PeriodEditForm(request.POST, initial=_initial(period))
    if not form.is_valid():
        return _page(request, period, form, delete_form, status=422)
    changes = {n: form.cleaned_data[n] for n in form.changed_data if n != "version"}
    try:
        services.period_update(
            period=period,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **changes,
        )
    except ValidationError as error:
        put_errors(form, error)
        return _page(request, period, form, delete_form, status=422)
    except EditConflict as conflict:
        fresh = Period.objects.get(pk=period.pk)
        data = request.POST.copy()
        data["version"] = fresh.version
        again = PeriodEditForm(data, initial=_initial(fresh))
        again.is_valid()
        again.add_error(None, f"{conflict} {stored_values(again, fresh)}")
        delete_form = PeriodDeleteForm(initial={"version": fresh.version}, prefix="delete")
        return _page(request, fresh, again, delete_form, status=409)
    messages.success(request, _("Period saved."))
    return redirect("plans:periods")


@require_POST
def period_delete(request, period_id: int):
    _require_lead(request)
    period = get_object_or_404(Period, pk=period_id)
    form = PeriodDeleteForm(request.POST, prefix="delete")
    edit_form = PeriodEditForm(initial=_initial(period))
    if not form.is_valid():
        return _page(request, period, edit_form, form, status=422)
    try:
        services.period_delete(
            period=period, by=request.user, expected_version=form.cleaned_data.get("version")
        )
    except ValidationError as error:
        again = PeriodDeleteForm(initial={"version": period.version}, prefix="delete")
        text = " ".join(m for ms in error.message_dict.values() for m in ms)
        return _page(request, period, edit_form, again, status=422, delete_error=text)
    except EditConflict as conflict:
        fresh = Period.objects.get(pk=period.pk)
        again = PeriodDeleteForm(initial={"version": fresh.version}, prefix="delete")
        return _page(
            request,
            fresh,
            PeriodEditForm(initial=_initial(fresh)),
            again,
            status=409,
            delete_error=str(conflict),
        )
    messages.success(request, _("Period removed."))
    return redirect("plans:periods")
