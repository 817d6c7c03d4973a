"""The import: read and check the whole file into staging, then apply it in one transaction.

Pass 1 streams the file batch by batch: polars parses and checks each batch, the good rows
go to a temporary staging table, the bad ones to the error sink. Then the checks across rows
run in SQL on the staged rows. If anything is bad and skip_bad is off, the transaction is
rolled back: the database is exactly as before. Otherwise set-based SQL applies the staged
rows, the rollups of the accounts that changed are refreshed, and it all commits at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import polars as pl
from django.db import DataError, transaction
from django.utils.translation import gettext

from kam.ledger.importing import formats, new_accounts
from kam.ledger.importing.batch import check_batch
from kam.ledger.importing.columns import ColumnPlan, resolve
from kam.ledger.importing.conflicts import refused_in_words, taken_in_words
from kam.ledger.importing.credits import mark as mark_credits
from kam.ledger.importing.direct import NotDirect, NumberTaken, integrity_errors, load_directly
from kam.ledger.importing.errors import COLUMN, REASON, VALUE, ErrorSink
from kam.ledger.importing.kinds import KINDS
from kam.ledger.importing.kinds.base import Kind
from kam.ledger.importing.kinds.ledger import LedgerKind
from kam.ledger.importing.parse import ParseOptions, parse_fields, reason_column
from kam.ledger.importing.reader import ROW, ROW_PROBLEM, FileProblem, open_source
from kam.ledger.importing.rejects import write_rejects
from kam.ledger.importing.result import ImportRefused, ImportResult, RowError
from kam.ledger.importing.staging import Staging
from kam.ledger.models import LedgerSettings

log = logging.getLogger(__name__)

# One import at a time: two imports of overlapping invoices must not interleave.
LOCK_KEY = 0x6B616D_1ED9E5


def import_file(
    *,
    kind: str,
    path: Path,
    mapping: Mapping[str, str] | None = None,
    constants: Mapping[str, str] | None = None,
    skip_bad: bool = False,
    reject_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
    round_money: bool = False,
    number_lines: bool = False,
    credit_prefix: str | None = None,
    create_accounts: bool = False,
    create_only: bool = False,
) -> ImportResult:
    """Import one CSV or XLSX file of ``kind`` (accounts, products, ledger, payments, rates,
    units), all or nothing.

    ``mapping`` maps our field names to the file's column names where they differ;
    ``constants`` gives a value to a field for every row (and takes the options date_format,
    decimal_separator and sheet). Raises ImportRefused, having applied nothing, when the
    header is unusable or any row is bad, unless ``skip_bad``: then the good rows are applied
    (a ledger invoice only with all its lines). ``reject_path`` receives the bad rows as CSV:
    the original columns plus ``row`` and ``reason``. ``progress`` hears the rows read so far.
    ``encoding`` names the codec of a CSV file not in UTF-8 (cp1252, gbk...).
    ``round_money`` rounds amounts with more decimals than their currency has, half to even
    (counted in the result's ``rounded`` and ``rounding_difference``). ``number_lines``: a
    ledger file without line numbers gets them, 1, 2, 3... within each invoice in file order.
    ``credit_prefix``: invoices numbered with it (or all returns) are stored as credit notes,
    linked to the invoice they cancel (see kam.ledger.importing.credits).
    ``create_accounts``: a ledger file first creates the accounts it lacks from its own
    columns (see kam.ledger.importing.new_accounts). ``create_only``: an accounts file creates
    the accounts kam lacks and leaves the stored ones as they are.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(KINDS)}")
    if create_accounts and kind == "ledger":
        return _with_new_accounts(
            path=path,
            mapping=mapping or {},
            constants=constants or {},
            skip_bad=skip_bad,
            reject_path=reject_path,
            progress=progress,
            encoding=encoding,
            round_money=round_money,
            number_lines=number_lines,
            credit_prefix=credit_prefix,
        )
    constants = dict(constants or {})
    if kind == "ledger":
        # A mapping file written for create_accounts serves without it: its account_*
        # fields are then not read.
        mapping = {k: v for k, v in (mapping or {}).items() if k not in new_accounts.ACCOUNT_FIELDS}
        constants = {k: v for k, v in constants.items() if k not in new_accounts.ACCOUNT_FIELDS}
    try:
        source = open_source(Path(path), sheet=constants.get(formats.SHEET), encoding=encoding)
    except FileProblem as problem:
        raise problem.refusal(kind) from None
    number_lines = number_lines and kind == "ledger"
    plan, header_errors = resolve(
        kind=kind,
        header=source.header,
        mapping=mapping,
        constants=constants,
        numbered=number_lines,
    )
    options, option_errors = _options(plan)
    options = replace(
        options,
        round_money=round_money,
        number_lines=number_lines,
        credit_prefix=credit_prefix if kind == "ledger" else None,
        create_only=create_only and kind == "accounts",
    )
    header_errors += option_errors + _check_constants(plan, options)
    if header_errors:
        raise ImportRefused(
            ImportResult(kind=kind, errors=header_errors, errors_total=len(header_errors))
        )

    result = ImportResult(kind=kind)
    with refused_in_words(kind), transaction.atomic():
        staging = Staging()
        if staging.postgres:
            staging.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            # The checks group millions of staged rows: let them hash in memory, not on disk.
            staging.execute("SET LOCAL work_mem = '256MB'")
        if kind == "ledger" and _loaded_directly(source, plan, options, result, progress):
            return result
        sink = ErrorSink(staging, record=reject_path is not None)
        job: Kind = KINDS[kind](
            staging=staging,
            plan=plan,
            options=options,
            sink=sink,
            skip_bad=skip_bad,
            reporting_currency=LedgerSettings.current().reporting_currency,
        )
        started = time.perf_counter()
        try:
            for batch in source.batches():
                result.read += _take_batch(batch, plan, options, job, sink)
                if progress:
                    progress(result.read)
        except FileProblem as problem:
            refusal = problem.refusal(kind)
            refusal.result.read = result.read
            raise refusal from None
        log.debug("read and staged %s rows in %.2fs", result.read, time.perf_counter() - started)
        job.check()
        if sink.total and skip_bad:
            job.hold_back()
        _count(result, sink, job)
        if reject_path is not None and sink.total:
            write_rejects(source, sink, Path(reject_path))
            result.reject_path = Path(reject_path)
        if sink.total and not skip_bad:
            result.applied = 0
            raise ImportRefused(result)
        applied = job.apply()
        result.created, result.updated, result.deleted = (
            applied.created,
            applied.updated,
            applied.deleted,
        )
        result.touched_account_ids = applied.touched_account_ids
        credit_accounts = _mark_credit_notes(result, job)
        if credit_accounts:
            result.touched_account_ids = sorted(set(result.touched_account_ids) | credit_accounts)
        if job.refreshes_rollups and result.touched_account_ids:
            from kam.ledger.rollups import rollup_refresh

            rollup_refresh(account_ids=result.touched_account_ids)
        staging.drop_all()
    return result


