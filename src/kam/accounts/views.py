from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts import queries
from kam.accounts.access import CHANGE_STAGE, MANAGE_TEAM, account_or_404, can
from kam.accounts.filters import AccountFilterForm, accounts_filter
from kam.accounts.forms import CONTACT_SORTS, ContactFilterForm, StageChangeForm
from kam.accounts.models import Account
from kam.accounts.services import StageConflict, account_stage_change

PAGE_SIZE = 50


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/dashboard.html", {"dashboard": queries.dashboard_for(user=request.user)}
    )


def account_list(request: HttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET or None)
    rows = queries.account_list_rows(user=request.user)
    if form.is_valid():
        rows = accounts_filter(rows, **form.cleaned_data)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "accounts/partials/_account_table.html" if request.htmx else "accounts/list.html"
    return render(request, template, context)


CONTACT_PAGE_SIZE = 25


def account_detail(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    contacts = _contact_table(request, account)
    if request.htmx and request.htmx.target == "contact-table":
        return render(request, "accounts/partials/_contact_table.html", contacts)
    context = {
        "detail": queries.account_detail(account=account),
        "stage_form": _stage_form(account),
        "can_change_stage": can(request.user, CHANGE_STAGE, account),
        "can_manage_team": can(request.user, MANAGE_TEAM, account),
        **contacts,
    }
    return render(request, "accounts/detail.html", context)


def _contact_table(request: HttpRequest, account: Account) -> dict:
    """One page of the account's contacts, searched, filtered and sorted as the query asks."""
    form = ContactFilterForm(request.GET, departments=queries.contact_departments(account=account))
    wanted = form.cleaned_data if form.is_valid() else {}
    sort = wanted.get("sort") or "name"
    rows = queries.account_contacts(
        account=account,
        q=wanted.get("q", ""),
        department=wanted.get("department", ""),
        order=CONTACT_SORTS[sort],
    )
    page = Paginator(rows, CONTACT_PAGE_SIZE).get_page(request.GET.get("contacts"))
    query = request.GET.copy()
    query.pop("contacts", None)
    without_sort = query.copy()
    without_sort.pop("sort", None)
    return {
        "account": account,
        "contact_form": form,
        "contact_page": page,
        "contact_query": query.urlencode(),
        "contact_sort": sort,
        "contact_sort_query": without_sort.urlencode(),
        "contact_filtered": bool(wanted.get("q") or wanted.get("department")),
    }


def _stage_form(account: Account, data=None) -> StageChangeForm:
    return StageChangeForm(
        data,
        initial={
            "to_stage": account.stage,
            "expected_stage": account.stage,
            "version": account.version,
        },
    )


def _rebased(data, account: Account) -> StageChangeForm:
    """The user's form again, their input kept, based on the stage now stored: submitting it
    once more is a deliberate choice over the other person's change."""
    data = data.copy()
    data["expected_stage"], data["version"] = account.stage, account.version
    form = StageChangeForm(data)
    form.is_valid()
    return form


@require_POST
def account_stage(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id, CHANGE_STAGE)
    form = _stage_form(account, request.POST)
    status, theirs = 400, None
    if form.is_valid():
        try:
            account_stage_change(
                account=account,
                to_stage=form.cleaned_data["to_stage"],
                expected_stage=form.cleaned_data["expected_stage"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except StageConflict as conflict:
            account.refresh_from_db()
            form = _rebased(request.POST, account)
            form.add_error(None, str(conflict))
            status, theirs = 409, account
        else:
            messages.success(request, _("Stage changed."))
            if not request.htmx:
                return redirect(account)
            account.refresh_from_db()
            form = _stage_form(account)
            status = 200
    context = {
        "detail": queries.account_detail(account=account),
        "stage_form": form,
        "can_change_stage": True,
        "can_manage_team": can(request.user, MANAGE_TEAM, account),
        "theirs": theirs,
        **_contact_table(request, account),
    }
    if request.htmx:
        # HTMX swaps only 2xx answers by default: the panel with the conflict comes as 200.
        return render(request, "accounts/partials/_stage.html", context)
    return render(request, "accounts/detail.html", context, status=status)
