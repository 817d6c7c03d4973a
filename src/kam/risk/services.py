"""Writes of risk: health snapshots, loss probability overrides, simulation runs; and the
portfolio a scenario or a simulation works on."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import audit_create
from kam.accounts.models import Account
from kam.risk import health as pure_health
from kam.risk import queries
from kam.risk import scenarios as pure_scenarios
from kam.risk import simulation as pure_simulation
from kam.risk.models import (
    CorrelateBy,
    HealthSnapshot,
    LossOverride,
    RiskSettings,
    SavedScenario,
    SimulationRun,
)
from kam.selection.models import AccountScore

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


def health_compute(
    *, today: date | None = None, account_ids: list[int] | None = None, store: bool = True
) -> tuple[np.ndarray, pure_health.HealthResult]:
    """Every account's health now (or of ``account_ids``), stored as one snapshot each."""
    today = today or timezone.localdate()
    inputs = queries.health_inputs(today=today, account_ids=account_ids)
    signals, bands = queries.health_settings()
    result = pure_health.compute_health(
        inputs.values, signals=signals, bands=bands, previous=inputs.previous
    )
    if store and len(inputs.account_ids):
        now = timezone.now()
        snapshots = []
        for i, account_id in enumerate(inputs.account_ids.tolist()):
            one = result.account(i)
            snapshots.append(
                HealthSnapshot(
                    account_id=account_id,
                    computed_at=now,
                    score=one.score,
                    band=one.band.value,
                    change=one.change,
                    trend=one.trend.value,
                    signals=[
                        {
                            "key": p.key,
                            "value": p.value,
                            "points": p.points,
                            "weight_pct": p.weight_pct,
                            "contribution": p.contribution,
                        }
                        for p in one.parts
                    ],
                )
            )
        with transaction.atomic():
            HealthSnapshot.objects.bulk_create(snapshots, batch_size=500)
    return inputs.account_ids, result


def health_after_scoring(sender, run, **kwargs) -> None:
    """Recompute every account's health after a scoring run (kam.selection.signals); a
    failure is logged and does not undo the run."""
    try:
        health_compute(today=run.as_of)
    except Exception:  # the run's scores are stored; health is recomputed on demand
        log.exception("health after scoring run %s failed", run.pk)


def _probability(value) -> Decimal:
    try:
        p = Decimal(str(value))
    except (InvalidOperation, ValueError) as bad:
        raise ValidationError({"probability": _("Enter a probability between 0 and 1.")}) from bad
    if not p.is_finite() or not 0 <= p <= 1:
        raise ValidationError({"probability": _("Enter a probability between 0 and 1.")})
    if p != p.quantize(Decimal("0.0001")):
        raise ValidationError({"probability": _("A probability has at most four decimal places.")})
    return p


def _may_override(by, account: Account) -> None:
    """The account's KAM and the lead set its probability by hand (never a mentor)."""
    require(by, CHANGE, account)
    if not (getattr(by, "is_lead", False) or account.owner_id == getattr(by, "pk", None)):
        raise PermissionDenied(
            _("Only the account's KAM and the programme lead set its loss probability.")
        )


@transaction.atomic
def loss_override_set(*, account: Account, probability, reason: str, by) -> LossOverride:
    """Set the account's probability of loss by hand, with the reason; audited, kept."""
    _may_override(by, account)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the probability is set by hand.")})
    override = LossOverride(
        account=account, probability=_probability(probability), reason=reason, created_by=by
    )
    override.full_clean()
    override.save()
    audit_create(by=by, obj=override, account=account, fields=("probability", "reason"))
    return override


@transaction.atomic
def loss_override_clear(*, account: Account, reason: str, by) -> LossOverride:
    """Go back to the model's probability; the clearing is kept in the history too."""
    _may_override(by, account)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the probability is set by hand.")})
    override = LossOverride.objects.create(
        account=account, probability=None, reason=reason, cleared=True, created_by=by
    )
    audit_create(by=by, obj=override, account=account, fields=("reason", "cleared"))
    return override


