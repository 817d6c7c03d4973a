"""Who may read and who may write an account's relationship data (METHOD.md M1).

Reading follows ``Account.objects.visible_to`` exactly: the lead, the account's KAM, its team
and its mentors. Writing is narrower: the lead, the KAM and the team. A mentor reads, comments
elsewhere, and never writes here, even on an account where they also sit on the team, because
their role is to review from outside. The audit trail is shown to the writers only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kam.accounts.models import Account, TeamMembership

if TYPE_CHECKING:
    from kam.users.models import User


def writable_accounts(user: User) -> QuerySet[Account]:
    """Accounts whose relationship data the user may change: a subset of the visible ones."""
    visible = Account.objects.visible_to(user)
    if not (user.is_authenticated and user.is_active) or user.is_mentor:
        return visible.none()
    if user.is_lead:
        return visible
    on_team = TeamMembership.objects.filter(account=OuterRef("pk"), user=user)
    return visible.filter(Q(owner=user) | Exists(on_team))


def can_read(user: User, account: Account) -> bool:
    return Account.objects.visible_to(user).filter(pk=account.pk).exists()


def can_write(user: User | None, account: Account) -> bool:
    if user is None:
        return False
    return writable_accounts(user).filter(pk=account.pk).exists()


def require_write(user: User | None, account: Account) -> None:
    """Raise PermissionDenied unless the user may change this account's relationship data.

    ``user`` None means a trusted system job (the CLI import, the demo): it may write.
    """
    if user is None:
        return
    if not can_write(user, account):
        raise PermissionDenied(
            _(
                "Only the account's key account manager, its team and the programme lead can "
                "change its relationship map."
            )
        )


def can_erase(user: User | None, account: Account) -> bool:
    """Erasing a person is irreversible: the account's KAM or the programme lead only."""
    if user is None:
        return True
    if not (user.is_active and can_write(user, account)):
        return False
    return user.is_lead or account.owner_id == user.pk


def can_read_audit(user: User, account: Account) -> bool:
    """The audit trail is for the account team and the lead (not the mentors)."""
    return can_write(user, account)
