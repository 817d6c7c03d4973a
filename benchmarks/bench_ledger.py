# ruff: noqa: E501, S603, S608 - a benchmark script: long report lines, fixed commands
"""Ledger benchmark: import speed and a full rescore, as ratios to baselines in the same run.

    python benchmarks/bench_ledger.py [--lines 10000000] [--accounts 100000] [--skip-sqlite]

Generates a synthetic ledger (Zipf-skewed accounts, 5,000 products, 3 years), then measures:
- kam's import into PostgreSQL and into SQLite, in lines per second;
- PostgreSQL's own COPY of the same file into a bare table (the ceiling for an import): into a
  temporary table, which writes no WAL (the baseline of the target), and into a plain one;
- DuckDB computing per-account features from the same CSV (the bar for a rescore);
- kam's full rescore of every account on PostgreSQL (rollups already built by the import).
Targets (issue 3): PostgreSQL import >= 1/3 of raw COPY; rescore no slower than DuckDB.
Every timed step starts on a settled machine (files synced, a PostgreSQL CHECKPOINT), so that
none pays for the writes of the step before it. The rescore and DuckDB run --repeat times
each (default 3) and their medians are compared.
Needs PostgreSQL on 127.0.0.1:5432 (trust) and `pip install duckdb`. Uses a scratch database
`kam_bench` (dropped and created) and a scratch folder for SQLite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/kam_bench"
FIRST_DAY = date(2023, 10, 1)
DAYS = 3 * 365


def generate(folder: Path, *, lines: int, accounts: int, seed: int = 7) -> dict[str, Path]:
    """Accounts, products and ledger lines as CSV files in kam's default format."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"A{i:06d}" for i in range(accounts)])
    pl.DataFrame(
        {
            "code": codes,
            "name": [f"Account {i}" for i in range(accounts)],
            "country": "CN",
            "currency": "CNY",
        }
    ).write_csv(folder / "accounts.csv")
    products = 5_000
    unit_cost = np.round(rng.uniform(2, 200, products), 2)
    pl.DataFrame(
        {
            "code": [f"P{i:05d}" for i in range(products)],
            "name": [f"Product {i}" for i in range(products)],
            "base_unit": "piece",
            "unit_cost": unit_cost,
            "cost_currency": "CNY",
            "cost_valid_from": "2020-01-01",
        }
    ).write_csv(folder / "products.csv")
    # Zipf-skewed: a few accounts buy most lines, as in a real B2B ledger.
    weights = 1.0 / np.arange(1, accounts + 1) ** 0.9
    weights /= weights.sum()
    account = rng.choice(accounts, size=lines, p=weights)
    per_invoice = 4
    invoice = np.arange(lines) // per_invoice
    # Lines of one invoice share the account and date of its first line.
    account = account[invoice * per_invoice]
    day = rng.integers(0, DAYS, size=lines // per_invoice + 1)[invoice]
    product = rng.integers(0, products, size=lines)
    quantity = rng.integers(1, 200, size=lines)
    price = np.round(unit_cost[product] * rng.uniform(1.05, 1.8, size=lines), 2)
    revenue = np.round(quantity * price, 2)
    issue = np.datetime64(FIRST_DAY.isoformat()) + day.astype("timedelta64[D]")
    pl.DataFrame(
        {
            "invoice_number": [f"INV{i:09d}" for i in invoice],
            "line_number": (np.arange(lines) % per_invoice) + 1,
            "issue_date": issue,
            "account_code": codes[account],
            "currency": "CNY",
            "product_code": [f"P{i:05d}" for i in product],
            "quantity": quantity,
            "net_revenue": revenue,
            "cost": np.round(quantity * unit_cost[product], 2),
        }
    ).write_csv(folder / "ledger.csv")
    # The lines are in CNY and kam reports in USD: every month of the ledger needs its rate,
    # or the import refuses every line (revenue is never dropped silently).
    months = pl.date_range(FIRST_DAY, FIRST_DAY.replace(year=FIRST_DAY.year + 4), "1mo", eager=True)
    pl.DataFrame(
        {
            "month": months.dt.strftime("%Y-%m"),
            "currency": "CNY",
            "rate": np.round(rng.uniform(0.135, 0.145, len(months)), 6),
        }
    ).write_csv(folder / "rates.csv")
    return {name: folder / f"{name}.csv" for name in ("accounts", "products", "rates", "ledger")}


def kam(*args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kam", *args], env=env, check=True)
    return time.perf_counter() - started


def fresh_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS kam_bench WITH (FORCE)")
        c.execute("CREATE DATABASE kam_bench")


def settle() -> None:
    """Let the writes of the step before reach the disk before the next step is timed."""
    import psycopg

    os.sync()
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute("CHECKPOINT")


def raw_copy_seconds(ledger: Path, *, temporary: bool) -> float:
    """PostgreSQL's own COPY of the same file into a bare, unindexed table: a temporary one
    (no WAL, not durable) or a plain one."""
    import psycopg

    settle()
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/kam_bench") as c:
        c.execute(
            f"CREATE {'TEMP' if temporary else ''} TABLE raw_lines (invoice_number text, "
            "line_number int, issue_date date, account_code text, currency text, "
            "product_code text, quantity numeric, net_revenue numeric, cost numeric)"
        )
        started = time.perf_counter()
        with (
            c.cursor().copy("COPY raw_lines FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ledger.open("rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        c.commit()
        seconds = time.perf_counter() - started
        c.execute("DROP TABLE raw_lines")
        c.commit()
        return seconds


def duckdb_seconds(ledger: Path) -> float:
    """DuckDB: revenue per year and quarter, margin, quarterly slope, share, per account."""
    import duckdb

    settle()
    started = time.perf_counter()
    duckdb.sql(
        f"""
        WITH q AS (
          SELECT account_code, date_trunc('quarter', issue_date) AS quarter,
                 sum(net_revenue) AS revenue, sum(cost) AS cost, sum(quantity) AS units
          FROM read_csv_auto('{ledger}') GROUP BY ALL
        ), idx AS (
          SELECT *, dense_rank() OVER (ORDER BY quarter) AS qi FROM q
        )
        SELECT account_code, sum(revenue) AS revenue, 1 - sum(cost) / sum(revenue) AS margin,
               regr_slope(revenue, qi) AS slope,
               sum(revenue) / sum(sum(revenue)) OVER () AS share
        FROM idx GROUP BY account_code
        """
    ).fetchall()
    return time.perf_counter() - started


def run_seconds() -> float:
    """The latest scoring run's own clock: from its start to its snapshot's commit."""
    import psycopg

    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://")) as c:
        (seconds,) = c.execute(
            "SELECT EXTRACT(EPOCH FROM finished_at - started_at) FROM selection_scoringrun "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return float(seconds)


def timed_kam(*args: str, env: dict[str, str]) -> float:
    settle()
    return kam(*args, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the rescore and DuckDB")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="kam-bench-"))
    try:
        started = time.perf_counter()
        files = generate(scratch, lines=args.lines, accounts=args.accounts)
        print(
            f"generated {args.lines:,} lines over {args.accounts:,} accounts in {time.perf_counter() - started:.1f} s"
        )
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
        base_env["PYTHONPATH"] = str(ROOT / "src")
        results: dict[str, float] = {}

        fresh_pg_database()
        pg = {**base_env, "KAM_DATABASE_URL": PG_URL, "KAM_DATA_DIR": str(scratch / "pg")}
        kam("migrate", "-v", "0", env=pg)
        # kam's own start-up (Python, Django, settings), subtracted from each command below.
        startup = min(kam("check", "-v", "0", env=pg) for _ in range(3))
        results["startup"] = startup
        kam("import", "accounts", str(files["accounts"]), env=pg)
        kam("import", "products", str(files["products"]), env=pg)
        kam("import", "rates", str(files["rates"]), env=pg)
        results["pg_import"] = timed_kam("import", "ledger", str(files["ledger"]), env=pg) - startup
        rescores, clocks = [], []
        for _ in range(args.repeat):
            rescores.append(timed_kam("score", "--as-of", "2026-10-15", env=pg) - startup)
            clocks.append(run_seconds())
        results["pg_rescore"] = statistics.median(rescores)
        results["pg_rescore_clock"] = statistics.median(clocks)
        results["pg_copy"] = raw_copy_seconds(files["ledger"], temporary=True)
        results["pg_copy_plain"] = raw_copy_seconds(files["ledger"], temporary=False)
        results["duckdb"] = statistics.median(
            duckdb_seconds(files["ledger"]) for _ in range(args.repeat)
        )

        if not args.skip_sqlite:
            lite = {**base_env, "KAM_DATA_DIR": str(scratch / "sqlite")}
            kam("migrate", "-v", "0", env=lite)
            kam("import", "accounts", str(files["accounts"]), env=lite)
            kam("import", "products", str(files["products"]), env=lite)
            kam("import", "rates", str(files["rates"]), env=lite)
            results["sqlite_import"] = (
                timed_kam("import", "ledger", str(files["ledger"]), env=lite) - startup
            )
            results["sqlite_rescore"] = (
                timed_kam("score", "--as-of", "2026-10-15", env=lite) - startup
            )

        n = args.lines
        print()
        print(f"{'measure':<40} {'seconds':>9} {'lines/s':>12} {'ratio':>8}")
        rows = [
            ("PostgreSQL raw COPY (baseline)", results["pg_copy"], n / results["pg_copy"], 1.0),
            (
                "kam import into PostgreSQL",
                results["pg_import"],
                n / results["pg_import"],
                results["pg_copy"] / results["pg_import"],
            ),
            (
                "PostgreSQL COPY, plain table",
                results["pg_copy_plain"],
                n / results["pg_copy_plain"],
                results["pg_copy"] / results["pg_copy_plain"],
            ),
            ("DuckDB features from CSV (baseline)", results["duckdb"], None, 1.0),
            (
                f"kam rescore of {args.accounts:,} accounts, PostgreSQL",
                results["pg_rescore"],
                None,
                results["duckdb"] / results["pg_rescore"],
            ),
            (
                "  the same, by the run's own clock",
                results["pg_rescore_clock"],
                None,
                results["duckdb"] / results["pg_rescore_clock"],
            ),
        ]
        if "sqlite_import" in results:
            rows += [
                (
                    "kam import into SQLite",
                    results["sqlite_import"],
                    n / results["sqlite_import"],
                    results["pg_copy"] / results["sqlite_import"],
                ),
                (
                    f"kam rescore of {args.accounts:,} accounts, SQLite",
                    results["sqlite_rescore"],
                    None,
                    results["duckdb"] / results["sqlite_rescore"],
                ),
            ]
        for name, seconds, rate, ratio in rows:
            rate_text = f"{rate:,.0f}" if rate else ""
            print(f"{name:<40} {seconds:>9.2f} {rate_text:>12} {ratio:>8.2f}")
        print(
            "\nratio: baseline time / kam time (1.0 = as fast as the baseline; import target >= 0.33,"
        )
        print(
            f"rescore target >= 1.0). kam's start-up ({results['startup']:.2f} s, timed with "
            "`kam check`) is subtracted from its times."
        )
        print(
            f"The import's ratio to a COPY into a plain table (which, like the import, writes "
            f"WAL): {results['pg_copy_plain'] / results['pg_import']:.2f}. Rescore and DuckDB: "
            f"medians of {args.repeat} runs."
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
