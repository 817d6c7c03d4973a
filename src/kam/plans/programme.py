"""The programme's view of every plan (issue 11 item 8): one row per visible plan with its
tier, state, who still has to sign, status, quality and next mentor review, read in a fixed
number of queries whatever the number of plans (per-plan counts are aggregated in the
database, never a query per row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    Max,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account, MentorAssignment
from kam.plans import follow, words
from kam.plans import monitoring as mon
from kam.plans import quality as qual
from kam.plans.models import (
    Action,
    ActionStatus,
    Decision,
    Plan,
    PlanState,
    SignOff,
    VersionState,
)

if TYPE_CHECKING:
    from kam.users.models import User

DEFAULT_REVIEW_DAYS = 90  # M5: a mentor reviews every few months, 90 days by default
STALE_AFTER_DAYS = 90  # a plan not updated for longer is stale (quality)

ON_TRACK, AT_RISK, OFF_TRACK = mon.ON_TRACK, mon.AT_RISK, mon.OFF_TRACK
CLOSED = "closed"
STATUS_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk"),
    OFF_TRACK: gettext_lazy("Off track"),
    CLOSED: gettext_lazy("Closed"),
}
SORTS = ("account", "period", "state", "status", "quality", "review", "late")


def status_of_counts(
    *, total: int, done: int, late: int, blocked: int, overdue: int, due: int
) -> mon.Status:
    """The plan page's status rule (``monitoring.status_from``) on the counts the database
    aggregates for every plan at once."""
    return mon.status_from(
        total=total, done=done, late=late, blocked=blocked, overdue=overdue, due=due
    )


@dataclass
class Row:
    """One plan as the programme's page shows it."""

    plan: Plan
    tier: str = ""
    is_key: bool = False
    review_days: int = DEFAULT_REVIEW_DAYS
    last_review: date | None = None
    next_review: date | None = None
    review_overdue: bool = False
    total: int = 0
    done: int = 0
    late: int = 0
    blocked: int = 0
    status: str = AT_RISK
    found: mon.Status | None = None  # the status and its reasons; None when closed
    quality: int = 0
    failed: list[str] = field(default_factory=list)  # the quality checks failed
    stale: bool = False
    waiting_for: list[Any] = field(default_factory=list)  # users still to sign
    objection: SignOff | None = None  # why a draft came back, when a member objected

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    # Worded when shown (a page shows 50 rows of hundreds): the reader's language, once.
    @property
    def status_reason(self) -> str:
        if self.found is None:
            return _("The period has ended.")
        return words.status_reason(self.found)

    @property
    def missing(self) -> list[str]:
        """The titles of the quality checks the plan fails."""
        return [words.check_title(key) for key in self.failed]

    @property
    def percent_done(self) -> int | None:
        return round(self.done * 100 / self.total) if self.total else None


def plan_rows(*, user: User | None) -> QuerySet[Plan]:
    """Every plan the user may see (all of them for ``None``, a system job such as the CLI)
    with its account, the account's KAM and its period: one query."""
    plans = Plan.objects.visible_to(user) if user is not None else Plan.objects.all()
    return plans.select_related("account", "account__owner", "period").only(*ROW_FIELDS)


# What a row shows of its plan, account, KAM and period: hundreds of rows are read, so the
# long texts of a plan and the rest of an account are left in the database.
ROW_FIELDS = (
    "public_id",
    "account",
    "period",
    "state",
    "number",
    "in_force",
    "created_at",
    "updated_at",
    "contingency_triggers",
    "contingency_actions",
    "account__public_id",
    "account__name",
    "account__code",
    "account__owner",
    "account__owner__username",
    "account__owner__first_name",
    "account__owner__last_name",
    "period__name",
    "period__starts_on",
    "period__ends_on",
)


