"""The tactics API at /api/v1/tactics: the accounts' tactics and rebate agreements, profit
after the programme, exit barriers, contingency, and the tiers' default tactics.

404 outside the caller's accounts, 403 for a write the role may not make (a mentor; the
tiers' tactics are the lead's), 422 naming the field. No ``from __future__ import
annotations`` (ninja)."""

from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kam.accounts.access import CHANGE, account_or_404
from kam.accounts.models import Account
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import (
    account_filter,
    empty_if_hidden,
    expected_version,
    field_error,
    users_named,
    version_to_delete,
    visible_object,
)
from kam.ledger.models import Product
from kam.selection.models import Tier, TierScheme
from kam.tactics import queries, services
from kam.tactics.barriers import exit_barrier_strength
from kam.tactics.models import AccountTactic, RebateAgreement, TacticKind, TierTactic
from kam.tactics.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    BarriersOut,
    ContingencyIn,
    ContingencyOut,
    ProfitOut,
    TacticIn,
    TacticOut,
    TacticPatch,
    TierProfitOut,
    TierTacticIn,
    TierTacticOut,
)

router = Router(tags=["tactics"])


def _tactic(request: HttpRequest, tactic_id: UUID) -> AccountTactic:
    return visible_object(
        request,
        AccountTactic.objects.select_related("account", "owner").prefetch_related("products"),
        tactic_id,
    )


def _agreement(request: HttpRequest, agreement_id: UUID) -> RebateAgreement:
    return visible_object(request, RebateAgreement.objects.select_related("account"), agreement_id)


