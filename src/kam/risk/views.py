"""Pages of risk: the programme's risk, the account's risk panel (included on the account
page), the loss probability override form, scenarios and simulation jobs."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kam.accounts.access import CHANGE, account_or_404, can
from kam.accounts.models import Account
from kam.core.jobs import job_check, job_submit
from kam.core.models import Job
from kam.risk import explain, queries, services
from kam.risk import scenarios as pure_scenarios
from kam.risk.chart import loss_chart
from kam.risk.models import RiskSettings, SavedScenario, SimulationRun


class OverrideForm(forms.Form):
    probability = forms.DecimalField(
        label=gettext_lazy("Probability of loss in 12 months (0-1)"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        max_digits=5,
        decimal_places=4,
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    clear = forms.BooleanField(label=gettext_lazy("Go back to the model"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("clear") and data.get("probability") is None and not self.errors:
            self.add_error("probability", _("Enter a probability between 0 and 1."))
        return data


class ScenarioForm(forms.Form):
    accounts = forms.CharField(
        label=gettext_lazy("Lose these accounts (codes)"), required=False, max_length=5000
    )
    groups = forms.CharField(
        label=gettext_lazy("Lose these whole groups (a member's code)"),
        required=False,
        max_length=5000,
    )
    top = forms.IntegerField(
        label=gettext_lazy("Lose the top N groups"), min_value=1, max_value=1000, required=False
    )
    share = forms.DecimalField(
        label=gettext_lazy("Share of the named accounts' volume lost (0-1)"),
        min_value=Decimal("0.0001"),
        max_value=Decimal("1"),
        required=False,
    )
    recovery = forms.DecimalField(
        label=gettext_lazy("Share of the lost revenue won back within a year (0-1)"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        required=False,
    )


class SaveScenarioForm(ScenarioForm):
    name = forms.CharField(label=gettext_lazy("Save this scenario as"), max_length=120)


class SimulationForm(forms.Form):
    scenarios = forms.IntegerField(
        label=gettext_lazy("Scenarios"), min_value=100, max_value=1_000_000, initial=10_000
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed"), min_value=0, max_value=2**32 - 1, required=False
    )


def _codes(text: str) -> list[str]:
    return [c for c in text.replace(",", " ").split() if c]


def _risk_rows(request: HttpRequest):
    """Every account in sight with its revenue, health and probability of loss, by expected
    loss (highest first); and the portfolio and the ids it came from."""
    visible = list(
        Account.objects.visible_to(request.user).order_by("pk").values_list("pk", flat=True)
    )
    data = services.portfolio_data()
    at = {int(a): i for i, a in enumerate(data.account_ids.tolist())}
    seen = np.array([at[a] for a in visible if a in at], dtype=np.int64)
    snaps = queries.latest_health_by_account(visible)
    loss = queries.loss_inputs(account_ids=visible)
    probability = loss.probability()
    position = {int(a): i for i, a in enumerate(loss.account_ids.tolist())}
    rows = []
    for i in seen.tolist():
        account_id = int(data.account_ids[i])
        p = float(probability[position[account_id]])
        snap = snaps.get(account_id)
        rows.append(
            {
                "code": data.codes[i],
                "name": data.names[i],
                "account_id": account_id,
                "revenue": float(data.portfolio.revenue[i]),
                "probability_pct": p * 100,
                "expected": p * float(data.portfolio.revenue[i]),
                "health": None if snap is None else snap.score,
                "band": snap.band if snap else "unknown",
                "band_name": explain.BAND_NAMES[snap.band if snap else "unknown"],
                "trend_name": explain.TREND_NAMES[snap.trend if snap else "unknown"],
                "overridden": account_id in loss.overrides,
            }
        )
    rows.sort(key=lambda r: -r["expected"])
    return visible, data, seen, snaps, rows


def risk_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The programme's risk per account in sight, as CSV or XLSX."""
    from kam.risk import exports

    _visible, _data, _seen, _snaps, rows = _risk_rows(request)
    above = queries.above_risk_threshold([r["account_id"] for r in rows])
    return exports.response(
        fmt,
        filename="risk",
        title=_("Programme risk"),
        header=[
            _("Customer number"),
            _("Account"),
            _("Revenue a year"),
            _("Health"),
            _("Band"),
            _("Trend"),
            _("Probability of loss"),
            _("Expected loss"),
            _("Above the risk threshold"),
        ],
        rows=(
            [
                r["code"],
                r["name"],
                round(r["revenue"], 2),
                None if r["health"] is None else round(r["health"], 1),
                str(r["band_name"]),
                str(r["trend_name"]),
                round(r["probability_pct"], 2),
                round(r["expected"], 2),
                _("yes") if r["account_id"] in above else _("no"),
            ]
            for r in rows
        ),
    )


