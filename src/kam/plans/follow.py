"""Reads for a plan's follow-up: its monitoring, its quality, and the mentor reviews' cadence.

Each read gathers its inputs in a fixed number of queries, whatever the plan's size, then
calls the pure module (``monitoring``, ``quality``). The review cadence is the service level
of the account's tier (``Tier.plan_review_days`` of the latest scoring run's tier in the active
scheme), 90 days when the account has no tier. A review is due one cadence after the last
review, or after the account's first plan was made when there has been none yet; it is
overdue the day after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kam.accounts.models import Account, MentorAssignment
from kam.plans import monitoring as mon
from kam.plans import quality as qual
from kam.plans.models import Action, MentorReview, Plan, TeamObjective
from kam.users.models import User

DEFAULT_CADENCE_DAYS = 90


# --- the review cadence -------------------------------------------------------------------
Scores = dict[int, tuple[str, str, bool]]  # account id: (tier code, tier name, is key)


def scores_of(account_ids: list[int] | QuerySet) -> Scores:
    """Each account's tier and whether it is key in the latest scoring run; an account the
    run did not score (or no run at all) is missing: unknown. Two queries."""
    from kam.selection.queries import latest_run

    run = latest_run()
    if run is None or (isinstance(account_ids, list) and not account_ids):
        return {}
    return {
        account_id: (code, name, is_key)
        for account_id, code, name, is_key in run.scores.filter(
            account_id__in=account_ids
        ).values_list("account_id", "tier_code", "tier_name", "is_key")
    }


def cadences(account_ids: list[int], scores: Scores | None = None) -> dict[int, int]:
    """Review cadence in days per account: its tier's service level, else 90. One query and
    ``scores_of``'s two."""
    from kam.selection.models import Tier, TierScheme

    out = dict.fromkeys(account_ids, DEFAULT_CADENCE_DAYS)
    scores = scores_of(account_ids) if scores is None else scores
    codes = {a: scores[a][0] for a in account_ids if a in scores and scores[a][0]}
    if not codes:
        return out
    days = dict(
        Tier.objects.filter(scheme__in=TierScheme.objects.filter(active=True)).values_list(
            "code", "plan_review_days"
        )
    )
    for account_id, code in codes.items():
        if days.get(code):
            out[account_id] = days[code]
    return out


@dataclass(frozen=True)
class ReviewDue:
    account: Account
    last_on: date | None
    due_on: date
    cadence_days: int
    today: date

    @property
    def overdue_days(self) -> int:
        return max((self.today - self.due_on).days, 0)

    @property
    def overdue(self) -> bool:
        return self.today > self.due_on


class DueDates(NamedTuple):
    """An account's last mentor review, when the next is due, and the cadence in days."""

    last_on: date | None
    due_on: date
    cadence_days: int

    def overdue_on(self, today: date) -> bool:
        return today > self.due_on  # due today is not overdue yet; the day after is


def due_dates(ids, today: date, scores: Scores | None = None) -> dict[int, DueDates]:
    """Per account with a plan and a mentor, among ``ids`` (a list or a subquery): its
    ``DueDates``. One query and ``cadences``'s; no Account is built (the programme's list
    reads hundreds)."""
    found = (
        Account.objects.filter(pk__in=ids)
        .filter(Exists(MentorAssignment.objects.filter(account=OuterRef("pk"))))
        .annotate(
            first=Subquery(
                Plan.objects.filter(account=OuterRef("pk"))
                .order_by("created_at")
                .values("created_at")[:1]
            ),
            last=Subquery(
                MentorReview.objects.filter(account=OuterRef("pk"))
                .order_by("-reviewed_on")
                .values("reviewed_on")[:1]
            ),
        )
        .filter(first__isnull=False)
        .order_by()
        .values_list("pk", "first", "last")
    )
    first_plan, last = {}, {}
    for pk, first, last_on in found:
        first_plan[pk], last[pk] = first, last_on
    every = cadences(list(first_plan), scores)
    out = {}
    for pk, first in first_plan.items():
        last_on = last.get(pk)
        start = last_on or first.date()
        out[pk] = DueDates(last_on, start + timedelta(days=every[pk]), every[pk])
    return out


def reviews_due(
    accounts: list[Account],
    today: date,
    scores: Scores | None = None,
    within: QuerySet | None = None,
) -> list[ReviewDue]:
    """When each account's next mentor review is due. Accounts without a plan or without a
    mentor have nothing to review and are left out. One query and ``cadences``'s.
    ``within``: the accounts' ids as a subquery (hundreds of ids are slow to send)."""
    ids = [a.pk for a in accounts]
    if not ids:
        return []
    due = due_dates(ids if within is None else within, today, scores)
    return [
        ReviewDue(account, *due[account.pk], today) for account in accounts if account.pk in due
    ]


