"""The account's own writes on pages: create and edit an account (the programme lead), its
team (its KAM and the lead) and its mentors (the lead). Each calls the same service as the
API (kam.accounts.services), which decides who may and what is valid: an outsider gets 404,
a refusal 403, bad input 422 on its field, a stale edit of the account 409 with the input
kept and the stored values named.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.accounts import services
from kam.accounts.access import MANAGE_TEAM, account_or_404
from kam.accounts.forms import (
    AccountForm,
    MentorForm,
    TeamMemberChangeForm,
    TeamMemberForm,
    user_label,
)
from kam.accounts.models import Account, MentorAssignment, TeamMembership
from kam.core.formviews import form_write, put_errors
from kam.core.versionforms import stored_values
from kam.core.versions import EditConflict

USER_RESULTS = 15


def _search_url() -> str:
    return reverse("accounts:user_search")


def _require_lead(request: HttpRequest) -> None:
    # What the page offers; saving is refused by the service in the same words.
    if not request.user.is_lead:
        raise PermissionDenied(_("Only the programme lead can create or edit accounts."))


# --- the account -------------------------------------------------------------------------


def _account_fields(request: HttpRequest, form: AccountForm, names: Any) -> dict[str, Any]:
    """The service's fields for ``names``: the parent found by its customer number among the
    accounts the user sees, the owner as the user the picker named."""
    fields: dict[str, Any] = {}
    for name in names:
        if name == "parent":
            code = form.cleaned_data["parent"].strip()
            parent = None
            if code:
                parent = Account.objects.visible_to(request.user).filter(code=code).first()
                if parent is None:
                    raise ValidationError(
                        {"parent": _("No account you can see has this customer number.")}
                    )
            fields["parent"] = parent
        elif name == "owner":
            fields["owner"] = form.resolved["owner"]
        else:
            fields[name] = form.cleaned_data[name]
    return fields


def _account_initial(account: Account) -> dict[str, Any]:
    return {
        "code": account.code,
        "name": account.name,
        "country": account.country.code or "",
        "currency": account.currency,
        "industry": account.industry,
        "coverage": account.coverage,
        "parent": account.parent.code if account.parent_id else "",
        "owner": account.owner.username if account.owner_id else "",
        "version": account.version,
    }


def _account_page(request, form, account=None, status=200) -> HttpResponse:
    return render(
        request, "accounts/account_form.html", {"form": form, "account": account}, status=status
    )


EDITABLE = ("code", "name", "country", "currency", "industry", "coverage", "parent", "owner")


@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    _require_lead(request)
    if request.method == "GET":
        form = AccountForm(initial={"coverage": "local"}, search_url=_search_url())
        return _account_page(request, form)
    form = AccountForm(request.POST, search_url=_search_url())
    if not form.is_valid():
        return _account_page(request, form, status=422)
    try:
        fields = _account_fields(request, form, EDITABLE)
        account = services.account_create(by=request.user, **fields)
    except ValidationError as error:
        put_errors(form, error)
        return _account_page(request, form, status=422)
    messages.success(request, _("Account created."))
    return redirect(account)


@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    _require_lead(request)
    users = [account.owner]
    initial = _account_initial(account)
    if request.method == "GET":
        form = AccountForm(initial=initial, search_url=_search_url(), users=users)
        return _account_page(request, form, account)
    form = AccountForm(request.POST, initial=initial, search_url=_search_url(), users=users)
    if not form.is_valid():
        return _account_page(request, form, account, status=422)
    changed = [name for name in form.changed_data if name in EDITABLE]
    try:
        services.account_update(
            account=account,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
            **_account_fields(request, form, changed),
        )
    except ValidationError as error:
        put_errors(form, error)
        return _account_page(request, form, account, status=422)
    except EditConflict as conflict:
        fresh = account_or_404(request.user, public_id)
        data = request.POST.copy()
        data["version"] = fresh.version
        again = AccountForm(
            data,
            initial=_account_initial(fresh),
            search_url=_search_url(),
            users=[fresh.owner, form.resolved.get("owner")],
        )
        again.is_valid()
        again.add_error(None, f"{conflict} {stored_values(again, fresh)}")
        return _account_page(request, again, fresh, status=409)
    messages.success(request, _("Saved."))
    return redirect(account)


# --- the team and the mentors ----------------------------------------------------------------


def _member_form(membership: TeamMembership, data: Any = None) -> TeamMemberChangeForm:
    initial = {"role": membership.role, "since": membership.since, "version": membership.version}
    return TeamMemberChangeForm(data, initial=initial, prefix=f"m-{membership.user.username}")


def _team_page(request, account, *, add_form=None, mentor_form=None, failed=None, status=200):
    members = list(account.team.select_related("user").order_by("role", "user__username", "pk"))
    rows = []
    for membership in members:
        form = _member_form(membership)
        if failed is not None and failed.prefix == form.prefix:
            form = failed
        rows.append((membership, form))
    context = {
        "account": account,
        "rows": rows,
        "mentors": list(account.mentors.select_related("mentor").order_by("mentor__username")),
        "add_form": add_form or TeamMemberForm(search_url=_search_url()),
        "mentor_form": mentor_form or MentorForm(search_url=_search_url()),
        "can_assign_mentors": request.user.is_lead,
    }
    return render(request, "accounts/team.html", context, status=status)


def _member(account: Account, username: str) -> TeamMembership:
    try:
        return account.team.select_related("user", "account").get(user__username=username)
    except TeamMembership.DoesNotExist as missing:
        raise Http404 from missing


def _assignment(account: Account, username: str) -> MentorAssignment:
    try:
        return account.mentors.select_related("mentor", "account").get(mentor__username=username)
    except MentorAssignment.DoesNotExist as missing:
        raise Http404 from missing


def _team(account: Account) -> str:
    return reverse("accounts:account_team", kwargs={"public_id": account.public_id})


def _stale_member(request, account, username: str, conflict: EditConflict, data=None):
    """The team page again after a stale change or removal of a member: their row drawn on
    the stored version, with what the user typed (if anything) and the stored values named."""
    fresh = _member(account, username)
    form = _member_form(fresh)
    if data is None:  # a removal: the stored values, bound to carry the message
        data = {form.add_prefix(name): value for name, value in form.initial.items()}
    data = data.copy()
    data[form.add_prefix("version")] = fresh.version
    form = _member_form(fresh, data)
    form.is_valid()
    form.add_error(None, f"{conflict} {stored_values(form, fresh)}")
    return _team_page(request, account, failed=form, status=409)


@require_GET
def account_team(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id, MANAGE_TEAM)
    return _team_page(request, account)


@require_POST
def team_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id, MANAGE_TEAM)
    form = TeamMemberForm(request.POST, search_url=_search_url())
    return form_write(
        request,
        form,
        lambda: services.team_member_add(
            account=account,
            by=request.user,
            user=form.resolved["user"],
            role=form.cleaned_data["role"],
            since=form.cleaned_data["since"],
        ),
        again=lambda status: _team_page(request, account, add_form=form, status=status),
        done=_team(account),
        success=_("Added to the team."),
    )


@require_POST
def team_change(request: HttpRequest, public_id: Any, username: str) -> HttpResponse:
    account = account_or_404(request.user, public_id, MANAGE_TEAM)
    membership = _member(account, username)
    form = _member_form(membership, request.POST)
    return form_write(
        request,
        form,
        lambda: services.team_member_update(
            membership=membership,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            **{name: form.cleaned_data[name] for name in form.changed_data if name != "version"},
        ),
        again=lambda status: _team_page(request, account, failed=form, status=status),
        done=_team(account),
        success=_("Saved."),
        stale=lambda conflict: _stale_member(request, account, username, conflict, request.POST),
    )


@require_POST
def team_remove(request: HttpRequest, public_id: Any, username: str) -> HttpResponse:
    account = account_or_404(request.user, public_id, MANAGE_TEAM)
    version = request.POST.get("version", "")
    try:
        services.team_member_remove(
            membership=_member(account, username),
            by=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except EditConflict as conflict:
        return _stale_member(request, account, username, conflict)
    messages.success(request, _("Removed from the team."))
    return redirect(_team(account))


@require_POST
def mentor_add(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id, MANAGE_TEAM)
    form = MentorForm(request.POST, search_url=_search_url())
    return form_write(
        request,
        form,
        lambda: services.mentor_add(
            account=account,
            by=request.user,
            mentor=form.resolved["mentor"],
            since=form.cleaned_data["since"],
        ),
        again=lambda status: _team_page(request, account, mentor_form=form, status=status),
        done=_team(account),
        success=_("Mentor assigned."),
    )


@require_POST
def mentor_remove(request: HttpRequest, public_id: Any, username: str) -> HttpResponse:
    account = account_or_404(request.user, public_id, MANAGE_TEAM)
    services.mentor_remove(assignment=_assignment(account, username), by=request.user)
    messages.success(request, _("Mentor removed."))
    return redirect(_team(account))


# --- the user picker ---------------------------------------------------------------------


@require_GET
def user_search(request: HttpRequest) -> HttpResponse:
    """The user picker's answer: the one chosen, then up to 15 active users of ours whose name
    or login contains what was typed (those who run a team or the programme only)."""
    from kam.users.models import Role, User

    user = request.user
    if not (user.is_lead or user.role == Role.KEY_ACCOUNT_MANAGER):
        raise PermissionDenied(_("Only the programme lead and key account managers pick users."))
    if not request.htmx:
        return redirect("accounts:account_list")
    field = request.GET.get("field", "")[:100]
    typed = request.GET.get(f"{field}-search", "").strip()[:100]
    role = request.GET.get("role", "")
    users = User.objects.filter(is_active=True)
    if role in Role.values:
        users = users.filter(role=role)
    chosen = list(users.filter(username=request.GET.get(field, ""))[:1])
    found = []
    if typed and services.storable(typed):
        found = list(
            users.filter(
                Q(username__icontains=typed)
                | Q(first_name__icontains=typed)
                | Q(last_name__icontains=typed)
            )
            .exclude(pk__in=[u.pk for u in chosen])
            .order_by("first_name", "last_name", "username")[:USER_RESULTS]
        )
    context = {
        "name": field,
        "optional": request.GET.get("optional") == "1",
        "chosen": [(u.username, user_label(u)) for u in chosen],
        "found": [(u.username, user_label(u)) for u in found] if typed else None,
    }
    return render(request, "accounts/widgets/_user_options.html", context)
