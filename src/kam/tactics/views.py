"""Pages of the tactics: one account's tactics, rebates, profit, exit barriers and
contingency; the tiers' tactics and profit; key accounts without a contingency plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.access import CHANGE, account_or_404, can
from kam.accounts.models import Account
from kam.core.versions import EditConflict
from kam.ledger.models import Product
from kam.plans.services import plan_update, team_members
from kam.selection.models import Tier, TierScheme
from kam.tactics import queries, services
from kam.tactics.barriers import exit_barrier_strength
from kam.tactics.forms import (
    AgreementForm,
    ContingencyForm,
    TacticForm,
    TierTacticForm,
    steps_text,
)
from kam.tactics.models import (
    AccountTactic,
    RebateAgreement,
    TacticKind,
    TacticStatus,
    TierTactic,
)


def flag_words() -> dict[str, str]:
    return {
        "costs_more_than_protects": _(
            "The programme costs more than the margin it protects: it gives away more than the "
            "account still leaves as profit."
        ),
        "rebates_eat_margin": _("Rebates take half or more of the account's gross margin."),
        "loss_making": _("The account makes a loss after the programme."),
    }


def _errors_to_form(form, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))


def _account_page(request, account: Account, *, status: int = 200, **forms) -> HttpResponse:
    tactics = queries.effective_tactics([account.pk])[account.pk]
    (profit,) = queries.account_profits([account])
    strength, reasons = exit_barrier_strength([account])[account.pk]
    agreements = queries.agreement_dues(account.rebate_agreements.all())
    plan = queries.current_plan(account)
    writable = can(request.user, CHANGE, account)
    team = team_members(account)
    products = {
        t.kind: ", ".join(p.code for p in t.record.products.all())
        for t in tactics.values()
        if t.record is not None
    }
    edit_forms = {
        kind: TacticForm(
            initial={
                "kind": kind,
                "status": t.status or "in_place",
                "since": t.since,
                "owner": t.record.owner_id if t.record else None,
                "yearly_cost": t.yearly_cost,
                "terms": t.terms,
                "people": t.record.people if t.record else None,
                "hours_per_month": t.record.hours_per_month if t.record else None,
                "products": products.get(kind, ""),
                "goal": t.record.goal if t.record else "",
                "version": t.record.version if t.record else None,
            },
            users=team,
            prefix=kind,
        )
        for kind, t in tactics.items()
    }
    if "tactic_form" in forms:
        edit_forms[forms["tactic_form"].prefix] = forms["tactic_form"]
    agreement_forms = [
        (
            row,
            AgreementForm(
                initial={
                    "agreement": row.agreement.public_id,
                    "name": row.agreement.name,
                    "starts_on": row.agreement.starts_on,
                    "ends_on": row.agreement.ends_on,
                    "basis": row.agreement.basis,
                    "steps": steps_text(row.agreement.steps),
                    "terms": row.agreement.terms,
                    "version": row.agreement.version,
                },
                prefix=f"a{row.agreement.pk}",
            ),
        )
        for row in agreements
    ]
    contingency_form = forms.get("contingency_form") or (
        ContingencyForm(
            initial={
                "triggers": plan.contingency_triggers,
                "actions": plan.contingency_actions,
                "owner": plan.contingency_owner_id,
                "version": plan.version,
            },
            users=team,
        )
        if plan
        else None
    )
    context = {
        "account": account,
        "tactics": [(t, edit_forms[k]) for k, t in tactics.items()],
        "profit": profit,
        "flags": [flag_words()[f] for f in profit.profit.flags],
        "strength": strength,
        "reasons": reasons,
        "agreements": agreement_forms,
        "new_agreement": forms.get("agreement_form") or AgreementForm(prefix="new"),
        "plan": plan,
        "contingency_form": contingency_form,
        "writable": writable,
    }
    return render(request, "tactics/account.html", context, status=status)


def account_tactics(request: HttpRequest, public_id) -> HttpResponse:
    return _account_page(request, account_or_404(request.user, public_id))


@require_POST
def tactic_save(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id, CHANGE)
    kind = request.POST.get("kind_prefix", "")
    if kind not in TacticKind.values:
        kind = "contact"
    form = TacticForm(request.POST, users=team_members(account), prefix=kind)
    if not form.is_valid():
        return _account_page(request, account, status=422, tactic_form=form)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    data.pop("kind")
    codes = data.pop("products")
    found = {p.code: p for p in Product.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        form.add_error("products", _("Unknown products: %(codes)s") % {"codes": ", ".join(missing)})
        return _account_page(request, account, status=422, tactic_form=form)
    data["products"] = [found[c] for c in codes]
    existing = AccountTactic.objects.filter(account=account, kind=kind).first()
    try:
        if request.POST.get("delete"):
            if existing is None:
                form.add_error(None, _("This tactic is not recorded for the account."))
                return _account_page(request, account, status=404, tactic_form=form)
            services.account_tactic_delete(
                tactic=existing, by=request.user, expected_version=version
            )
            messages.success(request, _("Tactic deleted."))
            return redirect("tactics:account", public_id=account.public_id)
        if existing is None:
            status = data.pop("status")
            services.account_tactic_create(
                account=account, by=request.user, kind=kind, status=status, **data
            )
        else:
            services.account_tactic_update(
                tactic=existing, by=request.user, expected_version=version, **data
            )
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
        return _account_page(request, account, status=409, tactic_form=form)
    except ValidationError as error:
        _errors_to_form(form, error)
        return _account_page(request, account, status=422, tactic_form=form)
    messages.success(request, _("Tactic saved."))
    return redirect("tactics:account", public_id=account.public_id)


@require_POST
def agreement_save(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id, CHANGE)
    prefix = request.POST.get("form_prefix", "new")
    form = AgreementForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _account_page(request, account, status=422, agreement_form=form)
    data = dict(form.cleaned_data)
    agreement_id = data.pop("agreement")
    version = data.pop("version")
    try:
        if request.POST.get("delete") and agreement_id:
            agreement = RebateAgreement.objects.get(account=account, public_id=agreement_id)
            services.rebate_agreement_delete(
                agreement=agreement, by=request.user, expected_version=version
            )
        elif agreement_id:
            agreement = RebateAgreement.objects.get(account=account, public_id=agreement_id)
            services.rebate_agreement_update(
                agreement=agreement, by=request.user, expected_version=version, **data
            )
        else:
            services.rebate_agreement_create(account=account, by=request.user, **data)
    except RebateAgreement.DoesNotExist:
        form.add_error(None, _("This agreement no longer exists."))
        return _account_page(request, account, status=404, agreement_form=form)
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
        return _account_page(request, account, status=409, agreement_form=form)
    except ValidationError as error:
        _errors_to_form(form, error)
        return _account_page(request, account, status=422, agreement_form=form)
    messages.success(request, _("Rebate agreement saved."))
    return redirect("tactics:account", public_id=account.public_id)


@require_POST
def contingency_save(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id, CHANGE)
    plan = queries.current_plan(account)
    form = ContingencyForm(request.POST, users=team_members(account))
    if plan is None or not form.is_valid():
        if plan is None:
            form.add_error(None, _("The account has no plan yet: create its plan first."))
        return _account_page(request, account, status=422, contingency_form=form)
    data = form.cleaned_data
    try:
        plan_update(
            plan=plan,
            by=request.user,
            expected_version=data["version"],
            contingency_triggers=data["triggers"],
            contingency_actions=data["actions"],
            contingency_owner=data["owner"],
        )
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
        return _account_page(request, account, status=409, contingency_form=form)
    except ValidationError as error:
        _errors_to_form(form, error)
        return _account_page(request, account, status=422, contingency_form=form)
    messages.success(request, _("Contingency plan saved."))
    return redirect("tactics:account", public_id=account.public_id)


def _tiers_page(request, *, status: int = 200, form=None) -> HttpResponse:
    scheme = TierScheme.objects.filter(active=True).first()
    tiers = list(scheme.tiers.all()) if scheme else []
    defaults = {(t.tier_id, t.kind): t for t in TierTactic.objects.filter(tier__in=tiers)}
    rows = []
    for tier in tiers:
        cells = []
        for kind in TacticKind:
            t = defaults.get((tier.pk, kind.value))
            cells.append(
                (
                    kind,
                    t,
                    TierTacticForm(
                        initial={
                            "tier": tier.pk,
                            "kind": kind.value,
                            "status": t.status if t else "in_place",
                            "yearly_cost": t.yearly_cost if t else None,
                            "terms": t.terms if t else "",
                            "version": t.version if t else None,
                        },
                        prefix=f"t{tier.pk}-{kind.value}",
                    ),
                )
            )
        rows.append((tier, cells))
    profits = queries.tier_profits(Account.objects.visible_to(request.user))
    context = {
        "scheme": scheme,
        "rows": rows,
        "profits": profits,
        "is_lead": request.user.is_lead,
        "form": form,
    }
    return render(request, "tactics/tiers.html", context, status=status)


def tiers(request: HttpRequest) -> HttpResponse:
    return _tiers_page(request)


@require_POST
def tier_tactic_save(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied(_("Only the programme lead sets the tiers' tactics."))
    form = TierTacticForm(request.POST, prefix=request.POST.get("form_prefix", ""))
    if not form.is_valid():
        return _tiers_page(request, status=422, form=form)
    data = dict(form.cleaned_data)
    tier = Tier.objects.filter(pk=data.pop("tier"), scheme__active=True).first()
    if tier is None:
        form.add_error(None, _("This tier is not in the active scheme."))
        return _tiers_page(request, status=422, form=form)
    version = data.pop("version")
    kind = data.pop("kind")
    try:
        services.tier_tactic_set(
            tier=tier, kind=kind, by=request.user, expected_version=version, **data
        )
    except (EditConflict, ValidationError) as error:
        _errors_to_form(form, error)
        return _tiers_page(
            request, status=409 if isinstance(error, EditConflict) else 422, form=form
        )
    messages.success(request, _("Tier tactic saved."))
    return redirect("tactics:tiers")


def contingency_missing(request: HttpRequest) -> HttpResponse:
    """Key accounts without a contingency plan; ``?above=1``: only those above the risk
    threshold (kam.risk), which are flagged either way."""
    from kam.risk.models import RiskSettings
    from kam.risk.queries import above_risk_threshold

    accounts = queries.key_accounts_without_contingency(Account.objects.visible_to(request.user))
    risky = above_risk_threshold([a.pk for a in accounts])
    only_above = request.GET.get("above") == "1"
    rows = [
        {"account": a, "risk": risky.get(a.pk)} for a in accounts if not only_above or a.pk in risky
    ]
    rows.sort(key=lambda r: (r["risk"] is None, -(r["risk"] or {}).get("probability_pct", 0)))
    return render(
        request,
        "tactics/contingency.html",
        {
            "rows": rows,
            "only_above": only_above,
            "flagged": sum(1 for a in accounts if a.pk in risky),
            "threshold_pct": RiskSettings.current().contingency_above * 100,
        },
    )


def tactics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Each key account in sight with its seven tactics, their cost, its exit barriers and its
    profit after the programme, as CSV or XLSX (an unknown cost or profit: empty)."""
    from kam.risk import exports

    accounts = list(Account.objects.visible_to(request.user).order_by("name", "pk"))
    where = queries.placements([a.pk for a in accounts])
    keys = [a for a in accounts if where.get(a.pk) and where[a.pk].is_key]
    tactics = queries.effective_tactics([a.pk for a in keys])
    barriers = exit_barrier_strength(keys)
    words = flag_words()
    statuses = dict(TacticStatus.choices)
    header = [_("Customer number"), _("Account"), _("Tier")]
    header += [str(label) for label in TacticKind.labels]
    header += [
        _("Tactics' yearly cost"),
        _("Programme cost"),
        _("Profit without the programme"),
        _("Profit after the programme"),
        _("Exit barriers (0-100)"),
        _("Flags"),
    ]
    rows = []
    for p in queries.account_profits(keys):
        account = p.account
        own = tactics[account.pk]
        row = [account.code, account.name, p.placement.tier.name if p.placement.tier else ""]
        row += [str(statuses.get(own[k.value].status, "")) for k in TacticKind]
        row += [
            queries.tactics_cost(own),
            p.profit.programme_cost,
            p.profit.profit_without,
            p.profit.profit_after,
            barriers[account.pk][0],
            " | ".join(str(words[f]) for f in p.profit.flags),
        ]
        rows.append(row)
    return exports.response(fmt, filename="tactics", title=_("Tactics"), header=header, rows=rows)