def review_due(account: Account, today: date) -> ReviewDue | None:
    found = reviews_due([account], today)
    return found[0] if found else None


def overdue_reviews_for(*, user: User, today: date) -> list[ReviewDue]:
    """Overdue mentor reviews flagged for ``user``: the accounts they mentor or manage as KAM,
    every account for the programme lead. Most overdue first."""
    if not (user.is_authenticated and user.is_active):
        return []
    accounts = Account.objects.visible_to(user)
    if not user.is_lead:
        accounts = accounts.filter(Q(owner=user) | Q(mentors__mentor=user)).distinct()
    # The due dates over the accounts' ids as a subquery, then only the overdue accounts
    # read, and only what the panel shows (the lead sees hundreds of accounts).
    due = due_dates(accounts.order_by().values("pk"), today)
    late = [pk for pk, (_last, due_on, _every) in due.items() if today > due_on]
    rows = Account.objects.filter(pk__in=late).only("pk", "public_id", "name")
    found = [ReviewDue(account, *due[account.pk], today) for account in rows]
    return sorted(found, key=lambda r: (r.due_on, r.account.name))


def reviews_of(*, account: Account) -> list[MentorReview]:
    """The account's mentor reviews, newest first, with their follow-up actions: two queries."""
    return list(
        MentorReview.objects.filter(account=account)
        .select_related("mentor", "plan__period")
        .prefetch_related("follow_ups__owner")
    )


def is_mentor_of(user: User, account: Account) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and MentorAssignment.objects.filter(account=account, mentor=user).exists()
    )


# --- monitoring ---------------------------------------------------------------------------
ACTION_FACTS = ("pk", "status", "due_on", "done_on", "owner_id", "objective_id")


@dataclass(frozen=True)
class ObjectiveRow:
    title: str | None  # None: actions tied to no team objective
    counts: mon.Counts


@dataclass(frozen=True)
class LateAction:
    what: str
    due_on: date
    days_late: int
    blocked: bool


@dataclass(frozen=True)
class PersonLate:
    name: str
    actions: list[LateAction]


@dataclass(frozen=True)
class PlanMonitoring:
    result: mon.Monitoring
    objectives: list[ObjectiveRow]
    late_by_person: list[PersonLate]
    today: date


def plan_monitoring(*, plan: Plan, today: date) -> PlanMonitoring:
    """The plan's monitoring in three queries: its actions, its objectives, the owners."""
    rows = list(Action.objects.filter(plan=plan).order_by().values_list(*ACTION_FACTS, "what"))
    facts = [mon.ActionFact(*row[:6]) for row in rows]
    what = {row[0]: row[6] for row in rows}
    period = plan.period
    result = mon.monitor(facts, starts_on=period.starts_on, ends_on=period.ends_on, today=today)
    titles = dict(
        TeamObjective.objects.filter(plan=plan).order_by("order", "pk").values_list("pk", "title")
    )
    objectives = [
        ObjectiveRow(title, result.by_objective[pk])
        for pk, title in titles.items()
        if pk in result.by_objective
    ]
    if None in result.by_objective:
        objectives.append(ObjectiveRow(None, result.by_objective[None]))
    owners = {
        u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in result.late_by_owner if k])
    }
    late = [
        PersonLate(
            owners.get(owner, "") if owner else "",
            [
                LateAction(what[a.id], a.due_on, (today - a.due_on).days, a.status == mon.BLOCKED)
                for a in actions
                if a.due_on is not None
            ],
        )
        for owner, actions in result.late_by_owner.items()
    ]
    late.sort(key=lambda p: (-len(p.actions), p.name))
    return PlanMonitoring(result, objectives, late, today)


# --- quality ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanQuality:
    result: qual.Quality
    links: dict[str, str]  # check key -> where to fix it


@dataclass(frozen=True)
class RelationshipFacts:
    known_influential: int = 0
    opponents_without_strategy: tuple[str, ...] = ()
    interests_without_strategy: tuple[str, ...] = ()


