"""`kam backup` and `kam restore`: a running demo backed up while it takes writes, restored
elsewhere table for table, and every file that is not a good kam backup refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import threading
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kam.core.backup import known_migrations, postgresql_advice
from kam.relationships.models import Contact
from tests.demo.cli import kam

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# The embedded database is SQLite; the PostgreSQL run of the suite covers the pg_dump advice.
sqlite_only = pytest.mark.skipif(not ON_SQLITE, reason="backups of the embedded SQLite database")
PROBE = "Backup probe "


def table_digests(path: Path, *, leave_out: frozenset[str] = frozenset()) -> dict:
    """Every table of the database: its row count and a hash of its rows in order."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name not in leave_out
        ]
        digests = {}
        for table in tables:
            width = len(db.execute(f'SELECT * FROM "{table}" LIMIT 0').description)  # noqa: S608
            order = ", ".join(str(column) for column in range(1, width + 1))
            digest = hashlib.sha256()
            count = 0
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):  # noqa: S608
                digest.update(repr(row).encode())
                count += 1
            digests[table] = (count, digest.hexdigest())
    return digests


def probes_in(path: Path) -> list[int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        names = db.execute(
            f"SELECT name FROM {Contact._meta.db_table} WHERE name LIKE ?",  # noqa: S608
            (PROBE + "%",),
        ).fetchall()
    return sorted(int(name.removeprefix(PROBE)) for (name,) in names)


class ContactWriter(threading.Thread):
    """Adds contacts through the running app's API, one after another, until stopped."""

    def __init__(self, port: int, token: str, account: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.account = port, token, account
        self.made = 0
        self.failures: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            body = json.dumps({"account": self.account, "name": f"{PROBE}{self.made + 1}"})
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/v1/contacts",
                data=body.encode(),
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    assert response.status == 201
                self.made += 1
            except Exception as error:  # the test reports every failure
                self.failures.append(repr(error))
                return

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 600
        while self.made < count and not self.failures and time.monotonic() < deadline:
            time.sleep(0.05)


def api_get(port: int, token: str, path: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def served_probes(port: int, token: str, account: str) -> list[int]:
    """The probe contacts the running app shows for the account, page by page."""
    names, offset = [], 0
    while True:
        page = api_get(port, token, f"contacts?account={account}&limit=100&offset={offset}")
        names += [item["name"] for item in page["items"]]
        offset += 100
        if offset >= page["count"]:
            break
    return sorted(int(name.removeprefix(PROBE)) for name in names if name.startswith(PROBE))


@pytest.fixture(scope="module")
def live_backup(served_demo, tmp_path_factory):
    """A backup of the served demo made while the app adds contacts; returns what happened."""
    made = kam("token", "create", "lead", data_dir=served_demo.data_dir)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    account = api_get(served_demo.port, token, "accounts?limit=1")["items"][0]["id"]

    writer = ContactWriter(served_demo.port, token, account)
    writer.start()
    writer.wait_for(3)
    confirmed_before = writer.made
    backup = tmp_path_factory.mktemp("backups") / "kam-demo.sqlite3.gz"
    result = kam("backup", str(backup), data_dir=served_demo.data_dir)
    writer.wait_for(writer.made + 3)
    writer.stopping.set()
    writer.join(timeout=120)
    live = served_demo.data_dir / "kam.sqlite3"
    return {
        # The live database once the writes stopped, before any test restores over it.
        "live_tables": table_digests(live),
        "live_probes": probes_in(live),
        "result": result,
        "file": backup,
        "confirmed_before": confirmed_before,
        "writer": writer,
        "token": token,
        "account": account,
    }


@pytest.fixture(scope="module")
def unpacked_backup(live_backup, tmp_path_factory):
    import gzip

    plain = tmp_path_factory.mktemp("unpacked") / "kam-demo.sqlite3"
    with gzip.open(live_backup["file"], "rb") as packed, plain.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return plain


@pytest.fixture(scope="module")
def restored_dir(live_backup, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("restored") / "kam"
    result = kam("restore", str(live_backup["file"]), "--yes", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    return data_dir


@sqlite_only
def test_a_running_app_keeps_taking_writes_while_it_is_backed_up(live_backup):
    result, writer = live_backup["result"], live_backup["writer"]
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    assert writer.failures == []
    assert writer.made > live_backup["confirmed_before"]


@sqlite_only
def test_the_backup_is_one_moment_of_the_live_database(live_backup, unpacked_backup):
    probes = probes_in(unpacked_backup)
    # Every write the app confirmed before the backup began is in it, and the ones it holds
    # are the first n made: a consistent moment, not a mixture.
    assert probes == list(range(1, len(probes) + 1))
    assert len(probes) >= live_backup["confirmed_before"]

    in_backup = table_digests(unpacked_backup, leave_out=frozenset({"kam_backup"}))
    live = live_backup["live_tables"]
    assert set(live) == set(in_backup)
    changed_since = {table for table in live if live[table] != in_backup[table]}
    # Only what the writer touched after the backup: its contacts, their audit entries, the
    # token's last use and the id counters.
    touched = {
        model._meta.db_table
        for model in apps.get_models()
        if model.__name__ in {"Contact", "AuditEntry", "ApiToken"}
    }
    assert changed_since <= touched | {"sqlite_sequence"}
    assert Contact._meta.db_table in changed_since
    assert live_backup["live_probes"] == list(range(1, live_backup["writer"].made + 1))


@sqlite_only
def test_a_restore_elsewhere_holds_every_table_of_the_backup_row_for_row(
    unpacked_backup, restored_dir
):
    restored = table_digests(restored_dir / "kam.sqlite3")
    in_backup = table_digests(unpacked_backup, leave_out=frozenset({"kam_backup"}))
    every_model = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert every_model <= set(restored)
    assert restored == in_backup


@sqlite_only
def test_a_restore_under_the_running_app_is_served_at_once(live_backup, served_demo):
    result = kam("restore", str(live_backup["file"]), "--yes", data_dir=served_demo.data_dir)
    assert result.returncode == 0, result.stderr
    kept = list(served_demo.data_dir.glob("kam.sqlite3.before-restore-*"))
    assert len(kept) == 1
    assert probes_in(kept[0]) == list(range(1, live_backup["writer"].made + 1))
    # The database as it was is itself a kam backup: `kam restore` undoes the restore.
    with closing(sqlite3.connect(kept[0])) as db:
        assert db.execute("SELECT count(*) FROM kam_backup").fetchone() == (1,)

    served = served_probes(served_demo.port, live_backup["token"], live_backup["account"])
    assert served == probes_in(served_demo.data_dir / "kam.sqlite3")
    assert len(served) < live_backup["writer"].made


@sqlite_only
def test_an_older_backup_is_restored_and_brought_up_to_this_kams_schema(tmp_path):
    old = tmp_path / "old"
    assert kam("migrate", "users", data_dir=old).returncode == 0
    assert kam("backup", str(tmp_path / "old.sqlite3"), data_dir=old).returncode == 0

    result = kam("restore", str(tmp_path / "old.sqlite3"), "-y", data_dir=tmp_path / "new")
    assert result.returncode == 0, result.stderr
    assert "migrations to apply:" in result.stdout
    with closing(sqlite3.connect(tmp_path / "new" / "kam.sqlite3")) as db:
        applied = set(db.execute("SELECT app, name FROM django_migrations"))
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert set(known_migrations()) <= applied
    assert "kam_backup" not in tables


def _random_bytes(backup: Path, target: Path) -> None:
    target.write_bytes(hashlib.sha256(b"kam").digest() * 4096)


def _plain_sqlite(backup: Path, target: Path) -> None:
    with closing(sqlite3.connect(target)) as db:
        db.execute("CREATE TABLE invoices (number TEXT, amount TEXT)")
        db.execute("INSERT INTO invoices VALUES ('INV-1', '12.50')")
        db.commit()


def _cut_short(backup: Path, target: Path) -> None:
    data = backup.read_bytes()
    target.write_bytes(data[: len(data) // 2])


def _damaged(backup: Path, target: Path) -> None:
    data = bytearray(backup.read_bytes())
    # Page 1 past the file header holds the schema: scribbled over, nothing can be read.
    data[100:4096] = b"\xff" * 3996
    target.write_bytes(bytes(data))


def _from_a_newer_kam(backup: Path, target: Path) -> None:
    shutil.copyfile(backup, target)
    with closing(sqlite3.connect(target)) as db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('ledger', '9999_from_a_later_kam', '2030-01-01 00:00:00')"
        )
        db.commit()


@sqlite_only
@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_random_bytes, "is not a kam backup: it is not a SQLite database"),
        (_plain_sqlite, "is not a kam backup: it has no kam_backup table"),
        (_cut_short, "is not a kam backup: the file is cut short"),
        (_damaged, "is not a kam backup: it is damaged (SQLite says: "),
        (_from_a_newer_kam, "ledger.9999_from_a_later_kam, which this kam does not know"),
    ],
    ids=["random bytes", "plain SQLite", "cut short", "damaged", "newer migration"],
)
def test_it_refuses_a_file_that_is_not_a_backup_it_can_restore_and_changes_nothing(
    make, says, unpacked_backup, restored_dir, tmp_path
):
    make(unpacked_backup, tmp_path / "candidate")
    database = restored_dir / "kam.sqlite3"
    files_before = sorted(path.name for path in restored_dir.iterdir())
    bytes_before = hashlib.sha256(database.read_bytes()).hexdigest()

    result = kam("restore", str(tmp_path / "candidate"), "--yes", data_dir=restored_dir)

    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in restored_dir.iterdir()) == files_before
    assert hashlib.sha256(database.read_bytes()).hexdigest() == bytes_before


@sqlite_only
def test_a_restore_asks_first_and_a_no_changes_nothing(live_backup, restored_dir):
    database = restored_dir / "kam.sqlite3"
    bytes_before = hashlib.sha256(database.read_bytes()).hexdigest()
    result = kam("restore", str(live_backup["file"]), data_dir=restored_dir)
    assert result.returncode == 1
    assert "Type 'yes' to go on" in result.stdout
    assert "nothing was changed" in result.stderr
    assert hashlib.sha256(database.read_bytes()).hexdigest() == bytes_before


def test_the_postgresql_advice_names_the_configured_database_and_never_its_password(tmp_path):
    database = {
        "NAME": "kam_prod",
        "USER": "kam",
        "PASSWORD": "secret",
        "HOST": "db.example.com",
        "PORT": 5433,
    }
    advice = postgresql_advice(database=database, file="kam.dump", data_dir=tmp_path)
    assert (
        "pg_dump --format=custom --no-owner --host=db.example.com --port=5433 --username=kam "
        "--dbname=kam_prod --file=kam.dump" in advice
    )
    assert (
        "pg_restore --clean --if-exists --no-owner --host=db.example.com --port=5433 "
        "--username=kam --dbname=kam_prod kam.dump" in advice
    )
    assert str(tmp_path / "uploads") in advice
    assert "secret" not in advice


@pytest.mark.skipif(ON_SQLITE, reason="the PostgreSQL run of the suite")
def test_on_postgresql_kam_backup_says_to_use_pg_dump_and_makes_no_file(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "kam.dump"))
    assert refused.value.returncode == 2
    assert "pg_dump --format=custom" in str(refused.value)
    assert f"--dbname={settings.DATABASES['default']['NAME']}" in str(refused.value)
    assert not (tmp_path / "kam.dump").exists()
