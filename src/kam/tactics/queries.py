"""Reads of the tactics: what each account really gets (its own tactics over its tier's
defaults), its tier, its money over the last four quarters, profit after the programme and
what its rebate agreements make due. Callers scope the accounts (``visible_to``) first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from kam.accounts.models import Account
from kam.core.periods import add_quarters, last_complete_quarters, quarter_start
from kam.ledger.models import AccountQuarter
from kam.selection.models import CostToServe, Tier, TierScheme
from kam.selection.queries import latest_run
from kam.tactics import profit as profit_maths
from kam.tactics.models import AccountTactic, RebateAgreement, TacticKind, TacticStatus, TierTactic
from kam.tactics.rebates import Due, rebate_due

WINDOW_QUARTERS = 4
ZERO = Decimal("0")


@dataclass(frozen=True)
class Effective:
    """One tactic as the account gets it: from its own record, else its tier's default."""

    kind: str
    status: str
    since: date | None
    yearly_cost: Decimal | None
    terms: str
    source: str  # "account" / "tier" / "" (nothing recorded)
    record: AccountTactic | None = None

    @property
    def label(self) -> str:
        return str(TacticKind(self.kind).label)

    @property
    def number(self) -> int:
        return list(TacticKind).index(TacticKind(self.kind)) + 1

    @property
    def status_label(self) -> str:
        return str(TacticStatus(self.status).label) if self.status else ""


@dataclass(frozen=True)
class Placement:
    """An account's tier in the last scoring run."""

    tier: Tier | None
    is_key: bool


def as_of() -> date:
    run = latest_run()
    return run.as_of if run else timezone.localdate()


def placements(account_ids: Iterable[int]) -> dict[int, Placement]:
    ids = list(account_ids)
    run = latest_run()
    scheme = TierScheme.objects.filter(active=True).first()
    tiers = {t.code: t for t in scheme.tiers.all()} if scheme else {}
    found = {}
    if run is not None:
        for account_id, code, key in run.scores.filter(account_id__in=ids).values_list(
            "account_id", "tier_code", "is_key"
        ):
            found[account_id] = Placement(tiers.get(code), key)
    return {i: found.get(i, Placement(None, False)) for i in ids}


def effective_tactics(account_ids: Iterable[int]) -> dict[int, dict[str, Effective]]:
    """Per account, each of the seven tactics as it gets it (all seven keys, in order)."""
    ids = list(account_ids)
    where = placements(ids)
    tier_ids = {p.tier.pk for p in where.values() if p.tier is not None}
    defaults: dict[int, dict[str, TierTactic]] = defaultdict(dict)
    for t in TierTactic.objects.filter(tier_id__in=tier_ids):
        defaults[t.tier_id][t.kind] = t
    own: dict[int, dict[str, AccountTactic]] = defaultdict(dict)
    for t in AccountTactic.objects.filter(account_id__in=ids).select_related("owner"):
        own[t.account_id][t.kind] = t
    out = {}
    for i in ids:
        tier = where[i].tier
        mine = own.get(i, {})
        by_tier = defaults.get(tier.pk, {}) if tier else {}
        row = {}
        for kind in TacticKind:
            if kind in mine:
                t = mine[kind]
                row[kind.value] = Effective(
                    kind, t.status, t.since, t.yearly_cost, t.terms, "account", t
                )
            elif kind in by_tier:
                d = by_tier[kind]
                row[kind.value] = Effective(kind, d.status, None, d.yearly_cost, d.terms, "tier")
            else:
                row[kind.value] = Effective(kind, "", None, None, "", "")
        out[i] = row
    return out


def tactics_cost(tactics: dict[str, Effective]) -> Decimal | None:
    """The yearly cost of the tactics in place; unknown if any of them has no cost given."""
    total = ZERO
    for t in tactics.values():
        if t.status == TacticStatus.IN_PLACE:
            if t.yearly_cost is None:
                return None
            total += t.yearly_cost
    return total


def costs_to_serve(
    account_ids: Iterable[int], where: dict[int, Placement]
) -> dict[int, Decimal | None]:
    """The account's own latest figure, else its tier's if the tier has one (not 0), else
    unknown."""
    out: dict[int, Decimal | None] = {}
    for i in account_ids:
        tier = where[i].tier
        out[i] = tier.cost_to_serve if tier is not None and tier.cost_to_serve > 0 else None
    for account_id, amount in (
        CostToServe.objects.filter(account_id__in=list(out))
        .order_by("account_id", "set_at", "pk")
        .values_list("account_id", "amount")
    ):
        out[account_id] = amount  # later rows win: the latest
    return out


