# ruff: noqa: E501, S603, S608 - a benchmark script: long report lines, fixed commands
"""Ledger benchmark: import speed and a full rescore, as ratios to baselines in the same run.

    python benchmarks/bench_ledger.py [--lines 10000000] [--accounts 100000] [--skip-sqlite]

Generates a synthetic ledger (Zipf-skewed accounts, 5,000 products, 3 years), then measures:
- kam's import into PostgreSQL and into SQLite, in lines per second;
- PostgreSQL's own COPY of the same file into a bare table (the ceiling for an import): into a
  temporary table, which writes no WAL (the baseline of the target), and into a plain one;
- DuckDB computing per-account features from the same CSV (the bar for a rescore);
- kam's full rescore of every account on PostgreSQL (rollups already built by the import).
- kam's import into SQLite against SQLite's own executemany of the same file into a bare table.
Targets (issue 3): PostgreSQL import >= 1/3 of raw COPY; rescore no slower than DuckDB.
kam's times are its own clocks: the import prints the seconds from its first row to its
commit, a scoring run records its start and end; the interpreter's and Django's start-up are
left out by construction, so a busy machine cannot turn them into a negative time.
Every timed step starts on a settled machine (files synced, a PostgreSQL CHECKPOINT), so that
none pays for the writes of the step before it. The rescore and DuckDB run --repeat times
each (default 3) and their medians are compared.
Needs PostgreSQL on 127.0.0.1:5432 (trust) and `pip install duckdb`. Uses a scratch database
named by --database (or KAM_BENCH_DATABASE; default kam_bench_<pid>, so two runs never drop
each other's), created fresh and dropped at the end, and a scratch folder for SQLite.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
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
SERVER = "postgresql://postgres@127.0.0.1:5432"
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


def kam(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kam", *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def import_seconds(*args: str, env: dict[str, str]) -> float:
    """An import's own clock: the seconds it prints from its first row to its commit."""
    settle()
    out = kam("import", *args, env=env)
    found = re.search(r" in ([\d.]+) s$", out.strip())
    if not found:
        raise SystemExit(f"kam import printed no time: {out!r}")
    return float(found.group(1))


def pg_database(name: str, *, drop_only: bool = False) -> None:
    """Our own scratch database, by the name we were given: dropping it cannot touch anyone
    else's sessions."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--database {name!r}: use lower-case letters, digits and _")
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            c.execute(f"CREATE DATABASE {name}")


def settle() -> None:
    """Let the writes of the step before reach the disk before the next step is timed."""
    import psycopg

    os.sync()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
        c.execute("CHECKPOINT")


def raw_copy_seconds(ledger: Path, *, database: str, temporary: bool) -> float:
    """PostgreSQL's own COPY of the same file into a bare, unindexed table: a temporary one
    (no WAL, not durable) or a plain one."""
    import psycopg

    settle()
    with psycopg.connect(f"{SERVER}/{database}") as c:
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


def sqlite_executemany_seconds(ledger: Path, folder: Path) -> float:
    """SQLite's own executemany of the same file into a bare table: the bar for kam's SQLite
    import (PostgreSQL's COPY is another engine's ceiling, not a fair bar for SQLite)."""
    import csv

    path = folder / "raw.sqlite3"
    settle()
    started = time.perf_counter()
    with sqlite3.connect(path) as c, ledger.open(newline="") as f:
        c.execute("PRAGMA journal_mode=WAL")
        c.execute(
            "CREATE TABLE raw_lines (invoice_number text, line_number int, issue_date text, "
            "account_code text, currency text, product_code text, quantity text, "
            "net_revenue text, cost text)"
        )
        rows = csv.reader(f)
        next(rows)
        c.executemany("INSERT INTO raw_lines VALUES (?,?,?,?,?,?,?,?,?)", rows)
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds


def score_seconds(env: dict[str, str], *, database: str | None, sqlite_file: Path | None) -> float:
    """A rescore, timed by the scoring run's own clock: from its start to its snapshot's
    commit."""
    settle()
    kam("score", "--as-of", "2026-10-15", env=env)
    query = "SELECT started_at, finished_at FROM selection_scoringrun ORDER BY id DESC LIMIT 1"
    if database:
        import psycopg

        with psycopg.connect(f"{SERVER}/{database}") as c:
            started, finished = c.execute(query).fetchone()
        return (finished - started).total_seconds()
    from datetime import datetime

    with sqlite3.connect(sqlite_file) as c:
        started, finished = c.execute(query).fetchone()
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the rescore and DuckDB")
    parser.add_argument(
        "--database",
        default=os.environ.get("KAM_BENCH_DATABASE", f"kam_bench_{os.getpid()}"),
        help="scratch PostgreSQL database (created, then dropped at the end)",
    )
    args = parser.parse_args()
    database = args.database

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

        pg_database(database)
        pg = {
            **base_env,
            "KAM_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "KAM_DATA_DIR": str(scratch / "pg"),
        }
        kam("migrate", "-v", "0", env=pg)
        kam("import", "accounts", str(files["accounts"]), env=pg)
        kam("import", "products", str(files["products"]), env=pg)
        kam("import", "rates", str(files["rates"]), env=pg)
        results["pg_import"] = import_seconds("ledger", str(files["ledger"]), env=pg)
        results["pg_rescore"] = statistics.median(
            score_seconds(pg, database=database, sqlite_file=None) for _ in range(args.repeat)
        )
        results["pg_copy"] = raw_copy_seconds(files["ledger"], database=database, temporary=True)
        results["pg_copy_plain"] = raw_copy_seconds(
            files["ledger"], database=database, temporary=False
        )
        results["duckdb"] = statistics.median(
            duckdb_seconds(files["ledger"]) for _ in range(args.repeat)
        )

        if not args.skip_sqlite:
            lite = {**base_env, "KAM_DATA_DIR": str(scratch / "sqlite")}
            kam("migrate", "-v", "0", env=lite)
            kam("import", "accounts", str(files["accounts"]), env=lite)
            kam("import", "products", str(files["products"]), env=lite)
            kam("import", "rates", str(files["rates"]), env=lite)
            results["sqlite_import"] = import_seconds("ledger", str(files["ledger"]), env=lite)
            results["sqlite_rescore"] = score_seconds(
                lite, database=None, sqlite_file=scratch / "sqlite" / "kam.sqlite3"
            )
            results["sqlite_executemany"] = sqlite_executemany_seconds(files["ledger"], scratch)

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
        ]
        if "sqlite_import" in results:
            rows += [
                (
                    "SQLite executemany (SQLite baseline)",
                    results["sqlite_executemany"],
                    n / results["sqlite_executemany"],
                    1.0,
                ),
                (
                    "kam import into SQLite",
                    results["sqlite_import"],
                    n / results["sqlite_import"],
                    results["sqlite_executemany"] / results["sqlite_import"],
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
            "rescore target >= 1.0). kam's times are its own clocks (the import's printed "
            "seconds, the scoring run's start and end), so they leave its start-up out."
        )
        print(
            f"The import's ratio to a COPY into a plain table (which, like the import, writes "
            f"WAL): {results['pg_copy_plain'] / results['pg_import']:.2f}. Rescore and DuckDB: "
            f"medians of {args.repeat} runs."
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        pg_database(database, drop_only=True)


if __name__ == "__main__":
    main()
