"""``kam import KIND FILE``: import a CSV or XLSX file (see docs/import-formats.md)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.ledger.importing import KINDS, ImportRefused, ImportResult, import_file
from kam.ledger.importing.mapping_file import MappingFileError, read_mapping_file
from kam.ledger.importing.result import REFUSED_EXIT, shown
from kam.ledger.importing.staging import SumTooLarge
from kam.ledger.rollups import MissingExchangeRates

SHOWN_ERRORS = 50


def refused(message: str) -> CommandError:
    return CommandError(message, returncode=REFUSED_EXIT)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, other = value.partition("=")
        if not sep or not name.strip():
            raise refused(f"{option} expects field=value, got {value!r}")
        pairs[name.strip()] = other.strip()
    return pairs


class Command(DataCommand):
    help = "Import accounts, products, ledger lines, payments, rates or units from CSV / XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OURS=THEIRS",
            help="read our field OURS from the file's column THEIRS (repeatable)",
        )
        parser.add_argument("--map-file", type=Path, help="a TOML or JSON mapping file")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="give FIELD this value on every row; also date_format, decimal_separator, sheet",
        )
        parser.add_argument(
            "--skip-bad", action="store_true", help="apply the good rows, reject the bad ones"
        )
        parser.add_argument("--reject-file", type=Path, help="write the bad rows here (CSV)")
        parser.add_argument(
            "--cost",
            choices=("refuse", "unknown"),
            help="ledger lines without any cost: refuse them (the default) or store their cost "
            "as unknown (margin unknown, scored neutrally, never flagged)",
        )
        parser.add_argument(
            "--encoding",
            help="the encoding of a CSV file not in UTF-8, e.g. cp1252, latin-1, gbk, big5",
        )

        parser.add_argument(
            "--round-money",
            action="store_true",
            help="round amounts with more decimals than their currency has (half to even)",
        )

        parser.add_argument(
            "--number-lines",
            action="store_true",
            help="ledger without a line_number column: number each invoice's lines in file order",
        )

        parser.add_argument(
            "--credit-prefix",
            metavar="PREFIX",
            help="ledger: invoices numbered PREFIX... (e.g. C100234) or all returns are credit "
            "notes, linked to the invoice they cancel (100234) when found",
        )

        parser.add_argument(
            "--create-accounts",
            action="store_true",
            help="ledger: create the accounts kam lacks from the file's account_name, "
            "account_country (and account_currency...) columns",
        )

    def handle(self, *args, **options):
        mapping: dict[str, str] = {}
        constants: dict[str, str] = {}
        if options["map_file"]:
            try:
                mapping, constants = read_mapping_file(options["map_file"])
            except MappingFileError as error:
                raise refused(str(error)) from error
        mapping.update(_pairs(options["map"], "--map"))
        constants.update(_pairs(options["set"], "--set"))
        if options["cost"]:
            constants["cost_missing"] = options["cost"]
        err = self.stderr
        interactive = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()

        def progress(read: int) -> None:
            end = "\r" if interactive else "\n"
            err.write(f"read {read:,} rows", ending=end)
            err.flush()

        started = time.perf_counter()
        try:
            result = import_file(
                kind=options["kind"],
                path=options["file"],
                mapping=mapping,
                constants=constants,
                skip_bad=options["skip_bad"],
                reject_path=options["reject_file"],
                progress=progress,
                encoding=options["encoding"],
                round_money=options["round_money"],
                number_lines=options["number_lines"],
                credit_prefix=options["credit_prefix"],
                create_accounts=options["create_accounts"],
            )
        except ImportRefused as refusal:
            self._report_errors(refusal.result)
            self._counts(refusal.result)
            raise refused(
                f"import refused: {refusal.result.rejected or refusal.result.errors_total} bad "
                f"row(s), nothing was applied"
            ) from refusal
        except (MissingExchangeRates, SumTooLarge) as error:
            raise refused(str(error)) from error
        if result.errors_total:
            self._report_errors(result)
        self._counts(result, seconds=time.perf_counter() - started)

    def _counts(self, result: ImportResult, seconds: float | None = None) -> None:
        if result.rounded:
            differences = ", ".join(
                f"{currency} {delta}" for currency, delta in result.rounding_difference.items()
            )
            self.stdout.write(
                f"rounded {result.rounded:,} amount(s) to their currency's minor unit, "
                f"changing the totals by {differences}"
            )
        if result.accounts_created:
            self.stdout.write(f"created {result.accounts_created:,} account(s) from the file")
        if result.credit_notes:
            self.stdout.write(
                f"{result.credit_notes:,} credit note(s), {result.credit_notes_linked:,} linked "
                f"to the invoice they cancel"
            )
        if result.reject_path:
            self.stderr.write(f"rejected rows written to {result.reject_path}")
        self.stdout.write(
            f"read {result.read:,}, applied {result.applied:,}, rejected {result.rejected:,} "
            f"({result.created:,} new, {result.updated:,} changed, {result.deleted:,} deleted, "
            f"{result.unchanged:,} unchanged)"
            # kam's own clock, from the first row read to the commit (benchmarks read it: it
            # leaves out the interpreter's and Django's start, whatever the machine's load).
            + (f" in {seconds:.2f} s" if seconds is not None else "")
        )

    def _report_errors(self, result: ImportResult) -> None:
        write = self.stderr.write
        if result.missing_rates:
            pairs = ", ".join(f"{currency} {month}" for currency, month in result.missing_rates)
            write(f"missing exchange rates: {pairs}")
        write("row\tcolumn\tvalue\treason")
        for error in result.errors[:SHOWN_ERRORS]:
            write(f"{error.row}\t{error.column}\t{shown(error.value)}\t{shown(error.reason)}")
        if result.errors_total > SHOWN_ERRORS:
            write(f"... and {result.errors_total - SHOWN_ERRORS:,} more problem(s)")