def _products(codes: list[str]) -> list[Product]:
    wanted = list(dict.fromkeys(codes))
    found = {p.code: p for p in Product.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise field_error("products", _("Unknown products: %(codes)s") % {"codes": missing})
    return [found[c] for c in wanted]


def _owner(name: str | None):
    return users_named([name], "owner")[0] if name else None


def _steps(steps) -> list[dict[str, str]]:
    return [{"threshold": str(s.threshold), "rate": str(s.rate)} for s in steps]


def _agreement_out(agreement: RebateAgreement) -> dict:
    (row,) = queries.agreement_dues([agreement])
    return {
        "id": agreement.public_id,
        "account_id": agreement.account.public_id,
        "name": agreement.name,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "basis": agreement.basis,
        "steps": agreement.steps,
        "terms": agreement.terms,
        "volume": row.due.volume,
        "rate": row.due.rate,
        "due": row.due.due,
        "accrued": row.accrued,
        "next_threshold": row.due.next_threshold,
        "updated_at": agreement.updated_at,
        "version": agreement.version,
    }


@router.get("/tactics", response=list[TacticOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def tactic_list(request: HttpRequest, account: UUID | None = None):
    rows = AccountTactic.objects.visible_to(request.auth).select_related("account", "owner")
    chosen = account_filter(request, account)
    if chosen is not None:
        rows = rows.filter(account=chosen)
    return rows.prefetch_related("products").order_by("account__name", "kind", "pk")


@router.post("/tactics", response={201: TacticOut})
def tactic_create(request: HttpRequest, payload: TacticIn):
    account = account_or_404(request.auth, payload.account, CHANGE)
    fields = payload.dict(exclude={"account", "kind", "status", "owner", "products"})
    tactic = services.account_tactic_create(
        account=account,
        by=request.auth,
        kind=payload.kind,
        status=payload.status,
        owner=_owner(payload.owner),
        products=_products(payload.products),
        **fields,
    )
    return Status(201, _tactic(request, tactic.public_id))


@router.get("/tactics/{uuid:tactic_id}", response=TacticOut)
def tactic_detail(request: HttpRequest, tactic_id: UUID):
    return _tactic(request, tactic_id)


@router.patch("/tactics/{uuid:tactic_id}", response=TacticOut)
def tactic_update(request: HttpRequest, tactic_id: UUID, payload: TacticPatch):
    tactic = _tactic(request, tactic_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    if "owner" in changes:
        changes["owner"] = _owner(changes["owner"])
    if "products" in changes:
        changes["products"] = _products(changes["products"] or [])
    services.account_tactic_update(
        tactic=tactic, by=request.auth, expected_version=expected, **changes
    )
    return _tactic(request, tactic_id)


@router.delete("/tactics/{uuid:tactic_id}", response={204: None})
def tactic_delete(request: HttpRequest, tactic_id: UUID, version: int | None = None):
    services.account_tactic_delete(
        tactic=_tactic(request, tactic_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.get("/rebate-agreements", response=list[AgreementOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def agreement_list(request: HttpRequest, account: UUID | None = None):
    rows = RebateAgreement.objects.visible_to(request.auth).select_related("account")
    chosen = account_filter(request, account)
    if chosen is not None:
        rows = rows.filter(account=chosen)
    return [_agreement_out(a) for a in rows.order_by("account__name", "-starts_on", "pk")]


@router.post("/rebate-agreements", response={201: AgreementOut})
def agreement_create(request: HttpRequest, payload: AgreementIn):
    account = account_or_404(request.auth, payload.account, CHANGE)
    agreement = services.rebate_agreement_create(
        account=account,
        by=request.auth,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        steps=_steps(payload.steps),
        basis=payload.basis,
        terms=payload.terms,
    )
    return Status(201, _agreement_out(_agreement(request, agreement.public_id)))


@router.get("/rebate-agreements/{uuid:agreement_id}", response=AgreementOut)
def agreement_detail(request: HttpRequest, agreement_id: UUID):
    return _agreement_out(_agreement(request, agreement_id))


@router.patch("/rebate-agreements/{uuid:agreement_id}", response=AgreementOut)
def agreement_update(request: HttpRequest, agreement_id: UUID, payload: AgreementPatch):
    agreement = _agreement(request, agreement_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    if "steps" in changes:
        changes["steps"] = _steps(payload.steps)
    services.rebate_agreement_update(
        agreement=agreement, by=request.auth, expected_version=expected, **changes
    )
    return _agreement_out(_agreement(request, agreement_id))


@router.delete("/rebate-agreements/{uuid:agreement_id}", response={204: None})
def agreement_delete(request: HttpRequest, agreement_id: UUID, version: int | None = None):
    services.rebate_agreement_delete(
        agreement=_agreement(request, agreement_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.get("/accounts/{uuid:account_id}/profit", response=ProfitOut)
def account_profit(request: HttpRequest, account_id: UUID):
    account = account_or_404(request.auth, account_id)
    (p,) = queries.account_profits([account])
    return {
        "account_id": account.public_id,
        "window_starts": p.window[0],
        "window_ends": p.window[1],
        "tier": p.placement.tier.code if p.placement.tier else None,
        "is_key": p.placement.is_key,
        "revenue": p.money.revenue,
        "list_revenue": p.profit.list_revenue,
        "cost_of_goods": p.money.cost_of_goods,
        "discounts": p.money.discounts,
        "rebates": p.money.rebates,
        "tactics_cost": p.money.tactics_cost,
        "cost_to_serve": p.money.cost_to_serve,
        "programme_cost": p.profit.programme_cost,
        "profit_without_programme": p.profit.profit_without,
        "profit_after_programme": p.profit.profit_after,
        "flags": list(p.profit.flags),
    }


@router.get("/accounts/{uuid:account_id}/exit-barriers", response=BarriersOut)
def account_barriers(request: HttpRequest, account_id: UUID):
    account = account_or_404(request.auth, account_id)
    strength, reasons = exit_barrier_strength([account])[account.pk]
    return {"account_id": account.public_id, "strength": strength, "reasons": reasons}


def _contingency_out(account: Account, plan) -> dict:
    return {
        "account_id": account.public_id,
        "plan_id": plan.public_id if plan else None,
        "triggers": plan.contingency_triggers if plan else "",
        "actions": plan.contingency_actions if plan else "",
        "owner": plan.contingency_owner.username if plan and plan.contingency_owner else None,
        "version": plan.version if plan else None,
    }


@router.get("/accounts/{uuid:account_id}/contingency", response=ContingencyOut)
def contingency_detail(request: HttpRequest, account_id: UUID):
    account = account_or_404(request.auth, account_id)
    return _contingency_out(account, queries.current_plan(account))


@router.patch("/accounts/{uuid:account_id}/contingency", response=ContingencyOut)
def contingency_update(request: HttpRequest, account_id: UUID, payload: ContingencyIn):
    """Kept on the account's current plan (the plans app's service): without a plan, 422."""
    from kam.plans.services import plan_update

    account = account_or_404(request.auth, account_id, CHANGE)
    plan = queries.current_plan(account)
    if plan is None:
        raise field_error("plan", _("The account has no plan yet: create its plan first."))
    given = payload.dict(exclude_unset=True)
    expected = expected_version(request, given)
    changes = {f"contingency_{k}": v for k, v in given.items() if k in ("triggers", "actions")}
    if "owner" in given:
        changes["contingency_owner"] = _owner(given["owner"])
    plan_update(plan=plan, by=request.auth, expected_version=expected, **changes)
    return _contingency_out(account, queries.current_plan(account))


def _tier(code: str) -> Tier:
    scheme = TierScheme.objects.filter(active=True).first()
    tier = Tier.objects.filter(scheme=scheme, code=code).first() if scheme else None
    if tier is None:
        from django.http import Http404

        raise Http404
    return tier


@router.get("/tiers", response=list[TierTacticOut])
def tier_tactic_list(request: HttpRequest):
    return list(
        TierTactic.objects.filter(tier__scheme__active=True)
        .select_related("tier")
        .order_by("tier__order", "kind")
    )


@router.put("/tiers/{tier}/{kind}", response=TierTacticOut)
def tier_tactic_set(request: HttpRequest, tier: str, kind: TacticKind, payload: TierTacticIn):
    fields = payload.dict(exclude_unset=True)
    expected = expected_version(request, fields)
    return services.tier_tactic_set(
        tier=_tier(tier), kind=kind, by=request.auth, expected_version=expected, **fields
    )


@router.get("/tiers/profit", response=list[TierProfitOut])
def tier_profit(request: HttpRequest):
    rows = queries.tier_profits(Account.objects.visible_to(request.auth))
    return [
        {
            "tier": r.tier.code if r.tier else None,
            "accounts": r.totals.accounts,
            "unknown": r.totals.unknown,
            "list_revenue": r.totals.list_revenue,
            "programme_cost": r.totals.programme_cost,
            "profit_without_programme": r.totals.profit_without,
            "profit_after_programme": r.totals.profit_after,
        }
        for r in rows
    ]
