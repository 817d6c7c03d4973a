"""``kam close-plans``: close every plan whose period has ended (run daily, e.g. by cron)."""

from __future__ import annotations

from django.utils import timezone

from kam.core.management.base import DataCommand
from kam.plans.models import Plan, PlanState
from kam.plans.services import plan_close


class Command(DataCommand):
    help = "Close the account plans whose period ended before today."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list them, change nothing")

    def handle(self, *args, **options):
        today = timezone.localdate()
        ended = (
            Plan.objects.filter(period__ends_on__lt=today)
            .exclude(state=PlanState.CLOSED)
            .select_related("account", "period")
            .order_by("period__ends_on", "account__name")
        )
        closed = 0
        for plan in ended:
            self.stdout.write(f"{plan.account.code} {plan.account.name} · {plan.period.name}")
            if not options["dry_run"]:
                plan_close(plan=plan, by=None)
                closed += 1
        self.stdout.write(f"{closed} plans closed.")
