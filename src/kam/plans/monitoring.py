"""Implementation monitoring of an account plan (issue 11, item 3): pure, no Django.

An action is in exactly one of four states as of a day, so the counts add up to the total:
- **done**: its status is done;
- **blocked**: its status is blocked (whatever its due date: the reason says why);
- **late**: its status is open and its due date has passed (late is derived, never stored);
- **open**: its status is open and it is not late (no due date, or due today or later).
A person's late actions are their open or blocked actions past their due date.

% complete is done / total (unknown with no actions). The trend compares, at each month end of
the period up to today, the share of the plan's actions done by then with the share that was
due by then: the gap between the two lines is the plan's lag.

The plan's status in one word, first rule that applies:
- **off track**: at least ``OFF_TRACK_LATE_SHARE`` (25%) of the actions are late or blocked past
  their due date, or the plan lags ``OFF_TRACK_GAP`` (25) points or more behind what was due;
- **at risk**: the plan has no actions, or any action is late or blocked, or it lags
  ``AT_RISK_GAP`` (10) points or more;
- **on track**: otherwise.
Each rule that applies is returned as a reason (a code and its figures) for the page to word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

DONE, OPEN, BLOCKED = "done", "open", "blocked"
LATE = "late"
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
OFF_TRACK_LATE_SHARE = 0.25
OFF_TRACK_GAP = 25.0
AT_RISK_GAP = 10.0


@dataclass(frozen=True)
class ActionFact:
    """What monitoring needs of one action."""

    id: int
    status: str
    due_on: date | None = None
    done_on: date | None = None
    owner_id: int | None = None
    objective_id: int | None = None


def state(action: ActionFact, today: date) -> str:
    """done, blocked, late or open (see the module docstring)."""
    if action.status == DONE:
        return DONE
    if action.status == BLOCKED:
        return BLOCKED
    if action.due_on is not None and action.due_on < today:
        return LATE
    return OPEN


def is_late(action: ActionFact, today: date) -> bool:
    """Not done and past its due date (blocked ones too: they are late for their owner)."""
    return action.status != DONE and action.due_on is not None and action.due_on < today


@dataclass(frozen=True)
class Counts:
    total: int = 0
    done: int = 0
    open: int = 0
    late: int = 0
    blocked: int = 0

    @property
    def percent_complete(self) -> int | None:
        """Done as a whole percentage of all actions; None (unknown) with no actions."""
        if not self.total:
            return None
        return round(100 * self.done / self.total)


def count(actions: Iterable[ActionFact], today: date) -> Counts:
    tally = {DONE: 0, OPEN: 0, LATE: 0, BLOCKED: 0}
    for action in actions:
        tally[state(action, today)] += 1
    return Counts(total=sum(tally.values()), **tally)


@dataclass(frozen=True)
class TrendPoint:
    on: date
    done_pct: float  # share of the plan's actions done by ``on``
    due_pct: float  # share of the plan's actions due by ``on``


def _month_ends(start: date, end: date) -> list[date]:
    days, month = [], date(start.year, start.month, 1)
    while month <= end:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days.append(min(following - timedelta(days=1), end))
        month = following
    return days


def trend(
    actions: Sequence[ActionFact], *, starts_on: date, ends_on: date, today: date
) -> list[TrendPoint]:
    """Done and due shares at each month end of the period up to today (today itself last)."""
    if not actions or today < starts_on:
        return []
    last = min(today, ends_on)
    points = [d for d in _month_ends(starts_on, last) if d < last] + [last]
    total = len(actions)
    out = []
    for day in points:
        done = sum(1 for a in actions if a.status == DONE and a.done_on and a.done_on <= day)
        due = sum(1 for a in actions if a.due_on is not None and a.due_on <= day)
        out.append(TrendPoint(day, 100 * done / total, 100 * due / total))
    return out


@dataclass(frozen=True)
class Reason:
    code: str  # no_actions, late_share, behind, late, blocked
    figures: dict


@dataclass(frozen=True)
class Status:
    word: str  # on_track, at_risk, off_track
    reasons: tuple[Reason, ...]


def lag(actions: Sequence[ActionFact], today: date) -> tuple[float, float]:
    """(due %, done %) as of today: the shares of actions due by today and done by today."""
    if not actions:
        return 0.0, 0.0
    total = len(actions)
    due = sum(1 for a in actions if a.due_on is not None and a.due_on <= today)
    done = sum(1 for a in actions if a.status == DONE)
    return 100 * due / total, 100 * done / total


def status_from(
    *, total: int, done: int, late: int, blocked: int, overdue: int, due: int
) -> Status:
    """The rule of the module docstring, from counts: ``late`` open past due, ``blocked``
    blocked, ``overdue`` not done past due (late or blocked), ``due`` due by today. The plan's
    page counts its actions (``status``); the programme's list has the database count them
    for every plan at once (kam.plans.programme): both apply this one rule."""
    if not total:
        return Status(AT_RISK, (Reason("no_actions", {}),))
    share = overdue / total
    due_pct, done_pct = 100 * due / total, 100 * done / total
    gap = due_pct - done_pct
    behind = Reason("behind", {"due": round(due_pct), "done": round(done_pct)})
    off = []
    if share >= OFF_TRACK_LATE_SHARE:
        figures = {"late": overdue, "total": total, "pct": round(100 * share)}
        off.append(Reason("late_share", figures))
    if gap >= OFF_TRACK_GAP:
        off.append(behind)
    if off:
        return Status(OFF_TRACK, tuple(off))
    risk = []
    if late:
        risk.append(Reason("late", {"count": late}))
    if blocked:
        risk.append(Reason("blocked", {"count": blocked}))
    if gap >= AT_RISK_GAP:
        risk.append(behind)
    if risk:
        return Status(AT_RISK, tuple(risk))
    return Status(ON_TRACK, ())


def status(actions: Sequence[ActionFact], today: date) -> Status:
    """The plan's status in one word and why (the rule is in the module docstring)."""
    counts = count(actions, today)
    return status_from(
        total=counts.total,
        done=counts.done,
        late=counts.late,
        blocked=counts.blocked,
        overdue=sum(1 for a in actions if is_late(a, today)),
        due=sum(1 for a in actions if a.due_on is not None and a.due_on <= today),
    )


@dataclass(frozen=True)
class Monitoring:
    counts: Counts
    by_objective: dict[int | None, Counts]
    late_by_owner: dict[int | None, list[ActionFact]]
    trend: list[TrendPoint]
    status: Status


def monitor(
    actions: Sequence[ActionFact], *, starts_on: date, ends_on: date, today: date
) -> Monitoring:
    """Everything the monitoring panel shows for one plan."""
    grouped: dict[int | None, list[ActionFact]] = defaultdict(list)
    late: dict[int | None, list[ActionFact]] = defaultdict(list)
    for action in actions:
        grouped[action.objective_id].append(action)
        if is_late(action, today):
            late[action.owner_id].append(action)
    for owned in late.values():
        owned.sort(key=lambda a: (a.due_on or today, a.id))
    return Monitoring(
        counts=count(actions, today),
        by_objective={k: count(v, today) for k, v in grouped.items()},
        late_by_owner=dict(late),
        trend=trend(actions, starts_on=starts_on, ends_on=ends_on, today=today),
        status=status(actions, today),
    )
