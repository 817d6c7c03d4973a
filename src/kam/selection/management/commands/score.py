from __future__ import annotations

import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kam.selection.queries import run_summary
from kam.selection.run import scoring_run_execute


class Command(BaseCommand):
    help = "Recompute every account's metrics, score, tier and flags (a dated snapshot)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="score as of this day (YYYY-MM-DD); default today",
        )

    def handle(self, *args, as_of: date | None, **options):
        def progress(label: str, done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {label:<8}")
            sys.stderr.flush()

        try:
            run = scoring_run_execute(as_of=as_of or date.today(), progress=progress)
        except ValidationError as error:
            # A scheme saved before its cut-offs were checked: say what to fix, not a traceback.
            raise CommandError(
                "The tier scheme cannot be used: " + " ".join(error.messages)
            ) from error
        sys.stderr.write("\n")
        counts = run_summary(run=run)
        self.stdout.write(
            f"Scored {run.accounts} accounts as of {run.as_of}: {counts['key']} key accounts, "
            f"{counts['flagged']} flagged ({run.scheme_name})."
        )