def _attach_counts(plans: list[Plan], today: date, within: QuerySet[Plan]) -> None:
    """Each plan's action counts, as the status rule and the quality checks read them, from
    one GROUP BY over the actions (a correlated subquery per count and plan was ten times
    slower at 500 plans of 200 actions)."""
    not_done = ~Q(status=ActionStatus.DONE)
    rows = (
        Action.objects.filter(plan__in=within.values("pk"))
        .order_by()
        .values("plan")
        .annotate(
            n_total=Count("pk"),
            n_done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            n_blocked=Count("pk", filter=Q(status=ActionStatus.BLOCKED)),
            n_late=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)),
            n_overdue=Count("pk", filter=not_done & Q(due_on__lt=today)),
            n_due=Count("pk", filter=Q(due_on__lte=today)),
            n_incomplete=Count("pk", filter=follow.INCOMPLETE_ACTION),
            last_change=Max("updated_at"),
        )
    )
    by_plan = {r.pop("plan"): r for r in rows}
    empty = dict.fromkeys(
        ("n_total", "n_done", "n_blocked", "n_late", "n_overdue", "n_due", "n_incomplete"), 0
    )
    for plan in plans:
        for name, value in by_plan.get(plan.pk, {**empty, "last_change": None}).items():
            setattr(plan, name, value)


def _waiting(within: QuerySet[Plan]) -> dict[int, list[Any]]:
    """{plan id: members who have not answered its submitted version}: one query."""
    out: dict[int, list[Any]] = {}
    pending = (
        SignOff.objects.filter(
            version__plan__in=within.values("pk"),
            version__state=VersionState.SUBMITTED,
            decision=Decision.PENDING,
            required=True,
        )
        .select_related("member", "version")
        .order_by("member__first_name", "member__username")
    )
    for sign_off in pending:
        out.setdefault(sign_off.version.plan_id, []).append(sign_off.member)
    return out


def _objections(plans: list[Plan]) -> dict[int, SignOff]:
    """{plan id: the latest objection} of the drafts that came back with one: one query."""
    drafts = [p.pk for p in plans if p.state == PlanState.DRAFT and p.number > 1]
    out: dict[int, SignOff] = {}
    rows = (
        SignOff.objects.filter(
            version__plan__in=drafts,
            version__state=VersionState.RETURNED,
            decision=Decision.OBJECTED,
        )
        .select_related("member", "version")
        .order_by("version__number", "decided_at")
    )
    for sign_off in rows:
        out[sign_off.version.plan_id] = sign_off  # the latest wins
    return out


def all_rows(*, user: User | None, today: date) -> list[Row]:
    """Every plan the user sees as the programme's page shows it, in a fixed number of
    queries however many plans and actions there are: the plans, their action counts (one
    GROUP BY), the quality checks' facts (``follow.quality_facts``, the same as the plan's
    page reads), the review cadences, the tiers, the pending sign-offs and the objections.
    Status and quality are the plan page's rules (``monitoring.status_from``,
    ``quality.assess``) applied to those facts, so a plan shows the same on both pages."""
    within = plan_rows(user=user)
    plans = list(
        follow.with_quality_counts(within).order_by("account__name", "-period__starts_on", "pk")
    )
    if not plans:
        return []
    _attach_counts(plans, today, within)
    accounts = list({p.account_id: p.account for p in plans}.values())
    scores = follow.scores_of(within.values("account"))
    found = follow.reviews_due(accounts, today, scores, within.values("account"))
    reviews = {r.account.pk: r for r in found}
    tallies = {p.pk: follow.ActionTally(p.n_total, p.n_incomplete, p.last_change) for p in plans}
    facts = follow.quality_facts(
        plans, today, tallies=tallies, reviews=reviews, scores=scores, within=within
    )
    waiting = _waiting(within)
    objections = _objections(plans)
    rows = []
    for plan in plans:
        _code, name, key = scores.get(plan.account_id, ("", "", False))
        row = Row(plan=plan, tier=name, is_key=key)
        row.total, row.done = plan.n_total, plan.n_done
        row.late, row.blocked = plan.n_late, plan.n_blocked
        live = plan.state != PlanState.CLOSED
        due = reviews.get(plan.account_id)
        if due is not None:  # an account with a mentor and a plan: its reviews are due
            row.review_days, row.last_review = due.cadence_days, due.last_on
            row.next_review = due.due_on
            row.review_overdue = live and due.overdue
        if live:
            found = status_of_counts(
                total=row.total,
                done=row.done,
                late=row.late,
                blocked=row.blocked,
                overdue=plan.n_overdue,
                due=plan.n_due,
            )
            row.status, row.found = found.word, found
        else:  # a closed plan is history: nothing of it is late any more
            row.late, row.status = 0, CLOSED
        scored = qual.assess(facts[plan.pk])
        row.quality = scored.score
        row.failed = [c.key for c in scored.failed]
        row.stale = live and any(c.key == "fresh" for c in scored.failed)
        row.waiting_for = waiting.get(plan.pk, [])
        row.objection = objections.get(plan.pk)
        rows.append(row)
    return rows


