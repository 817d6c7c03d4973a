"""Damaged import files, made from the example files in 50 ways (seeded, so every run makes
the same ones), each imported through `kam import` / `kam import-contacts`.

Whatever the damage: no traceback, and either the file is refused with exit status 2, rows
named from 1 and the database exactly as before, or (the damage left a valid file) it is
applied whole and importing it again changes nothing.
"""

from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from tests.factories import AccountFactory
from tests.ledger.conftest import EXAMPLES, database_snapshot

from kam.accounts.models import AuditEntry
from kam.ledger.importing import import_file
from kam.relationships.models import Contact

pytestmark = pytest.mark.django_db

ORDER = ("accounts", "products", "units", "rates", "ledger", "payments")
REFUSED, APPLIED, EITHER = "refused", "applied", "either"
CONTACTS = (
    "account,name,email,title\n"
    "C1001,Budi Santoso,budi@sinar.example,Purchasing manager\n"
    "C2001,王小明,wang@huamei.example,采购经理\n"
    "C4001,Ellen Baxter,ellen@baxter.example,Owner\n"
)


def sample(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def new_invoices(data: bytes) -> bytes:
    """The example ledger as invoices not stored yet: the direct load's way in."""
    return data.replace(b"INV-25-", b"NEW-25-")


def in_row(data: bytes, row: int, old: bytes, new: bytes) -> bytes:
    """``data`` with ``old`` replaced by ``new`` in spreadsheet row ``row`` (header: 1)."""
    rows = lines(data)
    assert old in rows[row - 1], (row, old)
    rows[row - 1] = rows[row - 1].replace(old, new, 1)
    return b"\n".join(rows)


def xlsx(data: bytes) -> bytes:
    """The CSV ``data`` as a workbook of text cells."""
    book = Workbook()
    sheet = book.active
    for line in data.decode("utf-8").splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(data: bytes, *, drop: str = "", cut: str = "") -> bytes:
    """The workbook ``data`` with part ``drop`` left out, or part ``cut`` cut in half."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if name == drop:
                continue
            target.writestr(name, part[: len(part) // 2] if name == cut else part)
    return out.getvalue()


def flip(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def insert(rng: random.Random, data: bytes, what: bytes, *, after_header: bool = True) -> bytes:
    start = data.index(b"\n") + 1 if after_header else 0
    at = rng.randrange(start, len(data))
    return data[:at] + what + data[at:]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(data.index(b"\n") + 1, len(data) - 1)]


@dataclass(frozen=True)
class Case:
    """One damaged file: how to make it, what it must give, and (when refused) the first row
    and column to name and words to say."""

    name: str
    make: Callable[[random.Random], bytes]
    expect: str = EITHER
    kind: str = "ledger"
    suffix: str = ".csv"
    row: int | None = None
    column: str | None = None
    says: str = ""
    options: tuple[str, ...] = ()


LEDGER = sample("ledger.csv")  # its invoices are stored: a changed file corrects them
NEW = new_invoices(LEDGER)
ACCOUNTS, PAYMENTS = sample("accounts.csv"), sample("payments.csv")
CP1252_QUOTE = "\u2019".encode("cp1252")  # Excel's typographic apostrophe: byte 0x92
WESTERN = CONTACTS.replace("王小明", "Renée").replace("采购经理", "Buyer")


def cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def swallowing_quotes(rng: random.Random) -> bytes:
    """A quote opened in row 3's last value and closed in row 5's: rows 4 and 5 vanish into
    row 3's status, unless a line break in a status is refused."""
    opened = in_row(LEDGER, 3, b"1500000,0,0,", b'1500000,0,0,"')
    return in_row(opened, 5, b"Cancelled", b'"')


def mixed_line_ends(rng: random.Random) -> bytes:
    return b"".join(line + rng.choice([b"\n", b"\r\n", b"\r"]) for line in lines(NEW)[:-1])


def utf16(rng: random.Random) -> bytes:
    return "\ufeff".encode("utf-16-le") + LEDGER.decode().encode("utf-16-le")


def randomly(name: str, count: int, make: Callable[[random.Random], bytes], **kw) -> list[Case]:
    return [Case(f"{name} #{i}", make, **kw) for i in range(count)]


CASES = [
    # The damage issue 9 found, each named where it is.
    Case(
        "cp1252 byte", lambda rng: in_row(NEW, 4, b"0002", b"0002" + CP1252_QUOTE),
        REFUSED, row=4, column="invoice_number", says="byte 0x92 at offset",
    ),
    Case(
        "cp1252 byte read with --encoding",
        lambda rng: in_row(NEW, 4, b"0002", b"0002" + CP1252_QUOTE),
        APPLIED, options=("--encoding", "cp1252"),
    ),
    Case(
        "cp1252 accounts in a correction",
        lambda rng: ACCOUNTS.replace(b"Sons", "Söns".encode("cp1252")),
        REFUSED, kind="accounts", row=6, column="name", says="--encoding",
    ),
    Case(
        "latin-1 accounts read with --encoding",
        lambda rng: ACCOUNTS.replace(b"Sons", "Söns".encode("latin-1")),
        APPLIED, kind="accounts", options=("--encoding", "latin-1"),
    ),
    Case("UTF-8 with a byte order mark", lambda rng: b"\xef\xbb\xbf" + NEW, APPLIED),
    Case(
        "an unbalanced quote", lambda rng: in_row(NEW, 3, b",C1001,", b',"C1001,'),
        REFUSED, row=3, column="account_code", says="never closed",
    ),
    Case(
        "an unbalanced quote in a stored invoice",
        lambda rng: in_row(LEDGER, 5, b",C3001,", b',"C3001,'),
        REFUSED, row=5, column="account_code", says="never closed",
    ),
    Case(
        "two stray quotes that swallow rows", swallowing_quotes,
        REFUSED, row=3, column="status", says="line break",
    ),
    Case(
        "the last row cut off", lambda rng: NEW.rstrip(b"\n")[:-30],
        REFUSED, row=7, says="cut off at row 7",
    ),
    Case(
        "the last row cut off inside a quote",
        lambda rng: NEW.rstrip(b"\n") + b'\nNEW-9,1,2025-02-14,,"C4',
        REFUSED, row=8, says="cut off at row 8",
    ),
    Case(
        "payments cut off", lambda rng: PAYMENTS.rstrip(b"\n")[:-12],
        REFUSED, kind="payments", row=4, says="cut off at row 4",
    ),
    Case("the last row without a line break", lambda rng: NEW.rstrip(b"\n"), APPLIED),
    Case(
        "a workbook that is no zip", lambda rng: b"PK\x03\x04" + bytes(200),
        REFUSED, suffix=".xlsx", row=1, says="not a readable Excel workbook",
    ),
    Case(
        "a text file named .xlsx", lambda rng: NEW,
        REFUSED, suffix=".xlsx", row=1, says="not a readable Excel workbook",
    ),
    Case(
        "a workbook cut in half", lambda rng: cut_in_half(xlsx(NEW)),
        REFUSED, suffix=".xlsx", row=1, says="not a readable Excel workbook",
    ),
    Case(
        "a workbook without its sheet",
        lambda rng: rezipped(xlsx(NEW), drop="xl/worksheets/sheet1.xml"),
        REFUSED, suffix=".xlsx", row=1,
    ),
    Case(
        "a workbook without workbook.xml",
        lambda rng: rezipped(xlsx(NEW), drop="xl/workbook.xml"),
        REFUSED, suffix=".xlsx", row=1, says="a part of it is missing",
    ),
    Case(
        "a workbook whose sheet is cut",
        lambda rng: rezipped(xlsx(NEW), cut="xl/worksheets/sheet1.xml"),
        REFUSED, suffix=".xlsx",
    ),
    Case("a whole workbook", lambda rng: xlsx(NEW), APPLIED, suffix=".xlsx"),
    *randomly("a workbook, a flipped byte", 2, lambda rng: flip(rng, xlsx(NEW)), suffix=".xlsx"),
    # Files that are wrong as a whole.
    Case("an empty file", lambda rng: b"", REFUSED, row=1, says="header"),
    Case("only a header", lambda rng: lines(LEDGER)[0] + b"\n", APPLIED),
    Case(
        "the header twice", lambda rng: lines(LEDGER)[0] + b"\n" + NEW,
        REFUSED, row=2, column="line_number",
    ),
    Case("binary junk", lambda rng: rng.randbytes(3000), REFUSED),
    Case(
        "a NUL in the header", lambda rng: LEDGER.replace(b"currency", b"curr\x00ency", 1),
        REFUSED, row=1,
    ),
    Case("UTF-16", utf16, REFUSED, row=1, says="UTF-16"),
    Case(
        "an encoding that is no encoding", lambda rng: LEDGER,
        REFUSED, row=1, column="encoding", options=("--encoding", "klingon"),
    ),
    Case(
        "lines ending in CR only", lambda rng: NEW.replace(b"\n", b"\r"),
        REFUSED, row=1, says="carriage return",
    ),
    Case("lines ending in CRLF", lambda rng: NEW.replace(b"\n", b"\r\n"), APPLIED),
    Case("CRLF, CR and LF mixed", mixed_line_ends),
    # Damaged values, named by row and column.
    Case(
        "a NUL in a value", lambda rng: in_row(NEW, 4, b"RL-450", b"RL-\x00450"),
        REFUSED, row=4, column="product_code", says="NUL",
    ),
    Case(
        "a NUL in a status", lambda rng: in_row(NEW, 5, b"Cancelled", b"Canc\x00elled"),
        REFUSED, row=5, column="status", says="NUL",
    ),
    Case(
        "a megabyte in one value", lambda rng: in_row(NEW, 3, b"HD-ALU", b"HD-" + b"A" * (1 << 20)),
        REFUSED, row=3, column="product_code", says="longer than 64 characters",
    ),
    Case(
        "a megabyte in one quoted value",
        lambda rng: in_row(NEW, 3, b",HD-ALU,", b',"' + b"x,\n" * 400_000 + b'",'),
        REFUSED, row=3, column="product_code",
    ),
    Case(
        "an invalid date", lambda rng: in_row(NEW, 6, b"2025-02-14", b"2025-02-30"),
        REFUSED, row=6, column="issue_date", says="not a date",
    ),
    Case(
        "an invalid number", lambda rng: in_row(NEW, 4, b",40,", b",4O,"),
        REFUSED, row=4, column="quantity", says="not a number",
    ),
    Case(
        "two lines whose invoice total is too large to store",
        lambda rng: in_row(
            in_row(NEW, 6, b",25,,3.95,", b",1,,999999999999999999.00,"),
            7, b",-2,,3.95,", b",1,,999999999999999999.00,",
        ),
        REFUSED, says="too large",
    ),
    Case(
        "a stray delimiter", lambda rng: in_row(NEW, 2, b",C1001,", b",C10,01,"),
        REFUSED, row=2, column="account_code", says="unknown account code C10",
    ),
    Case(
        "a byte order mark in the middle",
        lambda rng: in_row(NEW, 4, b"NEW-25-0002", b"\xef\xbb\xbfNEW-25-0002"),
    ),
    # Random damage, the same every run.
    *randomly("a flipped byte", 6, lambda rng: flip(rng, LEDGER)),
    *randomly("new invoices, a flipped byte", 4, lambda rng: flip(rng, NEW)),
    *randomly("cut at random", 4, lambda rng: truncate(rng, NEW)),
    *randomly("a stored ledger cut at random", 2, lambda rng: truncate(rng, LEDGER)),
    *randomly("a quote put in", 4, lambda rng: insert(rng, NEW, b'"')),
    *randomly("a NUL put in", 2, lambda rng: insert(rng, LEDGER, b"\x00")),
    *randomly("a delimiter put in", 2, lambda rng: insert(rng, NEW, b",")),
    *randomly("accounts, a flipped byte", 2, lambda rng: flip(rng, ACCOUNTS), kind="accounts"),
    *randomly(
        "payments, a quote put in", 2, lambda rng: insert(rng, PAYMENTS, b'"'), kind="payments"
    ),
    # Contacts share the reader.
    Case(
        "contacts in cp1252", lambda rng: WESTERN.encode("cp1252"),
        REFUSED, kind="contacts", row=3, column="name", says="--encoding",
    ),
    Case(
        "contacts in cp1252 read with --encoding", lambda rng: WESTERN.encode("cp1252"),
        APPLIED, kind="contacts", options=("--encoding", "cp1252"),
    ),
    Case(
        "contacts with an unbalanced quote",
        lambda rng: CONTACTS.encode().replace(b",Owner", b',"Owner'),
        REFUSED, kind="contacts", row=4, column="title", says="never closed",
    ),
    Case(
        "contacts cut off", lambda rng: CONTACTS.encode()[:-25],
        REFUSED, kind="contacts", row=4, says="cut off at row 4",
    ),
    Case(
        "contacts with a NUL", lambda rng: CONTACTS.encode().replace(b"Budi", b"Bu\x00di"),
        REFUSED, kind="contacts", row=2, column="name", says="NUL",
    ),
    Case(
        "contacts, a workbook that is no zip", lambda rng: b"PK\x03\x04junk",
        REFUSED, kind="contacts", suffix=".xlsx", row=1,
    ),
]  # fmt: skip


@pytest.fixture
def examples_loaded(db):
    """The example company: accounts, products, units, rates, invoices and payments."""
    for kind in ORDER:
        import_file(kind=kind, path=EXAMPLES / f"{kind}.csv")


def everything() -> dict[str, list]:
    return {
        **database_snapshot(),
        "Contact": list(Contact.objects.order_by("pk").values_list()),
        "AuditEntry": list(AuditEntry.objects.order_by("pk").values_list()),
    }


@dataclass
class Outcome:
    status: int
    out: str
    err: str

    def errors(self) -> list[tuple[int, str, str]]:
        """(row, column, reason) of each problem listed."""
        if "\treason" in self.err:  # kam import: a table
            found = re.findall(r"^(\d+)\t([^\t]*)\t[^\t]*\t(.*)$", self.err, re.M)
        else:  # kam import-contacts: row N, column: reason
            found = re.findall(r"^row (\d+)(?:, ([^:]*))?: (.*)$", self.err, re.M)
        return [(int(row), column, reason) for row, column, reason in found]


def kam_import(case: Case, path: Path) -> Outcome:
    out, err = StringIO(), StringIO()
    command = (
        ["import-contacts", str(path)]
        if case.kind == "contacts"
        else ["import", case.kind, str(path)]
    )
    try:
        call_command(*command, *case.options, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
        return Outcome(error.returncode, out.getvalue(), err.getvalue())
    return Outcome(0, out.getvalue(), err.getvalue())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_damaged_file_is_refused_whole_or_applied_whole(case, examples_loaded, tmp_path, caplog):
    rng = random.Random(f"kam-import-fuzz {case.name}")
    path = tmp_path / f"damaged{case.suffix}"
    path.write_bytes(case.make(rng))
    before = everything()

    outcome = kam_import(case, path)

    said = outcome.out + outcome.err + caplog.text
    assert "Traceback" not in said
    assert "constraint" not in said and "duplicate key" not in said
    if outcome.status:
        assert case.expect != APPLIED, outcome.err
        assert outcome.status == 2, outcome.err
        errors = outcome.errors()
        assert errors, outcome.err
        assert all(row >= 1 for row, _, _ in errors), errors
        if case.row is not None:
            assert errors[0][0] == case.row, errors
        if case.column is not None:
            assert errors[0][1] == case.column, errors
        assert case.says in outcome.err
        assert everything() == before
        return
    assert case.expect != REFUSED, outcome.err + outcome.out
    assert not outcome.errors(), outcome.err
    if case.kind != "contacts":
        read, applied, rejected = re.search(
            r"read ([\d,]+), applied ([\d,]+), rejected ([\d,]+)", outcome.out
        ).groups()
        assert read == applied and rejected == "0", outcome.out  # whole, never in part
    after = everything()
    again = kam_import(case, path)
    assert again.status == 0, again.err
    assert everything() == after
    assert re.search(r"\b0 (new|contacts created), 0 (changed|updated)", again.out), again.out


def test_a_correction_of_stored_invoices_is_told_in_words(examples_loaded, tmp_path, caplog):
    caplog.set_level("INFO", logger="kam.ledger.importing.engine")
    rows = lines(LEDGER)
    rows.insert(1, b"NEW-1,1,2025-01-06,,C1001,IDR,HG-100,3,carton,4200000,,0,0,")
    rows[4] = rows[4].replace(b",40,box,", b",41,box,")  # INV-25-0002 corrected
    path = tmp_path / "corrections.csv"
    path.write_bytes(b"\n".join(rows))

    outcome = kam_import(Case("corrections", lambda rng: b""), path)

    assert outcome.status == 0, outcome.err
    assert "1 new, 1 changed" in outcome.out
    assert "invoice INV-25-0001 (row 3) is stored already" in caplog.text
    assert "constraint" not in caplog.text + outcome.err


def kam_script(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    """The installed `kam` console script, on an embedded database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAM_", "DJANGO_"))}
    env["KAM_DATA_DIR"] = str(data_dir)
    script = Path(sys.executable).with_name("kam")
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_kam_script_refuses_damaged_files_with_status_2(tmp_path):
    header = tmp_path / "accounts.csv"
    header.write_bytes("code,name,country,currency,née\nC1,A,ID,IDR,x\n".encode("cp1252"))
    book = tmp_path / "contacts.xlsx"
    book.write_bytes(b"PK\x03\x04 no zip")

    ledger = kam_script("import", "accounts", str(header), data_dir=tmp_path / "kam")
    contacts = kam_script("import-contacts", str(book), data_dir=tmp_path / "kam")

    assert ledger.returncode == 2, ledger.stderr
    assert "\n1\t\t0xE9\tnot UTF-8 text: byte 0xE9 at offset 28" in ledger.stderr
    assert contacts.returncode == 2, contacts.stderr
    assert "row 1: the file is not a readable Excel workbook" in contacts.stderr
    assert "Traceback" not in ledger.stderr + contacts.stderr


def test_a_last_row_like_the_others_is_no_cut_off_row(db, tmp_path):
    # Hand-made files often leave out empty trailing values on every row, and the last line
    # break: that is a whole file.
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"code,name,country,currency,industry\nX1,A,ID,IDR\nX2,B,ID,IDR")

    outcome = kam_import(Case("short rows", lambda rng: b"", kind="accounts"), path)

    assert outcome.status == 0, outcome.err
    assert "read 2, applied 2, rejected 0" in outcome.out


def test_a_clash_the_database_finds_is_refused_in_words(db):
    from django.db import IntegrityError, transaction

    from kam.ledger.importing.conflicts import conflict_refusal
    from kam.ledger.models import Invoice

    account = AccountFactory()
    Invoice.objects.create(number="INV-1", account=account, issue_date="2025-01-06", currency="USD")
    with pytest.raises(IntegrityError) as clash, transaction.atomic():
        Invoice.objects.create(
            number="INV-1", account=account, issue_date="2025-01-07", currency="USD"
        )

    (error,) = conflict_refusal("ledger", clash.value).result.errors

    assert error.row >= 1 and error.column == "invoice_number"
    assert "a row and a stored invoice, have the same invoice_number" in error.reason
    assert "nothing was applied" in error.reason
    assert "constraint" not in error.reason and "duplicate" not in error.reason.lower()
