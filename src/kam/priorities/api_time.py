"""API of effort and money measured: time entries, hours per person per account, capacities,
absences, budgets and expenses. Accounts out of sight are 404; a role that may not write is
403; bad input is 422 naming the field. No ``from __future__ import annotations``: ninja reads
the annotations at import time."""

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.accounts.models import Account
from kam.api.fields import Day, Text, text_of, unset
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import (
    BasedOnVersion,
    account_filter,
    empty_if_hidden,
    expected_version,
    field_error,
    users_named,
    version_to_delete,
    visible_object,
)
from kam.core.models import Period
from kam.priorities import services
from kam.priorities.effort import capacity_hours, effort_in
from kam.priorities.models import MAX_ENTRY_MINUTES, Absence, Budget, Capacity, Expense, TimeEntry
from kam.users.models import User

router = Router()

Minutes = Annotated[int, Field(ge=1, le=MAX_ENTRY_MINUTES)]
Hours = Annotated[Decimal, Field(ge=0, le=100, max_digits=8, decimal_places=2)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
PeriodId = Annotated[int, Field(ge=1, le=2_147_483_647)]


def period_named(period_id: int, field: str = "period") -> Period:
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise field_error(field, "There is no period with this id.")
    return period


def one_user(username: str, field: str):
    return users_named([username], field)[0]


class TimeEntryOut(Schema):
    id: UUID = Field(alias="public_id")
    account_id: UUID
    user: str
    spent_on: date
    minutes: int
    category: str
    note: str
    version: int

    @staticmethod
    def resolve_account_id(e) -> UUID:
        return e.account.public_id

    @staticmethod
    def resolve_user(e) -> str:
        return e.user.username


class TimeEntryIn(Schema):
    account: UUID
    user: Text | None = Field(None, description="Whose time; left out: the caller's.")
    spent_on: Day
    minutes: Minutes
    category: text_of(TimeEntry, "category")
    note: Text = ""


class TimeEntryPatch(Schema):
    spent_on: Day = unset()
    minutes: Minutes = unset()
    category: text_of(TimeEntry, "category") = unset()
    note: Text = unset()
    version: BasedOnVersion = None


def _entries(request: HttpRequest):
    return TimeEntry.objects.visible_to(request.auth).select_related("account", "user")


@router.get("/time-entries", response=list[TimeEntryOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def time_entry_list(request: HttpRequest, account: UUID | None = None):
    """Time entries of the accounts the caller may see, newest first."""
    entries = _entries(request)
    found = account_filter(request, account)
    return entries.filter(account=found) if found is not None else entries


@router.post("/time-entries", response={201: TimeEntryOut})
def time_entry_log(request: HttpRequest, payload: TimeEntryIn):
    account = account_or_404(request.auth, payload.account)
    user = one_user(payload.user, "user") if payload.user else request.auth
    entry = services.time_entry_log(
        account=account,
        user=user,
        by=request.auth,
        spent_on=payload.spent_on,
        minutes=payload.minutes,
        category=payload.category,
        note=payload.note,
    )
    return Status(201, _entries(request).get(pk=entry.pk))


@router.patch("/time-entries/{uuid:entry_id}", response=TimeEntryOut)
def time_entry_update(request: HttpRequest, entry_id: UUID, payload: TimeEntryPatch):
    entry = visible_object(request, _entries(request), entry_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    services.time_entry_update(entry=entry, by=request.auth, expected_version=expected, **changes)
    return _entries(request).get(pk=entry.pk)


@router.delete("/time-entries/{uuid:entry_id}", response={204: None})
def time_entry_delete(request: HttpRequest, entry_id: UUID, version: int | None = None):
    entry = visible_object(request, _entries(request), entry_id)
    services.time_entry_delete(
        entry=entry, by=request.auth, expected_version=version_to_delete(request, version)
    )
    return Status(204, None)


class HoursOut(Schema):
    account_id: UUID
    user: str
    logged_hours: float = Field(description="From the interaction log's durations.")
    entered_hours: float = Field(description="From time entries.")
    hours: float


@router.get("/hours", response=list[HoursOut])
@empty_if_hidden
def hours_list(request: HttpRequest, period: PeriodId, account: UUID | None = None):
    """Hours per person per account in the period, on the accounts the caller may see."""
    span = period_named(period)
    accounts = Account.objects.visible_to(request.auth)
    found = account_filter(request, account)
    if found is not None:
        accounts = accounts.filter(pk=found.pk)
    effort = effort_in(start=span.starts_on, end=span.ends_on, accounts=accounts)
    keys = sorted(effort.keys())
    names = dict(
        Account.objects.filter(pk__in={a for _u, a in keys}).values_list("pk", "public_id")
    )
    users = dict(User.objects.filter(pk__in={u for u, _a in keys}).values_list("pk", "username"))
    return [
        {
            "account_id": names[a],
            "user": users[u],
            "logged_hours": round(effort.logged.get((u, a), 0.0), 2),
            "entered_hours": round(effort.entered.get((u, a), 0.0), 2),
            "hours": round(effort.total((u, a)), 2),
        }
        for u, a in keys
    ]


class CapacityOut(Schema):
    id: UUID = Field(alias="public_id")
    user: str
    period: int
    hours_per_week: Decimal
    hours_in_period: float | None
    note: str
    version: int

    @staticmethod
    def resolve_user(c) -> str:
        return c.user.username

    @staticmethod
    def resolve_period(c) -> int:
        return c.period_id

    @staticmethod
    def resolve_hours_in_period(c) -> float | None:
        hours = capacity_hours(period=c.period, users=[c.user]).get(c.user_id)
        return None if hours is None else round(hours, 2)


class CapacityIn(Schema):
    user: Text | None = Field(None, description="Whose capacity; left out: the caller's.")
    period: PeriodId
    hours_per_week: Hours
    note: Text = ""
    version: BasedOnVersion = None


def _capacities(request: HttpRequest):
    rows = Capacity.objects.select_related("user", "period")
    return rows if request.auth.is_lead else rows.filter(user=request.auth)


@router.get("/capacities", response=list[CapacityOut])
@paginate(LimitOffsetPagination)
def capacity_list(request: HttpRequest, period: PeriodId | None = None):
    """The caller's capacities (the lead: everyone's)."""
    rows = _capacities(request)
    return rows.filter(period_id=period) if period else rows


@router.put("/capacities", response=CapacityOut)
def capacity_set(request: HttpRequest, payload: CapacityIn):
    user = one_user(payload.user, "user") if payload.user else request.auth
    capacity = services.capacity_set(
        user=user,
        period=period_named(payload.period),
        hours_per_week=payload.hours_per_week,
        note=payload.note,
        by=request.auth,
        expected_version=expected_version(request, payload.dict(exclude_unset=True)),
    )
    return _capacities(request).get(pk=capacity.pk)


class AbsenceOut(Schema):
    id: UUID = Field(alias="public_id")
    user: str
    starts_on: date
    ends_on: date
    reason: str
    version: int

    @staticmethod
    def resolve_user(a) -> str:
        return a.user.username


class AbsenceIn(Schema):
    user: Text | None = Field(None, description="Who is away; left out: the caller.")
    starts_on: Day
    ends_on: Day
    reason: Annotated[str, Field(max_length=200)] = ""


def _absences(request: HttpRequest):
    rows = Absence.objects.select_related("user")
    return rows if request.auth.is_lead else rows.filter(user=request.auth)


@router.get("/absences", response=list[AbsenceOut])
@paginate(LimitOffsetPagination)
def absence_list(request: HttpRequest):
    """The caller's absences (the lead: everyone's)."""
    return _absences(request)


@router.post("/absences", response={201: AbsenceOut})
def absence_record(request: HttpRequest, payload: AbsenceIn):
    user = one_user(payload.user, "user") if payload.user else request.auth
    absence = services.absence_record(
        user=user,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        reason=payload.reason,
        by=request.auth,
    )
    return Status(201, absence)


@router.delete("/absences/{uuid:absence_id}", response={204: None})
def absence_delete(request: HttpRequest, absence_id: UUID, version: int | None = None):
    absence = get_object_or_404(_absences(request), public_id=absence_id)
    services.absence_delete(
        absence=absence, by=request.auth, expected_version=version_to_delete(request, version)
    )
    return Status(204, None)


class BudgetOut(Schema):
    id: UUID = Field(alias="public_id")
    period: int
    account_id: UUID | None
    user: str | None
    amount: Decimal
    currency: str
    note: str
    version: int

    @staticmethod
    def resolve_period(b) -> int:
        return b.period_id

    @staticmethod
    def resolve_account_id(b) -> UUID | None:
        return b.account.public_id if b.account_id else None

    @staticmethod
    def resolve_user(b) -> str | None:
        return b.user.username if b.user_id else None


class BudgetIn(Schema):
    period: PeriodId
    account: UUID | None = Field(None, description="An account's budget; or give a user.")
    user: Text | None = Field(None, description="A person's budget (the lead sets it).")
    amount: Amount
    currency: text_of(Budget, "currency")
    note: Text = ""
    version: BasedOnVersion = None


def _budgets(request: HttpRequest):
    return Budget.objects.visible_to(request.auth).select_related("account", "user")


@router.get("/budgets", response=list[BudgetOut])
@paginate(LimitOffsetPagination)
def budget_list(request: HttpRequest, period: PeriodId | None = None):
    """Budgets of the accounts the caller may see, and their own."""
    rows = _budgets(request)
    return rows.filter(period_id=period) if period else rows


@router.put("/budgets", response=BudgetOut)
def budget_set(request: HttpRequest, payload: BudgetIn):
    if (payload.account is None) == (payload.user is None):
        raise field_error("account", "Give either an account or a user, not both.")
    account = account_or_404(request.auth, payload.account) if payload.account else None
    user = one_user(payload.user, "user") if payload.user else None
    budget = services.budget_set(
        period=period_named(payload.period),
        account=account,
        user=user,
        amount=payload.amount,
        currency=payload.currency,
        note=payload.note,
        by=request.auth,
        expected_version=expected_version(request, payload.dict(exclude_unset=True)),
    )
    return _budgets(request).get(pk=budget.pk)


class ExpenseOut(Schema):
    id: UUID = Field(alias="public_id")
    account_id: UUID
    user: str
    spent_on: date
    category: str
    amount: Decimal
    currency: str
    note: str
    version: int

    @staticmethod
    def resolve_account_id(e) -> UUID:
        return e.account.public_id

    @staticmethod
    def resolve_user(e) -> str:
        return e.user.username


class ExpenseIn(Schema):
    account: UUID
    user: Text | None = Field(None, description="Who spent it; left out: the caller.")
    spent_on: Day
    category: text_of(Expense, "category")
    amount: Amount
    currency: text_of(Expense, "currency")
    note: Text = ""


def _expenses(request: HttpRequest):
    return Expense.objects.visible_to(request.auth).select_related("account", "user")


@router.get("/expenses", response=list[ExpenseOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def expense_list(request: HttpRequest, account: UUID | None = None):
    """Expenses of the accounts the caller may see, newest first."""
    rows = _expenses(request)
    found = account_filter(request, account)
    return rows.filter(account=found) if found is not None else rows


@router.post("/expenses", response={201: ExpenseOut})
def expense_record(request: HttpRequest, payload: ExpenseIn):
    account = account_or_404(request.auth, payload.account)
    user = one_user(payload.user, "user") if payload.user else request.auth
    expense = services.expense_record(
        account=account,
        user=user,
        by=request.auth,
        spent_on=payload.spent_on,
        category=payload.category,
        amount=payload.amount,
        currency=payload.currency,
        note=payload.note,
    )
    return Status(201, _expenses(request).get(pk=expense.pk))


@router.delete("/expenses/{uuid:expense_id}", response={204: None})
def expense_delete(request: HttpRequest, expense_id: UUID, version: int | None = None):
    expense = visible_object(request, _expenses(request), expense_id)
    services.expense_delete(
        expense=expense, by=request.auth, expected_version=version_to_delete(request, version)
    )
    return Status(204, None)
