"""Reads for a plan's follow-up: its monitoring, its quality, and the mentor reviews' cadence.

Each read gathers its inputs in a fixed number of queries, whatever the plan's size, then
calls the pure module (``monitoring``, ``quality``). The review cadence is the service level
of the account's tier (``Tier.plan_review_days`` of the latest scoring run's tier in the active
scheme), 90 days when the account has no tier. A review is due one cadence after the last
review, or after the account's first plan was made when there has been none yet; it is
overdue the day after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Min, Q
from django.urls import NoReverseMatch, reverse

from kam.accounts.models import Account, MentorAssignment
from kam.plans import monitoring as mon
from kam.plans import quality as qual
from kam.plans.models import Action, MentorReview, Plan, TeamObjective
from kam.users.models import User

DEFAULT_CADENCE_DAYS = 90


# --- the review cadence -------------------------------------------------------------------
def cadences(account_ids: list[int]) -> dict[int, int]:
    """Review cadence in days per account: its tier's service level, else 90. Three queries."""
    from kam.selection.models import AccountScore, Tier, TierScheme
    from kam.selection.queries import latest_run

    out = dict.fromkeys(account_ids, DEFAULT_CADENCE_DAYS)
    run = latest_run()
    if run is None or not account_ids:
        return out
    codes = dict(
        AccountScore.objects.filter(run=run, account__in=account_ids)
        .exclude(tier_code="")
        .values_list("account_id", "tier_code")
    )
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


def reviews_due(accounts: list[Account], today: date) -> list[ReviewDue]:
    """When each account's next mentor review is due. Accounts without a plan or without a
    mentor have nothing to review and are left out. A constant number of queries."""
    ids = [a.pk for a in accounts]
    if not ids:
        return []
    mentored = set(
        MentorAssignment.objects.filter(account__in=ids).values_list("account_id", flat=True)
    )
    first_plan = dict(
        Plan.objects.filter(account__in=mentored)
        .order_by()
        .values("account")
        .annotate(first=Min("created_at"))
        .values_list("account", "first")
    )
    last = dict(
        MentorReview.objects.filter(account__in=first_plan)
        .order_by()
        .values("account")
        .annotate(last=Max("reviewed_on"))
        .values_list("account", "last")
    )
    every = cadences(list(first_plan))
    out = []
    for account in accounts:
        if account.pk not in first_plan:
            continue
        last_on = last.get(account.pk)
        start = last_on or first_plan[account.pk].date()
        due_on = start + timedelta(days=every[account.pk])
        out.append(ReviewDue(account, last_on, due_on, every[account.pk], today))
    return out


def review_due(account: Account, today: date) -> ReviewDue | None:
    found = reviews_due([account], today)
    return found[0] if found else None


def overdue_reviews_for(*, user: User, today: date) -> list[ReviewDue]:
    """Overdue mentor reviews flagged for ``user``: the accounts they mentor or manage as KAM,
    every account for the programme lead. Most overdue first."""
    if not (user.is_authenticated and user.is_active):
        return []
    accounts = Account.objects.visible_to(user).select_related("owner")
    if not user.is_lead:
        accounts = accounts.filter(Q(owner=user) | Q(mentors__mentor=user)).distinct()
    found = [r for r in reviews_due(list(accounts.order_by("name")), today) if r.overdue]
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


def _is_key(account: Account) -> bool | None:
    from kam.selection.models import AccountScore
    from kam.selection.queries import latest_run

    run = latest_run()
    if run is None:
        return None
    score = AccountScore.objects.filter(run=run, account=account).values_list("is_key").first()
    return None if score is None else score[0]


def _relationship_facts(account: Account, today: date) -> tuple[int, int, list[str], list[str]]:
    """(known influential, coverage minimum, opponents and interest holders without a
    defusing strategy) from the relationship analyses, in the snapshot's fixed queries."""
    from kam.relationships.analysis import Attitude, InterestStatus
    from kam.relationships.queries import account_analyses

    analysis = account_analyses(account=account, today=today, with_centrality=False)
    snapshot = analysis.context.account
    open_interests = [i for i in snapshot.interests if i.status == InterestStatus.OPEN]
    defused = {i.contact_id for i in open_interests if i.strategy is not None}
    names = {c.id: c.name for c in snapshot.contacts}
    opponents = [
        c.name
        for c in snapshot.contacts
        if c.attitude == Attitude.OPPONENT and not c.has_left(today) and c.id not in defused
    ]
    interests = [names.get(i.contact_id, "?") for i in open_interests if i.strategy is None]
    return (
        len(analysis.coverage.known_influential_ids),
        analysis.context.config.coverage_min,
        opponents,
        interests,
    )


def plan_quality(*, plan: Plan, today: date) -> PlanQuality:
    """The plan's completeness checks and score (kam.plans.quality)."""
    account = plan.account
    horizons = dict(
        plan.customer_objectives.order_by()
        .values("horizon")
        .annotate(n=Count("pk"))
        .values_list("horizon", "n")
    )
    objectives = [
        (title, bool(measure.strip()), target is not None)
        for title, measure, target in TeamObjective.objects.filter(plan=plan).values_list(
            "title", "measure", "target"
        )
    ]
    action_rows = list(
        Action.objects.filter(plan=plan).values_list("what", "owner_id", "due_on", "updated_at")
    )
    actions = [(w, owner is not None, due is not None) for w, owner, due, _ in action_rows]
    updated = max([plan.updated_at, *(row[3] for row in action_rows)]).date()
    known, minimum, opponents, interests = _relationship_facts(account, today)
    due = review_due(account, today)
    facts = qual.PlanFacts(
        short_term_objectives=horizons.get("short_term", 0),
        long_term_objectives=horizons.get("long_term", 0),
        team_objectives=objectives,
        actions=actions,
        known_influential=known,
        coverage_minimum=minimum,
        opponents_without_strategy=opponents,
        interests_without_strategy=interests,
        review_due_on=due.due_on if due else None,
        is_key=_is_key(account),
        contingency_written=bool(
            plan.contingency_triggers.strip() and plan.contingency_actions.strip()
        ),
        updated_on=updated,
        today=today,
    )
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
