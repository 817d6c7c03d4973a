from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.priorities.allocating import allocation_run, period_or_error
from kam.users.models import User


class Command(DataCommand):
    help = "Propose hours per account per person for a period (the allocation), and store it."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the period's name or id")
        parser.add_argument("--kam", default=None, help="only this KAM's accounts (username)")

    def handle(self, *args, period: str, kam: str | None, **options):
        try:
            found = period_or_error(period)
        except ValidationError as error:
            raise CommandError(f"--period: {' '.join(error.messages)}") from error
        manager = None
        if kam:
            manager = User.objects.filter(username=kam, is_active=True).first()
            if manager is None:
                raise CommandError(f"--kam: there is no user {kam}.")

        def progress(done: int, total: int, label: str) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {label:<40}")
            sys.stderr.flush()

        run = allocation_run(period=found, kam=manager, by=None, progress=progress)
        sys.stderr.write("\n")
        summary = run.summary
        self.stdout.write(
            f"{summary['status']}: {summary['accounts']} accounts, {summary['people']} people, "
            f"total expected value {run.objective:,.0f}, in {summary['timings']['total']:.2f} s"
        )
        for person in run.people:
            if person["over"] > 0:
                self.stdout.write(
                    f"  {person['name']} is over-committed by {person['over']:.1f} hours"
                )
        if summary.get("unserved_count"):
            self.stdout.write(
                f"  {summary['unserved_count']} accounts have a floor but nobody to serve them"
            )
