# ruff: noqa: E501 - a benchmark script: long report lines, fixed SQL
"""Programme's plans page benchmark (issue 11 item 12): 500 key accounts with a plan of 200
actions each (100,000 actions) on PostgreSQL.

    python benchmarks/bench_plans.py [--accounts 500] [--actions 200] [--runs 7] [--keep]

Seeds a scratch database `kam_bench_plans` (dropped and created, migrated) through the ORM's
bulk_create: accounts with a KAM, two team members and a mentor, a scoring run that makes
them key accounts in three tiers, one plan each (a third submitted with a pending sign-off),
200 actions per plan (done, open, late, blocked), and a mentor review each. Then, as the
programme lead, times the page `/plans/` through Django's test client (median of --runs,
after one warm-up) and counts its queries, beside the baseline measured in the same run: the
bare SQL reading the same rows (the plans with their accounts and periods, and the actions
counted by status per plan), and the ratio. On a shared machine the wall time is noisy: it
also prints the CPU the request took in this process (Python) and, when PostgreSQL runs on
this machine, in the database server's process (read from /proc, parallel workers off for
that pass). Target: under 300 ms. ``--keep`` measures again on the database seeded by an
earlier run instead of seeding it afresh (seeding takes a minute or two).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

DATABASE = "kam_bench_plans"
ROOT = Path(__file__).resolve().parents[1]


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DATABASE}")


def setup_django() -> None:
    os.environ["KAM_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    os.environ.setdefault("KAM_DATA_DIR", tempfile.mkdtemp(prefix="kam-bench-plans-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
    os.environ.setdefault("KAM_ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def seed(accounts: int, actions: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from kam.accounts.models import Account, MentorAssignment, TeamMembership
    from kam.core.models import Period
    from kam.plans.models import Action, MentorReview, Plan, PlanVersion, SignOff
    from kam.selection.defaults import ensure_defaults
    from kam.selection.models import AccountScore, RunStatus, ScoringRun
    from kam.users.models import User

    call_command("migrate", verbosity=0)
    ensure_defaults()
    today = timezone.localdate()
    lead = User.objects.create(username="lead", role="lead", is_staff=True)
    kams = User.objects.bulk_create(User(username=f"kam{i}", role="kam") for i in range(20))
    team = User.objects.bulk_create(User(username=f"team{i}", role="team") for i in range(60))
    mentors = User.objects.bulk_create(User(username=f"mentor{i}", role="mentor") for i in range(5))
    rows = Account.objects.bulk_create(
        Account(
            code=f"K{i:05d}",
            name=f"Key account {i}",
            country="CN",
            currency="CNY",
            industry="furniture",
            owner=kams[i % len(kams)],
        )
        for i in range(accounts)
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(account=a, user=team[(i * 2 + k) % len(team)], role="engineer", since=today)
        for i, a in enumerate(rows)
        for k in range(2)
    )
    MentorAssignment.objects.bulk_create(
        MentorAssignment(account=a, mentor=mentors[i % len(mentors)], since=today)
        for i, a in enumerate(rows)
    )
    now = timezone.now()
    run = ScoringRun.objects.create(
        as_of=today,
        first_quarter=date(today.year - 2, 1, 1),
        started_at=now,
        finished_at=now,
        status=RunStatus.DONE,
        reporting_currency="CNY",
        accounts=accounts,
    )
    tiers = [("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze")]
    AccountScore.objects.bulk_create(
        AccountScore(
            run=run,
            account=a,
            score=100 - i * 0.1,
            rank=i + 1,
            tier_code=tiers[min(2, i * 3 // accounts)][0],
            tier_name=tiers[min(2, i * 3 // accounts)][1],
            is_key=True,
        )
        for i, a in enumerate(rows)
    )
    period = Period.objects.create(
        name="FY2027", starts_on=today - timedelta(days=180), ends_on=today + timedelta(days=184)
    )
    plans = Plan.objects.bulk_create(
        Plan(
            account=a,
            period=period,
            state="submitted" if i % 3 == 0 else "agreed",
            strategy="Grow the share of wallet.",
            contingency_triggers="x" if i % 4 else "",
            contingency_actions="y" if i % 4 else "",
        )
        for i, a in enumerate(rows)
    )
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(plan=p, number=1, submitted_at=now, state="submitted")
        for p in plans
        if p.state == "submitted"
    )
    SignOff.objects.bulk_create(
        SignOff(version=v, member=team[i % len(team)]) for i, v in enumerate(versions)
    )
    MentorReview.objects.bulk_create(
        MentorReview(
            account=p.account,
            plan=p,
            mentor=mentors[i % len(mentors)],
            reviewed_on=today - timedelta(days=30 + i % 120),
            verdict="endorsed",
            comment="ok",
        )
        for i, p in enumerate(plans)
    )
    batch = []
    for i, p in enumerate(plans):
        for n in range(actions):
            kind = n % 10
            status = "done" if kind < 5 else "blocked" if kind == 9 else "open"
            due = today + timedelta(days=(n % 150) - (40 if kind in (5, 6) else -10))
            batch.append(
                Action(
                    account_id=p.account_id,
                    plan=p,
                    what=f"Action {n}",
                    owner=team[(i * 2 + n % 2) % len(team)],
                    due_on=max(period.starts_on, min(period.ends_on, due)),
                    status=status,
                    done_on=today if status == "done" else None,
                    blocked_reason="budget" if status == "blocked" else "",
                )
            )
        if len(batch) >= 20_000:
            Action.objects.bulk_create(batch, batch_size=5_000)
            batch = []
    Action.objects.bulk_create(batch, batch_size=5_000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded {accounts} key accounts, {len(plans)} plans, {accounts * actions} actions; lead={lead.username}"
    )


BARE = """
SELECT p.id, p.public_id, p.state, p.updated_at, a.name, a.code, per.name,
       c.total, c.done, c.blocked, c.late