def _with_new_accounts(
    *, path, mapping: Mapping[str, str], constants: Mapping[str, str], **ledger
) -> ImportResult:
    """The accounts the ledger file lacks, created from its columns, then its lines: in one
    transaction, so a refused ledger leaves no account behind."""
    accounts_mapping, accounts_constants, ledger_mapping, ledger_constants = new_accounts.split(
        mapping, constants
    )
    with transaction.atomic():
        accounts = import_file(
            kind="accounts",
            path=path,
            mapping=accounts_mapping,
            constants=accounts_constants,
            skip_bad=ledger["skip_bad"],
            encoding=ledger["encoding"],
            create_only=True,
        )
        result = import_file(
            kind="ledger", path=path, mapping=ledger_mapping, constants=ledger_constants, **ledger
        )
    result.accounts_created = accounts.created
    return result


def _loaded_directly(
    source, plan: ColumnPlan, options: ParseOptions, result: ImportResult, progress
) -> bool:
    """Try the direct load of new invoices (kam.ledger.importing.direct) under a savepoint;
    False, with nothing changed, when the file needs the usual path."""
    try:
        with transaction.atomic():
            staging = Staging()
            job = LedgerKind(
                staging=staging,
                plan=plan,
                options=options,
                sink=ErrorSink(staging, record=False),
                skip_bad=False,
                reporting_currency=LedgerSettings.current().reporting_currency,
            )
            read, applied = load_directly(
                source=source, plan=plan, options=options, job=job, progress=progress
            )
            # The direct load's rollups counted the credit notes as invoices: those accounts
            # are summed again from the stored, flagged invoices.
            credit_accounts = _mark_credit_notes(result, job)
            if credit_accounts:
                from kam.ledger.rollups import rollup_refresh

                rollup_refresh(account_ids=credit_accounts)
            staging.drop_all()
    except FileProblem as problem:
        raise problem.refusal("ledger") from None
    except NumberTaken as taken:
        log.info("ledger import takes the usual path: %s", taken_in_words(taken))
        return False
    except (NotDirect, DataError, *integrity_errors()) as why:
        # The usual path checks again, and refuses in words what the database would refuse.
        reason = why if isinstance(why, NotDirect) else "the database refused a value"
        log.info("ledger import takes the usual path: %s", reason)
        return False
    result.read = result.applied = read
    _count_rounding(result, job)
    result.created = applied.created
    result.touched_account_ids = applied.touched_account_ids
    return True


