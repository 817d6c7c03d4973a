"""``kam ledger refresh-rollups``: recompute every account's quarterly rollups."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.ledger.importing.staging import SumTooLarge
from kam.ledger.rollups import MissingExchangeRates, rollup_refresh


class Command(DataCommand):
    help = "Ledger maintenance. refresh-rollups: recompute the quarterly rollups (run it daily)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh-rollups", help="recompute AccountQuarter")
        refresh.add_argument(
            "--account", action="append", type=int, help="only this account id (repeatable)"
        )
        refresh.add_argument("--today", type=date.fromisoformat, help="as of this date")

    def handle(self, *args, **options):
        try:
            written = rollup_refresh(account_ids=options.get("account"), today=options.get("today"))
        except (MissingExchangeRates, SumTooLarge) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{written:,} account-quarters written")