FROM plans_plan p
JOIN accounts_account a ON a.id = p.account_id
JOIN core_period per ON per.id = p.period_id
LEFT JOIN (
    SELECT plan_id, count(*) AS total,
           count(*) FILTER (WHERE status = 'done') AS done,
           count(*) FILTER (WHERE status = 'blocked') AS blocked,
           count(*) FILTER (WHERE status = 'open' AND due_on < %s) AS late
    FROM plans_action GROUP BY plan_id
) c ON c.plan_id = p.id
ORDER BY a.name
"""


def server_cpu(connection):
    """A function giving the CPU seconds used so far by this connection's PostgreSQL server
    process, or None when the server is not on this machine (read from /proc)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    if not stat.exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    return used


def measure(runs: int) -> None:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kam.users.models import User

    # Keep one connection through the requests, so the queries of a request can be counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(User.objects.get(username="lead"))
    today = timezone.localdate()

    cpu: list[float] = []

    def page() -> float:
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = client.get("/plans/")
        took = time.perf_counter() - started
        cpu.append(time.process_time() - started_cpu)
        assert answer.status_code == 200, answer.status_code
        return took

    def bare() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE, [today])
            rows = cursor.fetchall()
        took = time.perf_counter() - started
        assert len(rows) > 0
        return took

    page(), bare()  # warm-up: connection, templates, caches
    with CaptureQueriesContext(connection) as queries:
        client.get("/plans/")
    count = len(queries)  # read before reset_queries() empties the log it is a view of
    reset_queries()
    cpu.clear()
    pages = [page() for _ in range(runs)]
    bares = [bare() for _ in range(runs)]
    p, b = statistics.median(pages), statistics.median(bares)
    page_cpu = statistics.median(cpu)
    # The database server's CPU, read from its process (a shared machine's wall time is
    # noisy; CPU is not): parallel workers are turned off for this pass, so the server
    # process does all the work of the queries and /proc counts it (ticks of 10 ms: a mean).
    used = server_cpu(connection)
    server = {}
    if used is not None:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
        for name, run in (("page", page), ("bare", bare)):
            run()
            before = used()
            for _ in range(runs):
                run()
            server[name] = (used() - before) / runs
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")
    print(
        f"programme page /plans/ (lead, {count} queries, every plan filtered, sorted and counted, 50 shown):"
    )
    print(f"  wall      median {p * 1000:6.0f} ms over {runs} runs")
    print(
        f"  CPU       median {page_cpu * 1000:6.0f} ms  this process (Python: ORM, rules, template)"
    )
    if server:
        print(
            f"  DB CPU    mean   {server['page'] * 1000:6.0f} ms  PostgreSQL's process, serial plans"
        )
    print("bare SQL reading the same rows (plans, accounts, periods, actions counted by status):")
    print(f"  wall      median {b * 1000:6.0f} ms")
    if server:
        print(f"  DB CPU    mean   {server['bare'] * 1000:6.0f} ms")
    print(
        f"ratio page / bare query: {p / b:.1f}x wall"
        + (
            f", {(page_cpu + server['page']) / server['bare']:.1f}x CPU (Python + DB vs DB)"
            if server
            else ""
        )
    )
    print(f"target < 300 ms wall: {'met' if p < 0.3 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the database already seeded")
    args = parser.parse_args()
    if not args.keep:
        fresh_database()
    setup_django()
    if not args.keep:
        started = time.perf_counter()
        seed(args.accounts, args.actions)
        print(f"seeding took {time.perf_counter() - started:.0f} s ({datetime.now():%H:%M})")
    else:  # the kept database, brought up to this checkout's schema
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    measure(args.runs)


if __name__ == "__main__":
    main()
