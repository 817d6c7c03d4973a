from __future__ import annotations

import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.backup import BackupError, backup_create, postgresql_advice
from kam.core.management.base import DataCommand


class Command(DataCommand):
    help = (
        "Copy the embedded SQLite database to FILE (gzip-compressed if FILE ends in .gz), "
        "consistent even while the web app runs. On PostgreSQL, print the pg_dump commands."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup, e.g. kam-2026-11-02.gz")
        parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
        parser.add_argument("--data-dir", help="where the database and secret key live")

    def handle(self, *args, file: str, force: bool, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                postgresql_advice(database=database, file=file, data_dir=settings.DATA_DIR),
                returncode=2,
            )
        target = Path(file).expanduser().absolute()
        if target.exists() and not force:
            raise CommandError(
                _("%(path)s already exists; use --force to overwrite it.") % {"path": target},
                returncode=2,
            )
        connections.close_all()
        try:
            info = backup_create(database=Path(database["NAME"]), target=target, now=timezone.now())
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        except (OSError, sqlite3.Error) as error:
            raise CommandError(
                _("The backup failed: %(error)s") % {"error": error}, returncode=1
            ) from error
        self.stdout.write(
            _("Backed up %(database)s to %(path)s (%(size)s bytes, kam %(version)s).")
            % {
                "database": database["NAME"],
                "path": target,
                "size": f"{target.stat().st_size:,}",
                "version": info.kam_version,
            }
        )
