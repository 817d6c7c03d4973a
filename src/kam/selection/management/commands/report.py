from __future__ import annotations

import os
import shutil
import sys

from django.core.management.base import CommandError
from django.utils import translation

from kam.core.management.base import DataCommand
from kam.selection import explain
from kam.selection.queries import latest_run


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= ch <= "\uffdc" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1 and _width(text) > width:
            return out + "…" + " " * (width - used - 1)
        out, used = out + ch, used + w
    return out + " " * (width - used)


class Command(DataCommand):
    help = "Print a report in the terminal: `kam report key-accounts`."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["key-accounts"])
        parser.add_argument("--all", action="store_true", help="every account, not only key ones")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--language", default="en", help="en, zh-hant or id")

    def handle(self, *args, **options):
        try:
            self._report(**options)
            self.stdout.flush()
        except BrokenPipeError:
            # The reader (head, less) has gone: stop quietly, as Unix tools do. stdout goes to
            # /dev/null first, or Python reports the broken pipe again as it flushes at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(141) from None  # 128 + SIGPIPE, what a shell reports for `yes`

    def _report(self, **options) -> None:
        run = latest_run()
        if run is None:
            raise CommandError("No scoring yet: run `kam score` first.")
        rows = run.scores.select_related("account").order_by("rank", "-score")
        if not options["all"]:
            rows = rows.filter(is_key=True)
        columns = shutil.get_terminal_size((140, 40)).columns
        name_width = max(20, min(40, columns - 90))
        with translation.override(options["language"]):
            self.stdout.write(
                f"Key accounts as of {run.as_of} ({run.scheme_name}; "
                f"amounts in {run.reporting_currency})"
            )
            self.stdout.write(
                f"{'#':>4}  {_cut('Account', name_width)} {'Score':>5}  {'Tier':<10} "
                f"{'Sales':>16} {'Margin':>7}  Flags / why"
            )
            for s in rows[: options["limit"]]:
                margin = "" if s.margin_pct is None else f"{s.margin_pct:.1f}%"
                # The flag with its reason in words, as the page gives it.
                notes = " ".join(
                    f"{explain.flag_title(f['code'])}: {explain.flag_reason(f)}" for f in s.flags
                ) or explain.why(s.contributions)
                self.stdout.write(
                    f"{s.rank or '':>4}  {_cut(s.account.name, name_width)} {s.score or 0:>5.0f}  "
                    f"{s.tier_name[:10]:<10} {s.revenue or 0:>16,.0f} {margin:>7}  {notes}"
                )
