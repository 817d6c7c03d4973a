"""The risk API: health, loss probability and its overrides (per account, scoped by
``account_or_404``), scenarios and simulation runs (the programme's: the lead only)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kam.accounts.access import CHANGE, account_or_404
from kam.accounts.models import Account
from kam.api.openapi import answers
from kam.core.jobs import job_check, job_submit
from kam.core.models import Job
from kam.risk import queries, services
from kam.risk.models import RiskSettings, SavedScenario, SimulationRun
from kam.risk.schemas import (
    HealthOut,
    LossOut,
    LossOverrideIn,
    PowerOut,
    RiskSettingsChange,
    RiskSettingsOut,
    SavedScenarioIn,
    SavedScenarioOut,
    ScenarioCompareOut,
    ScenarioCompareQuery,
    ScenarioIn,
    ScenarioOut,
    SimulationIn,
    SimulationOut,
)
from kam.selection.schemas import JobOut

router = Router(tags=["risk"])


def _lead(request: HttpRequest) -> None:
    if not request.auth.is_lead:
        raise PermissionDenied(_("Only the programme lead works on the programme's risk."))


def _override(o) -> dict:
    return {
        "probability": None if o.probability is None else float(o.probability),
        "reason": o.reason,
        "cleared": o.cleared,
        "by": o.created_by.username if o.created_by else None,
        "at": o.created_at,
    }


def _health(account) -> dict:
    risk = queries.account_risk(account=account)
    snap = risk["health"]
    return {
        "account": account.public_id,
        "computed_at": snap.computed_at if snap else None,
        "score": snap.score if snap else None,
        "band": snap.band if snap else "unknown",
        "trend": snap.trend if snap else "unknown",
        "change": snap.change if snap else None,
        "signals": risk["signals"],
        "unknown": risk["unknown"],
        "history": [
            {"computed_at": h.computed_at.isoformat(), "score": h.score, "band": h.band}
            for h in risk["history"]
        ],
    }


@router.get("/accounts/{account_id}/health", response=HealthOut)
def health_detail(request: HttpRequest, account_id: UUID):
    """The account's latest health, each signal in words, and its history."""
    return _health(account_or_404(request.auth, account_id))


@router.post("/accounts/{account_id}/health", response={201: HealthOut})
def health_recompute(request: HttpRequest, account_id: UUID):
    """Recompute the account's health now (a new snapshot)."""
    account = account_or_404(request.auth, account_id, CHANGE)
    services.health_compute(account_ids=[account.pk])
    return Status(201, _health(account))


@router.post("/health", response={201: dict})
def health_recompute_all(request: HttpRequest):
    """Recompute every account's health now (the lead)."""
    _lead(request)
    ids, _result = services.health_compute()
    return Status(201, {"accounts": len(ids)})


def _loss(account) -> dict:
    risk = queries.account_risk(account=account)
    return {
        "account": account.public_id,
        "probability": risk["probability"],
        "model_probability": risk["model_probability"],
        "base_rate": risk["loss"]["base_rate"],
        "inputs": risk["loss"]["inputs"],
        "override": _override(risk["override"]) if risk["override"] else None,
        "history": [_override(o) for o in risk["overrides"]],
    }


@router.get("/accounts/{account_id}/loss", response=LossOut)
def loss_detail(request: HttpRequest, account_id: UUID):
    """The probability of losing the account in 12 months, each input's contribution."""
    return _loss(account_or_404(request.auth, account_id))


@router.post("/accounts/{account_id}/loss/override", response={201: LossOut})
def loss_override(request: HttpRequest, account_id: UUID, body: LossOverrideIn):
    """Set the probability by hand with a reason (the KAM or the lead), or clear it."""
    account = account_or_404(request.auth, account_id)
    if body.clear:
        services.loss_override_clear(account=account, reason=body.reason, by=request.auth)
    else:
        if body.probability is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"probability": _("Enter a probability between 0 and 1.")})
        services.loss_override_set(
            account=account, probability=body.probability, reason=body.reason, by=request.auth
        )
    return Status(201, _loss(account))


@router.post("/scenarios", response=ScenarioOut)
def scenario_run(request: HttpRequest, body: ScenarioIn):
    """A deterministic loss scenario over the programme (the lead): its effect by quarter for
    the next 4 quarters, and the accounts that could replace the lost revenue."""
    _lead(request)
    outcome = services.scenario_run(
        codes=body.accounts,
        groups=body.groups,
        top=body.top,
        share=body.share,
        recovery=body.recovery,
    )
    return services.scenario_result(outcome)


