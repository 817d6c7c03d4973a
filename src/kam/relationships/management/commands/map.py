"""``kam map ACCOUNT_CODE --svg FILE [--png FILE]``: draw an account's relationship map."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.management.base import DataCommand
from kam.relationships.mapdraw import MapOptions
from kam.relationships.queries import account_map
from kam.relationships.rendering import RenderingUnavailable, svg_to_png
from kam.users.models import User


class Command(DataCommand):
    help = "Draw an account's relationship map as SVG (and PNG through headless chromium)."

    def add_arguments(self, parser):
        parser.add_argument("account_code")
        parser.add_argument("--svg", required=True, help="where to write the SVG")
        parser.add_argument("--png", help="also write a PNG (needs Playwright and chromium)")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="draw the map as known on this day (YYYY-MM-DD)",
        )
        parser.add_argument(
            "--without-departed", action="store_true", help="leave out the people who left"
        )
        parser.add_argument(
            "--collapse-depth", type=int, help="hide levels below this depth behind a +N badge"
        )
        parser.add_argument(
            "--as", dest="username", help="draw only if this user may see the account"
        )

    def handle(self, *args, **options):
        accounts = Account.objects.all()
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user {options['username']!r}")
            accounts = Account.objects.visible_to(user)
        account = accounts.filter(code=options["account_code"]).first()
        if account is None:
            raise CommandError(f"no account {options['account_code']!r} (or not yours to see)")
        drawing = account_map(
            account=account,
            today=options["today"] or timezone.localdate(),
            options=MapOptions(
                include_departed=not options["without_departed"],
                collapse_depth=options["collapse_depth"],
            ),
        )
        svg_path = Path(options["svg"])
        svg_path.write_text(drawing.svg, encoding="utf-8")
        self.stdout.write(
            f"{svg_path}: {len(drawing.contact_ids)} people, {drawing.width}x{drawing.height}"
        )
        if options["png"]:
            try:
                svg_to_png(
                    drawing.svg,
                    width=drawing.width,
                    height=drawing.height,
                    path=Path(options["png"]),
                )
            except RenderingUnavailable as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{options['png']}: PNG")
