"""The current values of team objectives that kam already knows, so the team need not type
them: revenue and gross margin in the plan's period from the ledger rollups, penetration of
the decision-making unit from the relationship coverage analysis, and how long ago the mentor
last reviewed the account. Each value says where it comes from; a value kam cannot know is
None ("unknown"), never a zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.core.periods import quarter_start
from kam.ledger.models import AccountQuarter, LedgerSettings
from kam.plans.models import MentorReview, ObjectiveSource, Plan
from kam.relationships.queries import account_analyses

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Computed:
    value: Decimal | None  # None: unknown
    unit: str
    source: str  # where the value comes from, in the reader's language


def _quarters(plan: Plan):
    period = plan.period
    return AccountQuarter.objects.filter(
        quarter__gte=quarter_start(period.starts_on), quarter__lte=period.ends_on
    )


def _ledger(plan: Plan) -> tuple[Decimal, Decimal, Decimal] | None:
    """Revenue, costed revenue and cost of the account in the plan's quarters; None when the
    ledger holds nothing for those quarters at all (not imported: unknown, not zero)."""
    quarters = _quarters(plan)
    if not quarters.exists():
        return None
    sums = quarters.filter(account=plan.account).aggregate(
        revenue=Sum("revenue"), uncosted=Sum("uncosted_revenue"), cost=Sum("cost")
    )
    revenue = sums["revenue"] or Decimal(0)
    return revenue, revenue - (sums["uncosted"] or Decimal(0)), sums["cost"] or Decimal(0)


def _period_words(plan: Plan) -> dict[str, str]:
    return {"period": plan.period.name}


def revenue(plan: Plan, ledger) -> Computed:
    currency = LedgerSettings.current().reporting_currency
    if ledger is None:
        return Computed(
            None,
            currency,
            _("Ledger rollups: nothing imported for %(period)s yet.") % _period_words(plan),
        )
    return Computed(
        ledger[0],
        currency,
        _("Ledger rollups: revenue in %(period)s, quarters so far, in %(currency)s.")
        % {**_period_words(plan), "currency": currency},
    )


def margin(plan: Plan, ledger) -> Computed:
    if ledger is None or ledger[1] <= 0:
        return Computed(
            None,
            "%",
            _("Ledger rollups: no revenue of known cost in %(period)s.") % _period_words(plan),
        )
    _revenue, costed, cost = ledger
    value = ((costed - cost) * HUNDRED / costed).quantize(Decimal("0.01"))
    return Computed(
        value,
        "%",
        _("Ledger rollups: gross margin in %(period)s of the revenue whose cost is known.")
        % _period_words(plan),
    )


def dmu_penetration(plan: Plan, today: date) -> Computed:
    coverage = account_analyses(account=plan.account, today=today, with_centrality=False).coverage
    influential = len(coverage.influential_ids)
    if not influential:
        return Computed(None, "%", _("Relationship coverage: no influential contact mapped yet."))
    known = len(coverage.known_influential_ids)
    return Computed(
        (Decimal(known) * HUNDRED / influential).quantize(Decimal("0.01")),
        "%",
        _("Relationship coverage: %(known)s of %(count)s influential contacts known in person.")
        % {"known": known, "count": influential},
    )


def review_currency(plan: Plan, today: date) -> Computed:
    last = (
        MentorReview.objects.filter(account=plan.account, reviewed_on__lte=today)
        .order_by("-reviewed_on")
        .values_list("reviewed_on", flat=True)
        .first()
    )
    if last is None:
        return Computed(None, "d", _("Mentor reviews: the mentor has not reviewed it yet."))
    return Computed(
        Decimal((today - last).days),
        "d",
        _("Mentor reviews: days since the last review (%(day)s).") % {"day": date_format(last)},
    )


def computed_values(plan: Plan, sources: set[str], today: date) -> dict[str, Computed]:
    """The values of the given computed ``sources`` for ``plan`` as of ``today``; only the
    sources asked for are computed (the coverage analysis reads the whole map)."""
    out: dict[str, Computed] = {}
    if {ObjectiveSource.REVENUE, ObjectiveSource.MARGIN} & sources:
        ledger = _ledger(plan)
        if ObjectiveSource.REVENUE in sources:
            out[ObjectiveSource.REVENUE] = revenue(plan, ledger)
        if ObjectiveSource.MARGIN in sources:
            out[ObjectiveSource.MARGIN] = margin(plan, ledger)
    if ObjectiveSource.DMU_PENETRATION in sources:
        out[ObjectiveSource.DMU_PENETRATION] = dmu_penetration(plan, today)
    if ObjectiveSource.REVIEW_CURRENCY in sources:
        out[ObjectiveSource.REVIEW_CURRENCY] = review_currency(plan, today)
    return out