@dataclass(frozen=True)
class AccountProfit:
    account: Account
    placement: Placement
    money: profit_maths.AccountMoney
    profit: profit_maths.Profit
    window: tuple[date, date]  # first day of the first quarter, last day of the last


def window(today: date | None = None) -> list[date]:
    return last_complete_quarters(today or as_of(), WINDOW_QUARTERS)


def account_profits(accounts: Iterable[Account]) -> list[AccountProfit]:
    """Profit after the programme for each account, over the last four complete quarters."""
    accounts = list(accounts)
    ids = [a.pk for a in accounts]
    quarters = window()
    sums = {
        row["account_id"]: row
        for row in AccountQuarter.objects.filter(
            account_id__in=ids, quarter__gte=quarters[0], quarter__lte=quarters[-1]
        )
        .values("account_id")
        .annotate(
            revenue=Sum("revenue"),
            cost=Sum("cost"),
            uncosted=Sum("uncosted_revenue"),
            discount=Sum("discount"),
            rebate=Sum("rebate"),
        )
    }
    where = placements(ids)
    tactics = effective_tactics(ids)
    serve = costs_to_serve(ids, where)
    last_day = add_quarters(quarters[-1], 1).toordinal() - 1
    span = (quarters[0], date.fromordinal(last_day))
    out = []
    for account in accounts:
        row = sums.get(account.pk) or {}
        revenue = row.get("revenue") or ZERO
        uncosted = row.get("uncosted") or ZERO
        money = profit_maths.AccountMoney(
            revenue=revenue,
            cost_of_goods=None if uncosted > 0 else (row.get("cost") or ZERO),
            discounts=row.get("discount") or ZERO,
            rebates=row.get("rebate") or ZERO,
            tactics_cost=tactics_cost(tactics[account.pk]),
            cost_to_serve=serve[account.pk],
            is_key=where[account.pk].is_key,
        )
        out.append(
            AccountProfit(
                account, where[account.pk], money, profit_maths.account_profit(money), span
            )
        )
    return out


@dataclass(frozen=True)
class TierProfit:
    tier: Tier | None
    totals: profit_maths.Totals
    flagged: int


def tier_profits(accounts: Iterable[Account]) -> list[TierProfit]:
    """Profit after the programme totalled per tier of the active scheme (accounts with no
    tier last)."""
    groups: dict[int | None, list[AccountProfit]] = defaultdict(list)
    tiers: dict[int | None, Tier | None] = {None: None}
    for p in account_profits(accounts):
        key = p.placement.tier.pk if p.placement.tier else None
        tiers[key] = p.placement.tier
        groups[key].append(p)
    order = sorted(groups, key=lambda k: (k is None, tiers[k].order if tiers[k] else 0))
    return [
        TierProfit(
            tiers[k],
            profit_maths.totals(p.profit for p in groups[k]),
            sum(1 for p in groups[k] if p.profit.flags),
        )
        for k in order
    ]


@dataclass(frozen=True)
class AgreementDue:
    agreement: RebateAgreement
    due: Due
    accrued: Decimal
    quarters: int  # complete quarters of the ledger inside the agreement's period


def agreement_dues(agreements: Iterable[RebateAgreement]) -> list[AgreementDue]:
    """What each agreement makes due from the ledger's quarters inside its period, against
    what the ledger accrued as rebates in them. Quarters count when they start inside the
    period (the ledger keeps quarters, not days)."""
    out = []
    for agreement in agreements:
        first = quarter_start(agreement.starts_on)
        if first < agreement.starts_on:
            first = add_quarters(first, 1)
        rows = AccountQuarter.objects.filter(
            account_id=agreement.account_id, quarter__gte=first, quarter__lte=agreement.ends_on
        ).aggregate(revenue=Sum("revenue"), units=Sum("units"), rebate=Sum("rebate"))
        revenue = rows["revenue"] or ZERO
        volume = revenue if agreement.basis == "revenue" else (rows["units"] or ZERO)
        steps = [(Decimal(str(s["threshold"])), Decimal(str(s["rate"]))) for s in agreement.steps]
        due = rebate_due(revenue=revenue, volume=volume, steps=steps)
        count = AccountQuarter.objects.filter(
            account_id=agreement.account_id, quarter__gte=first, quarter__lte=agreement.ends_on
        ).count()
        out.append(AgreementDue(agreement, due, rows["rebate"] or ZERO, count))
    return out
