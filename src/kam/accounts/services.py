"""Writes to customer accounts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account, Stage, StageChange


class StageConflict(Exception):
    """Someone else changed the stage since the user loaded the page."""


@transaction.atomic
def account_stage_change(
    *, account: Account, to_stage: str, by, expected_stage: str | None = None, note: str = ""
) -> StageChange:
    """Move the account to ``to_stage`` and record the change in its history.

    ``expected_stage`` is the stage the user saw; if another change landed in between, the
    update matches no row and StageConflict is raised instead of silently overwriting it.
    """
    if not account.can_change_stage(by):
        raise PermissionDenied(_("Only the account's key account manager can change its stage."))
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    seen = expected_stage if expected_stage is not None else account.stage
    if to_stage == seen:
        raise ValidationError({"to_stage": _("The account is already at this stage.")})
    now = timezone.now()
    updated = Account.objects.filter(pk=account.pk, stage=seen).update(
        stage=to_stage, updated_at=now
    )
    if updated != 1:
        raise StageConflict(_("The stage was changed by someone else; reload and try again."))
    change = StageChange.objects.create(
        account=account,
        from_stage=seen,
        to_stage=to_stage,
        changed_by=by,
        changed_at=now,
        note=note,
    )
    account.stage = to_stage
    return change