def _count(result: ImportResult, sink: ErrorSink, job: Kind) -> None:
    result.rejected = sink.rows
    result.applied = result.read - sink.rows
    result.errors = sink.errors()
    result.errors_total = sink.total
    result.missing_rates = sorted(getattr(job, "missing_rates", ()))
    _count_rounding(result, job)


def _mark_credit_notes(result: ImportResult, job: Kind) -> set[int]:
    """Flag and link the file's credit notes once stored; the accounts they are on."""
    credits = getattr(job, "credits", None)
    if credits is None:
        return set()
    marked = mark_credits(credits)
    result.credit_notes, result.credit_notes_linked = marked.credit_notes, marked.linked
    return marked.account_ids


def _count_rounding(result: ImportResult, job: Kind) -> None:
    result.rounded = job.rounding.count
    result.rounding_difference = job.rounding.as_text()


def _take_batch(
    batch: pl.DataFrame, plan: ColumnPlan, options: ParseOptions, job: Kind, sink: ErrorSink
) -> int:
    """Check one batch: stage its good rows, report its bad ones; the data rows it held."""
    checked = check_batch(batch, plan, options, job)
    if checked is None:
        return 0
    if checked.bad.any():
        sink.add(_errors(checked.raw, checked.parsed.select(checked.reasons), plan))
        job.note_bad(checked.raw.filter(checked.bad))
    job.stage(checked.parsed.filter(~checked.bad))
    return checked.rows


def _errors(raw: pl.DataFrame, reasons: pl.DataFrame, plan: ColumnPlan) -> pl.DataFrame:
    """The long list (row, column, value, reason) of a batch's refused values, in row order."""
    both = pl.concat([raw, reasons], how="horizontal")
    parts = [
        both.filter(pl.col(ROW_PROBLEM).is_not_null()).select(
            ROW,
            pl.lit("").alias(COLUMN),
            pl.lit("").alias(VALUE),
            pl.col(ROW_PROBLEM).alias(REASON),
        )
    ]
    # A row that cannot be split into its columns (cut off, too many values) is refused for
    # that alone: its values' own reasons would blame columns it does not really have.
    whole = both.filter(pl.col(ROW_PROBLEM).is_null())
    for column in reasons.columns:
        name = column[1:]
        value = pl.col(name).fill_null("") if name in raw.columns else pl.lit("")
        parts.append(
            whole.filter(pl.col(column).is_not_null()).select(
                ROW,
                pl.lit(plan.label(name)).alias(COLUMN),
                value.alias(VALUE),
                pl.col(column).alias(REASON),
            )
        )
    return pl.concat(parts).sort(ROW, maintain_order=True)


def _options(plan: ColumnPlan) -> tuple[ParseOptions, list[RowError]]:
    errors = []
    separator = plan.options.get(formats.DECIMAL_SEPARATOR, ".")
    if separator not in (".", ","):
        errors.append(
            RowError(
                1,
                formats.DECIMAL_SEPARATOR,
                separator,
                gettext("the decimal separator must be . or ,"),
            )
        )
    date_format = plan.options.get(formats.DATE_FORMAT) or None
    if date_format and "%" not in date_format:
        errors.append(
            RowError(
                1,
                formats.DATE_FORMAT,
                date_format,
                gettext("a date format uses strftime codes, like %d/%m/%Y"),
            )
        )
    cost_missing = plan.options.get(formats.COST_MISSING) or "refuse"
    if cost_missing not in formats.COST_CHOICES:
        errors.append(
            RowError(
                1,
                formats.COST_MISSING,
                cost_missing,
                gettext("a line without cost is either refused (refuse) or unknown (unknown)"),
            )
        )
    options = ParseOptions(
        date_format=date_format,
        decimal_comma=separator == ",",
        cost_unknown=cost_missing == "unknown",
    )
    return options, errors


def _check_constants(plan: ColumnPlan, options: ParseOptions) -> list[RowError]:
    """A constant is checked once, not refused on every row."""
    errors = []
    for binding in plan.bindings.values():
        if binding.constant is None:
            continue
        name = binding.field.name
        frame = pl.DataFrame({ROW: [1], name: [binding.constant]})
        reason = parse_fields(frame, [binding.field], options).get_column(reason_column(name))[0]
        if reason:
            errors.append(RowError(1, name, binding.constant, reason))
    return errors
