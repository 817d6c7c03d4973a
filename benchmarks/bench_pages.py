# ruff: noqa: S603 - a benchmark script: it starts kam, gunicorn and wrk itself
"""Pages under load (issue 14 item 12): the demo on PostgreSQL served by gunicorn with 2 workers,
the largest account's pages hit by wrk at 4 and at 32 connections, each beside the login page
measured in the same run.

    python benchmarks/bench_pages.py [--seconds 30] [--connections 4,32] [--workers 2]
                                     [--pages account,relationships,...] [--keep]

Needs Debian's `wrk` (apt-get install wrk) and gunicorn (a kam dependency). Loads the demo with
`kam demo --no-serve` into a scratch database `kam_bench_pages` (dropped and created; --keep
reuses it when it is already loaded), logs in as the programme lead through a real session,
then, for each page, runs wrk for --seconds at each connection count and prints pages/s, the
p50 / p95 / p99 latency, the share of non-2xx answers and the page's size. The login page
(anonymous, a form and no data) is the baseline: every ratio is the page's p95 over the login
page's p95 at the same connection count. Targets on a 2-core machine: p95 under 150 ms at 4
connections, at least 30 pages/s at 32, 0 errors.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# The scratch database: KAM_BENCH_PAGES_DATABASE names another (two people benchmarking on
# one machine must not drop each other's).
DATABASE = os.environ.get("KAM_BENCH_PAGES_DATABASE", "kam_bench_pages")
if not DATABASE.replace("_", "").isalnum():
    raise SystemExit("KAM_BENCH_PAGES_DATABASE: letters, digits and _ only")
ROOT = Path(__file__).resolve().parents[1]
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"

# wrk's report hook: one machine-readable line with the figures we print.
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("KAM %d %d %d %.0f %.0f %.0f %d\\n", summary.requests,
    summary.duration, errors, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.bytes))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KAM_DATABASE_URL=DB_URL,
        KAM_DATA_DIR=data_dir,
        KAM_ALLOWED_HOSTS="127.0.0.1,localhost",
        KAM_DEBUG="false",
        KAM_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def fresh_database(keep: bool) -> bool:
    """Create the scratch database; True when it already holds a loaded demo to reuse."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if keep and exists:
            return True
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DATABASE}")
    return False


def setup_django(data_dir: str) -> None:
    os.environ.update(environment(data_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def pages_of_largest_account() -> tuple[dict[str, str], str, int]:
    """The measured pages of the demo account with the most contacts, and a lead session."""
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from kam.accounts.models import Account
    from kam.users.models import User

    account = Account.objects.annotate(people=Count("contacts")).order_by("-people", "code").first()
    key = {"public_id": account.public_id}
    pages = {
        "login": reverse("login"),
        "dashboard": reverse("accounts:dashboard"),
        "account": reverse("accounts:account_detail", kwargs=key),
        "relationships": reverse("relationships:account_detail", kwargs=key),
        "map": reverse("relationships:map_detail", kwargs=key),
        "key account": reverse("selection:scorecard", kwargs=key),
    }
    client = Client()
    client.force_login(User.objects.get(username="lead"))
    return pages, client.cookies["sessionid"].value, account.people


def wrk(url: str, *, connections: int, seconds: int, cookie: str | None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s"]
    command += ["--timeout", "30s", "-s", script.name, "-H", "Accept-Language: en"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("KAM "))
    requests, duration_us, errors, p50, p95, p99, size = (float(v) for v in line.split()[1:])
    return {
        "rate": requests / (duration_us / 1e6),
        "errors": errors / requests if requests else 1.0,
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "kib": size / requests / 1024 if requests else 0,
    }


def drain(base: str) -> None:
    """Wait until gunicorn has answered what wrk left queued when it stopped (on a busy
    machine, 32 connections' worth of pages): one more request goes to the back of the queue.
    Without it the next measurement starts behind that backlog."""
    with urllib.request.urlopen(base + "/login/", timeout=120):  # noqa: S310
        pass


def check_pages(base: str, pages: dict[str, str], session: str) -> None:
    """Each page answers 200 to the lead's session itself, not a redirect to the login page."""
    opener = urllib.request.build_opener(NoRedirect)
    for name, url in pages.items():
        cookie = {"Cookie": f"sessionid={session}"}
        request = urllib.request.Request(base + url, headers=cookie)  # noqa: S310
        with opener.open(request, timeout=60) as response:
            if response.status != 200:
                raise SystemExit(f"{name} ({url}) answered {response.status}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "kam.wsgi:application", "-w", str(workers)),
            *("-b", f"127.0.0.1:{port}", "--log-level", "warning"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/login/", timeout=5):  # noqa: S310
                return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", default="4,32")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", default="dashboard,account,relationships,map,key account")
    parser.add_argument("--keep", action="store_true", help="reuse a loaded scratch database")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    data_dir = tempfile.mkdtemp(prefix="kam-bench-pages-")
    env = environment(data_dir)
    if fresh_database(args.keep):  # kept: bring it up to this checkout's schema
        subprocess.run([sys.executable, "-m", "kam", "migrate", "-v0"], env=env, check=True)
    else:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kam", "demo", "--no-serve"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"demo loaded into {DATABASE} in {time.perf_counter() - started:.0f} s")
    setup_django(data_dir)
    pages, session, people = pages_of_largest_account()
    server, base = serve(env, args.workers)
    check_pages(base, pages, session)
    print(
        f"gunicorn, {args.workers} workers; the largest account has {people} contacts; "
        f"{args.seconds} s per measurement\n"
    )
    header = f"{'page':<14}{'conns':>6}{'pages/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    print(header + f"{'errors':>8}{'KiB':>7}{'p95/login':>10}  target")
    try:
        for connections in (int(c) for c in args.connections.split(",")):
            for url in (pages[p] for p in args.pages.split(",")):  # warm every worker's caches
                wrk(base + url, connections=connections, seconds=2, cookie=session)
                drain(base)
            login = wrk(
                base + pages["login"], connections=connections, seconds=args.seconds, cookie=None
            )
            drain(base)
            for name in ["login", *args.pages.split(",")]:
                figures = (
                    login
                    if name == "login"
                    else wrk(
                        base + pages[name],
                        connections=connections,
                        seconds=args.seconds,
                        cookie=session,
                    )
                )
                drain(base)
                if connections <= 4:
                    met = figures["p95"] < 150 and figures["errors"] == 0
                    target = "p95 < 150 ms: " + ("met" if met else "MISSED")
                else:
                    met = figures["rate"] >= 30 and figures["errors"] == 0
                    target = ">= 30 pages/s: " + ("met" if met else "MISSED")
                print(
                    f"{name:<14}{connections:>6}{figures['rate']:>9.1f}{figures['p50']:>8.0f}"
                    f"{figures['p95']:>8.0f}{figures['p99']:>8.0f}{figures['errors']:>8.1%}"
                    f"{figures['kib']:>7.0f}{figures['p95'] / max(login['p95'], 1):>10.1f}  "
                    + ("(baseline)" if name == "login" else target),
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
