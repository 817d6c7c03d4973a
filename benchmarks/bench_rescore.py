# ruff: noqa: E501, S603, S608 - a benchmark script: long report lines, fixed commands
"""Rescore benchmark: a full `kam score` of 100,000 accounts on PostgreSQL against DuckDB.

    python benchmarks/bench_rescore.py [--accounts 100000] [--invoices 1600000]
                                       [--runs 3] [--baseline-seconds X] [--sqlite]

Seeds a scratch database `kam_bench_rescore` (dropped and created) straight through COPY: the
accounts, and the per-account quarterly rollups an import of a Zipf-skewed 3-year ledger would
leave (some 470,000 rows for 100,000 accounts: 12 quarters for the big buyers, a few for the
small ones). Importing a 10M-line ledger would take minutes and measure the import, not this.
Then times `kam score --as-of 2026-10-15` (median of --runs, each adding a dated snapshot as
in real use, kam's start-up subtracted) and prints where kam's time went (its debug log).

With --sqlite, the same data is also scored on the embedded SQLite database (no target there;
it must only not get slower).

Baseline (issue: "full rescore no slower than DuckDB computing the features from the CSV"):
DuckDB over the same 10M-line CSV as bench_ledger.py, generated here (about 20 s), unless
--baseline-seconds gives the figure. Needs PostgreSQL on 127.0.0.1:5432 (trust) and duckdb.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ledger import duckdb_seconds, generate

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "kam_bench_rescore"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
FIRST_QUARTER = np.datetime64("2023-10-01")
DAYS = 3 * 365
AS_OF = "2026-10-15"


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DATABASE}")


def kam(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kam", *args], env=env, check=True, capture_output=True, text=True
    )


def timed(*args: str, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = kam(*args, env=env)
    return time.perf_counter() - started, done.stderr


def account_rows(accounts: int, rng: np.random.Generator) -> pl.DataFrame:
    now = "2026-10-01 00:00:00+00"
    return pl.DataFrame(
        {
            "public_id": [str(uuid.UUID(int=int(x))) for x in rng.integers(0, 2**62, accounts)],
            "code": [f"A{i:06d}" for i in range(accounts)],
            "name": [f"Account {i}" for i in range(accounts)],
            "country": "CN",
            "currency": "CNY",
            "industry": rng.choice(
                ["furniture", "construction", "distribution", "retail"], accounts
            ),
            "coverage": rng.choice(
                ["local", "national", "international"], accounts, p=[0.8, 0.15, 0.05]
            ),
            "stage": "exploitation",
            "created_at": now,
            "updated_at": now,
        }
    )


def rollup_rows(account_ids: np.ndarray, invoices: int, rng: np.random.Generator) -> pl.DataFrame:
    """What an import leaves in AccountQuarter for `invoices` invoices of 4 lines each, spread
    over the accounts as bench_ledger spreads them (Zipf 0.9) over 3 years."""
    n = len(account_ids)
    weights = 1.0 / np.arange(1, n + 1) ** 0.9
    weights /= weights.sum()
    account = rng.choice(n, size=invoices, p=weights)
    day = rng.integers(0, DAYS, size=invoices)
    issued = FIRST_QUARTER + day.astype("timedelta64[D]")
    months = issued.astype("datetime64[M]").astype(np.int64)
    quarter = (months - months % 3).astype("datetime64[M]").astype("datetime64[D]")
    # An invoice of 4 lines: CNY revenue converted at ~0.14, cost 55-95 % of it.
    revenue = np.round(rng.gamma(2.0, 2_000.0, invoices) * 4 * 0.14, 2)
    cost = np.round(revenue * rng.uniform(0.55, 0.95, invoices), 2)
    late = np.maximum(rng.normal(-5, 20, invoices), 0).round()
    frame = pl.DataFrame(
        {
            "account_id": account_ids[account],
            "quarter": quarter,
            "revenue": revenue,
            "cost": cost,
            "discount": np.round(revenue * rng.uniform(0, 0.08, invoices), 2),
            "units": rng.integers(4, 800, invoices),
            "late": late,
        }
    )
    rows = frame.group_by("account_id", "quarter").agg(
        pl.col("revenue").sum().round(2),
        pl.col("cost").sum().round(2),
        pl.col("discount").sum().round(2),
        pl.col("units").sum().cast(pl.Float64),
        pl.len().alias("invoices"),
        (pl.col("late") == 0).sum().alias("paid_on_time"),
        pl.col("late").sum().cast(pl.Int64).alias("days_late_sum"),
        pl.col("late").max().cast(pl.Int64).alias("days_late_max"),
    )
    # Rebates for one account in ten, paid as credit notes on 2 % of its revenue.
    rebated = rng.random(rows.height) < 0.1
    return rows.with_columns(
        rebate=pl.when(pl.Series(rebated)).then((pl.col("revenue") * 0.02).round(2)).otherwise(0.0),
        lines=pl.col("invoices") * 4,
        invoices_due=pl.col("invoices"),
    ).select(
        "account_id", "quarter", "revenue", "cost", "discount", "rebate", "units", "lines",
        "invoices", "invoices_due", "paid_on_time", "days_late_sum", "days_late_max",
    )  # fmt: skip


def seed_frames(
    *, accounts: int, invoices: int, seed: int = 7
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The accounts, and their rollups keyed by account position (ids are given on insert)."""
    rng = np.random.default_rng(seed)
    people = account_rows(accounts, rng)
    return people, rollup_rows(np.arange(accounts), invoices, rng)


