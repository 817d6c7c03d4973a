from __future__ import annotations

import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.backup import (
    BackupError,
    BackupRefused,
    postgresql_advice,
    restore_apply,
    restore_candidate,
)
from kam.core.management.base import DataCommand


class Command(DataCommand):
    help = (
        "Replace the embedded SQLite database with a backup made by `kam backup`, after "
        "checking it; the database as it was is kept beside it (.before-restore-<time>)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file made by `kam backup`")
        parser.add_argument(
            "--yes",
            "-y",
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )
        parser.add_argument("--data-dir", help="where the database and secret key live")

    def handle(self, *args, file: str, interactive: bool, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(
                postgresql_advice(database=database, file=file, data_dir=settings.DATA_DIR),
                returncode=2,
            )
        live = Path(database["NAME"])
        source = Path(file).expanduser().absolute()
        connections.close_all()
        try:
            with restore_candidate(source=source, folder=live.parent) as candidate:
                info = candidate.info
                self.stdout.write(
                    _("%(path)s: a kam %(version)s backup made at %(when)s.")
                    % {"path": source, "version": info.kam_version, "when": info.created_at}
                )
                if info.pending:
                    self.stdout.write(
                        _("It is older than this kam; migrations to apply: %(count)s.")
                        % {"count": len(info.pending)}
                    )
                if interactive and not self._confirmed(live):
                    raise CommandError(_("Restore cancelled; nothing was changed."))
                previous = restore_apply(candidate=candidate, database=live, now=timezone.now())
        except BackupRefused as error:
            raise CommandError(str(error), returncode=2) from error
        except BackupError as error:
            raise CommandError(str(error)) from error
        except (OSError, sqlite3.Error) as error:
            raise CommandError(
                _("The restore failed, and the database was not changed: %(error)s")
                % {"error": error}
            ) from error
        self.stdout.write(_("Restored %(database)s.") % {"database": live})
        if previous:
            self.stdout.write(_("The database as it was is kept at %(path)s.") % {"path": previous})

    def _confirmed(self, live: Path) -> bool:
        question = _(
            "This replaces every record in %(database)s with the backup's. Type 'yes' to go on: "
        ) % {"database": live}
        try:
            return input(question).strip().lower() in {"yes", "y", _("yes")}
        except EOFError:
            return False
