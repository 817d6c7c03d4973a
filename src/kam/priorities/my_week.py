"""One ordered list of next actions per person (issue 12 item 9). Pure: candidates in, the
list out.

The ordering rule, in this order:
1. **Late**: what is past its date (plan actions past due, neglect alarms past the time their
   tier allows), the longest overdue first.
2. **Due this week**: plan actions due within the next 7 days, the soonest first.
3. **Suggestions**: senior visits proposed, then introductions to influential people nobody
   on our side knows (the most influential and likeliest path first), then allocated hours
   not yet spent, the largest first.
Ties go by account name, then by the line's title, so the list is stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LATE, THIS_WEEK, SUGGESTED = 0, 1, 2
WEEK_DAYS = 7

ALARM = "alarm"
ACTION = "action"
SENIOR_VISIT = "senior_visit"
UNSPENT_HOURS = "unspent_hours"
INTRODUCTION = "introduction"
SUGGESTION_ORDER = {SENIOR_VISIT: 0, INTRODUCTION: 1, UNSPENT_HOURS: 2}


@dataclass(frozen=True)
class Line:
    kind: str
    account: str
    title: str
    reason: str
    url: str = ""
    due_on: date | None = None  # a dated action's due date
    overdue_days: int = 0  # for alarms: days past the time allowed
    weight: float = 0.0  # for suggestions: larger first (hours left, urgency)


def band(line: Line, today: date) -> int:
    if line.kind == ALARM:
        return LATE
    if line.kind == ACTION and line.due_on is not None:
        if line.due_on < today:
            return LATE
        if (line.due_on - today).days <= WEEK_DAYS:
            return THIS_WEEK
    return SUGGESTED


def late_days(line: Line, today: date) -> int:
    if line.kind == ACTION and line.due_on is not None:
        return (today - line.due_on).days
    return line.overdue_days


def my_week(lines: list[Line], today: date) -> list[tuple[int, Line]]:
    """The lines worth doing, ordered by the rule above, each with its band. Actions due
    beyond this week or undated are left for later weeks."""
    kept = [x for x in lines if not (x.kind == ACTION and band(x, today) == SUGGESTED)]

    def key(x: Line):
        b = band(x, today)
        if b == LATE:
            rank: tuple = (-late_days(x, today),)
        elif b == THIS_WEEK:
            rank = (x.due_on,)
        else:
            rank = (SUGGESTION_ORDER.get(x.kind, 9), -x.weight)
        return (b, rank, x.account, x.title)

    return [(band(x, today), x) for x in sorted(kept, key=key)]
