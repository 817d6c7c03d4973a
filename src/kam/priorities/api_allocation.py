"""API of the allocation: start a solve (a background job with progress), read its proposal
with the explanation, pin hours, and the value model's settings. A KAM allocates and pins
only within their accounts (403 otherwise); the lead across the programme."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.api.fields import Text
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import (
    BasedOnVersion,
    account_filter,
    empty_if_hidden,
    expected_version,
    users_named,
    version_to_delete,
    visible_object,
)
from kam.core.jobs import job_check, job_submit
from kam.core.models import Job
from kam.priorities import services
from kam.priorities.allocating import allocation_scope_check
from kam.priorities.api_time import Hours, PeriodId, period_named
from kam.priorities.models import AllocationRun, Pin, ValueSettings
from kam.priorities.views_support import binding_reason, lines_visible, runs_visible

router = Router()


class AllocateIn(Schema):
    period: PeriodId
    kam: Text | None = Field(None, description="One KAM's accounts; left out: the programme.")


class AllocationJobOut(Schema):
    id: UUID = Field(alias="public_id")
    status: str
    progress_done: int
    progress_total: int | None
    message: str
    allocation_id: UUID | None = Field(None, description="The allocation, once the job is done.")

    @staticmethod
    def resolve_message(job) -> str:
        return job.reason

    @staticmethod
    def resolve_allocation_id(job) -> UUID | None:
        return job.result.get("run") if job.status == "done" else None


@router.post("/allocations", response={202: AllocationJobOut})
def allocation_start(request: HttpRequest, payload: AllocateIn):
    """Solve the allocation for a period in the background; follow the job for progress."""
    period = period_named(payload.period)
    kam = users_named([payload.kam], "kam")[0] if payload.kam else None
    allocation_scope_check(by=request.auth, kam=kam)
    with transaction.atomic():
        job = job_submit(
            kind="allocate",
            params={"period": period.pk, "kam": kam.pk if kam else None},
            by=request.auth,
        )
    return Status(202, job)


@router.get("/allocation-jobs/{uuid:job_id}", response=AllocationJobOut)
def allocation_job(request: HttpRequest, job_id: UUID):
    """A solve's progress (only its starter sees it)."""
    job = get_object_or_404(Job, public_id=job_id, created_by=request.auth, kind="allocate")
    return job_check(job)


class PersonOut(Schema):
    user: str
    capacity_hours: float
    capacity_assumed: bool = Field(description="No capacity set: the default was assumed.")
    hours: float
    marginal_value: float = Field(description="What one more hour of this person is worth.")
    overcommitted_hours: float


class RunOut(Schema):
    id: UUID = Field(alias="public_id")
    period: int
    kam: str | None
    created_at: datetime
    status: str
    objective: float | None
    accounts: int
    people: list[PersonOut]

    @staticmethod
    def resolve_period(run) -> int:
        return run.period_id

    @staticmethod
    def resolve_kam(run) -> str | None:
        return run.kam.username if run.kam_id else None

    @staticmethod
    def resolve_status(run) -> str:
        return run.summary.get("status", run.state)

    @staticmethod
    def resolve_accounts(run) -> int:
        return run.summary.get("accounts", 0)

    @staticmethod
    def resolve_people(run) -> list[dict]:
        from kam.users.models import User

        names = dict(
            User.objects.filter(pk__in=[p["user"] for p in run.people]).values_list(
                "pk", "username"
            )
        )
        return [
            {
                "user": names.get(p["user"], ""),
                "capacity_hours": p["capacity"],
                "capacity_assumed": p["assumed"],
                "hours": p["hours"],
                "marginal_value": p["price"],
                "overcommitted_hours": p["over"],
            }
            for p in run.people
        ]


@router.get("/allocations", response=list[RunOut])
@paginate(LimitOffsetPagination)
def allocation_list(request: HttpRequest, period: PeriodId | None = None):
    """Allocations the caller may read: the programme's and, for a KAM, their own."""
    runs = runs_visible(request.auth).select_related("kam")
    return runs.filter(period_id=period) if period else runs


def _run(request: HttpRequest, allocation_id: UUID) -> AllocationRun:
    try:
        return runs_visible(request.auth).select_related("kam").get(public_id=allocation_id)
    except AllocationRun.DoesNotExist as missing:
        raise Http404 from missing


@router.get("/allocations/{uuid:allocation_id}", response=RunOut)
def allocation_detail(request: HttpRequest, allocation_id: UUID):
    return _run(request, allocation_id)


