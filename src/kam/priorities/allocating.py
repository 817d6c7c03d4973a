"""Run the allocation for a period: read its inputs in a few set-based queries, hand them to
the pure value model and LP (kam.priorities.value, kam.priorities.allocation), and store the
proposal with its explanation.

Scope: the whole programme (the lead) or one KAM's accounts. In a KAM's scope, a team member
who also serves accounts outside it brings the share of their capacity that matches the share
of their accounts inside it, so a KAM never plans another KAM's hours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account, TeamMembership
from kam.core.bulk import insert_arrays
from kam.core.models import Period
from kam.planning.models import Horizon, Objective, ObjectiveStatus, Opportunity
from kam.priorities.allocation import Problem, allocate
from kam.priorities.effort import capacity_hours, effort_in, money_in, period_months
from kam.priorities.models import AllocationLine, AllocationRun, Expense, Pin, RunState
from kam.priorities.services import value_config
from kam.priorities.value import AccountFacts, value_curves
from kam.risk.models import HealthSnapshot
from kam.selection.models import AccountScore, ScoringRun, TierScheme
from kam.selection.queries import latest_run
from kam.users.models import User

# Selling hours a week assumed for a person whose capacity is not set (said on the page).
ASSUMED_HOURS_PER_WEEK = 20.0
# Opportunities expected this many days after the period starts, or later, are long-horizon.
LONG_HORIZON_DAYS = 183

Progress = Callable[[int, int, str], None]


def _quiet(done: int, total: int, message: str) -> None:
    pass


def allocation_scope_check(*, by, kam: User | None) -> None:
    """The lead allocates across the programme or for any KAM; a KAM only their accounts."""
    if by is None or by.is_lead:
        return
    if kam is None or kam.pk != by.pk:
        raise PermissionDenied(_("A KAM allocates only within their own accounts."))


def allocation_run(
    *, period: Period, by, kam: User | None = None, progress: Progress = _quiet
) -> AllocationRun:
    """Propose hours per account per person for ``period`` and store them with their reasons."""
    allocation_scope_check(by=by, kam=kam)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress(0, 4, _("Reading the accounts, teams and effort"))
    inputs = _read(period=period, kam=kam)
    timings["read"] = time.perf_counter() - started
    progress(1, 4, _("Solving"))
    solution = allocate(inputs["problem"])
    timings.update(solution.timings)
    progress(3, 4, _("Storing the proposal"))
    stored = time.perf_counter()
    run = _store(period=period, kam=kam, by=by, inputs=inputs, solution=solution, timings=timings)
    timings["store"] = time.perf_counter() - stored
    timings["total"] = time.perf_counter() - started
    AllocationRun.objects.filter(pk=run.pk).update(summary={**run.summary, "timings": timings})
    run.summary["timings"] = timings
    progress(4, 4, _("Done"))
    return run


def _read(*, period: Period, kam: User | None) -> dict:
    accounts = Account.objects.all() if kam is None else Account.objects.filter(owner=kam)
    rows = list(accounts.values_list("pk", "owner_id"))
    account_ids = np.array([r[0] for r in rows], dtype=np.int64)
    index = {a: i for i, a in enumerate(account_ids.tolist())}
    n = len(account_ids)

    team = (
        TeamMembership.objects.all()
        if kam is None
        else TeamMembership.objects.filter(account__owner=kam)
    )
    pairs = {(owner, a) for a, owner in rows if owner is not None}
    pairs |= set(team.values_list("user_id", "account_id"))
    pairs_list = sorted(pairs)
    user_ids = sorted({u for u, _a in pairs_list})
    person = {u: i for i, u in enumerate(user_ids)}
    pair_person = np.array([person[u] for u, _a in pairs_list], dtype=np.int64)
    pair_account = np.array([index[a] for _u, a in pairs_list], dtype=np.int64)

    facts = _facts(period=period, accounts=accounts, index=index, n=n)
    config = value_config()
    curves = value_curves(facts, config)

    # Names for the page, as User.__str__ gives them: the full name, else the username.
    by_id = {
        pk: f"{first} {last}".strip() or username
        for pk, first, last, username in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "first_name", "last_name", "username"
        )
    }
    capacity_known = capacity_hours(period=period, users=user_ids)
    days = np.busday_count(period.starts_on, period.ends_on + timedelta(days=1))
    assumed_hours = ASSUMED_HOURS_PER_WEEK / 5 * float(days)
    capacity = np.array(
        [
            capacity_known.get(u) if capacity_known.get(u) is not None else assumed_hours
            for u in user_ids
        ],
        dtype=float,
    )
    share = np.ones(len(user_ids))
    if kam is not None and user_ids:
        # A team member's capacity in a KAM's scope: the share of their accounts inside it.
        inside = np.bincount(pair_person, minlength=len(user_ids)).astype(float)
        served = dict(
            TeamMembership.objects.filter(user__in=user_ids)
            .values("user_id")
            .annotate(n=Count("pk"))
            .values_list("user_id", "n")
        )
        owned = dict(
            Account.objects.filter(owner__in=user_ids)
            .values("owner_id")
            .annotate(n=Count("pk"))
            .values_list("owner_id", "n")
        )
        total = np.array([served.get(u, 0) + owned.get(u, 0) for u in user_ids], dtype=float)
        share = np.where(total > 0, np.minimum(inside / np.maximum(total, 1), 1.0), 1.0)
    capacity = capacity * share

    pinned = np.full(len(pairs_list), np.nan)
    pins = Pin.objects.filter(period=period, account__in=accounts)
    pin_rows = list(pins.values_list("user_id", "account_id", "hours"))
    pair_index = {p: i for i, p in enumerate(pairs_list)} if pin_rows else {}
    for user_id, account_id, hours in pin_rows:
        at = pair_index.get((user_id, account_id))
        if at is not None:
            pinned[at] = float(hours)

    cost, account_budget, person_budget = _money(
        period=period, accounts=accounts, index=index, user_ids=user_ids, n=n
    )
    length = period.ends_on - period.starts_on
    last_end = period.starts_on - timedelta(days=1)
    last = effort_in(start=last_end - length, end=last_end, accounts=accounts)
    last_hours = np.zeros(n)
    for account_id, hours in last.by_account().items():
        if account_id in index:
            last_hours[index[account_id]] = hours
    problem = Problem(
        slopes=curves.slopes,
        lengths=curves.lengths,
        floors=curves.floors,
        capacity=capacity,
        pair_person=pair_person,
        pair_account=pair_account,
        pinned=pinned,
        cost_per_hour=cost,
        account_budget=account_budget,
        person_budget=person_budget,
    )
    return {
        "problem": problem,
        "curves": curves,
        "account_ids": account_ids,
        "user_ids": user_ids,
        "users": by_id,
        "pairs": pairs_list,
        "assumed": [capacity_known.get(u) is None for u in user_ids],
        "share": share,
        "last_hours": last_hours,
        "config": config,
    }


def _facts(*, period: Period, accounts, index: dict[int, int], n: int) -> AccountFacts:
    nan = np.full(n, np.nan)
    score, revenue, wallet = nan.copy(), nan.copy(), nan.copy()
    visits = np.zeros(n)
    run: ScoringRun | None = latest_run()
    if run is not None:
        scheme = TierScheme.objects.filter(active=True).first()
        tier_visits = (
            {t.code: float(t.visits_per_month) for t in scheme.tiers.all()} if scheme else {}
        )
        rows = AccountScore.objects.filter(run=run, account__in=accounts).values_list(
            "account_id", "score", "revenue", "share_of_wallet_pct", "tier_code"
        )
        for account_id, s, rev, share, tier in rows:
            i = index[account_id]
            score[i] = np.nan if s is None else s
            revenue[i] = np.nan if rev is None else float(rev)
            if rev is not None and share:
                wallet[i] = float(rev) * 100.0 / share
            visits[i] = tier_visits.get(tier, 0.0)
    ev_near, ev_long = np.zeros(n), np.zeros(n)
    long_line = period.starts_on + timedelta(days=LONG_HORIZON_DAYS)
    opportunities = Opportunity.objects.open().filter(account__in=accounts)
    for account_id, value, probability, expected_on in opportunities.values_list(
        "account_id", "value", "probability", "expected_on"
    ):
        ev = float(value) * probability / 100.0
        if expected_on is not None and expected_on >= long_line:
            ev_long[index[account_id]] += ev
        else:
            ev_near[index[account_id]] += ev
    long_work = ev_long > 0
    long_objectives = Objective.objects.filter(
        account__in=accounts, status=ObjectiveStatus.OPEN, horizon=Horizon.LONG_TERM
    ).values_list("account_id", flat=True)
    for account_id in set(long_objectives):
        long_work[index[account_id]] = True
    # The loss risk from each account's latest health (kam.risk): 1 - health / 100; none
    # known stays unknown, never the worst case. One query, the newest snapshot last.
    loss_risk = nan.copy()
    health = (
        HealthSnapshot.objects.filter(account__in=accounts, score__isnull=False)
        .order_by("account_id", "computed_at", "pk")
        .values_list("account_id", "score")
    )
    for account_id, health_score in health:
        loss_risk[index[account_id]] = 1.0 - min(max(health_score, 0.0), 100.0) / 100.0
    return AccountFacts(
        ev_near=ev_near,
        ev_long=ev_long,
        long_work=long_work,
        revenue=revenue,
        wallet=wallet,
        loss_risk=loss_risk,
        score=score,
        visits_per_month=visits,
        months=period_months(period),
    )


def _money(*, period: Period, accounts, index, user_ids, n: int):
    """What an hour at each account costs (expenses over hours in the year before the
    period; 0 where either is unknown) and the budgets left in the period (NaN: none)."""
    start = period.starts_on - timedelta(days=365)
    end = period.starts_on - timedelta(days=1)
    cost = np.zeros(n)
    money = money_in(period=period, accounts=accounts, users=user_ids)
    account_budget = np.full(n, np.nan)
    person_budget = np.full(len(user_ids), np.nan)
    if not money["accounts"] and not money["people"]:
        return cost, account_budget, person_budget  # no budget: money does not limit time
    spent = dict(
        Expense.objects.filter(account__in=accounts, spent_on__range=(start, end))
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    hours = effort_in(start=start, end=end, accounts=accounts).by_account()
    for account_id, total in spent.items():
        if hours.get(account_id):
            cost[index[account_id]] = float(total) / hours[account_id]
    person = {u: i for i, u in enumerate(user_ids)}
    for account_id, m in money["accounts"].items():
        if m.left is not None and account_id in index:
            account_budget[index[account_id]] = max(float(m.left), 0.0)
    for user_id, m in money["people"].items():
        if m.left is not None and user_id in person:
            person_budget[person[user_id]] = max(float(m.left), 0.0)
    return cost, account_budget, person_budget


@transaction.atomic
def _store(*, period, kam, by, inputs: dict, solution, timings: dict) -> AllocationRun:
    problem: Problem = inputs["problem"]
    user_ids: list[int] = inputs["user_ids"]
    users = inputs["users"]
    account_ids: np.ndarray = inputs["account_ids"]
    people = [
        {
            "user": user_ids[i],
            "name": users.get(user_ids[i], ""),
            "capacity": round(float(problem.capacity[i]), 2),
            "assumed": bool(inputs["assumed"][i]),
            "share": round(float(inputs["share"][i]), 3),
            "hours": round(float(solution.person_hours[i]), 2),
            "price": round(float(solution.person_price[i]), 4),
            "over": round(float(solution.over_hours[i]), 2),
            "over_budget": round(float(solution.person_over_budget[i]), 2),
        }
        for i in range(len(user_ids))
    ]
    unserved = account_ids[solution.unserved].tolist()
    over_budget = {
        int(account_ids[i]): round(float(solution.account_over_budget[i]), 2)
        for i in np.nonzero(solution.account_over_budget > 0)[0]
    }
    run = AllocationRun.objects.create(
        period=period,
        kam=kam,
        created_by=by,
        state=RunState.DONE,
        finished_at=timezone.now(),
        objective=float(solution.objective),
        overcommitted=solution.status == "overcommitted",
        people=people,
        summary={
            "status": solution.status,
            "accounts": len(account_ids),
            "people": len(user_ids),
            "pairs": len(inputs["pairs"]),
            "unserved": unserved[:200],
            "unserved_count": len(unserved),
            "over_budget": over_budget,
            "iterations": solution.iterations,
            "config": {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in vars(inputs["config"]).items()
            },
        },
    )
    # One line per pair with hours or a pin; an account given nothing keeps one line (its
    # first server's) so the page lists every account with its reason.
    pa, pp = problem.pair_account, problem.pair_person
    pinned = ~np.isnan(problem.pinned)
    keep = (solution.hours > 0) | pinned
    covered = np.zeros(len(account_ids), dtype=bool)
    covered[pa[keep]] = True
    first = np.full(len(account_ids), -1)
    first[pa[::-1]] = np.arange(len(pa))[::-1]
    for i in np.nonzero(~covered & (first >= 0))[0]:
        keep[first[i]] = True
    rows = np.nonzero(keep)[0]
    a = pa[rows]
    curves = inputs["curves"]
    binding = solution.binding[a]
    insert_arrays(
        AllocationLine,
        [
            {
                "run_id": np.full(len(rows), run.pk, dtype=np.int64),
                "account_id": account_ids[a],
                "user_id": np.array(user_ids, dtype=np.int64)[pp[rows]],
                "hours": solution.hours[rows],
                "account_hours": solution.account_hours[a],
                "floor_hours": solution.floors[a],
                "cap_hours": curves.caps[a],
                "last_hours": inputs["last_hours"][a],
                "marginal_value": solution.marginal[a],
                "binding": [str(b) for b in binding],
                "pinned": pinned[rows],
            }
        ],
    )
    return run


def allocation_latest(*, period: Period, kam: User | None) -> AllocationRun | None:
    """The newest finished run of this scope."""
    runs = AllocationRun.objects.filter(period=period, state=RunState.DONE)
    runs = runs.filter(kam=kam) if kam is not None else runs.filter(kam__isnull=True)
    return runs.first()


def period_or_error(value, field: str = "period") -> Period:
    """The period named by id or name, or a ValidationError naming the field."""
    found = Period.objects.filter(Q(name=str(value)))
    if str(value).isdigit():
        found = Period.objects.filter(Q(name=str(value)) | Q(pk=int(value)))
    period = found.first()
    if period is None:
        raise ValidationError({field: _("There is no period %(name)s.") % {"name": value}})
    return period
