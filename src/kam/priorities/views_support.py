"""Reads shared by the allocation's pages and API: which runs and lines a user may read, and
each line's reason in words."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.priorities.models import AllocationLine, AllocationRun, Binding


def runs_visible(user) -> QuerySet[AllocationRun]:
    """The lead reads every run; others the programme's runs and their own scope's."""
    runs = AllocationRun.objects.all()
    if getattr(user, "is_lead", False):
        return runs
    return runs.filter(Q(kam__isnull=True) | Q(kam=user))


def lines_visible(run: AllocationRun, user) -> QuerySet[AllocationLine]:
    """The run's lines on the accounts ``user`` may see, by account then hours."""
    return (
        run.lines.filter(account__in=Account.objects.visible_to(user))
        .select_related("account", "user")
        .order_by("account__name", "account_id", "-hours")
    )


def _h(value: float | None) -> str:
    return number_format(round(value or 0.0, 1), decimal_pos=1)


def binding_reason(line: AllocationLine, price: float | None = None) -> str:
    """Why the account gets its hours, in the reader's language."""
    marginal = _h(line.marginal_value) if line.marginal_value is not None else "0"
    if line.binding == Binding.PINNED:
        return _("Pinned: the hours fixed for it are kept as they are.")
    if line.binding == Binding.FLOOR:
        return _(
            "At its floor of %(floor)s h (service level or long-horizon work): one more hour "
            "here would be worth %(marginal)s, less than elsewhere."
        ) % {"floor": _h(line.floor_hours), "marginal": marginal}
    if line.binding == Binding.CAP:
        return _("At its cap of %(cap)s h: more hours would add nothing.") % {
            "cap": _h(line.cap_hours)
        }
    if line.binding == Binding.BUDGET:
        return _("Held by its budget: more hours would cost more than is left.")
    if line.binding == Binding.NONE:
        return _(
            "No time proposed: its first hour would be worth %(marginal)s, less than the same "
            "hour elsewhere."
        ) % {"marginal": marginal}
    return _(
        "Balanced with the other accounts: its next hour is worth %(marginal)s, as much as "
        "the same person's hour elsewhere."
    ) % {"marginal": marginal}
