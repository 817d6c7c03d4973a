from __future__ import annotations

import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.selection.models import validate_months
from kam.selection.queries import run_summary
from kam.selection.run import scoring_run_execute


class Command(DataCommand):
    help = "Recompute every account's metrics, score, tier and flags (a dated snapshot)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="score as of this day (YYYY-MM-DD); default today",
        )
        parser.add_argument(
            "--window",
            type=int,
            default=None,
            metavar="MONTHS",
            help="the months every metric covers, in whole quarters (3-36); default the "
            "programme's setting (12)",
        )
        parser.add_argument(
            "--compare",
            type=int,
            default=None,
            metavar="MONTHS",
            help="the months before the window that growth compares with (3-36); default the "
            "programme's setting (12)",
        )

    def handle(self, *args, as_of: date | None, window: int | None, compare: int | None, **options):
        for option, months in (("--window", window), ("--compare", compare)):
            if months is not None:
                try:
                    validate_months(months)
                except ValidationError as error:
                    raise CommandError(f"{option}: {' '.join(error.messages)}") from error

        def progress(label: str, done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {label:<8}")
            sys.stderr.flush()

        try:
            run = scoring_run_execute(
                as_of=as_of or date.today(),
                progress=progress,
                window_months=window,
                comparison_months=compare,
            )
        except ValidationError as error:
            # A scheme saved before its cut-offs were checked: say what to fix, not a traceback.
            raise CommandError(
                "The tier scheme cannot be used: " + " ".join(error.messages)
            ) from error
        sys.stderr.write("\n")
        counts = run_summary(run=run)
        self.stdout.write(
            f"Scored {run.accounts} accounts as of {run.as_of}: {counts['key']} key accounts, "
            f"{counts['flagged']} flagged ({run.scheme_name}); figures cover "
            f"{run.window_label} against {run.comparison_label}."
        )