def _saved(scenario: SavedScenario) -> dict:
    return {
        "id": scenario.public_id,
        "name": scenario.name,
        "created_at": scenario.created_at,
        "by": scenario.created_by.username if scenario.created_by else None,
        "params": scenario.params,
        "result": scenario.result,
    }


@router.post("/scenarios/saved", response={201: SavedScenarioOut})
def scenario_save(request: HttpRequest, body: SavedScenarioIn):
    """Run a programme-wide loss scenario and save it under a name (the lead)."""
    _lead(request)
    saved = services.scenario_save(
        name=body.name,
        by=request.auth,
        codes=body.accounts,
        groups=body.groups,
        top=body.top,
        share=body.share,
        recovery=body.recovery,
    )
    return Status(201, _saved(saved))


@router.get("/scenarios/saved", response=list[SavedScenarioOut])
@answers(403)
def scenario_saved_list(request: HttpRequest):
    """The saved scenarios, newest first (the lead)."""
    _lead(request)
    return [_saved(s) for s in SavedScenario.objects.select_related("created_by")[:200]]


@router.get("/scenarios/compare", response=ScenarioCompareOut)
@answers(403)
def scenario_compare(request: HttpRequest, query: Query[ScenarioCompareQuery]):
    """Two to four saved scenarios side by side, quarter by quarter (the lead)."""
    _lead(request)
    chosen = services.scenarios_compare(ids=query.ids, by=request.auth)
    return {
        "scenarios": [_saved(s) for s in chosen],
        "rows": [
            {"quarter": r["quarter"], "measure": r["measure"], "values": r["values"]}
            for r in services.comparison_rows(chosen)
        ],
    }


@router.get("/scenarios/saved/{scenario_id}", response=SavedScenarioOut)
@answers(403)
def scenario_saved_detail(request: HttpRequest, scenario_id: UUID):
    _lead(request)
    return _saved(get_object_or_404(SavedScenario, public_id=scenario_id))


@router.delete("/scenarios/saved/{scenario_id}", response={204: None})
@answers(403)
def scenario_saved_delete(request: HttpRequest, scenario_id: UUID):
    _lead(request)
    services.scenario_delete(
        scenario=get_object_or_404(SavedScenario, public_id=scenario_id), by=request.auth
    )
    return Status(204, None)


@router.get("/power", response=list[PowerOut])
def power_list(request: HttpRequest):
    """Balance of power per key account you can see, over the last 8 quarters: its share of
    our sales against our share of its wallet (unknown wallet: null, never 0)."""
    data = queries.balance_of_power(accounts=Account.objects.visible_to(request.auth))
    return [
        {
            "account": r["account"].public_id,
            "code": r["account"].code,
            "name": r["account"].name,
            "quarters": [
                {"quarter": q, "sales_share_pct": sales, "wallet_share_pct": wallet}
                for q, (sales, wallet) in zip(data["quarters"], r["history"], strict=True)
            ],
            **r["movement"],
            "backdated": r["backdated"],
        }
        for r in data["rows"]
    ]


@router.post("/simulations", response={202: JobOut})
def simulation_start(request: HttpRequest, body: SimulationIn):
    """Simulate the programme's losses in the background (the lead); poll the job."""
    _lead(request)
    job = job_submit(
        kind="simulate", params={"scenarios": body.scenarios, "seed": body.seed}, by=request.auth
    )
    return Status(202, job)


@router.get("/simulations", response=list[SimulationOut])
@answers(403)
def simulation_list(request: HttpRequest):
    _lead(request)
    return queries.simulation_runs()


@router.get("/simulations/{run_id}", response=SimulationOut)
@answers(403)
def simulation_detail(request: HttpRequest, run_id: UUID):
    _lead(request)
    return get_object_or_404(SimulationRun, public_id=run_id)


@router.get("/jobs/{job_id}", response=JobOut)
def job_detail(request: HttpRequest, job_id: UUID):
    job = Job.objects.filter(public_id=job_id, created_by=request.auth).first()
    if job is None:
        raise Http404
    return job_check(job)


def _settings_out(settings: RiskSettings) -> dict:
    values = services.settings_values(settings)
    values["fixed_costs"] = float(values["fixed_costs"])
    return {"version": settings.version, "values": values}


@router.get("/settings", response=RiskSettingsOut)
@answers(403)
def settings_detail(request: HttpRequest):
    """The programme's risk settings (the lead)."""
    _lead(request)
    return _settings_out(RiskSettings.current())


@router.post("/settings", response=RiskSettingsOut)
def settings_change(request: HttpRequest, body: RiskSettingsChange):
    """Change the risk settings (the lead); a bad value is refused naming its field."""
    _lead(request)
    return _settings_out(
        services.settings_update(by=request.auth, changes=body.values, version=body.version)
    )
