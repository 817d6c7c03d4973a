from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kam.demo.generator import DEFAULT_SEED, build_company
from kam.demo.loader import DEMO_PASSWORD, NotADemoDatabase, database_state, demo_load


class Command(BaseCommand):
    help = "Set up the demo company in the embedded database and serve the web app."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", help="where the database and secret key live")
        parser.add_argument("--reset", action="store_true", help="wipe the demo and load it anew")
        parser.add_argument("--no-serve", action="store_true", help="load the demo and exit")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)

        state = database_state()
        if state == "other":
            raise CommandError(
                "This database holds data that the demo did not create; `kam demo` will not "
                "touch it. Point KAM_DATA_DIR or --data-dir at an empty directory."
            )
        if state == "demo" and options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            state = "empty"
        if state == "empty":
            self.stdout.write("Loading the demo company…")
            try:
                demo_load(build_company(seed=options["seed"], today=date.today()))
            except NotADemoDatabase as error:
                raise CommandError(str(error)) from error
        else:
            self.stdout.write("The demo company is already loaded (use --reset to reload it).")

        self._announce(options["host"], options["port"])
        if options["no_serve"]:
            return
        if options["host"] not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append("*" if options["host"] == "0.0.0.0" else options["host"])  # noqa: S104
        call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)

    def _announce(self, host: str, port: int) -> None:
        banner = "=" * 72
        self.stdout.write(self.style.WARNING(banner))
        self.stdout.write(
            self.style.WARNING(f"  DEMO LOGINS: every demo user's password is '{DEMO_PASSWORD}'.")
        )
        self.stdout.write(
            self.style.WARNING(
                "  This is a public password: never put real customer data in a demo database."
            )
        )
        self.stdout.write(self.style.WARNING(banner))
        self.stdout.write("  lead                programme lead (sees every account, admin)")
        self.stdout.write("  kam1 … kam6         key account managers")
        self.stdout.write("  team1 … team20      account team members")
        self.stdout.write("  mentor1, mentor2    mentors (read-only on the accounts they mentor)")
        self.stdout.write(f"\n  Open http://{host}:{port}/ in your browser.\n")
