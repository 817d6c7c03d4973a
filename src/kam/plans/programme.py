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
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account, MentorAssignment
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

ON_TRACK, AT_RISK, OFF_TRACK, UNKNOWN = "on_track", "at_risk", "off_track", "unknown"
STATUS_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk"),
    OFF_TRACK: gettext_lazy("Off track"),
    UNKNOWN: gettext_lazy("Unknown"),
}
SORTS = ("account", "period", "state", "status", "quality", "review", "late")


def plan_status(*, total: int, done: int, late: int, blocked: int) -> tuple[str, str]:
    """The plan's status in one word and why. Rule: off track when late and blocked actions
    are a fifth or more of the actions not done; at risk when any action is late or blocked;
    on track otherwise; unknown when the plan has no action yet."""
    if total == 0:
        return UNKNOWN, _("No action yet.")
    pending = total - done
    troubled = late + blocked
    if troubled == 0:
        return ON_TRACK, _("No action late or blocked.")
    reason = _("%(late)s late and %(blocked)s blocked of %(pending)s actions not done.") % {
        "late": late,
        "blocked": blocked,
        "pending": pending,
    }
    if pending and troubled * 5 >= pending:
        return OFF_TRACK, reason
    return AT_RISK, reason


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
    status: str = UNKNOWN
    status_reason: str = ""
    quality: int = 0
    missing: list[str] = field(default_factory=list)
    stale: bool = False
    waiting_for: list[Any] = field(default_factory=list)  # users still to sign

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def percent_done(self) -> int | None:
        return round(self.done * 100 / self.total) if self.total else None


def _count(status: str | None = None, where: Q | None = None, **extra: Any) -> Coalesce:
    rows = Action.objects.filter(plan=OuterRef("pk"), **extra)
    if where is not None:
        rows = rows.filter(where)
    if status:
        rows = rows.filter(status=status)
    return Coalesce(
        Subquery(
            rows.order_by().values("plan").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def plan_rows(*, user: User, today: date) -> QuerySet[Plan]:
    """Every plan the user may see with its action counts and quality facts, one query."""
    objectives = TeamObjective.objects.filter(plan=OuterRef("pk"))
    customer = Plan.customer_objectives.through.objects.filter(plan=OuterRef("pk"))
    return (
        Plan.objects.visible_to(user)
        .select_related("account", "account__owner", "period")
        .annotate(
            n_total=_count(),
            n_done=_count(ActionStatus.DONE),
            n_blocked=_count(ActionStatus.BLOCKED),
            n_late=_count(ActionStatus.OPEN, due_on__lt=today),
            n_unowned=_count(where=Q(owner__isnull=True) | Q(due_on__isnull=True)),
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
    )


def _tiers(accounts: list[int]) -> dict[int, tuple[str, bool, int]]:
    """{account id: (tier name, is key, review cadence in days)} from the latest scoring run
    and the tiers' service levels: two queries."""
    from kam.selection.models import Tier
    from kam.selection.queries import latest_run

    run = latest_run()
    if run is None or not accounts:
        return {}
    cadence = {
        t.code: t.plan_review_days for t in Tier.objects.filter(scheme__active=True).only("code")
    }
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


def _quality(plan: Plan, row: Row, key: bool, today: date) -> tuple[int, list[str]]:
    """The completeness checks that the list can read in bulk; the plan's own page gives the
    full list with links to fix each."""
    checks = [
        (plan.short_term and plan.long_term, _("Customer objectives of both horizons")),
        (
            plan.has_objectives and not plan.objectives_incomplete,
            _("A measure and a target for every team objective"),
        ),
        (plan.n_unowned == 0, _("An owner and a due date for every action")),
        (not row.review_overdue and row.last_review is not None, _("A current mentor review")),
        (
            not key or bool(plan.contingency_triggers and plan.contingency_actions),
            _("A contingency for a key account"),
        ),
        (not row.stale, _("Updated within 90 days")),
    ]
    missing = [str(text) for ok, text in checks if not ok]
    return round(100 * (len(checks) - len(missing)) / len(checks)), missing


def programme_rows(
    *,
    user: User,
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
    tiers = _tiers([p.account_id for p in plans])
    waiting = _waiting(plans)
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
        row.status, row.status_reason = plan_status(
            total=row.total, done=row.done, late=row.late, blocked=row.blocked
        )
        row.quality, row.missing = _quality(plan, row, key, today)
        row.waiting_for = waiting.get(plan.pk, [])
        rows.append(row)
    if tier:
        rows = [r for r in rows if r.tier == tier]
    if status:
        rows = [r for r in rows if r.status == status]
    if overdue:
        rows = [r for r in rows if r.review_overdue]
    return _sorted(rows, sort)


_STATUS_ORDER = {OFF_TRACK: 0, AT_RISK: 1, UNKNOWN: 2, ON_TRACK: 3}
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
        .select_related("account", "plan__period")
        .order_by("due_on", "pk")[:limit]
    )
    return Waiting(sign_offs=sign_offs, reviews=reviews, late_actions=late_actions)