def relationship_facts(
    account_ids: list[int] | QuerySet, today: date
) -> dict[int, RelationshipFacts]:
    """What the quality checks ``coverage`` and ``defusing`` read of the relationship
    analyses, for many accounts in three queries: the rules of
    ``kam.relationships.analysis`` (coverage: active contacts whose latest assessment as of
    ``today`` rates their influence at least ``influential_min``, known in person by one of
    us through that assessment or an in-person interaction; defusing: active opponents
    holding no open interest with a strategy, and open interests without one), read in the
    database. tests/plans/test_programme.py checks them against the analyses themselves."""
    from kam.relationships.analysis.model import AnalysisConfig
    from kam.relationships.models import (
        Assessment,
        Attitude,
        Contact,
        ContactStatus,
        EntrenchedInterest,
        Interaction,
        InterestStatus,
    )

    if isinstance(account_ids, list) and not account_ids:
        return {}
    config = AnalysisConfig()
    latest = Assessment.objects.filter(
        contact=OuterRef("pk"), assessed_at__date__lte=today
    ).order_by("-assessed_at", "-pk")
    met = Interaction.their_participants.through.objects.filter(
        contact=OuterRef("pk"),
        interaction__account=OuterRef("account"),
        interaction__occurred_on__lte=today,
        interaction__kind__in=config.in_person_kinds,
        interaction__our_participants__isnull=False,
    )
    known_by = Assessment.known_in_person_by.through.objects.filter(
        assessment=OuterRef("latest_id")
    )
    active = (
        Contact.objects.filter(account__in=account_ids)
        .exclude(status=ContactStatus.LEFT)
        .exclude(left_on__lte=today)
        .annotate(
            latest_id=Subquery(latest.values("pk")[:1]),
            influence=Subquery(latest.values("influence")[:1]),
            attitude=Subquery(latest.values("attitude")[:1]),
        )
    )
    known = dict(
        active.filter(influence__gte=config.influential_min)
        .filter(Exists(known_by) | Exists(met))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values_list("account", "n")
    )
    strategies = ("bypass", "earn_trust", "enlist_advocate", "wait_for_departure")
    open_interests = EntrenchedInterest.objects.filter(
        account__in=account_ids, status=InterestStatus.OPEN
    )
    opponents: dict[int, list[str]] = {}
    for account_id, name in (
        active.filter(attitude=Attitude.OPPONENT)
        .exclude(Exists(open_interests.filter(holder=OuterRef("pk"), strategy__in=strategies)))
        .order_by("pk")
        .values_list("account", "name")
    ):
        opponents.setdefault(account_id, []).append(name)
    interests: dict[int, list[str]] = {}
    for account_id, name in (
        open_interests.exclude(strategy__in=strategies)
        .order_by("pk")
        .values_list("account", "holder__name")
    ):
        interests.setdefault(account_id, []).append(name or "?")
    return {
        a: RelationshipFacts(
            known.get(a, 0), tuple(opponents.get(a, ())), tuple(interests.get(a, ()))
        )
        for a in {*known, *opponents, *interests}
    }


@dataclass(frozen=True)
class ActionTally:
    """A plan's action count, how many lack an owner or a due date, and its latest change,
    when the caller has counted them already (the programme's list, in its GROUP BY)."""

    count: int
    incomplete: int
    last_change: datetime | None


def action_tallies(plan_ids: list[int] | QuerySet) -> dict[int, ActionTally]:
    return {
        plan_id: ActionTally(n, incomplete, last)
        for plan_id, n, incomplete, last in Action.objects.filter(plan__in=plan_ids)
        .order_by()
        .values("plan")
        .annotate(
            n=Count("pk"), incomplete=Count("pk", filter=INCOMPLETE_ACTION), last=Max("updated_at")
        )
        .values_list("plan", "n", "incomplete", "last")
    }


INCOMPLETE_ACTION = Q(owner__isnull=True) | Q(due_on__isnull=True)
INCOMPLETE_OBJECTIVE = Q(measure__regex=r"^\s*$") | Q(target__isnull=True)


