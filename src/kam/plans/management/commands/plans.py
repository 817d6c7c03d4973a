"""``kam plans report`` and ``kam plans export``: the programme's plans in the terminal, as
CSV / XLSX, or one account's plan as PDF."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.core.management.base import DataCommand
from kam.core.versions import display_name
from kam.plans import exports, printing, programme
from kam.plans.models import Action, ActionStatus, Plan, PlanState
from kam.users.models import User


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if "\u2e80" <= ch <= "\uffdc" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1 and _width(text) > width:
            return out + "…" + " " * max(0, width - used - 1)
        out, used = out + ch, used + w
    return out + " " * (width - used)


class Command(DataCommand):
    help = (
        "Account plans: `kam plans report [--overdue]` prints overdue reviews, late actions and "
        "plans waiting for agreement; `kam plans export --csv FILE | --xlsx FILE` writes the "
        "programme's plans; `kam plans export ACCOUNT --pdf FILE` prints one account's plan."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["report", "export"])
        parser.add_argument("account", nargs="?", help="customer number (export --pdf)")
        parser.add_argument("--overdue", action="store_true", help="only what is overdue")
        parser.add_argument("--language", default="en", help="en, zh-hant or id")
        parser.add_argument("--as", dest="as_user", help="only the plans this user may see")
        parser.add_argument("--period", help="period name (default: every period)")
        parser.add_argument("--csv", type=Path)
        parser.add_argument("--xlsx", type=Path)
        parser.add_argument("--pdf", type=Path)

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            try:
                if options["what"] == "report":
                    self._report(options)
                else:
                    self._export(options)
                self.stdout.flush()
            except BrokenPipeError:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise SystemExit(141) from None

    def _user(self, options):
        name = options.get("as_user")
        if not name:
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {name!r}.")
        return user

    def _rows(self, options) -> list[programme.Row]:
        rows = programme.programme_rows(
            user=self._user(options),
            today=timezone.localdate(),
            period=options.get("period") or "",
        )
        return programme.hydrate(rows)

    def _report(self, options) -> None:
        today = timezone.localdate()
        rows = [r for r in self._rows(options) if r.plan.state != PlanState.CLOSED]
        w = self.stdout.write
        overdue = [r for r in rows if r.review_overdue]
        w(_("Overdue mentor reviews (%(n)s)") % {"n": len(overdue)})
        for r in sorted(overdue, key=lambda r: r.next_review):
            w(
                f"  {_cell(r.plan.account.name, 34)} {r.plan.period.name:<10} "
                + _("due %(day)s, last %(last)s")
                % {"day": r.next_review, "last": r.last_review or _("never")}
            )
        late = (
            Action.objects.filter(
                plan__in=[r.plan.pk for r in rows], status=ActionStatus.OPEN, due_on__lt=today
            )
            .select_related("account", "owner")
            .order_by("due_on", "pk")
        )
        late = list(late)
        w("")
        w(_("Late actions (%(n)s)") % {"n": len(late)})
        for a in late:
            owner = display_name(a.owner) if a.owner_id else "—"
            w(
                f"  {a.due_on}  {_cell(a.account.name, 30)} {_cell(owner, 18)} "
                f"{_cell(a.what.replace(chr(10), ' '), 50)}"
            )
        if options["overdue"]:
            return
        waiting = [r for r in rows if r.plan.state == PlanState.SUBMITTED]
        w("")
        w(_("Plans waiting for agreement (%(n)s)") % {"n": len(waiting)})
        for r in waiting:
            names = ", ".join(display_name(u) for u in r.waiting_for) or "—"
            w(
                f"  {_cell(r.plan.account.name, 34)} {r.plan.period.name:<10} "
                + _("still to sign: %(names)s") % {"names": names}
            )

    def _export(self, options) -> None:
        if options["pdf"]:
            self._pdf(options)
            return
        if not (options["csv"] or options["xlsx"]):
            raise CommandError("Say where: --csv FILE, --xlsx FILE, or ACCOUNT --pdf FILE.")
        rows = self._rows(options)
        if options["csv"]:
            options["csv"].write_bytes(exports.to_csv(rows))
        if options["xlsx"]:
            options["xlsx"].write_bytes(exports.to_xlsx(rows))
        self.stdout.write(f"{len(rows)} plans written.")

    def _pdf(self, options) -> None:
        code = options["account"]
        if not code:
            raise CommandError("Name the account: kam plans export ACCOUNT --pdf FILE.")
        account = Account.objects.filter(code=code).first()
        if account is None:
            raise CommandError(f"No account with customer number {code!r}.")
        plans = Plan.objects.filter(account=account).select_related("account", "period")
        if options.get("period"):
            plans = plans.filter(period__name=options["period"])
        plan = plans.order_by("-period__starts_on").first()
        if plan is None:
            raise CommandError(f"{account.name} has no plan for that period.")
        try:
            options["pdf"].write_bytes(printing.plan_pdf(plan=plan, today=timezone.localdate()))
        except printing.RenderingUnavailable as why:
            raise CommandError(str(why)) from why
        self.stdout.write(f"{options['pdf']}: {plan}")