class LineOut(Schema):
    account_id: UUID
    user: str
    hours: float
    account_hours: float
    floor_hours: float
    last_period_hours: float
    marginal_value: float | None
    binding: str
    reason: str = Field(description="Why, in words.")
    pinned: bool

    @staticmethod
    def resolve_account_id(line) -> UUID:
        return line.account.public_id

    @staticmethod
    def resolve_user(line) -> str:
        return line.user.username

    @staticmethod
    def resolve_last_period_hours(line) -> float:
        return line.last_hours

    @staticmethod
    def resolve_reason(line) -> str:
        return binding_reason(line)


@router.get("/allocations/{uuid:allocation_id}/lines", response=list[LineOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def allocation_lines(request: HttpRequest, allocation_id: UUID, account: UUID | None = None):
    """The proposal's hours per account per person, on the accounts the caller may see."""
    run = _run(request, allocation_id)
    lines = lines_visible(run, request.auth)
    found = account_filter(request, account)
    return lines.filter(account=found) if found is not None else lines


class PinOut(Schema):
    id: UUID = Field(alias="public_id")
    account_id: UUID
    period: int
    user: str
    hours: float
    note: str
    version: int

    @staticmethod
    def resolve_account_id(pin) -> UUID:
        return pin.account.public_id

    @staticmethod
    def resolve_period(pin) -> int:
        return pin.period_id

    @staticmethod
    def resolve_user(pin) -> str:
        return pin.user.username


class PinIn(Schema):
    account: UUID
    period: PeriodId
    user: Text
    hours: Hours
    note: Text = ""
    version: BasedOnVersion = None


def _pins(request: HttpRequest):
    return Pin.objects.visible_to(request.auth).select_related("account", "user")


@router.get("/pins", response=list[PinOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def pin_list(request: HttpRequest, period: PeriodId | None = None, account: UUID | None = None):
    pins = _pins(request)
    found = account_filter(request, account)
    if found is not None:
        pins = pins.filter(account=found)
    return pins.filter(period_id=period) if period else pins


@router.put("/pins", response=PinOut)
def pin_set(request: HttpRequest, payload: PinIn):
    """Fix a person's hours on an account for a period; the next solve keeps them."""
    account = account_or_404(request.auth, payload.account)
    pin = services.pin_set(
        account=account,
        period=period_named(payload.period),
        user=users_named([payload.user], "user")[0],
        hours=payload.hours,
        note=payload.note,
        by=request.auth,
        expected_version=expected_version(request, payload.dict(exclude_unset=True)),
    )
    return _pins(request).get(pk=pin.pk)


@router.delete("/pins/{uuid:pin_id}", response={204: None})
def pin_clear(request: HttpRequest, pin_id: UUID, version: int | None = None):
    pin = visible_object(request, _pins(request), pin_id)
    services.pin_clear(
        pin=pin, by=request.auth, expected_version=version_to_delete(request, version)
    )
    return Status(204, None)


Segment = Annotated[float, Field(gt=0, le=1000)]


class ValueSettingsIn(Schema):
    segment_hours: list[Segment] = Field(default=[], max_length=8)
    decay: float | None = Field(None, ge=0.05, le=1.0)
    long_horizon_floor_hours: Hours | None = None
    hours_per_visit: Hours | None = None
    headroom_capture: float | None = Field(None, ge=0, le=1)
    uplift_share: float | None = Field(None, ge=0, le=1)
    long_horizon_weight: float | None = Field(None, ge=0, le=1)
    risk_share: float | None = Field(None, ge=0, le=1)


class ValueSettingsOut(Schema):
    segment_hours: list[float]
    decay: float | None
    long_horizon_floor_hours: float | None
    hours_per_visit: float | None
    headroom_capture: float | None
    uplift_share: float | None
    long_horizon_weight: float | None
    risk_share: float | None


@router.get("/value-settings", response=ValueSettingsOut)
def value_settings(request: HttpRequest):
    """The value model's parameters in force (empty or null: the documented default)."""
    return ValueSettings.objects.first() or ValueSettingsIn()


@router.put("/value-settings", response=ValueSettingsOut)
def value_settings_set(request: HttpRequest, payload: ValueSettingsIn):
    if not request.auth.is_lead:
        raise PermissionDenied("Only the programme lead changes the value model.")
    return services.value_settings_set(by=request.auth, **payload.dict())