@dataclass(frozen=True)
class PortfolioData:
    account_ids: np.ndarray
    codes: list[str]
    names: list[str]
    portfolio: pure_scenarios.Portfolio
    wallet: np.ndarray
    growth_pct: np.ndarray
    industry: list[str]
    country: list[str]


def portfolio_data() -> PortfolioData:
    """The last 12 months of every account from the latest scoring run: revenue, gross margin
    (an unknown margin taken at the portfolio's average) and contribution (its profit after
    discounts and cost to serve; the margin where unknown)."""
    latest, _ = queries.latest_runs()
    accounts = list(
        Account.objects.order_by("pk").values_list(
            "pk", "code", "name", "parent_id", "industry", "country"
        )
    )
    ids = np.array([a[0] for a in accounts], dtype=np.int64)
    rows = []
    if latest is not None:
        rows = list(
            AccountScore.objects.filter(run=latest).values_list(
                "account_id",
                "revenue",
                "margin_pct",
                "profit",
                "share_of_wallet_pct",
                "yoy_growth_pct",
            )
        )
    revenue = _column(ids, rows, 1, 0.0)
    margin_pct = _column(ids, rows, 2, np.nan)
    known = ~np.isnan(margin_pct) & (revenue > 0)
    average = (
        float((revenue[known] * margin_pct[known]).sum() / revenue[known].sum())
        if known.any() and revenue[known].sum() > 0
        else 0.0
    )
    margin = revenue * np.where(np.isnan(margin_pct), average, margin_pct) / 100.0
    profit = _column(ids, rows, 3, np.nan)
    contribution = np.where(np.isnan(profit), margin, profit)
    share = _column(ids, rows, 4, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        wallet = np.where(share > 0, revenue / share * 100.0, np.nan)
    position = {a[0]: i for i, a in enumerate(accounts)}
    parent = [position.get(a[3]) for a in accounts]
    return PortfolioData(
        account_ids=ids,
        codes=[a[1] for a in accounts],
        names=[a[2] for a in accounts],
        portfolio=pure_scenarios.Portfolio.of(
            revenue=revenue,
            margin=margin,
            contribution=contribution,
            group=pure_scenarios.group_of(parent),
        ),
        wallet=wallet,
        growth_pct=_column(ids, rows, 5, np.nan),
        industry=[a[4] for a in accounts],
        country=[str(a[5]) for a in accounts],
    )


def _column(ids: np.ndarray, rows, index: int, default: float) -> np.ndarray:
    out = np.full(len(ids), default)
    at = {int(a): i for i, a in enumerate(ids.tolist())}
    for row in rows:
        if row[0] in at and row[index] is not None:
            out[at[row[0]]] = float(row[index])
    return out


def simulation_execute(
    *, scenarios: int, seed: int, by=None, progress: Progress | None = None
) -> SimulationRun:
    """Simulate the programme's losses with the loss probabilities and the settings' correlation;
    stores and returns the run."""
    settings = RiskSettings.current()
    data = portfolio_data()
    loss = queries.loss_inputs()
    at = {int(a): i for i, a in enumerate(loss.account_ids.tolist())}
    probability = loss.probability()[[at[int(a)] for a in data.account_ids.tolist()]]
    if settings.correlate_by == CorrelateBy.GROUP:
        cluster = data.portfolio.group
    else:
        labels = data.industry if settings.correlate_by == CorrelateBy.INDUSTRY else data.country
        cluster = np.unique(np.array(labels, dtype=object).astype(str), return_inverse=True)[1]
    result = pure_simulation.simulate(
        probability=probability,
        revenue=data.portfolio.revenue,
        margin=data.portfolio.margin,
        cluster=cluster,
        rho=settings.correlation,
        scenarios=scenarios,
        seed=seed,
        progress=progress,
    )
    edges, counts = result.histogram()
    order = np.argsort(-result.tail_contribution, kind="stable")[:15]
    tail_total = float(result.tail_contribution.sum()) or 1.0
    contributors = [
        {
            "account_id": int(data.account_ids[i]),
            "code": data.codes[i],
            "name": data.names[i],
            "probability": float(probability[i]),
            "probability_pct": float(probability[i] * 100),
            "revenue": float(data.portfolio.revenue[i]),
            "tail_loss": float(result.tail_contribution[i]),
            "tail_share_pct": float(result.tail_contribution[i] / tail_total * 100),
        }
        for i in order
        if result.tail_contribution[i] > 0
    ]
    return SimulationRun.objects.create(
        created_by=by,
        scenarios=scenarios,
        seed=seed,
        correlation=settings.correlation,
        correlate_by=settings.correlate_by,
        accounts=len(data.account_ids),
        total_revenue=float(data.portfolio.revenue.sum()),
        result={
            "percentiles": result.percentiles,
            "margin_percentiles": result.margin_percentiles,
            "expected_loss": result.expected_loss,
            "expected_margin_loss": result.expected_margin_loss,
            "histogram": {"edges": edges, "counts": counts},
            "contributors": contributors,
            "tail_complete": result.tail_complete,
        },
    )


@dataclass(frozen=True)
class ScenarioOutcome:
    data: PortfolioData
    effect: pure_scenarios.ScenarioEffect
    lost: list[int]  # positions of the accounts (partly) lost
    replacement: pure_scenarios.ReplacementPlan


def scenario_run(
    *,
    codes: list[str] = (),
    groups: list[str] = (),
    top: int | None = None,
    share: float | None = None,
    recovery: float = 0.0,
    fixed_costs: float | None = None,
) -> ScenarioOutcome:
    """A deterministic loss scenario over the whole programme: accounts by code, whole groups
    (by any member's code), the top N groups, and ``share`` (0-1) of the volume of the
    accounts named in ``codes`` instead of all of it. Unknown codes are refused by name."""
    data = portfolio_data()
    position = {code: i for i, code in enumerate(data.codes)}
    unknown = [c for c in [*codes, *groups] if c not in position]
    if unknown:
        raise ValidationError(
            {"accounts": _("Unknown account codes: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    if share is not None and not 0 < share <= 1:
        raise ValidationError(
            {"share": _("The share of volume lost must be above 0 and at most 1.")}
        )
    if not 0 <= recovery <= 1:
        raise ValidationError({"recovery": _("The recovery must be between 0 and 1.")})
    if top is not None and top < 1:
        raise ValidationError({"top": _("Top N needs N of at least 1.")})
    if not (codes or groups or top):
        raise ValidationError({"accounts": _("Name at least one account, group or top N.")})
    portfolio = data.portfolio
    named = [position[c] for c in codes]
    whole = [] if share is not None else named
    partial = {i: share for i in named} if share is not None else {}
    chosen = list(whole) + (pure_scenarios.top(portfolio, top) if top else [])
    lost = pure_scenarios.losses(
        portfolio.n,
        accounts=chosen,
        groups=[position[c] for c in groups],
        shares=partial,
        group=portfolio.group,
    )
    fixed = float(RiskSettings.current().fixed_costs) if fixed_costs is None else fixed_costs
    effect = pure_scenarios.scenario_effect(portfolio, lost, fixed_costs=fixed, recovery=recovery)
    replacement = pure_scenarios.replacements(
        revenue=portfolio.revenue,
        wallet=data.wallet,
        growth_pct=data.growth_pct,
        lost=lost,
        revenue_lost=effect.revenue_lost,
    )
    return ScenarioOutcome(
        data=data,
        effect=effect,
        lost=[int(i) for i in np.flatnonzero(lost)],
        replacement=replacement,
    )


def scenario_result(outcome: ScenarioOutcome) -> dict:
    """A scenario's outcome as plain data (what the API answers and a saved scenario keeps)."""
    data, effect = outcome.data, outcome.effect
    return {
        "revenue_lost": effect.revenue_lost,
        "margin_lost": effect.margin_lost,
        "contribution_lost": effect.contribution_lost,
        "revenue_lost_pct": effect.revenue_lost_pct,
        "quarters": [dict(q.__dict__) for q in effect.quarters],
        "lost": [
            {
                "code": data.codes[i],
                "name": data.names[i],
                "share": float(effect.lost[i]),
                "revenue": float(data.portfolio.revenue[i]),
            }
            for i in outcome.lost
        ],
        "replacements": [
            {
                "code": data.codes[r.account],
                "name": data.names[r.account],
                "headroom": r.headroom,
                "growth": r.growth,
            }
            for r in outcome.replacement.candidates
        ],
        "years_to_replace": outcome.replacement.years,
    }


def _lead_only(by) -> None:
    if not getattr(by, "is_lead", False):
        raise PermissionDenied(_("Only the programme lead works on the programme's risk."))


@transaction.atomic
def scenario_save(
    *,
    name: str,
    by,
    codes: list[str] = (),
    groups: list[str] = (),
    top: int | None = None,
    share: float | None = None,
    recovery: float = 0.0,
) -> SavedScenario:
    """Run a programme-wide scenario and keep it under ``name`` (the lead only); a name
    already used or empty is refused by name, nothing saved."""
    _lead_only(by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the scenario a name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("A scenario's name has at most 120 characters.")})
    if SavedScenario.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A scenario named %(name)s is already saved.") % {"name": name}}
        )
    outcome = scenario_run(codes=codes, groups=groups, top=top, share=share, recovery=recovery)
    params = {
        "accounts": list(codes),
        "groups": list(groups),
        "top": top,
        "share": share,
        "recovery": recovery,
        "fixed_costs": float(RiskSettings.current().fixed_costs),
    }
    return SavedScenario.objects.create(
        name=name, created_by=by, params=params, result=scenario_result(outcome)
    )


def scenario_delete(*, scenario: SavedScenario, by) -> None:
    _lead_only(by)
    scenario.delete()


def scenarios_compare(*, ids: list, by) -> list[SavedScenario]:
    """Two to four saved scenarios, in the order asked (the lead only)."""
    _lead_only(by)
    try:
        wanted = list(dict.fromkeys(str(uuid.UUID(str(i))) for i in ids))
    except ValueError as bad:
        raise ValidationError({"ids": _("Unknown saved scenario.")}) from bad
    if not 2 <= len(wanted) <= 4:
        raise ValidationError({"ids": _("Choose two to four saved scenarios to compare.")})
    found = {str(s.public_id): s for s in SavedScenario.objects.filter(public_id__in=wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError({"ids": _("Unknown saved scenario.")})
    return [found[i] for i in wanted]


def comparison_rows(scenarios: list[SavedScenario]) -> list[dict]:
    """Quarter by quarter, each scenario's revenue, margin, contribution and result after the
    loss (one row per quarter and measure, one value per scenario)."""
    measures = (
        ("revenue_after", _("Revenue after the loss")),
        ("margin_after", _("Gross margin after the loss")),
        ("contribution_after", _("Contribution after the loss")),
        ("result_after", _("Result after fixed costs")),
    )
    count = max((len(s.result.get("quarters", [])) for s in scenarios), default=0)
    rows = []
    for q in range(count):
        for key, label in measures:
            values = []
            for s in scenarios:
                quarters = s.result.get("quarters", [])
                values.append(quarters[q][key] if q < len(quarters) else None)
            rows.append({"quarter": q + 1, "measure": key, "label": label, "values": values})
    return rows


def settings_fields() -> dict[str, tuple]:
    """The flat fields of the risk settings, as the page and the API name them:
    ``weight_<signal>`` per health signal, ``coef_<input>`` per loss model input."""
    from kam.risk import loss as pure_loss

    fields: dict[str, tuple] = {
        "watch_below": ("float", 0.0, 100.0),
        "at_risk_below": ("float", 0.0, 100.0),
        "base_rate": ("float", 0.001, 0.999),
        "correlation": ("float", 0.0, 0.95),
        "correlate_by": ("choice", None, None),
        "fixed_costs": ("money", 0, None),
        "contingency_above": ("float", 0.0, 1.0),
    }
    for signal in pure_health.SIGNALS:
        fields[f"weight_{signal.key}"] = ("float", 0.0, 1000.0)
    for item in pure_loss.DEFAULT_MODEL.inputs:
        fields[f"coef_{item.key}"] = ("float", -1.0, 1.0)
    return fields


def settings_values(settings: RiskSettings | None = None) -> dict:
    """The settings as flat values (defaults filled in)."""
    from kam.risk import loss as pure_loss

    settings = settings or RiskSettings.current()
    values = {
        "watch_below": settings.watch_below,
        "at_risk_below": settings.at_risk_below,
        "base_rate": settings.base_rate,
        "correlation": settings.correlation,
        "correlate_by": settings.correlate_by,
        "fixed_costs": settings.fixed_costs,
        "contingency_above": settings.contingency_above,
    }
    weights = settings.weights or {}
    for signal in pure_health.SIGNALS:
        values[f"weight_{signal.key}"] = float(weights.get(signal.key, signal.weight))
    coefficients = settings.loss_coefficients or {}
    for item in pure_loss.DEFAULT_MODEL.inputs:
        values[f"coef_{item.key}"] = float(coefficients.get(item.key, item.coefficient))
    return values


def settings_update(*, by, changes: dict, version: int | None = None) -> RiskSettings:
    """Change the risk settings (the lead only): each bad value refused naming its field,
    nothing saved then; a stale version refused (409); the change audited."""
    import math

    from kam.accounts.audit import apply_update

    _lead_only(by)
    fields = settings_fields()
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise ValidationError({unknown[0]: _("Unknown setting.")})
    merged = {**settings_values(), **changes}
    problems: dict[str, str] = {}
    for name, (kind, low, high) in fields.items():
        value = merged[name]
        if kind == "choice":
            if value not in CorrelateBy.values:
                problems[name] = _("Choose one of the listed ways accounts move together.")
            continue
        try:
            number = Decimal(str(value)) if kind == "money" else float(value)
        except (TypeError, ValueError, InvalidOperation):
            problems[name] = _("Enter a number.")
            continue
        if kind == "money":
            if not number.is_finite() or number < 0:
                problems[name] = _("Enter an amount of 0 or more.")
            elif number != number.quantize(Decimal("0.01")):
                problems[name] = _("An amount has at most two decimal places.")
            merged[name] = number
            continue
        if not math.isfinite(number) or not low <= number <= high:
            problems[name] = _("Enter a number between %(low)s and %(high)s.") % {
                "low": low,
                "high": high,
            }
        merged[name] = number
    if (
        "watch_below" not in problems
        and "at_risk_below" not in problems
        and merged["at_risk_below"] >= merged["watch_below"]
    ):
        problems["at_risk_below"] = _(
            "The “at risk” threshold must be below the “watch” threshold."
        )
    weight_names = [n for n in fields if n.startswith("weight_")]
    if not any(n in problems for n in weight_names) and not any(
        merged[n] > 0 for n in weight_names
    ):
        problems[weight_names[0]] = _("At least one health signal needs a weight above 0.")
    if problems:
        raise ValidationError(problems)
    current = RiskSettings.current()
    plain = {n: merged[n] for n in fields if not n.startswith(("weight_", "coef_"))}
    plain["weights"] = {n.removeprefix("weight_"): merged[n] for n in weight_names}
    plain["loss_coefficients"] = {
        n.removeprefix("coef_"): merged[n] for n in fields if n.startswith("coef_")
    }
    with transaction.atomic():
        fresh, _changed = apply_update(
            current,
            by=by,
            changes=plain,
            allowed=list(plain),
            account=None,
            expected_version=version,
        )
    return fresh
