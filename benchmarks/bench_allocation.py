# ruff: noqa: E501 - a benchmark script: long report lines
"""Allocation benchmark (issue 12 item 12): a programme of 10,000 accounts, 50 KAMs and 200
team members on PostgreSQL.

    python benchmarks/bench_allocation.py [--accounts 10000] [--kams 50] [--members 200]
                                          [--team 3] [--runs 3] [--presolve-limit 120]

Seeds a scratch database `kam_bench_allocation` (dropped and created): the users, accounts
(each with its KAM and --team members), a scoring run with tiers and visit frequencies, an
open opportunity per account (a fifth of them long-horizon, with a long-term objective), a
capacity for everyone, and a period. Then, in the same run:

- the whole allocation, as `kam allocate` does it (read the inputs, build, solve, store the
  proposal), median of --runs;
- the bare HiGHS solve of the same LP (kam.priorities.allocation.build: every pair a
  column), built straight from numpy arrays and solved in one go, with HiGHS's defaults and
  presolve off (kam's setting) and on (HiGHS's default, stopped at --presolve-limit seconds),
  and with kam's simplex options (dual, devex) but without kam's column generation;

and prints the figures, their ratios, and asserts that both found the same objective value
(1e-6 relative). Targets: the whole allocation within 2x the bare solve and under 2 s.

Wall-clock seconds depend on what else runs on the machine (8 helpers share its 2 cores);
the CPU seconds of this process are printed next to them (the database's own work is not in
them). --reuse keeps the seeded database of an earlier run (the seed takes half a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "kam_bench_allocation"


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DATABASE}")


def setup_django() -> None:
    os.environ["KAM_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    os.environ.setdefault("KAM_DATA_DIR", str(ROOT / ".bench-allocation"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(*, accounts: int, kams: int, members: int, team: int, rng: np.random.Generator):
    from django.utils import timezone

    from kam.accounts.models import Account, TeamMembership
    from kam.core.models import Period
    from kam.planning.models import Horizon, Objective, Opportunity
    from kam.priorities.models import Capacity
    from kam.selection.models import AccountScore, RunStatus, ScoringRun, Tier, TierScheme
    from kam.users.models import Role, User

    users = [User(username=f"kam{i}", role=Role.KEY_ACCOUNT_MANAGER) for i in range(kams)]
    users += [User(username=f"team{i}", role=Role.TEAM_MEMBER) for i in range(members)]
    User.objects.bulk_create(users, batch_size=1000)
    kam_ids = list(User.objects.filter(role=Role.KEY_ACCOUNT_MANAGER).values_list("pk", flat=True))
    team_ids = np.array(User.objects.filter(role=Role.TEAM_MEMBER).values_list("pk", flat=True))
    owners = rng.choice(kam_ids, accounts)
    Account.objects.bulk_create(
        [
            Account(
                code=f"A{i:06d}",
                name=f"Account {i}",
                country="ID",
                currency="IDR",
                industry="furniture",
                owner_id=int(owners[i]),
            )
            for i in range(accounts)
        ],
        batch_size=2000,
    )
    account_ids = np.array(Account.objects.order_by("pk").values_list("pk", flat=True))
    memberships = []
    for a in account_ids:
        for u in rng.choice(team_ids, team, replace=False):
            memberships.append(
                TeamMembership(
                    account_id=int(a), user_id=int(u), role="engineer", since=date(2026, 1, 1)
                )
            )
    TeamMembership.objects.bulk_create(memberships, batch_size=5000)

    TierScheme.objects.update(active=False)
    scheme = TierScheme.objects.create(name="Bench", cut_off="score", active=True)
    for order, (code, visits) in enumerate((("gold", "1"), ("silver", "0.5"), ("bronze", "0.25"))):
        Tier.objects.create(
            scheme=scheme,
            code=code,
            name=code.title(),
            order=order,
            cut_off=Decimal(80 - 20 * order),
            visits_per_month=Decimal(visits),
        )
    now = timezone.now()
    run = ScoringRun.objects.create(
        as_of=date(2026, 9, 30),
        first_quarter=date(2025, 10, 1),
        started_at=now,
        finished_at=now,
        status=RunStatus.DONE,
        accounts=accounts,
        reporting_currency="IDR",
    )
    scores = rng.uniform(0, 100, accounts)
    revenue = np.exp(rng.normal(13, 1.5, accounts)).round(2)
    share = rng.uniform(5, 90, accounts)
    tiers = np.where(
        scores > 80, "gold", np.where(scores > 60, "silver", np.where(scores > 40, "bronze", ""))
    )
    AccountScore.objects.bulk_create(
        [
            AccountScore(
                run=run,
                account_id=int(a),
                score=float(s),
                revenue=Decimal(str(r)),
                share_of_wallet_pct=float(w),
                tier_code=str(t),
                is_key=bool(t),
            )
            for a, s, r, w, t in zip(account_ids, scores, revenue, share, tiers, strict=True)
        ],
        batch_size=2000,
    )
    long = rng.random(accounts) < 0.2
    expected = np.where(long, 300, 60) + rng.integers(0, 90, accounts)
    Opportunity.objects.bulk_create(
        [
            Opportunity(
                account_id=int(a),
                name="Deal",
                value=Decimal(str(round(float(v), 2))),
                currency="IDR",
                probability=int(p),
                expected_on=date(2026, 10, 1) + np.timedelta64(int(d), "D").astype(object),
            )
            for a, v, p, d in zip(
                account_ids,
                revenue * rng.uniform(0.05, 0.5, accounts),
                rng.integers(10, 90, accounts),
                expected,
                strict=True,
            )
        ],
        batch_size=2000,
    )
    Objective.objects.bulk_create(
        [
            Objective(
                account_id=int(a),
                description="Grow",
                horizon=Horizon.LONG_TERM,
                recorded_on=date(2026, 9, 1),
            )
            for a in account_ids[long]
        ],
        batch_size=2000,
    )
    period = Period.objects.create(
        name="2026 Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)
    )
    Capacity.objects.bulk_create(
        [
            Capacity(
                user=u,
                period=period,
                hours_per_week=Decimal(35 if u.role == Role.KEY_ACCOUNT_MANAGER else 15),
            )
            for u in User.objects.all()
        ]
    )
    return period


def bare_solve(
    lp, *, presolve: bool, limit: float, options: dict | None = None
) -> tuple[float, float, str, float]:
    """The same LP handed to HiGHS straight from its numpy arrays (a HighsLp, as kam does),
    solved in one go (no column generation) with HiGHS's defaults and ``options``: seconds,
    objective, status, CPU seconds."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "on" if presolve else "off")
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(limit))
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = lp.n_cols, lp.n_rows
    model.sense_ = highspy.ObjSense.kMaximize
    model.offset_ = lp.offset
    model.col_cost_, model.col_lower_, model.col_upper_ = lp.col_cost, lp.col_lower, lp.col_upper
    model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = lp.n_cols, lp.n_rows
    model.a_matrix_.start_, model.a_matrix_.index_ = lp.a_start, lp.a_index
    model.a_matrix_.value_ = lp.a_value
    started, cpu = time.perf_counter(), time.process_time()
    h.passModel(model)
    h.run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    status = h.modelStatusToString(h.getModelStatus())
    return seconds, float(h.getInfo().objective_function_value), status, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--kams", type=int, default=50)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--team", type=int, default=3, help="team members per account")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--presolve-limit", type=float, default=120.0)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's seed")
    args = parser.parse_args()

    if not args.reuse:
        fresh_database()
    setup_django()
    rng = np.random.default_rng(12)
    started = time.perf_counter()
    if args.reuse:
        from kam.core.models import Period

        period = Period.objects.get(name="2026 Q4")
    else:
        period = seed(
            accounts=args.accounts, kams=args.kams, members=args.members, team=args.team, rng=rng
        )
        print(
            f"seeded {args.accounts:,} accounts, {args.kams} KAMs, {args.members} team members in {time.perf_counter() - started:.1f} s"
        )

    from kam.priorities.allocating import _read, allocation_run
    from kam.priorities.allocation import build

    whole, parts, whole_cpu = [], [], []
    for _ in range(args.runs):
        cpu = time.process_time()
        run = allocation_run(period=period, by=None)
        whole_cpu.append(time.process_time() - cpu)
        whole.append(run.summary["timings"]["total"])
        parts.append(run.summary["timings"])
    median = statistics.median(whole)
    median_cpu = statistics.median(whole_cpu)
    typical = parts[whole.index(median)]
    print(
        f"whole allocation (read, build, solve, store), median of {args.runs}: {median:.3f} s (CPU of this process {median_cpu:.3f} s)"
    )
    print("  " + ", ".join(f"{k} {v:.3f} s" for k, v in typical.items() if k != "total"))
    print(
        f"  status {run.summary['status']}, {run.summary['pairs']:,} person-account pairs, "
        f"{run.summary['iterations']:,} simplex iterations (all rounds of column generation), objective {run.objective:,.2f}"
    )

    inputs = _read(period=period, kam=None)
    built = time.perf_counter()
    lp = build(inputs["problem"])
    build_seconds = time.perf_counter() - built
    print(
        f"the LP: {lp.n_cols:,} columns, {lp.n_rows:,} rows, {len(lp.a_value):,} nonzeros (numpy build {build_seconds:.3f} s)"
    )
    off = [bare_solve(lp, presolve=False, limit=args.presolve_limit) for _ in range(args.runs)]
    off_seconds = statistics.median(s for s, _o, _st, _c in off)
    off_cpu = statistics.median(c for _s, _o, _st, c in off)
    off_objective = off[0][1]
    on_seconds, on_objective, on_status, on_cpu = bare_solve(
        lp, presolve=True, limit=args.presolve_limit
    )
    devex = [
        bare_solve(
            lp,
            presolve=False,
            limit=args.presolve_limit,
            options={"simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 1},
        )
        for _ in range(args.runs)
    ]
    devex_seconds = statistics.median(s for s, _o, _st, _c in devex)
    devex_cpu = statistics.median(c for _s, _o, _st, c in devex)
    print(
        f"bare HiGHS solve, presolve off, median of {args.runs}: {off_seconds:.3f} s, CPU {off_cpu:.3f} s ({off[0][2]})"
    )
    print(
        f"bare HiGHS solve with kam's options (dual simplex, devex), in one go, median of {args.runs}: {devex_seconds:.3f} s, CPU {devex_cpu:.3f} s ({devex[0][2]})"
    )
    print(f"bare HiGHS solve, presolve on: {on_seconds:.3f} s, CPU {on_cpu:.3f} s ({on_status})")
    same = abs(run.objective - off_objective) <= 1e-6 * max(1.0, abs(off_objective))
    print(
        f"objective: whole {run.objective:,.4f}, bare {off_objective:,.4f}: "
        f"{'the same' if same else 'DIFFERENT'} to 1e-6 relative"
        + (f"; presolve on {on_objective:,.4f}" if on_status == "Optimal" else "")
    )
    print(
        f"ratio whole / bare solve (presolve off): {median / off_seconds:.2f}x (target <= 2x); "
        f"whole {'under' if median < 2 else 'OVER'} 2 s"
    )
    print(f"ratio whole / bare solve in CPU seconds of this process: {median_cpu / off_cpu:.2f}x")
    print(
        f"ratio whole / bare solve with kam's options: {median / devex_seconds:.2f}x (CPU {median_cpu / devex_cpu:.2f}x)"
    )
    print(f"ratio presolve on / off: {on_seconds / off_seconds:.1f}x (CPU {on_cpu / off_cpu:.1f}x)")
    assert same, (
        f"the whole allocation's objective {run.objective} is not the bare solve's {off_objective}"
    )


if __name__ == "__main__":
    main()
