from django.core.management.base import BaseCommand

from kam.core.translations import compile_catalogues


class Command(BaseCommand):
    help = "Compile kam's .po translation catalogues to .mo (pure Python; no gettext needed)."

    def handle(self, *args, **options):
        for path in compile_catalogues():
            self.stdout.write(f"wrote {path}")
