"""``kam digest``: send each person their "my week" by e-mail (run it weekly from cron)."""

from __future__ import annotations

from django.core.management.base import CommandError

from kam.core.management.base import DataCommand
from kam.users.models import User


class Command(DataCommand):
    help = (
        "E-mail each person their ordered next actions for the week (their 'my week'), "
        "unless they turned the digest off. Through Django's e-mail backend: the console "
        "unless KAM_EMAIL_HOST is set. With a broker, Celery beat sends it on Mondays."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", action="append", default=[], help="only this user")

    def handle(self, *args, user: list[str], **options):
        from kam.priorities.digest import send_digests

        only = None
        if user:
            only = list(User.objects.filter(username__in=user, is_active=True))
            missing = set(user) - {u.username for u in only}
            if missing:
                raise CommandError(f"--user: no active user {', '.join(sorted(missing))}.")
        report = send_digests(only=only)
        self.stdout.write(
            f"{len(report.sent)} sent, {len(report.turned_off)} turned off, "
            f"{len(report.no_address)} without an e-mail address, "
            f"{len(report.nothing_to_say)} with nothing this week."
        )
