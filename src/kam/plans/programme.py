"""The programme's view of every plan (issue 11 item 8): one row per visible plan with its
tier, state, who still has to sign, status, quality and next mentor review, read in a fixed
number of queries whatever the number of plans (per-plan counts are aggregated in the
database, never a query per row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account, MentorAssignment
from kam.plans import monitoring as mon
from kam.plans import words
from kam.plans.models import (
    Action,
    ActionStatus,
    Decision,
    MentorReview,
    Plan,
    PlanState,
    SignOff,
    TeamObjective,
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
    """``monitoring.status`` (the plan page's rule, documented there) from the counts the
    database aggregates, so the list reads no action row: ``late`` open past due, ``overdue``
    not done past due, ``due`` due by today. tests/plans/test_programme.py checks that both
    give the same answer."""
    if not total:
        return mon.Status(AT_RISK, (mon.Reason("no_actions", {}),))
    share = overdue / total
    due_pct, done_pct = 100 * due / total, 100 * done / total
    gap = due_pct - done_pct
    behind = mon.Reason("behind", {"due": round(due_pct), "done": round(done_pct)})
    off = []
    if share >= mon.OFF_TRACK_LATE_SHARE:
        figures = {"late": overdue, "total": total, "pct": round(100 * share)}
        off.append(mon.Reason("late_share", figures))
    if gap >= mon.OFF_TRACK_GAP:
        off.append(behind)
    if off:
        return mon.Status(OFF_TRACK, tuple(off))
    risk = []
    if late:
        risk.append(mon.Reason("late", {"count": late}))
    if blocked:
        risk.append(mon.Reason("blocked", {"count": blocked}))
    if gap >= mon.AT_RISK_GAP:
        risk.append(behind)
    if risk:
        return mon.Status(AT_RISK, tuple(risk))
    return mon.Status(ON_TRACK, ())


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
    status_reason: str = ""
    quality: int = 0
    missing: list[str] = field(default_factory=list)
    stale: bool = False
    waiting_for: list[Any] = field(default_factory=list)  # users still to sign
    objection: SignOff | None = None  # why a draft came back, when a member objected

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def percent_done(self) -> int | None:
        return round(self.done * 100 / self.total) if self.total else None


def plan_rows(*, user: User | None, today: date) -> QuerySet[Plan]:
    """Every plan the user may see (all of them for ``None``, a system job such as the CLI),
    with its action counts and quality facts: one query."""
    objectives = TeamObjective.objects.filter(plan=OuterRef("pk"))
    customer = Plan.customer_objectives.through.objects.filter(plan=OuterRef("pk"))
    plans = Plan.objects.visible_to(user) if user is not None else Plan.objects.all()
    return plans.select_related("account", "account__owner", "period").annotate(
        has_objectives=Exists(objectives),
        objectives_incomplete=Exists(objectives.filter(Q(measure="") | Q(target__isnull=True))),
        short_term=Exists(customer.filter(objective__horizon="short_term")),
        long_term=Exists(customer.filter(objective__horizon="long_term")),
        last_review=Subquery(
            MentorReview.objects.filter(account=OuterRef("account"))
            .order_by()
            .values("account")
            .annotate(last=Max("reviewed_on"))
            .values("last")
        ),
    )


def _attach_counts(plans: list[Plan], today: date) -> None:
    """Each plan's action counts from one GROUP BY over the actions (a correlated subquery
    per count and plan was ten times slower at 500 plans of 200 actions)."""
    not_done = ~Q(status=ActionStatus.DONE)
    rows = (
        Action.objects.filter(plan__in=[p.pk for p in plans])
        .order_by()
        .values("plan")
        .annotate(
            n_total=Count("pk"),
            n_done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            n_blocked=Count("pk", filter=Q(status=ActionStatus.BLOCKED)),
            n_late=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)),
            n_overdue=Count("pk", filter=not_done & Q(due_on__lt=today)),
            n_due=Count("pk", filter=Q(due_on__lte=today)),
            n_unowned=Count("pk", filter=Q(owner__isnull=True) | Q(due_on__isnull=True)),
        )
    )
    by_plan = {r.pop("plan"): r for r in rows}
    empty = dict.fromkeys(
        ("n_total", "n_done", "n_blocked", "n_late", "n_overdue", "n_due", "n_unowned"), 0
    )
    for plan in plans:
        for name, value in by_plan.get(plan.pk, empty).items():
            setattr(plan, name, value)


def _tiers(accounts: list[int]) -> dict[int, tuple[str, bool, int]]:
    """{account id: (tier name, is key, review cadence in days)} from the latest scoring run
    and the tiers' service levels: two queries."""
    from kam.selection.models import Tier
    from kam.selection.queries import latest_run

    run = latest_run()
    if run is None or not accounts:
        return {}
    cadence = dict(Tier.objects.filter(scheme__active=True).values_list("code", "plan_review_days"))
    out = {}
    for account_id, name, code, is_key in run.scores.filter(account_id__in=accounts).values_list(
        "account_id", "tier_name", "tier_code", "is_key"
    ):
        out[account_id] = (name, is_key, cadence.get(code) or DEFAULT_REVIEW_DAYS)
    return out


