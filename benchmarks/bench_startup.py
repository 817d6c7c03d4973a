# ruff: noqa: E501, S603 - a benchmark script: long report lines, fixed commands
"""Start-up benchmark: the fixed cost of a kam command, before it does any work (issue 10 item 11).

    python benchmarks/bench_startup.py [--runs 5] [--data-dir DIR] [--compare SRC]

Measures the CPU time (user + system, from resource.getrusage(RUSAGE_CHILDREN), so a busy
machine slows it far less than it slows the wall clock) of:

- the baseline: `python -c "import django; django.setup()"` with kam's settings, the floor
  every command pays (Django and kam's apps and models);
- `kam --help`;
- `kam check` (Django's system checks: every URL, view and API module);
- `kam import ledger` of a 2-row CSV (each run a new file, so each creates its 2 lines).

Each figure is the median of --runs, printed beside the baseline measured in the same run and
its ratio to it. --compare SRC also runs the same commands from another checkout's `src`
(e.g. a `git worktree` of an older commit) with the same interpreter and data: before/after in
one run. The scratch data dir (an embedded SQLite database: migrated, then the example
accounts, products, units and rates of docs/examples imported) is a temporary directory unless
--data-dir names one; it is removed afterwards unless given.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
LEDGER_HEADER = (
    "invoice_number,line_number,issue_date,account_code,currency,product_code,quantity,unit_price"
)
BASELINE = "import django; django.setup()"


def cpu_seconds(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def environment(data_dir: Path, src: Path | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kam.settings",
        "KAM_DATA_DIR": str(data_dir),
        "KAM_DATABASE_URL": f"sqlite:///{data_dir / 'kam.sqlite3'}",
        "KAM_BROKER_URL": "",
    }
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
    return env


def kam(*args: str) -> list[str]:
    return [sys.executable, "-m", "kam", *args]


def prepare(data_dir: Path, env: dict[str, str]) -> None:
    subprocess.run(kam("migrate", "-v0"), env=env, check=True)
    for kind in ("accounts", "products", "units", "rates"):
        subprocess.run(
            kam("import", kind, str(EXAMPLES / f"{kind}.csv")),
            env=env,
            check=True,
            capture_output=True,
        )


def two_rows(data_dir: Path, label: str) -> Path:
    """A new 2-row ledger file: its invoice number is new, so the import creates its lines."""
    path = data_dir / f"two-{label}.csv"
    number = f"BENCH-{label}"
    path.write_text(
        f"{LEDGER_HEADER}\n"
        f"{number},1,2025-01-06,C1001,IDR,HG-100,3,4200000\n"
        f"{number},2,2025-01-06,C1001,IDR,HD-ALU,120,31000\n",
        encoding="utf-8",
    )
    return path


def measure(name: str, make_command, env: dict[str, str], runs: int) -> tuple[float, float]:
    cpu, wall = [], []
    for run in range(runs):
        c, w = cpu_seconds(make_command(run), env)
        cpu.append(c)
        wall.append(w)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="scratch data dir (default: a temporary one)")
    parser.add_argument(
        "--compare", type=Path, help="another checkout's src directory to measure too"
    )
    options = parser.parse_args()

    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="kam-bench-startup-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    trees: list[tuple[str, Path | None]] = [("this checkout", None)]
    if options.compare:
        trees.append((f"--compare {options.compare}", options.compare.resolve()))
    try:
        prepare(data_dir, environment(data_dir, None))
        rows = []
        for label, src in trees:
            env = environment(data_dir, src)
            tag = "b" if src else "a"
            commands = [
                ("baseline: django.setup()", lambda _run: [sys.executable, "-c", BASELINE]),
                ("kam --help", lambda _run: kam("--help")),
                ("kam check", lambda _run: kam("check")),
                (
                    "kam import ledger (2 rows)",
                    lambda run, tag=tag: kam(
                        "import", "ledger", str(two_rows(data_dir, f"{tag}{run}"))
                    ),
                ),
            ]
            for name, make in commands:
                cpu, wall = measure(name, make, env, options.runs)
                rows.append((label, name, cpu, wall))
                print(f"  measured {label}: {name}: {cpu:.2f} s CPU", file=sys.stderr)
        baseline = rows[0][2]
        print(
            f"\nmedian of {options.runs} runs; ratio = CPU time / this checkout's bare django.setup() ({baseline:.2f} s CPU)"
        )
        print(f"{'checkout':<34} {'command':<28} {'CPU s':>7} {'wall s':>7} {'ratio':>6}")
        for label, name, cpu, wall in rows:
            print(f"{label:<34} {name:<28} {cpu:7.2f} {wall:7.2f} {cpu / baseline:6.2f}")
    finally:
        if not options.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
