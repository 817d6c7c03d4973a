"""Writes to customer accounts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE_STAGE, require
from kam.accounts.models import Account, Stage, StageChange
from kam.core.versions import EditConflict, lock_version, stale_edit


class StageConflict(EditConflict):
    """Someone else changed the stage since the user loaded the page."""


@transaction.atomic
def account_stage_change(
    *,
    account: Account,
    to_stage: str,
    by,
    expected_stage: str | None = None,
    expected_version: int | None = None,
    note: str = "",
) -> StageChange:
    """Move the account to ``to_stage`` and record the change in its history.

    ``expected_version`` (and ``expected_stage``) are what the user saw: the account row is
    locked and checked, so a change that landed in between, even one away and back to the
    same stage, raises StageConflict naming who made it instead of being overwritten.
    """
    require(by, CHANGE_STAGE, account)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    try:
        fresh = lock_version(account, expected_version)
    except EditConflict as stale:
        raise StageConflict(str(stale), by=stale.by, at=stale.at, current=stale.current) from None
    if expected_stage is not None and fresh.stage != expected_stage:
        stale = stale_edit(fresh)
        raise StageConflict(str(stale), by=stale.by, at=stale.at, current=stale.current)
    if to_stage == fresh.stage:
        raise ValidationError({"to_stage": _("The account is already at this stage.")})
    from_stage = fresh.stage
    fresh.stage = to_stage
    fresh.save(update_fields=["stage", *fresh.touch(by)])
    change = StageChange.objects.create(
        account=account,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=by,
        changed_at=fresh.updated_at,
        note=note,
    )
    account.stage, account.version = to_stage, fresh.version
    account.updated_at, account.updated_by = fresh.updated_at, fresh.updated_by
    return change