def _waiting(plans: list[Plan]) -> dict[int, list[Any]]:
    """{plan id: members who have not answered its submitted version}: one query."""
    out: dict[int, list[Any]] = {}
    pending = (
        SignOff.objects.filter(
            version__plan__in=[p.pk for p in plans],
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


def _quality(plan: Plan, row: Row, key: bool, today: date) -> tuple[int, list[str]]:
    """Six of the eight completeness checks of ``plans.quality``, the ones the list reads in
    bulk; the two about the relationship analyses (coverage, defusing strategies) need each
    account's map and are on the plan's own quality page, with links to fix each."""
    checks = [
        (plan.short_term and plan.long_term, "customer_objectives"),
        (plan.has_objectives and not plan.objectives_incomplete, "team_objectives"),
        (plan.n_unowned == 0, "actions"),
        (not row.review_overdue and row.last_review is not None, "review"),
        (not key or bool(plan.contingency_triggers and plan.contingency_actions), "contingency"),
        (not row.stale, "fresh"),
    ]
    missing = [words.check_title(name) for ok, name in checks if not ok]
    return round(100 * (len(checks) - len(missing)) / len(checks)), missing


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
) -> list[Row]:
    """The programme's plans, filtered and sorted: a fixed number of queries (plans, the
    scoring run, tiers, scores, pending sign-offs) however many plans there are."""
    plans_qs = plan_rows(user=user, today=today)
    if q := q.strip():
        plans_qs = plans_qs.filter(Q(account__name__icontains=q) | Q(account__code__icontains=q))
    if period:
        plans_qs = plans_qs.filter(period__name=period)
    if state:
        plans_qs = plans_qs.filter(state=state)
    if waiting_for_me:
        plans_qs = plans_qs.filter(
            Exists(
                SignOff.objects.filter(
                    version__plan=OuterRef("pk"),
                    version__state=VersionState.SUBMITTED,
                    decision=Decision.PENDING,
                    member=user,
                )
            )
        )
    plans = list(plans_qs.order_by("account__name", "-period__starts_on", "pk"))
    _attach_counts(plans, today)
    tiers = _tiers([p.account_id for p in plans])
    waiting = _waiting(plans)
    objections = _objections(plans)
    rows = []
    for plan in plans:
        name, key, cadence = tiers.get(plan.account_id, ("", False, DEFAULT_REVIEW_DAYS))
        row = Row(plan=plan, tier=name, is_key=key, review_days=cadence)
        row.total, row.done = plan.n_total, plan.n_done
        row.late, row.blocked = plan.n_late, plan.n_blocked
        row.last_review = plan.last_review
        live = plan.state != PlanState.CLOSED
        if row.last_review is not None:
            row.next_review = row.last_review + timedelta(days=cadence)
        elif live:  # never reviewed: due one cadence after the plan was started
            row.next_review = plan.created_at.date() + timedelta(days=cadence)
        row.review_overdue = live and row.next_review is not None and row.next_review < today
        row.stale = live and (today - plan.updated_at.date()).days > STALE_AFTER_DAYS
        if live:
            found = status_of_counts(
                total=row.total,
                done=row.done,
                late=row.late,
                blocked=row.blocked,
                overdue=plan.n_overdue,
                due=plan.n_due,
            )
            row.status, row.status_reason = found.word, words.status_reason(found)
        else:  # a closed plan is history: nothing of it is late any more
            row.late, row.status, row.status_reason = 0, CLOSED, _("The period has ended.")
        row.quality, row.missing = _quality(plan, row, key, today)
        row.waiting_for = waiting.get(plan.pk, [])
        row.objection = objections.get(plan.pk)
        rows.append(row)
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
