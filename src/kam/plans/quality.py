"""Plan quality (issue 11, item 5): a completeness score from documented checks. Pure, no Django.

The checks, each passed or failed as a whole (failed ones name what is missing):
1. ``customer_objectives``: the plan addresses the customer's objectives of both horizons, at
   least one short-term and one long-term (M4);
2. ``team_objectives``: the plan has team objectives and each has a measure and a target;
3. ``actions``: the plan has actions and each has an owner and a due date;
4. ``coverage``: the coverage rule of the relationship analyses is met (enough influential
   contacts known in person: at least the minimum of the analyses' configuration);
5. ``defusing``: every opponent holds an open entrenched interest with a defusing strategy,
   and every open entrenched interest has one;
6. ``review``: the mentor's review of the account is current (not overdue on its cadence);
7. ``contingency``: for a key account, the contingency is written (trigger signals and
   actions); not applicable to an account that is not key, nor while kam does not know
   whether it is key (no scoring run): unknown is never scored as missing;
8. ``fresh``: the plan was updated within ``STALE_DAYS`` (90) days; stale otherwise.

The plan's page and the programme's list both gather these facts with
``kam.plans.follow.quality_facts`` (one plan or hundreds, in a fixed number of queries) and
score them here, so a plan has the same score on both.

The score is 100 x passed / applicable checks, rounded to a whole number: every applicable
check weighs the same, so the score says how many of the things a good plan has are there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

STALE_DAYS = 90
CHECKS = (
    "customer_objectives",
    "team_objectives",
    "actions",
    "coverage",
    "defusing",
    "review",
    "contingency",
    "fresh",
)


@dataclass(frozen=True)
class Named:
    """A thing a check names as missing: its label and what it lacks."""

    label: str
    lacks: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanFacts:
    short_term_objectives: int
    long_term_objectives: int
    # (title, has a measure, has a target) per team objective: at least those lacking one
    team_objectives: Sequence[tuple[str, bool, bool]]
    # (what, has an owner, has a due date) per action: at least those lacking one
    actions: Sequence[tuple[str, bool, bool]]
    known_influential: int
    coverage_minimum: int
    opponents_without_strategy: Sequence[str]
    interests_without_strategy: Sequence[str]
    review_due_on: date | None  # None: no mentor, nothing to review
    is_key: bool | None  # None: unknown (no scoring run)
    contingency_written: bool
    updated_on: date
    today: date
    # How many there are, when the sequences above hold only the incomplete ones (a list of
    # hundreds of plans does not read every action); None: the sequences hold them all.
    team_objective_count: int | None = None
    action_count: int | None = None


@dataclass(frozen=True)
class Check:
    key: str
    passed: bool
    applicable: bool = True
    missing: tuple[Named, ...] = ()
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Quality:
    score: int
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.applicable and not c.passed)


def _customer_objectives(f: PlanFacts) -> Check:
    missing = []
    if not f.short_term_objectives:
        missing.append(Named("short_term"))
    if not f.long_term_objectives:
        missing.append(Named("long_term"))
    return Check("customer_objectives", not missing, missing=tuple(missing))


def _lacking(items: Sequence[tuple[str, bool, bool]], first: str, second: str) -> tuple[Named, ...]:
    out = []
    for label, has_first, has_second in items:
        lacks = tuple(n for n, has in ((first, has_first), (second, has_second)) if not has)
        if lacks:
            out.append(Named(label, lacks))
    return tuple(out)


def _count(items: Sequence, count: int | None) -> int:
    return len(items) if count is None else count


def _team_objectives(f: PlanFacts) -> Check:
    missing = _lacking(f.team_objectives, "measure", "target")
    if not _count(f.team_objectives, f.team_objective_count):
        return Check("team_objectives", False, figures={"none": True})
    return Check("team_objectives", not missing, missing=missing)


def _actions(f: PlanFacts) -> Check:
    missing = _lacking(f.actions, "owner", "due_on")
    if not _count(f.actions, f.action_count):
        return Check("actions", False, figures={"none": True})
    return Check("actions", not missing, missing=missing)


def _coverage(f: PlanFacts) -> Check:
    return Check(
        "coverage",
        f.known_influential >= f.coverage_minimum,
        figures={"known": f.known_influential, "minimum": f.coverage_minimum},
    )


def _defusing(f: PlanFacts) -> Check:
    missing = tuple(Named(n, ("opponent",)) for n in f.opponents_without_strategy) + tuple(
        Named(n, ("interest",)) for n in f.interests_without_strategy
    )
    return Check("defusing", not missing, missing=missing)


def _review(f: PlanFacts) -> Check:
    if f.review_due_on is None:
        return Check("review", True, applicable=False, figures={"no_mentor": True})
    overdue = (f.today - f.review_due_on).days
    return Check(
        "review", overdue <= 0, figures={"due_on": f.review_due_on, "days": max(overdue, 0)}
    )


def _contingency(f: PlanFacts) -> Check:
    if f.contingency_written:
        return Check("contingency", True, applicable=bool(f.is_key))
    if f.is_key is None:
        return Check("contingency", False, applicable=False, figures={"unknown": True})
    return Check("contingency", False, applicable=f.is_key)


def _fresh(f: PlanFacts) -> Check:
    age = (f.today - f.updated_on).days
    return Check("fresh", age <= STALE_DAYS, figures={"days": age, "limit": STALE_DAYS})


def assess(facts: PlanFacts) -> Quality:
    """Every check of the module docstring, in its order, and the score."""
    checks = tuple(
        check(facts)
        for check in (
            _customer_objectives,
            _team_objectives,
            _actions,
            _coverage,
            _defusing,
            _review,
            _contingency,
            _fresh,
        )
    )
    applicable = [c for c in checks if c.applicable]
    passed = sum(1 for c in applicable if c.passed)
    score = round(100 * passed / len(applicable)) if applicable else 100
    return Quality(score=score, checks=checks)
