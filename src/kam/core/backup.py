"""Backups of the embedded SQLite database, and their restore.

A kam backup is an ordinary SQLite database file, gzip-compressed when its name ends in
``.gz``, holding one table more than the database it copies: ``kam_backup``, one row with the
backup format, kam's version, the time of the copy and the latest migration applied per app.
The copy is made with SQLite's online backup API in one step, so it is one consistent moment
of the database even while the web app writes (WAL lets writers go on meanwhile).

A restore works on a copy in the database's own folder: it checks the copy (a SQLite file,
whole, marked as kam's, no migration this kam does not know), migrates it if it is older, and
only then writes it over the live database, again with the backup API: one write transaction,
so every other connection (a running web app, a worker) sees either the old database or the
restored one, never a mixture, and no stale WAL file can be replayed onto the new pages. The
database as it was is kept beside it first, as ``<name>.before-restore-<UTC time>``.
"""

from __future__ import annotations

import gzip
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

import kam

FORMAT = 1
MARKER_TABLE = "kam_backup"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GZIP_MAGIC = b"\x1f\x8b"
# Long enough for the web app's longest write (its own lock wait is 20 s, see kam.config).
_LOCK_TIMEOUT = 60

Migration = tuple[str, str]


class BackupError(Exception):
    """A backup or restore could not be made; nothing was changed."""


class BackupRefused(BackupError):
    """The file is not a kam backup this kam can restore; nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup says about itself."""

    kam_version: str
    created_at: str
    latest_migrations: dict[str, str]
    # Migrations this kam has and the backup lacks: a restore applies them.
    pending: tuple[Migration, ...] = ()


@dataclass(frozen=True)
class RestoreCandidate:
    """A checked working copy of a backup, next to the database it will replace."""

    path: Path
    info: BackupInfo


def known_migrations() -> dict[Migration, object]:
    """Every migration this kam ships, read from disk (no database needed)."""
    return MigrationLoader(None, ignore_no_migrations=True).disk_migrations