def copy_frame(cursor, table: str, frame: pl.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    with cursor.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def seed(*, accounts: int, invoices: int) -> int:
    import psycopg

    people, rollups = seed_frames(accounts=accounts, invoices=invoices)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}") as c:
        cursor = c.cursor()
        copy_frame(cursor, "accounts_account", people)
        ids = np.array(
            [pk for (pk,) in cursor.execute("SELECT id FROM accounts_account ORDER BY code")]
        )
        rollups = rollups.with_columns(account_id=pl.Series(ids)[rollups["account_id"]])
        copy_frame(cursor, "ledger_accountquarter", rollups)
        c.commit()
        c.autocommit = True
        c.execute("VACUUM ANALYZE")
    return rollups.height


def seed_sqlite(path: Path, *, accounts: int, invoices: int) -> None:
    import sqlite3

    people, rollups = seed_frames(accounts=accounts, invoices=invoices)
    with sqlite3.connect(path) as c:
        for table, frame in (("accounts_account", people), ("ledger_accountquarter", rollups)):
            if table == "ledger_accountquarter":
                ids = [pk for (pk,) in c.execute("SELECT id FROM accounts_account ORDER BY code")]
                frame = frame.with_columns(
                    account_id=pl.Series(ids)[frame["account_id"]],
                    quarter=pl.col("quarter").cast(pl.String),
                )
            marks = ", ".join("?" * frame.width)
            c.executemany(
                f"INSERT INTO {table} ({', '.join(frame.columns)}) VALUES ({marks})", frame.rows()
            )


def breakdown(log: str) -> list[tuple[str, float]]:
    """The `rescore: <step> <seconds>s` lines of kam's debug log."""
    return [(m[1], float(m[2])) for m in re.finditer(r"rescore: (.+?) ([\d.]+)s$", log, re.M)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_600_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-seconds", type=float, default=None)
    parser.add_argument("--sqlite", action="store_true", help="also time SQLite")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="kam-bench-rescore-"))
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
        base_env["PYTHONPATH"] = str(ROOT / "src")
        env = {**base_env, "KAM_DATABASE_URL": PG_URL, "KAM_DATA_DIR": str(scratch / "pg")}
        fresh_database()
        kam("migrate", "-v", "0", env=env)
        started = time.perf_counter()
        rows = seed(accounts=args.accounts, invoices=args.invoices)
        print(
            f"seeded {args.accounts:,} accounts and {rows:,} quarterly rollups in {time.perf_counter() - started:.1f} s"
        )
        # kam's own start-up (Python, Django, settings), subtracted from each run below.
        startup = min(timed("check", "-v", "0", env=env)[0] for _ in range(3))
        debug = {**env, "KAM_LOG_LEVEL": "DEBUG"}
        runs = [timed("score", "--as-of", AS_OF, env=debug) for _ in range(args.runs)]
        seconds = [total - startup for total, _ in runs]
        ours = statistics.median_low(seconds)
        median_log = runs[seconds.index(ours)][1]

        lite_seconds = []
        if args.sqlite:
            lite = {**base_env, "KAM_DATA_DIR": str(scratch / "sqlite")}
            kam("migrate", "-v", "0", env=lite)
            seed_sqlite(
                scratch / "sqlite" / "kam.sqlite3", accounts=args.accounts, invoices=args.invoices
            )
            lite_startup = min(timed("check", "-v", "0", env=lite)[0] for _ in range(3))
            lite_seconds = [
                timed("score", "--as-of", AS_OF, env=lite)[0] - lite_startup
                for _ in range(args.runs)
            ]

        if args.baseline_seconds is not None:
            baseline, source = args.baseline_seconds, "given"
        else:
            started = time.perf_counter()
            files = generate(scratch, lines=10_000_000, accounts=args.accounts)
            print(f"generated the 10M-line ledger in {time.perf_counter() - started:.1f} s")
            baseline, source = duckdb_seconds(files["ledger"]), "measured"

        print()
        print(f"kam start-up (`kam check`, best of 3): {startup:.2f} s, subtracted below")
        print("PostgreSQL runs: " + ", ".join(f"{s:.2f} s" for s in seconds))
        if lite_seconds:
            print("SQLite runs: " + ", ".join(f"{s:.2f} s" for s in lite_seconds))
        print(f"\n{'measure':<48} {'seconds':>8} {'ratio':>7}")
        print(
            f"{'DuckDB features from 10M-line CSV (' + source + ')':<48} {baseline:>8.2f} {1.0:>7.2f}"
        )
        print(
            f"{f'kam rescore of {args.accounts:,} accounts, PostgreSQL':<48} {ours:>8.2f} {baseline / ours:>7.2f}"
        )
        if lite_seconds:
            lite = statistics.median_low(lite_seconds)
            print(
                f"{f'kam rescore of {args.accounts:,} accounts, SQLite':<48} {lite:>8.2f} {baseline / lite:>7.2f}"
            )
        print("\nratio: baseline / kam (target >= 1.0 on PostgreSQL; aim: kam <= 1.1 s)")
        steps = breakdown(median_log)
        if steps:
            print("\nwhere the median run's time went (kam's debug log):")
            for step, secs in steps:
                print(f"  {step:<40} {secs:>6.2f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