def programme(request: HttpRequest) -> HttpResponse:
    """The programme's risk: concentration, health, top risks; for the lead scenarios and the
    simulation."""
    visible, data, seen, snaps, rows = _risk_rows(request)
    bands = {"healthy": 0, "watch": 0, "at_risk": 0, "unknown": 0}
    for a in visible:
        bands[snaps[a].band if a in snaps else "unknown"] += 1
    from kam.tactics.queries import key_accounts_without_contingency

    uncovered = {
        a.pk: a
        for a in key_accounts_without_contingency(
            Account.objects.filter(pk__in=visible).select_related("owner")
        )
    }
    risky = queries.above_risk_threshold(list(uncovered))
    only_above = request.GET.get("above") == "1"
    if only_above:
        above = set(queries.above_risk_threshold([r["account_id"] for r in rows]))
        rows = [r for r in rows if r["account_id"] in above]
    for row in rows:
        row["no_contingency"] = row["account_id"] in risky
    public = dict(
        Account.objects.filter(pk__in=[r["account_id"] for r in rows[:10]]).values_list(
            "pk", "public_id"
        )
    )
    for row in rows[:10]:
        row["url"] = reverse("accounts:account_detail", args=[public[row["account_id"]]])
    context = {
        "bands": [(explain.BAND_NAMES[k], k, v) for k, v in bands.items()],
        "top_risks": rows[:10],
        "concentration": pure_scenarios.concentration(data.portfolio.revenue[seen]),
        "group_concentration": pure_scenarios.concentration(
            data.portfolio.revenue[seen],
            np.unique(data.portfolio.group[seen], return_inverse=True)[1],
        ),
        "accounts": len(visible),
        "only_above": only_above,
        "threshold_pct": RiskSettings.current().contingency_above * 100,
        "flagged": [
            {"account": uncovered[a], **risky[a]}
            for a in sorted(risky, key=lambda a: -risky[a]["probability_pct"])
        ],
    }
    if request.user.is_lead:
        context.update(_lead_parts(request))
    return render(request, "risk/programme.html", context)


