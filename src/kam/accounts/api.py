from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.accounts import queries, services
from kam.accounts.access import account_or_404
from kam.accounts.filters import accounts_filter
from kam.accounts.models import Account, MentorAssignment, TeamMembership
from kam.accounts.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    MentorIn,
    MentorOut,
    StageChangeIn,
    StageChangeOut,
    TeamMemberIn,
    TeamMemberOut,
    TeamMemberPatch,
    TeamOut,
)
from kam.api.fields import Text
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import expected_version, field_error, users_named, version_to_delete

router = Router(tags=["accounts"])


class AccountFilters(Schema):
    q: Text = ""
    stage: Text = ""
    industry: Text = ""
    coverage: Text = ""
    country: Text = ""


@router.get("", response=list[AccountOut])
@paginate(LimitOffsetPagination)
def account_list(request: HttpRequest, filters: Query[AccountFilters]):
    return accounts_filter(queries.account_list_rows(user=request.auth), **filters.dict())


@router.get("/{account_id}", response=AccountOut)
def account_detail(request: HttpRequest, account_id: UUID):
    return account_or_404(request.auth, account_id)


@router.get("/{account_id}/team", response=TeamOut)
def account_team(request: HttpRequest, account_id: UUID):
    detail = queries.account_detail(account=account_or_404(request.auth, account_id))
    return {"owner": detail.account.owner, "members": detail.team, "mentors": detail.mentors}


@router.get("/{account_id}/stage-history", response=list[StageChangeOut])
def account_stage_history(request: HttpRequest, account_id: UUID):
    return queries.account_detail(account=account_or_404(request.auth, account_id)).stage_history


# --- writes: accounts, their stage, team and mentors ---------------------------------------
# Each resolves the account in the caller's scope first (404 outside it), then calls one
# service, whose refusal is a 403 and whose validation error a 422 naming the field.


def _user_named(username: str | None, field: str):
    if username is None:
        return None
    if not services.storable(username):
        raise field_error(field, _("Unknown users: %(names)s") % {"names": [username]})
    (user,) = users_named([username], field)
    return user


def _parent(request: HttpRequest, public_id: UUID | None) -> Account | None:
    if public_id is None:
        return None
    found = Account.objects.visible_to(request.auth).filter(public_id=public_id).first()
    if found is None:
        raise field_error("parent", _("No account you can see has this id."))
    return found


def _account_fields(request: HttpRequest, fields: dict) -> dict:
    if "owner" in fields:
        fields["owner"] = _user_named(fields["owner"], "owner")
    if "parent" in fields:
        fields["parent"] = _parent(request, fields["parent"])
    return fields


@router.post("", response={201: AccountOut})
def account_create(request: HttpRequest, payload: AccountIn):
    """Create a customer account (the programme lead only)."""
    fields = _account_fields(request, payload.dict(exclude={"code", "name"}))
    account = services.account_create(
        by=request.auth, code=payload.code, name=payload.name, **fields
    )
    return Status(201, account_or_404(request.auth, account.public_id))


@router.patch("/{account_id}", response={200: AccountOut})
def account_update(request: HttpRequest, account_id: UUID, payload: AccountPatch):
    """Change an account's fields (the programme lead only); send only what changes."""
    account = account_or_404(request.auth, account_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    services.account_update(
        account=account,
        by=request.auth,
        expected_version=expected,
        **_account_fields(request, changes),
    )
    return account_or_404(request.auth, account_id)


@router.post("/{account_id}/stage", response={201: StageChangeOut})
def account_stage_change(request: HttpRequest, account_id: UUID, payload: StageChangeIn):
    """Move the account to another stage (its KAM or the lead), as the account page does."""
    account = account_or_404(request.auth, account_id)
    change = services.account_stage_change(
        account=account,
        to_stage=payload.to_stage,
        expected_stage=payload.expected_stage,
        expected_version=expected_version(request, {"version": payload.version}),
        note=payload.note,
        by=request.auth,
    )
    return Status(201, change)


def _membership(account: Account, username: str) -> TeamMembership:
    if not services.storable(username):
        raise Http404
    try:
        return account.team.select_related("user", "account").get(user__username=username)
    except TeamMembership.DoesNotExist as missing:
        raise Http404 from missing


def _assignment(account: Account, username: str) -> MentorAssignment:
    if not services.storable(username):
        raise Http404
    try:
        return account.mentors.select_related("mentor", "account").get(mentor__username=username)
    except MentorAssignment.DoesNotExist as missing:
        raise Http404 from missing


@router.get("/{account_id}/members", response={200: list[TeamMemberOut]})
@paginate(LimitOffsetPagination)
def team_member_list(request: HttpRequest, account_id: UUID):
    """The account's team (not its KAM, see ``owner`` on the account), by role and name."""
    account = account_or_404(request.auth, account_id)
    return account.team.select_related("user").order_by("role", "user__username", "pk")


@router.post("/{account_id}/members", response={201: TeamMemberOut})
def team_member_add(request: HttpRequest, account_id: UUID, payload: TeamMemberIn):
    """Put a user on the team (the account's KAM or the lead)."""
    account = account_or_404(request.auth, account_id)
    membership = services.team_member_add(
        account=account,
        by=request.auth,
        user=_user_named(payload.user, "user"),
        role=payload.role,
        since=payload.since,
    )
    return Status(201, _membership(account, membership.user.username))


@router.patch("/{account_id}/members/{username}", response={200: TeamMemberOut})
def team_member_update(
    request: HttpRequest, account_id: UUID, username: str, payload: TeamMemberPatch
):
    """Change a member's role or joining date (the account's KAM or the lead)."""
    account = account_or_404(request.auth, account_id)
    changes = payload.dict(exclude_unset=True)
    services.team_member_update(
        membership=_membership(account, username),
        by=request.auth,
        expected_version=expected_version(request, changes),
        **changes,
    )
    return _membership(account, username)


@router.delete("/{account_id}/members/{username}", response={204: None})
def team_member_remove(
    request: HttpRequest, account_id: UUID, username: str, version: int | None = None
):
    """Take a member off the team; ``version`` (or ``If-Match``) refuses a stale one (409)."""
    account = account_or_404(request.auth, account_id)
    services.team_member_remove(
        membership=_membership(account, username),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.get("/{account_id}/mentors", response={200: list[MentorOut]})
@paginate(LimitOffsetPagination)
def mentor_list(request: HttpRequest, account_id: UUID):
    account = account_or_404(request.auth, account_id)
    return account.mentors.select_related("mentor").order_by("mentor__username", "pk")


@router.post("/{account_id}/mentors", response={201: MentorOut})
def mentor_add(request: HttpRequest, account_id: UUID, payload: MentorIn):
    """Assign a mentor to the account (the programme lead only)."""
    account = account_or_404(request.auth, account_id)
    assignment = services.mentor_add(
        account=account,
        by=request.auth,
        mentor=_user_named(payload.mentor, "mentor"),
        since=payload.since,
    )
    return Status(201, _assignment(account, assignment.mentor.username))


@router.delete("/{account_id}/mentors/{username}", response={204: None})
def mentor_remove(request: HttpRequest, account_id: UUID, username: str):
    account = account_or_404(request.auth, account_id)
    services.mentor_remove(assignment=_assignment(account, username), by=request.auth)
    return Status(204, None)