def with_quality_counts(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """The plans with what the quality checks count of each, as annotations of the plans'
    own query: its customer objectives of each horizon, its team objectives and whether any
    lacks a measure or a target."""
    linked = Plan.customer_objectives.through.objects.filter(plan=OuterRef("pk")).order_by()
    objectives = TeamObjective.objects.filter(plan=OuterRef("pk")).order_by()

    def counted(rows):
        return Subquery(
            rows.values("plan").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
        )

    return plans.annotate(
        q_short=Coalesce(counted(linked.filter(objective__horizon="short_term")), 0),
        q_long=Coalesce(counted(linked.filter(objective__horizon="long_term")), 0),
        q_objectives=Coalesce(counted(objectives), 0),
        q_objectives_incomplete=Exists(objectives.filter(INCOMPLETE_OBJECTIVE)),
    )


def contingency_written(plan: Plan) -> bool:
    return bool(plan.contingency_triggers.strip() and plan.contingency_actions.strip())


def quality_facts(
    plans: Sequence[Plan],
    today: date,
    *,
    tallies: dict[int, ActionTally] | None = None,
    reviews: dict[int, DueDates] | None = None,
    scores: Scores | None = None,
    within: QuerySet[Plan] | None = None,
) -> dict[int, qual.PlanFacts]:
    """The quality checks' facts of each plan (the plan's page asks for one, the programme's
    list for hundreds) in a fixed number of queries: the counts come from the plans' query
    (``with_quality_counts``) and the actions' GROUP BY (``action_tallies``); only the
    incomplete team objectives and actions are read one by one, to name them. ``tallies``
    ``reviews`` (``due_dates``) and ``scores`` save reading again what the
    caller has; ``within``, the plans' query, is sent as a subquery instead of their ids
    (hundreds of ids are slow to send). ``plans`` are Plan objects, or anything with the
    same attributes read here (the programme's list passes its plain ``PlanHead`` values:
    pk, account_id, updated_at, the contingency texts and the ``with_quality_counts``
    annotations)."""
    from kam.relationships.analysis.model import AnalysisConfig

    ids = [p.pk for p in plans]
    if not ids:
        return {}
    account_in = [p.account_id for p in plans] if within is None else within.values("account")
    if not all(hasattr(p, "q_short") for p in plans):
        counted = with_quality_counts(Plan.objects.filter(pk__in=ids)).values(
            "pk", "q_short", "q_long", "q_objectives", "q_objectives_incomplete"
        )
        by_pk = {row.pop("pk"): row for row in counted}
        for plan in plans:
            for name, value in by_pk[plan.pk].items():
                setattr(plan, name, value)
    if tallies is None:
        tallies = action_tallies(ids)
    objectives: dict[int, list[tuple[str, bool, bool]]] = {}
    for plan_id, title, measure, target in (
        TeamObjective.objects.filter(plan__in=[p.pk for p in plans if p.q_objectives_incomplete])
        .filter(INCOMPLETE_OBJECTIVE)
        .order_by("order", "pk")
        .values_list("plan", "title", "measure", "target")
    ):
        item = (title, bool(measure.strip()), target is not None)
        objectives.setdefault(plan_id, []).append(item)
    actions: dict[int, list[tuple[str, bool, bool]]] = {}
    for plan_id, what, owner, due in (
        Action.objects.filter(plan__in=[i for i in ids if i in tallies and tallies[i].incomplete])
        .filter(INCOMPLETE_ACTION)
        .order_by("pk")
        .values_list("plan", "what", "owner_id", "due_on")
    ):
        actions.setdefault(plan_id, []).append((what, owner is not None, due is not None))
    relationships = relationship_facts(account_in, today)
    if scores is None:
        scores = scores_of(account_in)
    if reviews is None:
        reviews = due_dates(account_in, today, scores)
    due = {account_id: r.due_on for account_id, r in reviews.items()}
    key = {account_id: score[2] for account_id, score in scores.items()}
    minimum = AnalysisConfig().coverage_min
    out = {}
    for plan in plans:
        tally = tallies.get(plan.pk, ActionTally(0, 0, None))
        updated = max(plan.updated_at, tally.last_change or plan.updated_at)
        rel = relationships.get(plan.account_id, RelationshipFacts())
        out[plan.pk] = qual.PlanFacts(
            short_term_objectives=plan.q_short,
            long_term_objectives=plan.q_long,
            team_objectives=objectives.get(plan.pk, []),
            actions=actions.get(plan.pk, []),
            known_influential=rel.known_influential,
            coverage_minimum=minimum,
            opponents_without_strategy=rel.opponents_without_strategy,
            interests_without_strategy=rel.interests_without_strategy,
            review_due_on=due.get(plan.account_id),
            is_key=key.get(plan.account_id),
            contingency_written=contingency_written(plan),
            updated_on=timezone.localdate(updated),
            today=today,
            team_objective_count=plan.q_objectives,
            action_count=tally.count,
        )
    return out


def plan_quality(*, plan: Plan, today: date) -> PlanQuality:
    """The plan's completeness checks and score (kam.plans.quality), from the same facts as
    the programme's list."""
    facts = quality_facts([plan], today)[plan.pk]
    return PlanQuality(qual.assess(facts), fix_links(plan))


def fix_links(plan: Plan) -> dict[str, str]:
    """Where each check is fixed: a section of the plan page, the relationship map, or the
    review form."""
    account_id = plan.account.public_id
    try:
        plan_page = reverse("plans:account_plan", kwargs={"public_id": account_id})
    except NoReverseMatch:  # the plan page lands separately (urls_plan)
        plan_page = reverse("accounts:account_detail", kwargs={"public_id": account_id})
    page = f"{plan_page}?period={plan.period_id}"
    relationships = reverse("relationships:account_detail", kwargs={"public_id": account_id})
    return {
        "customer_objectives": f"{page}#links",
        "team_objectives": f"{page}#objectives",
        "actions": f"{page}#actions",
        "coverage": relationships,
        "defusing": f"{relationships}#threats",
        "review": f"{page}#reviews",
        "contingency": f"{page}#contingency",
        "fresh": f"{page}#situation",
    }
