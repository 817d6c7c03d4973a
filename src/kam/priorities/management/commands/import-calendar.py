"""``kam import-calendar FILE --user USER``: meetings from an .ics export into the log."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.users.models import User


class Command(DataCommand):
    help = (
        "Import meetings from a calendar export (.ics, e.g. Outlook or Google Calendar) into "
        "the interaction log, as USER: attendees matched to contacts and our people by e-mail, "
        "the account from the contacts, the duration from the event. Idempotent by the "
        "event's UID: a moved meeting updates, a cancelled one is withdrawn. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="whose calendar it is (username)")

    def handle(self, *args, file: Path, user: str, **options):
        from kam.priorities.calendar import import_calendar

        person = User.objects.filter(username=user, is_active=True).first()
        if person is None:
            raise CommandError(f"--user: there is no active user {user!r}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            result = import_calendar(data, user=person)
        except ValidationError as error:
            for messages in error.message_dict.values():
                for message in messages:
                    self.stderr.write(message)
            raise CommandError(f"{file}: nothing imported.") from error
        try:
            self._write(result)
            self.stdout.flush()
        except BrokenPipeError:
            # The reader (head, less) has gone: stop quietly, as `kam report` does.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(141) from None

    def _write(self, result) -> None:
        self.stdout.write(
            f"{result.read} events read: {result.logged} logged, {result.updated} updated, "
            f"{result.withdrawn} withdrawn, {result.unchanged} unchanged, "
            f"{len(result.skipped)} not logged."
        )
        for what, why in result.skipped:
            self.stdout.write(f"  not logged: {what}: {why}")
        for row in result.to_resolve:
            who = ", ".join(a["email"] for a in row.unmatched) or row.get_state_display()
            self.stdout.write(f"  to resolve: {row.summary or row.uid} ({row.occurred_on}): {who}")
