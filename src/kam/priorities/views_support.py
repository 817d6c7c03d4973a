"""Reads shared by the allocation's pages and API: which runs and lines a user may read, and
each line's reason in words."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.priorities.effort import period_months
from kam.priorities.models import AllocationLine, AllocationRun, Binding


def runs_visible(user) -> QuerySet[AllocationRun]:
    """The lead reads every run; others the programme's runs and their own scope's."""
    runs = AllocationRun.objects.all()
    if getattr(user, "is_lead", False):
        return runs
    return runs.filter(Q(kam__isnull=True) | Q(kam=user))


def lines_visible(run: AllocationRun, user) -> QuerySet[AllocationLine]:
    """The run's lines on the accounts ``user`` may see, by account then hours."""
    return (
        run.lines.filter(account__in=Account.objects.visible_to(user))
        .select_related("account", "user")
        .order_by("account__name", "account_id", "-hours")
    )


def _h(value: float | None) -> str:
    return number_format(round(value or 0.0, 1), decimal_pos=1)


@dataclass(frozen=True)
class Curve:
    """A run's value curve in hours (its segments' ends, scaled to the period as the value
    model does) and its long-horizon floor: what names the segment an account stops on."""

    ends: tuple[float, ...]
    long_floor: float


def run_curve(run: AllocationRun) -> Curve | None:
    """The curve the run was solved with (kam.priorities.value: a quarter's segments scaled
    by the period's months / 3); None when the run kept no configuration."""
    config = run.summary.get("config") or {}
    segments = config.get("segment_hours")
    if not segments:
        return None
    scale = period_months(run.period) / 3.0
    ends, total = [], 0.0
    for hours in segments:
        total += float(hours) * scale
        ends.append(total)
    return Curve(tuple(ends), float(config.get("long_horizon_floor_hours", 0.0)) * scale)


def _where_on_curve(line: AllocationLine, curve: Curve) -> tuple[int, int, bool]:
    """The segment (1-based) the account's hours stop in, how many there are, and whether
    they stop at its end (a breakpoint: the next segment's hour is worth less than the
    person's hour, the last one more)."""
    for k, end in enumerate(curve.ends):
        if abs(line.account_hours - end) < 0.05:
            return k + 1, len(curve.ends), True
        if line.account_hours < end:
            return k + 1, len(curve.ends), False
    return len(curve.ends), len(curve.ends), True


def binding_reason(line: AllocationLine, curve: Curve | None = None) -> str:
    """Why the account gets its hours, in the reader's language; with the run's ``curve``,
    which segment of falling value it stops on and which floor holds it."""
    marginal = _h(line.marginal_value) if line.marginal_value is not None else "0"
    if line.binding == Binding.PINNED:
        return _("Pinned: the hours fixed for it are kept as they are.")
    if line.binding == Binding.FLOOR:
        if (
            curve is not None
            and curve.long_floor > 0
            and abs(line.floor_hours - curve.long_floor) < 0.05
        ):
            return _(
                "At its floor of %(floor)s h for long-horizon work (results 6 months or more "
                "ahead): one more hour here would be worth %(marginal)s, less than elsewhere."
            ) % {"floor": _h(line.floor_hours), "marginal": marginal}
        if curve is not None:
            return _(
                "At its floor of %(floor)s h, the hours its tier's service level asks: one more "
                "hour here would be worth %(marginal)s, less than elsewhere."
            ) % {"floor": _h(line.floor_hours), "marginal": marginal}
        return _(
            "At its floor of %(floor)s h (service level or long-horizon work): one more hour "
            "here would be worth %(marginal)s, less than elsewhere."
        ) % {"floor": _h(line.floor_hours), "marginal": marginal}
    if line.binding == Binding.CAP:
        return _("At its cap of %(cap)s h: more hours would add nothing.") % {
            "cap": _h(line.cap_hours)
        }
    if line.binding == Binding.BUDGET:
        return _("Held by its budget: more hours would cost more than is left.")
    if line.binding == Binding.NONE:
        return _(
            "No time proposed: its first hour would be worth %(marginal)s, less than the same "
            "hour elsewhere."
        ) % {"marginal": marginal}
    if curve is not None:
        segment, segments, at_end = _where_on_curve(line, curve)
        words = {"segment": segment, "segments": segments, "marginal": marginal}
        if at_end:
            return (
                _(
                    "Diminishing returns: it stops at the end of segment %(segment)d of "
                    "%(segments)d of its value curve; the next hour would be worth %(marginal)s, "
                    "less than the same person's hour elsewhere."
                )
                % words
            )
        return (
            _(
                "Diminishing returns: it stops inside segment %(segment)d of %(segments)d of its "
                "value curve, where its next hour is worth %(marginal)s, as much as the same "
                "person's hour elsewhere."
            )
            % words
        )
    return _(
        "Balanced with the other accounts: its next hour is worth %(marginal)s, as much as "
        "the same person's hour elsewhere."
    ) % {"marginal": marginal}