def backup_create(*, database: Path, target: Path, now: datetime) -> BackupInfo:
    """Copy the live database to ``target`` (gzip if it ends in .gz) and mark it as kam's.

    The file appears under its name only when complete: it is written beside it first.
    """
    if not database.is_file():
        raise BackupError(_("There is no database at %(path)s to back up.") % {"path": database})
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _temporary_file(target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with (
            closing(sqlite3.connect(database, timeout=_LOCK_TIMEOUT)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            # pages=-1: the whole copy under one read transaction, one moment of the database.
            live.backup(copy, pages=-1)
        info = _mark(partial, now=now)
        if target.name.endswith(".gz"):
            _compress(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return info


def _mark(path: Path, *, now: datetime) -> BackupInfo:
    with closing(sqlite3.connect(path)) as copy:
        latest = _latest_migrations(copy)
        if not latest:
            raise BackupError(_("The database holds no kam tables; run `kam migrate` first."))
        info = _write_marker(copy, latest=latest, now=now)
        problems = _integrity_problems(copy)
        if problems:
            raise BackupError(
                _("The copy failed its integrity check: %(problems)s")
                % {"problems": "; ".join(problems)}
            )
    return info


def _write_marker(copy: sqlite3.Connection, *, latest: dict[str, str], now: datetime) -> BackupInfo:
    # One self-contained file: no -wal beside it to lose when the file is moved.
    copy.execute("PRAGMA journal_mode=DELETE")
    info = BackupInfo(
        kam_version=kam.__version__, created_at=now.isoformat(), latest_migrations=latest
    )
    copy.execute(
        f"CREATE TABLE {MARKER_TABLE} (format INTEGER NOT NULL, kam_version TEXT NOT NULL, "
        "created_at TEXT NOT NULL, latest_migrations TEXT NOT NULL)"
    )
    copy.execute(
        f"INSERT INTO {MARKER_TABLE} VALUES (?, ?, ?, ?)",  # noqa: S608 - a constant name
        (FORMAT, info.kam_version, info.created_at, json.dumps(latest, sort_keys=True)),
    )
    copy.commit()
    return info


def _compress(path: Path) -> None:
    packed = path.with_name(path.name + ".gz")
    with path.open("rb") as plain, gzip.open(packed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(plain, out, length=1 << 20)
    os.replace(packed, path)


def _latest_migrations(db: sqlite3.Connection) -> dict[str, str]:
    try:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return {}
    return dict(rows)


@contextmanager
def restore_candidate(*, source: Path, folder: Path) -> Iterator[RestoreCandidate]:
    """Copy ``source`` into ``folder`` and check it; raise BackupRefused if it will not do.

    The working copy is removed on leaving, whatever happened.
    """
    _require_sqlite_or_gzip(source)
    folder.mkdir(parents=True, exist_ok=True)
    path = _temporary_file(folder, prefix=".kam-restore-", suffix=".sqlite3")
    try:
        _unpack(source, path)
        yield RestoreCandidate(path=path, info=_check(path, source=source))
    finally:
        path.unlink(missing_ok=True)
        for sidecar in ("-journal", "-wal", "-shm"):
            path.with_name(path.name + sidecar).unlink(missing_ok=True)


def _require_sqlite_or_gzip(source: Path) -> None:
    try:
        with source.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as error:
        raise BackupRefused(
            _("Cannot read %(path)s: %(error)s")
            % {"path": source, "error": error.strerror or error}
        ) from error
    if not (head.startswith(_GZIP_MAGIC) or head == _SQLITE_MAGIC):
        raise _not_a_backup(source, _("it is not a SQLite database"))


def _unpack(source: Path, path: Path) -> None:
    with source.open("rb") as handle:
        gzipped = handle.read(2) == _GZIP_MAGIC
    if not gzipped:
        shutil.copyfile(source, path)
        return
    try:
        with gzip.open(source, "rb") as packed, path.open("wb") as out:
            shutil.copyfileobj(packed, out, length=1 << 20)
    except (OSError, EOFError, zlib.error) as error:
        raise _not_a_backup(source, _("its compressed data is damaged or cut short")) from error
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise _not_a_backup(source, _("it is not a SQLite database"))


def _check(path: Path, *, source: Path) -> BackupInfo:
    if _shorter_than_its_header_says(path):
        raise _not_a_backup(source, _("the file is cut short"))
    try:
        with closing(sqlite3.connect(path)) as db:
            problems = _integrity_problems(db)
            if problems:
                raise _damaged(source, "; ".join(problems))
            try:
                row = db.execute(
                    f"SELECT format, kam_version, created_at, latest_migrations FROM {MARKER_TABLE}"  # noqa: S608
                ).fetchone()
                applied = {
                    (str(app), str(name))
                    for app, name in db.execute("SELECT app, name FROM django_migrations")
                }
            except sqlite3.OperationalError as error:
                raise _not_a_backup(
                    source, _("it has no kam_backup table (it was not made by `kam backup`)")
                ) from error
    except sqlite3.DatabaseError as error:
        raise _damaged(source, str(error)) from error
    if row is None:
        raise _not_a_backup(source, _("its kam_backup table is empty"))
    format_, kam_version, created_at, latest = row
    if not isinstance(format_, int):
        raise _not_a_backup(source, _("its kam_backup table is damaged"))
    if format_ > FORMAT:
        raise BackupRefused(
            _("%(path)s was made by a newer kam (%(version)s); upgrade kam to restore it.")
            % {"path": source, "version": kam_version}
        )
    known = known_migrations()
    unknown = sorted(applied - set(known))
    if unknown:
        app, name = unknown[0]
        raise BackupRefused(
            _(
                "%(path)s was made by a newer kam (%(version)s): its database has migration "
                "%(migration)s, which this kam does not know. Upgrade kam, then restore it."
            )
            % {"path": source, "version": kam_version, "migration": f"{app}.{name}"}
        )
    pending = tuple(
        sorted(
            key
            for key, migration in known.items()
            if key not in applied
            and not (migration.replaces and set(migration.replaces) <= applied)
        )
    )
    return BackupInfo(
        kam_version=str(kam_version),
        created_at=str(created_at),
        latest_migrations=_json_object(latest),
        pending=pending,
    )


def _json_object(raw: object) -> dict:
    # Only shown to people; a damaged value must not stop a restore the checks allowed.
    try:
        value = json.loads(raw) if isinstance(raw, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _shorter_than_its_header_says(path: Path) -> bool:
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is only valid when the two change counters agree.
    if header[24:28] != header[92:96]:
        return False
    return path.stat().st_size < page_size * pages


def _integrity_problems(db: sqlite3.Connection) -> list[str]:
    problems = [row[0] for row in db.execute("PRAGMA integrity_check(5)").fetchall()]
    return [] if problems == ["ok"] else problems


def _damaged(source: Path, problems: str) -> BackupRefused:
    return _not_a_backup(
        source, _("it is damaged (SQLite says: %(problems)s)") % {"problems": problems}
    )


def _not_a_backup(source: Path, reason: str) -> BackupRefused:
    return BackupRefused(
        _("%(path)s is not a kam backup: %(reason)s.") % {"path": source, "reason": reason}
    )


def restore_apply(*, candidate: RestoreCandidate, database: Path, now: datetime) -> Path | None:
    """Migrate the checked copy if it is older, keep the live database aside, restore over it.

    Returns where the previous database was kept (None if there was none).
    """
    if candidate.info.pending:
        _migrate(candidate.path)
    with closing(sqlite3.connect(candidate.path)) as restored:
        restored.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        restored.commit()
        restored.execute("PRAGMA journal_mode=DELETE")
    previous = None
    if database.exists():
        previous = database.with_name(
            f"{database.name}.before-restore-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
        )
        _copy_aside(database, previous, now=now)
    with (
        closing(sqlite3.connect(candidate.path)) as restored,
        closing(sqlite3.connect(database, timeout=_LOCK_TIMEOUT)) as live,
    ):
        _match_page_size(restored, live)
        # One write transaction on the live database: readers see all of it or none of it.
        restored.backup(live, pages=-1)
    return previous


def _copy_aside(database: Path, previous: Path, *, now: datetime) -> None:
    """Keep the live database as a kam backup, so that `kam restore` can undo a restore.

    Unchecked on purpose: a damaged database is exactly the one someone restores over.
    """
    partial = _temporary_file(database.parent, prefix=f".{previous.name}.", suffix=".partial")
    try:
        with (
            closing(sqlite3.connect(database, timeout=_LOCK_TIMEOUT)) as live,
            closing(sqlite3.connect(partial)) as aside,
        ):
            live.backup(aside, pages=-1)
            latest = _latest_migrations(aside)
            if latest:
                _write_marker(aside, latest=latest, now=now)
            else:
                aside.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, previous)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _match_page_size(restored: sqlite3.Connection, live: sqlite3.Connection) -> None:
    # The backup API cannot change the page size of a database in WAL mode.
    wanted = live.execute("PRAGMA page_size").fetchone()[0]
    if restored.execute("PRAGMA page_size").fetchone()[0] != wanted:
        restored.execute(f"PRAGMA page_size={int(wanted)}")
        restored.execute("VACUUM")


def _migrate(path: Path) -> None:
    # A separate process: the copy gets its own Django connection, settings and signals, and
    # the live database is not touched until the migrated copy is complete.
    env = {**os.environ, "KAM_DATABASE_URL": f"sqlite:///{path}"}
    result = subprocess.run(
        [sys.executable, "-m", "kam", "migrate", "--no-input", "--verbosity", "1"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            _("Migrating the backup to this kam failed; nothing was changed.\n%(output)s")
            % {"output": (result.stdout + result.stderr).strip()}
        )


def _temporary_file(folder: Path, *, prefix: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    os.close(handle)
    return Path(name)


def postgresql_advice(*, database: dict, file: str, data_dir: Path) -> str:
    """The pg_dump and pg_restore commands for the configured PostgreSQL database."""
    connection = [
        f"--{flag}={shlex.quote(str(database[key]))}"
        for flag, key in (("host", "HOST"), ("port", "PORT"), ("username", "USER"))
        if database.get(key)
    ]
    target = ["--dbname=" + shlex.quote(database["NAME"])]
    dump = ["pg_dump", "--format=custom", "--no-owner", *connection, *target]
    restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", *connection, *target]
    return _(
        "kam backup and kam restore copy the embedded SQLite database; this kam uses "
        "PostgreSQL. Use PostgreSQL's own tools (the password comes from PGPASSWORD or "
        "~/.pgpass):\n\n"
        "  back up:  %(dump)s\n"
        "  restore:  %(restore)s\n"
        "            kam migrate\n\n"
        "Restore with the web app and the workers stopped. Keep %(uploads)s too: it holds the "
        "files given to imports and their rejected rows."
    ) % {
        "dump": " ".join([*dump, "--file=" + shlex.quote(file)]),
        "restore": " ".join([*restore, shlex.quote(file)]),
        "uploads": data_dir / "uploads",
    }
