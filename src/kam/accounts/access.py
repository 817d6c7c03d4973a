"""Who may do what on a customer account: the one place of the per-role rules.

Reading follows ``Account.objects.visible_to`` exactly: the lead, the account's KAM, its team
and its mentors. Changing the account's data (relationships, planning, ratings) is narrower:
the lead, the KAM and the team. A mentor reads and never writes, even on an account where they
also sit on the team, because their role is to review from outside. What reshapes the account
itself (its stage, team, mentors, cost to serve) and erasing a person are for the KAM and the
lead; tier overrides for the lead. Services enforce these rules with ``require``; views and
templates use ``can`` only to hide what the user cannot do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.accounts.models import Account, TeamMembership

if TYPE_CHECKING:
    from kam.users.models import User

VIEW = "view"
CHANGE = "change"  # relationship and planning data, ratings
AUDIT = "audit"
ERASE = "erase"
MANAGE_TEAM = "manage_team"  # the account itself: stage, team, mentors, cost to serve
CHANGE_STAGE = "change_stage"
SET_COST = "set_cost"
OVERRIDE_TIER = "override_tier"
SIGN = "sign"  # agree to, or object to, the account's plan: its team, never a mentor
ACTIONS = (VIEW, CHANGE, AUDIT, ERASE, MANAGE_TEAM, CHANGE_STAGE, SET_COST, OVERRIDE_TIER, SIGN)


def _reasons() -> dict[str, str]:
    return {
        VIEW: _("You cannot see this account."),
        CHANGE: _(
            "Only the account's key account manager, its team and the programme lead can "
            "change its relationship map."
        ),
        AUDIT: _("The audit trail is for the account team and the programme lead."),
        ERASE: _(
            "Only the account's key account manager or the programme lead can erase a contact."
        ),
        MANAGE_TEAM: _("Only the account's key account manager and the programme lead manage it."),
        CHANGE_STAGE: _("Only the account's key account manager can change its stage."),
        SET_COST: _("Only the account's KAM and the programme lead set its cost to serve."),
        OVERRIDE_TIER: _("Only the programme lead overrides tiers."),
        SIGN: _(
            "Only the members of the account team sign its plan; the mentor reviews it instead."
        ),
    }


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def writable_accounts(user: User) -> QuerySet[Account]:
    """Accounts whose data the user may change: a subset of the visible ones."""
    visible = Account.objects.visible_to(user)
    if not _active(user) or user.is_mentor:
        return visible.none()
    if user.is_lead:
        return visible
    on_team = TeamMembership.objects.filter(account=OuterRef("pk"), user=user)
    return visible.filter(Q(owner=user) | Exists(on_team))


def _leads_or_owns(user: User, account: Account) -> bool:
    return _active(user) and (user.is_lead or account.owner_id == user.pk)


def _on_team(user: User, account: Account) -> bool:
    """The account's KAM or a member of its team, and not its mentor (who never signs)."""
    if not _active(user) or user.is_mentor:
        return False
    if account.mentors.filter(mentor=user).exists():
        return False
    return account.owner_id == user.pk or account.team.filter(user=user).exists()


def can(user: User | None, action: str, account: Account) -> bool:
    """Whether ``user`` may do ``action`` on ``account``. ``user`` None is a trusted system job
    (the CLI import, the demo): it may do everything."""
    if user is None:
        return True
    if action == VIEW:
        return Account.objects.visible_to(user).filter(pk=account.pk).exists()
    if action in (CHANGE, AUDIT):
        return writable_accounts(user).filter(pk=account.pk).exists()
    if action == ERASE:
        return _leads_or_owns(user, account) and can(user, CHANGE, account)
    if action in (MANAGE_TEAM, CHANGE_STAGE, SET_COST):
        return _leads_or_owns(user, account)
    if action == OVERRIDE_TIER:
        return _active(user) and user.is_lead
    if action == SIGN:
        return _on_team(user, account)
    raise ValueError(f"unknown action {action!r}")


def reason(action: str) -> str:
    """Why ``action`` is refused, in the user's language."""
    return _reasons()[action]


def require(user: User | None, action: str, account: Account) -> None:
    """Raise PermissionDenied, with the reason in the user's language, unless ``can``."""
    if not can(user, action, account):
        raise PermissionDenied(reason(action))


def account_or_404(user: User, account_id: Any, action: str = VIEW) -> Account:
    """The account with public id ``account_id`` if the user may see it, else Http404 (so its
    existence is not revealed); then PermissionDenied if they may see but not ``action`` it.
    Every view and API operation resolves its account here."""
    try:
        account = (
            Account.objects.visible_to(user)
            .select_related("owner", "parent")
            .get(public_id=account_id)
        )
    except (Account.DoesNotExist, ValidationError, ValueError) as missing:
        raise Http404 from missing  # a malformed id is as unknown as a missing one
    if action != VIEW:
        require(user, action, account)
    return account
