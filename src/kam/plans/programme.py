"""The programme's view of every plan (issue 11 item 8): one row per visible plan with its
tier, state, who still has to sign, status, quality and next mentor review, read in a fixed
number of queries whatever the number of plans (per-plan counts are aggregated in the
database, never a query per row). Every plan is read as plain values, so the filters, the
sorts and the summary run over the whole programme without building a model object per
plan; ``hydrate`` builds the objects a row displays for the rows shown only (item 12: 500
plans, 50 on a page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

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


@dataclass(frozen=True, slots=True)
class PlanHead:
    """What the list reads of every visible plan, as plain values (no model objects: a
    programme has hundreds of plans and a page shows 50 of them): enough to filter, sort and
    score each one. The attribute names are those ``follow.quality_facts`` reads of a Plan."""

    pk: int
    account_id: int
    period_id: int
    state: str
    number: int
    updated_at: datetime
    contingency_triggers: str
    contingency_actions: str
    account_name: str
    account_code: str
    period_name: str
    period_starts_on: date
    q_short: int
    q_long: int
    q_objectives: int
    q_objectives_incomplete: bool


# The query's columns, in PlanHead's order.
HEAD_COLUMNS = (
    "pk",
    "account_id",
    "period_id",
    "state",
    "number",
    "updated_at",
    "contingency_triggers",
    "contingency_actions",
    "account__name",
    "account__code",
    "period__name",
    "period__starts_on",
    "q_short",
    "q_long",
    "q_objectives",
    "q_objectives_incomplete",
)


@dataclass(frozen=True, slots=True)
class Shown:
    """What a row shown displays beyond its values: the plan with its account, KAM and
    period, the users still to sign, and the objection of a draft that came back."""

    plan: Plan
    waiting_for: list[User]
    objection: SignOff | None


@dataclass
class Row:
    """One plan as the programme's page shows it. Every row has its plain ``head`` and its
    figures; ``plan`` (with its account, KAM and period), ``waiting_for`` (the users) and
    ``objection`` are read by ``hydrate`` for the rows shown only."""

    head: PlanHead
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
    waiting_ids: tuple[int, ...] = ()  # users still to sign, by first name
    shown: Shown | None = None  # the objects displayed (``hydrate``)

    @property
    def pk(self) -> int:
        return self.head.pk

    def _shown(self) -> Shown:
        if self.shown is None:  # a summary of all rows must read the plain values
            raise RuntimeError("programme.hydrate() the rows shown before reading their objects")
        return self.shown

    @property
    def plan(self) -> Plan:
        return self._shown().plan

    @property
    def waiting_for(self) -> list[User]:
        """The members still to sign, by first name."""
        return self._shown().waiting_for

    @property
    def objection(self) -> SignOff | None:
        """Why a draft came back, when a member objected."""
        return self._shown().objection

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    # Worded when shown (a page shows 50 rows of hundreds): the reader's language, once.
    @cached_property
    def status_reason(self) -> str:
        if self.found is None:
            return _("The period has ended.")
        return words.status_reason(self.found)

    @cached_property
    def missing(self) -> list[str]:
        """The titles of the quality checks the plan fails."""
        return [words.check_title(key) for key in self.failed]

    @property
    def percent_done(self) -> int | None:
        return round(self.done * 100 / self.total) if self.total else None


def plan_rows(*, user: User | None) -> QuerySet[Plan]:
    """Every plan the user may see (all of them for ``None``, a system job such as the CLI)."""
    return Plan.objects.visible_to(user) if user is not None else Plan.objects.all()


# What a shown row displays of its plan, account, KAM and period: the long texts of a plan
# and the rest of an account are left in the database.
ROW_FIELDS = (
    "public_id",
    "account",
    "period",
    "state",
    "number",
    "in_force",
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


def _heads(within: QuerySet[Plan]) -> list[PlanHead]:
    """Every plan's head, by account name then newest period: one query."""
    rows = (
        follow.with_quality_counts(within)
        .order_by("account__name", "-period__starts_on", "pk")
        .values_list(*HEAD_COLUMNS)
    )
    return [PlanHead(*row) for row in rows]


_COUNTS = ("n_total", "n_done", "n_blocked", "n_late", "n_overdue", "n_due", "n_incomplete")


def _action_counts(today: date, within: QuerySet[Plan]) -> dict[int, tuple]:
    """{plan id: (total, done, blocked, late, overdue, due, incomplete, latest change)} of its
    actions, as the status rule and the quality checks read them, from one GROUP BY (a
    correlated subquery per count and plan was ten times slower at 500 plans of 200 actions).
    Late is derived here as ``monitoring`` defines it: open and past its due date; overdue:
    not done and past its due date (late or blocked)."""
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
        .values_list("plan", *_COUNTS, "last_change")
    )
    return {row[0]: row[1:] for row in rows}


_NO_ACTIONS = (0, 0, 0, 0, 0, 0, 0, None)


def _pending(plans: QuerySet[Plan] | list[int]) -> QuerySet[SignOff]:
    """The sign-offs still awaited on the plans' submitted versions, by the member's name."""
    return SignOff.objects.filter(
        version__plan__in=plans,
        version__state=VersionState.SUBMITTED,
        decision=Decision.PENDING,
        required=True,
    ).order_by("member__first_name", "member__username", "pk")


def _waiting(within: QuerySet[Plan]) -> dict[int, tuple[int, ...]]:
    """{plan id: ids of the members who have not answered its submitted version}: one query."""
    out: dict[int, list[int]] = {}
    for plan_id, member_id in _pending(within.values("pk")).values_list("version__plan", "member"):
        out.setdefault(plan_id, []).append(member_id)
    return {plan_id: tuple(members) for plan_id, members in out.items()}


