"""Writes of effort and money measured: time entries, capacities, absences, budgets, expenses,
and the allocation's pins and value settings.

Who may write what: time and expenses on an account, like its other data, are for its KAM,
its team and the lead (``CHANGE``); a person logs their own, and only the account's KAM or the
lead logs for someone else. Capacities and absences are a person's own or the lead's. An
account's budget and its pins are for its KAM and the lead (``MANAGE_TEAM``); a person's
budget and the value model for the lead.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, MANAGE_TEAM, require
from kam.accounts.audit import apply_update, audit_create, audit_delete, lock
from kam.accounts.models import Account, TeamMembership
from kam.core.models import Period
from kam.core.versions import lock_version
from kam.priorities.models import (
    Absence,
    Budget,
    Capacity,
    Expense,
    Pin,
    TimeEntry,
    ValueSettings,
)
from kam.priorities.value import ValueConfig, config_problems

ENTRY_FIELDS = ("user", "spent_on", "minutes", "category", "note")
EXPENSE_FIELDS = ("user", "spent_on", "category", "amount", "currency", "note")
PIN_FIELDS = ("period", "user", "hours", "note")


def serves(user, account: Account) -> bool:
    """Is ``user`` the account's KAM or on its team (so their hours may go there)?"""
    return (
        account.owner_id == user.pk
        or TeamMembership.objects.filter(account=account, user=user).exists()
    )


def _check_serves(user, account: Account, field: str = "user") -> None:
    if not serves(user, account):
        raise ValidationError(
            {
                field: _("%(user)s does not serve this account (not its KAM nor on its team).")
                % {"user": user}
            }
        )


def _check_for_whom(by, user, account: Account) -> None:
    """A person logs their own time and money; the account's KAM and the lead anyone's."""
    if by is None or user.pk == by.pk or by.is_lead or account.owner_id == by.pk:
        return
    raise PermissionDenied(
        _("Only the account's KAM or the programme lead records this for someone else.")
    )


def _check_past(day: date | None, field: str, today: date | None) -> None:
    if day is not None and day > (today or timezone.localdate()):
        raise ValidationError(
            {field: _("Record what was spent: the date cannot be in the future.")}
        )


def _own_or_lead(by, user) -> None:
    """A person's own absences (a mentor sells no hours), or anyone's for the lead."""
    if by is None or by.is_lead:
        return
    if by.pk != user.pk or by.is_mentor:
        raise PermissionDenied(_("Only the person themselves or the programme lead sets this."))


def _lead_only(by) -> None:
    if by is not None and not by.is_lead:
        raise PermissionDenied(_("Only the programme lead sets capacities."))


# --- time ----------------------------------------------------------------------------------


@transaction.atomic
def time_entry_log(
    *,
    account: Account,
    user,
    by,
    spent_on: date,
    minutes: int,
    category: str,
    note: str = "",
    today: date | None = None,
) -> TimeEntry:
    """Record time spent for an account outside the interaction log (travel, preparation...)."""
    require(by, CHANGE, account)
    _check_for_whom(by, user, account)
    _check_serves(user, account)
    _check_past(spent_on, "spent_on", today)
    entry = TimeEntry(
        account=account,
        user=user,
        spent_on=spent_on,
        minutes=minutes,
        category=category,
        note=note,
        created_by=by,
        updated_by=by,
    )
    entry.full_clean()
    entry.save()
    audit_create(by=by, obj=entry, account=account, fields=ENTRY_FIELDS)
    return entry


@transaction.atomic
def time_entry_update(
    *, entry: TimeEntry, by, expected_version: int | None = None, today=None, **changes: Any
) -> TimeEntry:
    require(by, CHANGE, entry.account)
    _check_for_whom(by, changes.get("user", entry.user), entry.account)
    _check_for_whom(by, entry.user, entry.account)
    if "user" in changes:
        _check_serves(changes["user"], entry.account)
    _check_past(changes.get("spent_on"), "spent_on", today)
    updated, _changed = apply_update(
        entry,
        by=by,
        changes=changes,
        allowed=ENTRY_FIELDS,
        account=entry.account,
        expected_version=expected_version,
    )
    return updated