def programme_rows(
    *,
    user: User | None,
    today: date,
    q: str = "",
    period: str = "",
    state: str = "",
    tier: str = "",
    status: str = "",
    overdue: bool = False,
    waiting_for_me: bool = False,
    sort: str = "account",
    rows: list[Row] | None = None,
) -> list[Row]:
    """The programme's plans, filtered and sorted (``all_rows``, or the ``rows`` it gave
    already, so a page that also lists the tiers reads the plans once)."""
    if rows is None:
        rows = all_rows(user=user, today=today)
    if q := q.strip().casefold():
        rows = [
            r
            for r in rows
            if q in r.plan.account.name.casefold() or q in r.plan.account.code.casefold()
        ]
    if period:
        rows = [r for r in rows if r.plan.period.name == period]
    if state:
        rows = [r for r in rows if r.plan.state == state]
    if waiting_for_me:
        rows = [r for r in rows if any(u.pk == user.pk for u in r.waiting_for)]
    if tier:
        rows = [r for r in rows if r.tier == tier]
    if status:
        rows = [r for r in rows if r.status == status]
    if overdue:
        rows = [r for r in rows if r.review_overdue]
    return _sorted(rows, sort)


_STATUS_ORDER = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 3, CLOSED: 4}
_STATE_ORDER = {s: i for i, s in enumerate(PlanState.values)}


def _sorted(rows: list[Row], sort: str) -> list[Row]:
    far = date.max
    keys = {
        "period": lambda r: (-r.plan.period.starts_on.toordinal(), r.plan.account.name),
        "state": lambda r: (_STATE_ORDER.get(r.plan.state, 9), r.plan.account.name),
        "status": lambda r: (_STATUS_ORDER[r.status], -r.late, r.plan.account.name),
        "quality": lambda r: (r.quality, r.plan.account.name),
        "review": lambda r: (r.next_review or far, r.plan.account.name),
        "late": lambda r: (-r.late, r.plan.account.name),
    }
    if sort in keys:
        return sorted(rows, key=keys[sort])
    return rows


def periods_with_plans(user: User) -> list[str]:
    from kam.core.models import Period

    return list(
        Period.objects.filter(plans__account__in=Account.objects.visible_to(user))
        .distinct()
        .order_by("-starts_on")
        .values_list("name", flat=True)
    )


@dataclass
class Waiting:
    """What is waiting for one person: sign-offs to give, reviews to write, late actions."""

    sign_offs: list[SignOff]
    reviews: list[Row]
    late_actions: list[Action]

    @property
    def empty(self) -> bool:
        return not (self.sign_offs or self.reviews or self.late_actions)


def waiting_for(*, user: User, today: date, limit: int = 10) -> Waiting:
    """The dashboard's "waiting for me": a fixed number of queries."""
    sign_offs = list(
        SignOff.objects.filter(
            member=user,
            decision=Decision.PENDING,
            version__state=VersionState.SUBMITTED,
            version__plan__account__in=Account.objects.visible_to(user),
        )
        .select_related("version__plan__account", "version__plan__period")
        .order_by("version__submitted_at")[:limit]
    )
    reviews: list[Row] = []
    mentored = set(
        MentorAssignment.objects.filter(mentor=user).values_list("account_id", flat=True)
    )
    if mentored:
        seen: set[int] = set()
        for r in programme_rows(user=user, today=today, sort="review"):
            if r.review_overdue and r.plan.account_id in mentored - seen:
                seen.add(r.plan.account_id)
                reviews.append(r)
        reviews = reviews[:limit]
    late_actions = list(
        Action.objects.visible_to(user)
        .filter(owner=user, status=ActionStatus.OPEN, due_on__lt=today)
        .exclude(plan__state=PlanState.CLOSED)
        .select_related("account", "plan__period")
        .order_by("due_on", "pk")[:limit]
    )
    return Waiting(sign_offs=sign_offs, reviews=reviews, late_actions=late_actions)