def hydrate(rows: list[Row]) -> list[Row]:
    """The objects the rows shown display: each plan with its account, KAM and period, the
    users still to sign, and the objection of a draft that came back. Three queries however
    many rows (a page shows 50; the exports and the API all of them)."""
    rows = list(rows)
    if not rows:
        return rows
    ids = [r.pk for r in rows]
    plans = Plan.objects.select_related("account", "account__owner", "period").only(*ROW_FIELDS)
    by_pk = {p.pk: p for p in plans.filter(pk__in=ids)}
    waiting: dict[int, list[User]] = {}
    for sign_off in _pending(ids).select_related("member", "version"):
        waiting.setdefault(sign_off.version.plan_id, []).append(sign_off.member)
    objections: dict[int, SignOff] = {}
    for sign_off in (
        SignOff.objects.filter(
            version__plan__in=ids,
            version__plan__state=PlanState.DRAFT,
            version__plan__number__gt=1,
            version__state=VersionState.RETURNED,
            decision=Decision.OBJECTED,
        )
        .select_related("member", "version")
        .order_by("version__number", "decided_at")
    ):
        objections[sign_off.version.plan_id] = sign_off  # the latest wins
    rows = [r for r in rows if r.pk in by_pk]  # a plan deleted meanwhile is not shown
    for row in rows:
        row.shown = Shown(by_pk[row.pk], waiting.get(row.pk, []), objections.get(row.pk))
    return rows


def all_rows(*, user: User | None, today: date) -> list[Row]:
    """Every plan the user sees with what the programme's page filters and sorts on, in a
    fixed number of queries however many plans and actions there are, and as plain values
    (``hydrate`` reads the objects of the rows shown): the plans, their action counts (one
    GROUP BY), the quality checks' facts (``follow.quality_facts``, the same as the plan's
    page reads), the review dates, the tiers and the pending sign-offs. Status and quality
    are the plan page's rules (``monitoring.status_from``, ``quality.assess``) applied to
    those facts, so a plan shows the same on both pages."""
    within = plan_rows(user=user)
    heads = _heads(within)
    if not heads:
        return []
    counts = _action_counts(today, within)
    scores = follow.scores_of(within.values("account"))
    reviews = follow.due_dates(within.values("account"), today, scores)
    tallies = {}
    for head in heads:
        n = counts.get(head.pk, _NO_ACTIONS)
        tallies[head.pk] = follow.ActionTally(n[0], n[6], n[7])
    facts = follow.quality_facts(
        heads, today, tallies=tallies, reviews=reviews, scores=scores, within=within
    )
    waiting = _waiting(within)
    rows = []
    for head in heads:
        total, done, blocked, late, overdue, due, _incomplete, _last = counts.get(
            head.pk, _NO_ACTIONS
        )
        _code, name, key = scores.get(head.account_id, ("", "", False))
        row = Row(head=head, tier=name, is_key=key, total=total, done=done, blocked=blocked)
        live = head.state != PlanState.CLOSED
        dates = reviews.get(head.account_id)
        if dates is not None:  # an account with a mentor and a plan: its reviews are due
            row.review_days, row.last_review = dates.cadence_days, dates.last_on
            row.next_review = dates.due_on
            row.review_overdue = live and dates.overdue_on(today)
        if live:
            found = status_of_counts(
                total=total, done=done, late=late, blocked=blocked, overdue=overdue, due=due
            )
            row.late, row.status, row.found = late, found.word, found
        else:  # a closed plan is history: nothing of it is late any more
            row.status = CLOSED
        scored = qual.assess(facts[head.pk])
        row.quality = scored.score
        row.failed = [c.key for c in scored.failed]
        row.stale = live and "fresh" in row.failed
        row.waiting_ids = waiting.get(head.pk, ())
        rows.append(row)
    return rows


def periods_of(rows: list[Row]) -> list[str]:
    """The periods of the rows' plans, newest first (the period filter's choices)."""
    starts = {r.head.period_name: r.head.period_starts_on for r in rows}
    return sorted(starts, key=lambda name: (-starts[name].toordinal(), name))


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
            if q in r.head.account_name.casefold() or q in r.head.account_code.casefold()
        ]
    if period:
        rows = [r for r in rows if r.head.period_name == period]
    if state:
        rows = [r for r in rows if r.head.state == state]
    if waiting_for_me:
        rows = [r for r in rows if user is not None and user.pk in r.waiting_ids]
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
        "period": lambda r: (-r.head.period_starts_on.toordinal(), r.head.account_name),
        "state": lambda r: (_STATE_ORDER.get(r.head.state, 9), r.head.account_name),
        "status": lambda r: (_STATUS_ORDER[r.status], -r.late, r.head.account_name),
        "quality": lambda r: (r.quality, r.head.account_name),
        "review": lambda r: (r.next_review or far, r.head.account_name),
        "late": lambda r: (-r.late, r.head.account_name),
    }
    if sort in keys:
        return sorted(rows, key=keys[sort])
    return rows


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
            if r.review_overdue and r.head.account_id in mentored - seen:
                seen.add(r.head.account_id)
                reviews.append(r)
        reviews = hydrate(reviews[:limit])
    late_actions = list(
        Action.objects.visible_to(user)
        .filter(owner=user, status=ActionStatus.OPEN, due_on__lt=today)
        .exclude(plan__state=PlanState.CLOSED)
        .select_related("account", "plan__period")
        .order_by("due_on", "pk")[:limit]
    )
    return Waiting(sign_offs=sign_offs, reviews=reviews, late_actions=late_actions)