@transaction.atomic
def time_entry_delete(*, entry: TimeEntry, by, expected_version: int | None = None) -> None:
    require(by, CHANGE, entry.account)
    _check_for_whom(by, entry.user, entry.account)
    lock(entry, expected_version)
    audit_delete(by=by, obj=entry, account=entry.account, fields=ENTRY_FIELDS)
    entry.delete()


# --- capacity and absences -----------------------------------------------------------------


@transaction.atomic
def capacity_set(
    *,
    user,
    period: Period,
    hours_per_week: Decimal,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> Capacity:
    """Set how many selling hours a week ``user`` has in ``period`` (absences come off): the
    lead plans the programme's capacity."""
    _lead_only(by)
    existing = Capacity.objects.filter(user=user, period=period).first()
    if existing is None:
        capacity = Capacity(user=user, period=period, hours_per_week=hours_per_week, note=note)
        capacity.updated_by = by
        capacity.full_clean()
        capacity.save()
        return capacity
    fresh = lock_version(existing, expected_version)
    fresh.hours_per_week, fresh.note = hours_per_week, note
    fresh.full_clean()
    fields = fresh.touch(by)
    fresh.save(update_fields=["hours_per_week", "note", *fields])
    return fresh


@transaction.atomic
def absence_record(*, user, starts_on: date, ends_on: date, by, reason: str = "") -> Absence:
    """Days ``user`` will not sell: their capacity loses those working days."""
    _own_or_lead(by, user)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end comes before the start.")})
    absence = Absence(user=user, starts_on=starts_on, ends_on=ends_on, reason=reason)
    absence.updated_by = by
    absence.full_clean()
    absence.save()
    return absence


@transaction.atomic
def absence_delete(*, absence: Absence, by, expected_version: int | None = None) -> None:
    _own_or_lead(by, absence.user)
    lock_version(absence, expected_version)
    absence.delete()


# --- money ---------------------------------------------------------------------------------


@transaction.atomic
def budget_set(
    *,
    period: Period,
    amount: Decimal,
    currency: str,
    by,
    account: Account | None = None,
    user=None,
    note: str = "",
    expected_version: int | None = None,
) -> Budget:
    """Set the money for ``period`` of one account (its KAM or the lead) or one person (the
    lead): travel, samples, events, pilots. Setting it again replaces the amount."""
    if (account is None) == (user is None):
        raise ValidationError({"account": _("Give either an account or a person, not both.")})
    if account is not None:
        require(by, MANAGE_TEAM, account)
        existing = Budget.objects.filter(period=period, account=account).first()
    else:
        if by is not None and not by.is_lead:
            raise PermissionDenied(_("Only the programme lead sets a person's budget."))
        existing = Budget.objects.filter(period=period, user=user).first()
    if existing is None:
        budget = Budget(
            period=period,
            account=account,
            user=user,
            amount=amount,
            currency=currency,
            note=note,
            created_by=by,
            updated_by=by,
        )
        budget.full_clean()
        budget.save()
        if account is not None:
            audit_create(by=by, obj=budget, account=account, fields=("amount", "currency", "note"))
        return budget
    if account is not None:
        updated, _changed = apply_update(
            existing,
            by=by,
            changes={"amount": amount, "currency": currency, "note": note},
            allowed=("amount", "currency", "note"),
            account=account,
            expected_version=expected_version,
        )
        return updated
    fresh = lock_version(existing, expected_version)
    fresh.amount, fresh.currency, fresh.note = amount, currency, note
    fresh.full_clean()
    fresh.save(update_fields=["amount", "currency", "note", *fresh.touch(by)])
    return fresh


@transaction.atomic
def expense_record(
    *,
    account: Account,
    user,
    by,
    spent_on: date,
    category: str,
    amount: Decimal,
    currency: str,
    note: str = "",
    today: date | None = None,
) -> Expense:
    """Money spent for an account, counted against its budget and the person's."""
    require(by, CHANGE, account)
    _check_for_whom(by, user, account)
    _check_serves(user, account)
    _check_past(spent_on, "spent_on", today)
    expense = Expense(
        account=account,
        user=user,
        spent_on=spent_on,
        category=category,
        amount=amount,
        currency=currency,
        note=note,
        created_by=by,
        updated_by=by,
    )
    expense.full_clean()
    expense.save()
    audit_create(by=by, obj=expense, account=account, fields=EXPENSE_FIELDS)
    return expense


@transaction.atomic
def expense_delete(*, expense: Expense, by, expected_version: int | None = None) -> None:
    require(by, CHANGE, expense.account)
    _check_for_whom(by, expense.user, expense.account)
    lock(expense, expected_version)
    audit_delete(by=by, obj=expense, account=expense.account, fields=EXPENSE_FIELDS)
    expense.delete()


# --- the allocation's inputs ---------------------------------------------------------------


@transaction.atomic
def pin_set(
    *,
    account: Account,
    period: Period,
    user,
    hours: Decimal,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> Pin:
    """Fix ``hours`` of ``user`` on ``account`` in ``period``: the allocation keeps them."""
    require(by, MANAGE_TEAM, account)
    _check_serves(user, account)
    if hours < 0:
        raise ValidationError({"hours": _("Hours cannot be negative.")})
    existing = Pin.objects.filter(account=account, period=period, user=user).first()
    if existing is not None:
        updated, _changed = apply_update(
            existing,
            by=by,
            changes={"hours": hours, "note": note},
            allowed=PIN_FIELDS,
            account=account,
            expected_version=expected_version,
        )
        return updated
    pin = Pin(account=account, period=period, user=user, hours=hours, note=note, created_by=by)
    pin.updated_by = by
    pin.full_clean()
    pin.save()
    audit_create(by=by, obj=pin, account=account, fields=PIN_FIELDS)
    return pin


@transaction.atomic
def pin_clear(*, pin: Pin, by, expected_version: int | None = None) -> None:
    require(by, MANAGE_TEAM, pin.account)
    lock(pin, expected_version)
    audit_delete(by=by, obj=pin, account=pin.account, fields=PIN_FIELDS)
    pin.delete()


VALUE_FIELDS = (
    "segment_hours",
    "decay",
    "long_horizon_floor_hours",
    "hours_per_visit",
    "headroom_capture",
    "uplift_share",
    "long_horizon_weight",
    "risk_share",
)


@transaction.atomic
def value_settings_set(*, by, **values: Any) -> ValueSettings:
    """Change the value model's parameters (the lead only); a new row keeps the history. A
    value left out keeps the current one; None goes back to the default."""
    if by is not None and not by.is_lead:
        raise PermissionDenied(_("Only the programme lead changes the value model."))
    current = ValueSettings.objects.first()
    merged = {f: getattr(current, f) if current else None for f in VALUE_FIELDS}
    merged.update({k: v for k, v in values.items() if k in VALUE_FIELDS})
    if merged["segment_hours"] is None:
        merged["segment_hours"] = []
    settings = ValueSettings(**merged, updated_by=by)
    settings.full_clean()
    problems = config_problems(SimpleNamespace(**{**vars(ValueConfig()), **_given(settings)}))
    if problems:
        raise ValidationError(problems)
    settings.save()
    return settings


def _given(settings: ValueSettings) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if settings.segment_hours:
        given["segment_hours"] = tuple(float(h) for h in settings.segment_hours)
    for name in ("decay", "headroom_capture", "uplift_share", "long_horizon_weight", "risk_share"):
        if getattr(settings, name) is not None:
            given[name] = float(getattr(settings, name))
    for name in ("long_horizon_floor_hours", "hours_per_visit"):
        if getattr(settings, name) is not None:
            given[name] = float(getattr(settings, name))
    return given


def value_config() -> ValueConfig:
    """The value model's configuration: the defaults, overridden by the lead's settings."""
    settings = ValueSettings.objects.first()
    return ValueConfig(**_given(settings)) if settings is not None else ValueConfig()
