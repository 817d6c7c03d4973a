"""Import contacts from a CRM export (CSV or XLSX): mapped, checked whole, all or nothing,
idempotent.

The file is read with the ledger importer's reader (CSV separators, BOM, XLSX sheets, row
numbers as a spreadsheet shows them) and reports with its ``RowError`` / ``ImportResult`` /
``ImportRefused``, so both imports speak alike. Columns are matched to our fields by name
(ignoring case) or by the caller's mapping ``{our field: their column}``, e.g. for the
classicmodels customers file ``account=customerNumber first_name=contactFirstName
last_name=contactLastName``.

Idempotency: a row is the same person as a stored contact of its account when, in this
order, the external id matches (``account code + external id``), else the email matches
(case-insensitive), else the name matches (case-insensitive, spaces collapsed). A re-import
of the same file changes nothing; a blank cell never wipes what we hold. Rows with errors
refuse the whole file unless ``skip_bad``, which applies the good rows and writes the bad
ones, with their row number, column and reason, to a reject file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from kam.accounts.access import writable_accounts
from kam.accounts.models import Account, AuditAction, AuditEntry
from kam.ledger.importing.reader import ROW, ROW_PROBLEM, FileProblem, open_source
from kam.ledger.importing.result import ImportRefused, ImportResult, RowError
from kam.relationships.models import Contact, ContactLevel
from kam.relationships.reports_to import Node, Person, norm_name, resolve

KIND = "contacts"
TEXT_FIELDS = (
    "name",
    "other_name",
    "title",
    "department",
    "site",
    "email",
    "phone",
    "notes",
    "external_id",
)
FIELDS = ("account", "first_name", "last_name", "level", *TEXT_FIELDS, "reports_to")
# Fields stored as they come; name is composed from first/last when the file splits it.
STORED = (*TEXT_FIELDS, "level")


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    raw: list[str]


def _columns(header: list[str], mapping: Mapping[str, str]) -> tuple[dict[str, int], list]:
    errors: list[RowError] = []
    unknown = sorted(set(mapping) - set(FIELDS))
    for name in unknown:
        errors.append(
            RowError(
                1,
                name,
                "",
                gettext("unknown field %(field)s; the fields of a contacts file are: %(fields)s")
                % {"field": name, "fields": ", ".join(FIELDS)},
            )
        )
    folded = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for field in FIELDS:
        wanted = mapping.get(field, field)
        index = folded.get(wanted.strip().casefold())
        if index is not None:
            found[field] = index
        elif field in mapping:
            errors.append(
                RowError(
                    1,
                    wanted,
                    "",
                    gettext("no column %(column)s in the file; its columns are: %(columns)s")
                    % {"column": wanted, "columns": ", ".join(header)},
                )
            )
    if "account" not in found and "account" not in mapping:
        errors.append(
            RowError(
                1,
                "account",
                "",
                gettext(
                    "the file has no account column: map the column with the customer number to it"
                ),
            )
        )
    if "name" not in found and not {"first_name", "last_name"} & set(found):
        errors.append(
            RowError(
                1, "name", "", gettext("the file needs a name column, or first_name and last_name")
            )
        )
    return found, errors


def _read(path: Path, mapping: Mapping[str, str], sheet: str | None, encoding: str | None):
    source = open_source(path, sheet=sheet, encoding=encoding)
    found, errors = _columns(source.header, mapping)
    rows: list[_Row] = []
    if errors:
        return source, rows, errors
    width = len(source.header)
    for batch in source.batches():
        for record in batch.iter_rows(named=True):
            raw = [
                "" if record.get(f"c{i}") is None else str(record[f"c{i}"]) for i in range(width)
            ]
            if not any(v.strip() for v in raw):
                continue  # blank rows are skipped, their numbers kept
            number = record[ROW]
            if record[ROW_PROBLEM]:
                errors.append(RowError(number, "", "", record[ROW_PROBLEM]))
                rows.append(_Row(number, {}, raw))
                continue
            values = {field: raw[index].strip() for field, index in found.items()}
            rows.append(_Row(number, values, raw))
    return source, rows, errors


def _label(field: str, mapping: Mapping[str, str]) -> str:
    return mapping.get(field, field)


def _check(
    row: _Row, accounts: dict[str, Account], writable: set[int] | None, mapping: Mapping[str, str]
) -> list[RowError]:
    """Every problem of one row (all of them, so one pass fixes the file)."""
    errors: list[RowError] = []
    v = row.values

    def bad(field: str, reason: str) -> None:
        errors.append(RowError(row.number, _label(field, mapping), v.get(field, ""), reason))

    if not v.get("name"):
        v["name"] = " ".join(p for p in (v.get("first_name", ""), v.get("last_name", "")) if p)
    code = v.get("account", "")
    account = accounts.get(code)
    if not code:
        bad("account", gettext("the account's customer number is missing"))
    elif account is None:
        bad(
            "account",
            gettext("no account has the customer number %(code)s: import the accounts first")
            % {"code": code},
        )
    elif writable is not None and account.pk not in writable:
        bad("account", gettext("you cannot change the contacts of this account"))
    if not v["name"]:
        bad("name", gettext("the name is missing"))
    for field in ("account", *TEXT_FIELDS, "reports_to"):
        if "\x00" in v.get(field, ""):
            bad(
                field,
                gettext("contains a NUL character (byte 0): the file is damaged or not text"),
            )
    for field in TEXT_FIELDS:
        limit = Contact._meta.get_field(field).max_length
        if limit and len(v.get(field, "")) > limit:
            bad(
                field,
                gettext("longer than %(limit)d characters (%(length)d): shorten it; nothing is cut")
                % {"limit": limit, "length": len(v[field])},
            )
    if v.get("email"):
        try:
            validate_email(v["email"])
        except ValidationError:
            bad("email", gettext("not an email address"))
    level = v.get("level", "").casefold()
    if level:
        by_label = {str(label).casefold(): value for value, label in ContactLevel.choices}
        if level in ContactLevel.values:
            v["level"] = level
        elif level in by_label:
            v["level"] = by_label[level]
        else:
            bad(
                "level",
                gettext("unknown level; use one of: %(levels)s")
                % {"levels": ", ".join(ContactLevel.values)},
            )
    return errors


def _key(account_id: int, values: Mapping[str, str]) -> tuple:
    if values.get("external_id"):
        return (account_id, "external_id", values["external_id"])
    if values.get("email"):
        return (account_id, "email", values["email"].casefold())
    return (account_id, "name", norm_name(values["name"]))


def _write_rejects(path: Path, header: list[str], rows: list[_Row], errors: list[RowError]) -> None:
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.row, []).append(f"{e.column}: {e.reason}" if e.column else e.reason)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "row", "reason"])
        for number in sorted(n for n in reasons if n < 2):
            writer.writerow([""] * len(header) + [number, "; ".join(reasons[number])])
        for row in rows:
            if row.number in reasons:
                writer.writerow([*row.raw, row.number, "; ".join(reasons[row.number])])


def import_contacts(
    path: Path | str,
    *,
    mapping: Mapping[str, str] | None = None,
    skip_bad: bool = False,
    reject_path: Path | str | None = None,
    by=None,
    sheet: str | None = None,
    encoding: str | None = None,
) -> ImportResult:
    """Import the contacts of ``path``; raise ImportRefused (nothing written) on bad rows
    unless ``skip_bad``. ``by`` (a user) limits the import to the accounts they may change
    and is recorded in the audit trail; None is the command line's trusted import.
    ``encoding`` names the codec of a CSV file not in UTF-8 (cp1252, gbk...)."""
    path = Path(path)
    mapping = dict(mapping or {})
    result = ImportResult(kind=KIND)
    try:
        source, rows, errors = _read(path, mapping, sheet, encoding)
    except FileProblem as problem:
        raise problem.refusal(KIND) from problem
    result.read = len(rows)
    if errors and any(e.row < 2 for e in errors):  # the header itself: nothing can be read
        result.errors, result.errors_total = errors, len(errors)
        raise ImportRefused(result)

    codes = {r.values.get("account", "") for r in rows}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    writable = (
        None
        if by is None
        else set(
            writable_accounts(by)
            .filter(pk__in=[a.pk for a in accounts.values()])
            .values_list("pk", flat=True)
        )
    )
    good: list[_Row] = []
    seen: dict[tuple, int] = {}
    bad_rows = {e.row for e in errors}
    for row in rows:
        if row.number in bad_rows:
            continue
        row_errors = _check(row, accounts, writable, mapping)
        if not row_errors:
            key = _key(accounts[row.values["account"]].pk, row.values)
            if key in seen:
                row_errors.append(
                    RowError(
                        row.number,
                        _label(key[1], mapping),
                        key[2],
                        gettext("the same person as row %(row)d") % {"row": seen[key]},
                    )
                )
            else:
                seen[key] = row.number
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(row)
    good, managers = _managers(good, accounts, errors, _label("reports_to", mapping))
    errors.sort(key=lambda e: e.row)
    result.errors, result.errors_total = errors[:1000], len(errors)
    result.rejected = len({e.row for e in errors})
    if errors and not skip_bad:
        raise ImportRefused(result)
    if errors and skip_bad:
        reject = Path(reject_path) if reject_path else path.with_suffix(".rejects.csv")
        _write_rejects(reject, source.header, rows, errors)
        result.reject_path = reject
    _apply(good, accounts, by, result, managers)
    return result


def _index(contacts: Iterable[Contact]) -> dict[tuple, Contact]:
    """Each stored contact under every key a row might use to find it."""
    existing: dict[tuple, Contact] = {}
    for contact in contacts:
        if contact.external_id:
            existing[(contact.account_id, "external_id", contact.external_id)] = contact
        if contact.email:
            existing.setdefault((contact.account_id, "email", contact.email.casefold()), contact)
        existing.setdefault((contact.account_id, "name", norm_name(contact.name)), contact)
    return existing


def _stored_match(existing: Mapping[tuple, Contact], account_id: int, values) -> Contact | None:
    for key in _keys(account_id, values):
        if key in existing:
            return existing[key]
    return None


def _managers(
    good: list[_Row], accounts: dict[str, Account], errors: list[RowError], column: str
) -> tuple[list[_Row], dict[int, Node]]:
    """The rows still good once their reports-to cells are resolved, and each one's manager.
    A refused row may be the manager of another, so resolution runs again without it."""
    wanted = {r.number: r.values["reports_to"] for r in good if r.values.get("reports_to")}
    if not wanted:
        return good, {}
    account_ids = {accounts[r.values["account"]].pk for r in good}
    contacts = list(
        Contact.objects.filter(account_id__in=account_ids, erased_at__isnull=True).only(
            "id", "account_id", "external_id", "email", "name", "reports_to_id"
        )
    )
    existing = _index(contacts)
    stored = [
        Person(
            ("pk", c.pk),
            c.account_id,
            c.external_id,
            c.email,
            c.name,
            ("pk", c.reports_to_id) if c.reports_to_id else None,
        )
        for c in contacts
    ]
    while True:
        people, same_as = [], {}
        for row in good:
            account_id = accounts[row.values["account"]].pk
            v = row.values
            people.append(
                Person(
                    ("row", row.number),
                    account_id,
                    v.get("external_id", ""),
                    v.get("email", ""),
                    v["name"],
                )
            )
            match = _stored_match(existing, account_id, v)
            if match is not None:
                same_as[row.number] = match.pk
        left = {r.number for r in good}
        asked = {n: value for n, value in wanted.items() if n in left}
        managers, found = resolve(people, asked, stored, same_as, column)
        if not found:
            return good, managers
        errors.extend(found)
        refused = {e.row for e in found}
        good = [r for r in good if r.number not in refused]


@transaction.atomic
def _apply(
    rows: list[_Row],
    accounts: dict[str, Account],
    by,
    result: ImportResult,
    managers: Mapping[int, Node],
) -> None:
    account_ids = {accounts[r.values["account"]].pk for r in rows}
    existing = _index(Contact.objects.filter(account_id__in=account_ids, erased_at__isnull=True))
    by_user = by if by is not None and by.pk else None
    new: list[Contact] = []
    changed: dict[int, tuple[Contact, dict]] = {}
    of_row: dict[int, Contact] = {}
    for row in rows:
        account = accounts[row.values["account"]]
        values = {f: row.values[f] for f in STORED if row.values.get(f)}
        contact = None
        for key in _keys(account.pk, values):
            contact = existing.get(key)
            if contact is not None:
                break
        if contact is None:
            contact = Contact(account=account, created_by=by_user, **values)
            new.append(contact)
            of_row[row.number] = contact
            for key in _keys(account.pk, values):
                existing.setdefault(key, contact)
            continue
        of_row[row.number] = contact
        diff = {f: [getattr(contact, f), v] for f, v in values.items() if getattr(contact, f) != v}
        if diff and contact.pk is not None:
            for f, (_old, v) in diff.items():
                setattr(contact, f, v)
            previous = changed.get(contact.pk, (contact, {}))[1]
            changed[contact.pk] = (contact, {**previous, **diff})
        result.applied += 1
    Contact.objects.bulk_create(new, batch_size=500)
    result.applied += len(new)
    result.created = len(new)
    created = {c.pk for c in new}
    linked = []
    for number, (kind, ref) in sorted(managers.items()):
        contact = of_row[number]
        manager_id = of_row[ref].pk if kind == "row" else ref
        if contact.reports_to_id == manager_id:
            continue
        old, contact.reports_to_id = contact.reports_to_id, manager_id
        if contact.pk in created:
            linked.append(contact)
        else:
            previous = changed.get(contact.pk, (contact, {}))[1]
            changed[contact.pk] = (contact, {**previous, "reports_to": [old, manager_id]})
    Contact.objects.bulk_update(linked, ["reports_to"], batch_size=500)
    now = timezone.now()
    fields = sorted({f for _, d in changed.values() for f in d} | {"updated_at"})
    for contact, _ in changed.values():
        contact.updated_at, contact.updated_by = now, by_user
        contact.version = F("version") + 1  # an edit based on the row before the import is stale
    fields += ["updated_by", "version"]
    Contact.objects.bulk_update([c for c, _ in changed.values()], fields, batch_size=500)
    result.updated = len(changed)
    result.touched_account_ids = sorted(account_ids)
    from kam.relationships.background import centrality_changed

    for account_id in result.touched_account_ids:  # bulk writes send no signal
        centrality_changed(account_id)
    kind = ContentType.objects.get_for_model(Contact)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                account_id=c.account_id,
                contact=c,
                content_type=kind,
                object_id=c.pk,
                object_label=f"contact #{c.pk}",
                action=AuditAction.CREATE,
                changes={f: [None, getattr(c, f)] for f in STORED if getattr(c, f)}
                | ({"reports_to": [None, c.reports_to_id]} if c.reports_to_id else {}),
                by=by_user,
                at=now,
            )
            for c in new
        ]
        + [
            AuditEntry(
                account_id=c.account_id,
                contact=c,
                content_type=kind,
                object_id=c.pk,
                object_label=f"contact #{c.pk}",
                action=AuditAction.UPDATE,
                changes=d,
                by=by_user,
                at=now,
            )
            for c, d in changed.values()
        ],
        batch_size=500,
    )


def _keys(account_id: int, values: Mapping[str, str]) -> list[tuple]:
    """The keys this row may match a stored contact by, strongest first."""
    keys = []
    if values.get("external_id"):
        keys.append((account_id, "external_id", values["external_id"]))
        return keys  # an external id is authoritative: never fall back to a namesake
    if values.get("email"):
        keys.append((account_id, "email", values["email"].casefold()))
    keys.append((account_id, "name", norm_name(values["name"])))
    return keys
