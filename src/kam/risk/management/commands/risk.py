"""`kam risk health`, `kam risk simulate [--scenarios N] [--seed S]` and
`kam risk scenario lose CODE...` (issue 13 item 11): results in the terminal, progress on
stderr."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.risk import explain, services


def _bar(label: str, done: int, total: int) -> None:
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {label:<10}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _money(value: float) -> str:
    return f"{value:,.0f}"


class Command(DataCommand):
    help = "Account health, loss scenarios and the simulated revenue at risk."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        health = sub.add_parser("health", help="recompute and list every account's health")
        health.add_argument("--limit", type=int, default=30, help="accounts listed (worst first)")
        simulate = sub.add_parser("simulate", help="simulate the programme's losses")
        simulate.add_argument("--scenarios", type=int, default=10_000)
        simulate.add_argument("--seed", type=int, default=0)
        scenario = sub.add_parser("scenario", help="a deterministic loss scenario")
        scenario.add_argument("kind", choices=["lose"])
        scenario.add_argument("codes", nargs="*", metavar="CODE", help="account codes")
        scenario.add_argument("--top", type=int, default=None, help="lose the top N groups")
        scenario.add_argument("--group", action="append", default=[], metavar="CODE")
        scenario.add_argument("--share", type=float, default=None, help="share of volume, 0-1")
        scenario.add_argument("--recovery", type=float, default=0.0, help="won back, 0-1")

    def handle(self, *args, action: str, **options):
        try:
            if action == "health":
                self._health(options["limit"])
            elif action == "simulate":
                self._simulate(options["scenarios"], options["seed"])
            else:
                self._scenario(options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error

    def _health(self, limit: int) -> None:
        from kam.accounts.models import Account

        _bar("health", 0, 1)
        ids, result = services.health_compute()
        _bar("health", 1, 1)
        names = dict(Account.objects.values_list("pk", "code"))
        order = sorted(
            range(len(ids)),
            key=lambda i: (result.score[i] != result.score[i], result.score[i]),
        )
        counts: dict[str, int] = {}
        for band in result.band:
            counts[str(band)] = counts.get(str(band), 0) + 1
        self.stdout.write(
            " · ".join(f"{explain.BAND_NAMES[b]}: {n}" for b, n in sorted(counts.items()))
        )
        self.stdout.write(f"{'account':<16} {'health':>6}  {'band':<10} trend")
        for i in order[:limit]:
            one = result.account(i)
            score = "-" if one.score is None else f"{one.score:.0f}"
            self.stdout.write(
                f"{names[int(ids[i])]:<16} {score:>6}  {explain.BAND_NAMES[one.band]!s:<10} "
                f"{explain.TREND_NAMES[one.trend]}"
            )

    def _simulate(self, scenarios: int, seed: int) -> None:
        run = services.simulation_execute(
            scenarios=scenarios, seed=seed, progress=lambda d, t: _bar("simulate", d, t)
        )
        r = run.result
        total = run.total_revenue or 1.0
        self.stdout.write(
            f"{run.scenarios:,} scenarios over {run.accounts:,} accounts, seed {run.seed}, "
            f"correlation {run.correlation} by {run.correlate_by}"
        )
        self.stdout.write(f"expected loss  {_money(r['expected_loss']):>16}")
        for key in ("P50", "P95", "P99"):
            value = r["percentiles"][key]
            self.stdout.write(f"{key} revenue at risk {_money(value):>13} ({value / total:.1%})")
        self.stdout.write("contributors to the tail (P95):")
        for c in r["contributors"][:10]:
            self.stdout.write(
                f"  {c['code']:<16} p={c['probability']:.1%}  {_money(c['tail_loss']):>14}  "
                f"{c['tail_share_pct']:.1f}%"
            )

    def _scenario(self, options) -> None:
        outcome = services.scenario_run(
            codes=options["codes"],
            groups=options["group"],
            top=options["top"],
            share=options["share"],
            recovery=options["recovery"],
        )
        e, data = outcome.effect, outcome.data
        self.stdout.write(
            f"lost: {', '.join(data.codes[i] for i in outcome.lost[:20])}"
            + (" ..." if len(outcome.lost) > 20 else "")
        )
        self.stdout.write(
            f"revenue lost {_money(e.revenue_lost)} a year ({e.revenue_lost_pct:.1f}%), "
            f"gross margin {_money(e.margin_lost)}, contribution {_money(e.contribution_lost)}"
        )
        self.stdout.write(f"{'quarter':<8}{'revenue':>16}{'margin':>16}{'after fixed':>16}")
        for q in e.quarters:
            self.stdout.write(
                f"+{q.quarter:<7}{_money(q.revenue_after):>16}{_money(q.margin_after):>16}"
                f"{_money(q.result_after):>16}"
            )
        years = outcome.replacement.years
        self.stdout.write(
            "replacement: never at the current growth"
            if years is None
            else f"replacement: {years:.1f} years at the current growth"
        )
