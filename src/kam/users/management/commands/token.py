from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import timezone

from kam.core.management.base import DataCommand
from kam.users.models import ApiToken, User


class Command(DataCommand):
    help = "Create, list or revoke API tokens. A token is shown once and stored only hashed."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        listing = actions.add_parser("list", help="list USERNAME's tokens")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke the token whose key is KEY")
        revoke.add_argument("key", help="the 8 characters after kam_")

    def handle(self, *args, action: str, **options):
        if action == "revoke":
            revoked = ApiToken.objects.filter(key=options["key"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not revoked:
                raise CommandError(f"No active token with key {options['key']!r}.")
            self.stdout.write(f"Revoked kam_{options['key']}…")
            return
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as missing:
            raise CommandError(f"No user named {options['username']!r}.") from missing
        if action == "create":
            _, raw = ApiToken.issue(user=user, name=options["name"])
            self.stderr.write("Keep this token secret; it will not be shown again.")
            self.stdout.write(raw)
        else:
            for token in user.api_tokens.order_by("created_at"):
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never used"
                self.stdout.write(f"kam_{token.key}…  {state}  {token.name or '-'}  {used}")
