"""The programme's workload at /api/v1/priorities/workload: each KAM's accounts, hours asked
by the service levels against capacity, and the moves that would level it (the lead sees the
programme, others their own row); the lead moves an account. No ``from __future__ import
annotations`` (ninja)."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kam.accounts.models import Account
from kam.api.fields import Text
from kam.api.openapi import answers
from kam.api.support import field_error, visible_object
from kam.priorities.api_time import PeriodId, period_named
from kam.priorities.workload_read import account_move, workload
from kam.users.models import User

router = Router()


class KamOut(Schema):
    user: str
    accounts: int
    hours_asked: float
    capacity: float | None
    load: float | None
    overloaded: bool


class MoveOut(Schema):
    account_id: UUID
    account: str
    hours: float
    from_kam: str
    to_kam: str
    from_hours_before: float
    from_hours_after: float
    to_hours_before: float
    to_hours_after: float
    from_load_after: float
    to_load_after: float
    relationships_lost: list[str]


class WorkloadOut(Schema):
    period: int
    kams: list[KamOut]
    moves: list[MoveOut]


@router.get("/workload", response=WorkloadOut, summary="Workload of the programme")
def workload_read(request: HttpRequest, period: PeriodId):
    """Per KAM: accounts, hours the service levels ask, capacity, load; the suggested moves
    (the programme lead only; others see their own row)."""
    found = period_named(period)
    rows, moves = workload(found, today=timezone.localdate())
    if not request.auth.is_lead:
        rows, moves = [r for r in rows if r.user.pk == request.auth.pk], []
    return {
        "period": found.pk,
        "kams": [
            {
                "user": r.user.username,
                "accounts": r.accounts,
                "hours_asked": r.asked,
                "capacity": r.capacity,
                "load": r.load if r.load is None or r.load != float("inf") else None,
                "overloaded": r.overloaded,
            }
            for r in rows
        ],
        "moves": [
            {
                "account_id": m.account.public_id,
                "account": m.account.name,
                "hours": m.move.hours,
                "from_kam": m.giver.username,
                "to_kam": m.receiver.username,
                "from_hours_before": m.move.giver_before,
                "from_hours_after": m.move.giver_after,
                "to_hours_before": m.move.receiver_before,
                "to_hours_after": m.move.receiver_after,
                "from_load_after": m.move.giver_load_after,
                "to_load_after": m.move.receiver_load_after,
                "relationships_lost": m.lost,
            }
            for m in moves
        ],
    }


class MoveIn(Schema):
    account: UUID
    to: Text = Field(..., max_length=150, description="The receiving KAM's username.")
    version: int | None = Field(None, description="The account's version read (409 if stale).")


class MovedOut(Schema):
    account_id: UUID
    owner: str
    version: int


@router.post("/workload/moves", response=MovedOut, summary="Move an account to another KAM")
@answers(403, 409)
def workload_move(request: HttpRequest, payload: MoveIn):
    """Give an account to another key account manager (the programme lead only; audited)."""
    if not request.auth.is_lead:
        raise PermissionDenied(_("Only the programme lead moves accounts between KAMs."))
    account = visible_object(request, Account.objects.all(), payload.account)
    to = User.objects.filter(username=payload.to).first()
    if to is None:
        raise field_error("to", _("There is no user with this name."))
    moved = account_move(account=account, to=to, by=request.auth, expected_version=payload.version)
    return {"account_id": moved.public_id, "owner": moved.owner.username, "version": moved.version}