def _lead_parts(request: HttpRequest) -> dict:
    context: dict = {"simulation_form": SimulationForm()}
    asked = any(request.GET.get(name) for name in ScenarioForm.base_fields)
    form = ScenarioForm(request.GET if asked else None)
    context["scenario_form"] = form
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.scenario_run(
                codes=_codes(data["accounts"]),
                groups=_codes(data["groups"]),
                top=data["top"],
                share=float(data["share"]) if data["share"] is not None else None,
                recovery=float(data["recovery"] or 0),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            names = outcome.data
            context["scenario"] = {
                "effect": outcome.effect,
                "lost": [
                    (
                        names.codes[i],
                        names.names[i],
                        outcome.effect.lost[i] * 100,
                        names.portfolio.revenue[i],
                    )
                    for i in outcome.lost[:50]
                ],
                "lost_count": len(outcome.lost),
                "replacements": [
                    (names.codes[r.account], names.names[r.account], r.headroom, r.growth)
                    for r in outcome.replacement.candidates
                ],
                "years": outcome.replacement.years,
            }
            context["save_form"] = SaveScenarioForm(initial=dict(request.GET.items()))
    run = SimulationRun.objects.first()
    if run is not None:
        result = run.result
        context["simulation"] = run
        context["simulation_chart"] = loss_chart(
            result["histogram"]["edges"],
            result["histogram"]["counts"],
            marks={"P95": result["percentiles"]["P95"], "P99": result["percentiles"]["P99"]},
            title=_("Revenue lost in a year, across the simulated scenarios"),
            x_label=_("Revenue lost"),
        )
        total = run.total_revenue or 1.0
        context["simulation_pct"] = {k: v / total * 100 for k, v in result["percentiles"].items()}
    return context


def account_panel(request: HttpRequest, public_id) -> HttpResponse:
    """The account's risk and health panel (loaded into the account page)."""
    account = account_or_404(request.user, public_id)
    if not request.htmx:  # a fragment opened directly: the account's risk page
        return redirect("risk:account", public_id=account.public_id)
    return render(
        request,
        "risk/partials/_account_panel.html",
        {"account": account, "risk": queries.account_risk(account=account)},
    )


def account_risk(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    return _account_page(request, account, OverrideForm())


def _account_page(request, account, form, status: int = 200) -> HttpResponse:
    may_override = request.user.is_lead or (
        account.owner_id == request.user.pk and can(request.user, CHANGE, account)
    )
    return render(
        request,
        "risk/account.html",
        {
            "account": account,
            "risk": queries.account_risk(account=account),
            "form": form,
            "may_override": may_override,
            "may_recompute": can(request.user, CHANGE, account),
        },
        status=status,
    )


@require_POST
def loss_override(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["clear"]:
                services.loss_override_clear(
                    account=account, reason=data["reason"], by=request.user
                )
            else:
                services.loss_override_set(
                    account=account,
                    probability=data["probability"],
                    reason=data["reason"],
                    by=request.user,
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Loss probability saved."))
            return redirect("risk:account", public_id=account.public_id)
    return _account_page(request, account, form, status=400)


@require_POST
def health_recompute(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id, CHANGE)
    services.health_compute(account_ids=[account.pk])
    messages.success(request, _("Health recomputed."))
    return redirect("risk:account", public_id=account.public_id)


@require_POST
def health_recompute_all(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied
    ids, _result = services.health_compute()
    messages.success(request, _("Health recomputed for %(n)s accounts.") % {"n": len(ids)})
    return redirect("risk:overview")


@require_POST
def simulate(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied
    form = SimulationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("risk:overview")
    seed = form.cleaned_data["seed"]
    seed = random.SystemRandom().randrange(2**32) if seed is None else seed
    job = job_submit(
        kind="simulate",
        params={"scenarios": form.cleaned_data["scenarios"], "seed": seed},
        by=request.user,
    )
    return redirect("risk:job", public_id=job.public_id)


def job_status(request: HttpRequest, public_id) -> HttpResponse:
    job = job_check(get_object_or_404(Job, public_id=public_id, created_by=request.user))
    template = "risk/partials/_job.html" if request.htmx else "risk/job.html"
    return render(request, template, {"job": job})


def _lead_only(request: HttpRequest) -> None:
    if not request.user.is_lead:
        raise PermissionDenied


def scenarios(request: HttpRequest) -> HttpResponse:
    """The saved scenarios (the lead): save one (POST), pick two to four to compare."""
    _lead_only(request)
    form = SaveScenarioForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.scenario_save(
                    name=data["name"],
                    by=request.user,
                    codes=_codes(data["accounts"]),
                    groups=_codes(data["groups"]),
                    top=data["top"],
                    share=float(data["share"]) if data["share"] is not None else None,
                    recovery=float(data["recovery"] or 0),
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Scenario “%(name)s” saved.") % {"name": saved.name})
                return redirect("risk:scenarios")
        status = 400
    return render(
        request,
        "risk/scenarios.html",
        {
            "saved": SavedScenario.objects.select_related("created_by")[:200],
            "form": form,
            "posted": request.method == "POST",
        },
        status=status,
    )


def scenarios_compare(request: HttpRequest) -> HttpResponse:
    """Two to four saved scenarios side by side, quarter by quarter (the lead)."""
    _lead_only(request)
    try:
        chosen = services.scenarios_compare(ids=request.GET.getlist("s"), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("risk:scenarios")
    return render(
        request,
        "risk/compare.html",
        {"chosen": chosen, "rows": services.comparison_rows(chosen)},
    )


@require_POST
def scenario_delete(request: HttpRequest, public_id) -> HttpResponse:
    _lead_only(request)
    scenario = get_object_or_404(SavedScenario, public_id=public_id)
    services.scenario_delete(scenario=scenario, by=request.user)
    messages.success(request, _("Scenario “%(name)s” deleted.") % {"name": scenario.name})
    return redirect("risk:scenarios")


HOLDER_WORDS = {
    "them": gettext_lazy("The account"),
    "us": gettext_lazy("We do"),
    "unknown": gettext_lazy("Unknown: no wallet estimate"),
}


def power(request: HttpRequest) -> HttpResponse:
    """Balance of power per key account you can see, over the last 8 quarters."""
    data = queries.balance_of_power(accounts=Account.objects.visible_to(request.user))
    for row in data["rows"]:
        row["holder_words"] = HOLDER_WORDS[row["movement"]["holder"]]
    return render(request, "risk/power.html", data)


class RiskSettingsForm(forms.Form):
    """The risk settings, flat (kam.risk.services.settings_fields); checked by the service."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from kam.risk.models import CorrelateBy

        super().__init__(*args, **kwargs)
        labels = {
            "watch_below": gettext_lazy("Health: “watch” below"),
            "at_risk_below": gettext_lazy("Health: “at risk” below"),
            "base_rate": gettext_lazy("Loss model: base rate a year (0-1)"),
            "correlation": gettext_lazy("Simulation: correlation of losses (0-0.95)"),
            "correlate_by": gettext_lazy("Simulation: accounts that move together"),
            "fixed_costs": gettext_lazy("Scenarios: fixed cost base a year"),
            "contingency_above": gettext_lazy(
                "Contingency plan needed from a probability of loss of (0-1)"
            ),
        }
        for name, (kind, _low, _high) in services.settings_fields().items():
            if kind == "choice":
                field = forms.ChoiceField(choices=CorrelateBy.choices)
            elif kind == "money":
                field = forms.DecimalField(decimal_places=2, max_digits=20)
            else:
                field = forms.FloatField()
            if name.startswith("weight_"):
                key = name.removeprefix("weight_")
                field.label = _("Weight of %(signal)s") % {
                    "signal": explain.SIGNAL_NAMES.get(key, key)
                }
            elif name.startswith("coef_"):
                key = name.removeprefix("coef_")
                field.label = _("Loss model: coefficient of %(input)s") % {
                    "input": explain.INPUT_NAMES.get(key, key)
                }
            else:
                field.label = labels[name]
            self.fields[name] = field


def risk_settings(request: HttpRequest) -> HttpResponse:
    """The programme's risk settings (the lead): health bands and weights, the loss model,
    the simulation's correlation, the fixed cost base, the contingency threshold."""
    from kam.core.versions import EditConflict

    _lead_only(request)
    current = RiskSettings.current()
    status = 200
    if request.method == "POST":
        form = RiskSettingsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.settings_update(by=request.user, changes=data, version=version)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
                status = 400
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            else:
                messages.success(request, _("Risk settings saved."))
                return redirect("risk:settings")
        else:
            status = 400
    else:
        form = RiskSettingsForm(
            initial={**services.settings_values(current), "version": current.version}
        )
    groups = [
        (_("Health bands"), ["watch_below", "at_risk_below"]),
        (_("Weights of the health signals"), [n for n in form.fields if n.startswith("weight_")]),
        (_("Loss model"), ["base_rate", *[n for n in form.fields if n.startswith("coef_")]]),
        (_("Simulation and scenarios"), ["correlation", "correlate_by", "fixed_costs"]),
        (_("Contingency plans"), ["contingency_above"]),
    ]
    return render(
        request,
        "risk/settings.html",
        {"form": form, "groups": [(title, [form[n] for n in names]) for title, names in groups]},
        status=status,
    )


def power_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The balance of power, quarter by quarter, as CSV or XLSX (unknown wallet: empty)."""
    from kam.risk import exports

    data = queries.balance_of_power(accounts=Account.objects.visible_to(request.user))
    header = [_("Customer number"), _("Account"), _("Who holds the big stick")]
    for q in data["quarters"]:
        header += [
            _("%(quarter)s: its share of our sales %%") % {"quarter": q},
            _("%(quarter)s: our share of its wallet %%") % {"quarter": q},
        ]
    rows = []
    for r in data["rows"]:
        row = [r["account"].code, r["account"].name, str(HOLDER_WORDS[r["movement"]["holder"]])]
        for sales, wallet in r["history"]:
            row += [round(sales, 2), None if wallet is None else round(wallet, 2)]
        rows.append(row)
    return exports.response(
        fmt, filename="balance-of-power", title=_("Balance of power"), header=header, rows=rows
    )
