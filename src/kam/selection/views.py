from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.access import OVERRIDE_TIER, SET_COST, account_or_404, can
from kam.core import charts, formatting
from kam.core.formviews import put_errors
from kam.core.jobs import job_check, job_rerun, job_submit
from kam.core.models import Job
from kam.core.versionforms import rebased, save_versioned
from kam.selection import explain, exports, queries, services
from kam.selection.defaults import ensure_defaults
from kam.selection.forms import (
    CostToServeForm,
    CriterionFormSet,
    KeyAccountFilterForm,
    KnockOutFormSet,
    OverrideForm,
    RatingForm,
    SchemeForm,
    TierFormSet,
)
from kam.selection.models import SelectionCriterion, Tier, TierScheme
from kam.selection.portfolio_chart import Dot, portfolio_chart

PAGE_SIZE = 50


def _active_tiers() -> list[Tier]:
    scheme = TierScheme.objects.filter(active=True).first()
    return list(scheme.tiers.all()) if scheme else []


def _filtered(request: HttpRequest, run):
    form = KeyAccountFilterForm(request.GET or None, tiers=_active_tiers())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = queries.key_account_rows(
        user=request.user, run=run, **{k: v for k, v in filters.items() if v not in (None, "")}
    )
    return form, rows


def key_account_list(request: HttpRequest) -> HttpResponse:
    run = queries.latest_run()
    context = {"run": run}
    if run is not None:
        form, rows = _filtered(request, run)
        page = queries.KeysFirstPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for score in page.object_list:
            score.why = explain.why(score.contributions)
            score.flag_texts = [
                (f["code"], explain.flag_title(f["code"]), explain.flag_reason(f))
                for f in score.flags
            ]
        query = request.GET.copy()
        query.pop("page", None)
        context.update(form=form, page=page, query=query.urlencode())
    template = (
        "selection/partials/_key_account_table.html" if request.htmx else "selection/list.html"
    )
    return render(request, template, context)


def key_account_export(request: HttpRequest, fmt: str) -> HttpResponse:
    run = queries.latest_run()
    if run is None or fmt not in {"csv", "xlsx"}:
        raise Http404
    _form, rows = _filtered(request, run)
    stamp = f"key-accounts-{run.as_of:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(rows.iterator(chunk_size=2000)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            exports.to_csv(rows.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{stamp}.{fmt}"'
    return response


def scorecard(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    card = queries.scorecard(account=account, run=queries.latest_run())
    charts_svg = {
        "revenue": charts.quarterly_chart(
            card.quarters,
            [charts.Series(_("Net revenue"), card.revenue)],
            title=_("Sales per quarter (%(currency)s)")
            % {"currency": card.run.reporting_currency if card.run else ""},
        ),
        "margin": charts.quarterly_chart(
            card.quarters,
            [
                charts.Series(_("Gross margin %"), card.margin_pct, "line"),
                charts.Series(_("Discounts and rebates %"), card.discount_pct, "line"),
            ],
            title=_("Margin and price concessions (%)"),
        ),
    }
    tiers = _active_tiers()
    context = {
        "card": card,
        "charts": charts_svg,
        "flags": [
            (f["code"], explain.flag_title(f["code"]), explain.flag_reason(f))
            for f in (card.score.flags if card.score else [])
        ],
        "why": explain.why(card.score.contributions) if card.score else "",
        "tier_reason": explain.tier_reason(card.score, card.run) if card.score else "",
        "current_ratings": queries.current_ratings(card.ratings),
        "can_rate": queries.can_rate(request.user, account),
        "rating_form": RatingForm(),
        "override_form": OverrideForm(tiers=tiers),
        "cost_form": CostToServeForm(),
        "max_points": max([c["points"] for c in card.score.contributions] + [1])
        if card.score
        else 1,
    }
    return render(request, "selection/scorecard.html", context)


def _post_and_back(request, account, action) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved. It counts from the next scoring."))
    return redirect(reverse("selection:scorecard", kwargs={"public_id": account.public_id}))


@require_POST
def rating_add(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    if not queries.can_rate(request.user, account):
        raise PermissionDenied
    form = RatingForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(reverse("selection:scorecard", kwargs={"public_id": account.public_id}))
    return _post_and_back(
        request,
        account,
        lambda: services.rating_record(account=account, by=request.user, **form.cleaned_data),
    )


@require_POST
def override_set(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    if not can(request.user, OVERRIDE_TIER, account):
        raise PermissionDenied
    form = OverrideForm(request.POST, tiers=_active_tiers())
    if not form.is_valid():
        messages.error(request, _("Say why the tier is overridden."))
        return redirect(reverse("selection:scorecard", kwargs={"public_id": account.public_id}))
    data = form.cleaned_data
    if data["clear"]:
        return _post_and_back(
            request,
            account,
            lambda: services.tier_override_clear(
                account=account, reason=data["reason"], by=request.user
            ),
        )
    return _post_and_back(
        request,
        account,
        lambda: services.tier_override_set(
            account=account, tier_code=data["tier_code"], reason=data["reason"], by=request.user
        ),
    )


@require_POST
def cost_to_serve_set(request: HttpRequest, public_id) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    if not can(request.user, SET_COST, account):
        raise PermissionDenied
    form = CostToServeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a cost of zero or more."))
        return redirect(reverse("selection:scorecard", kwargs={"public_id": account.public_id}))
    return _post_and_back(
        request,
        account,
        lambda: services.cost_to_serve_set(account=account, by=request.user, **form.cleaned_data),
    )


def portfolio(request: HttpRequest) -> HttpResponse:
    run = queries.latest_run()
    # The lead sees the company's sales; anyone else only the accounts they are on: the title
    # says which, so a KAM's four accounts never read as the company's concentration.
    context: dict = {"run": run, "company_wide": request.user.is_lead}
    if run is not None:
        every = list(queries.key_account_rows(user=request.user, run=run))
        rows = [r for r in every if r.score is not None]
        placed = [r for r in rows if r.share_of_wallet_pct is not None]
        # Attractiveness is relative: the split is the median score of the accounts placed, so
        # the quadrants sort the portfolio rather than the scoring scale. Strength splits at
        # half the customer's wallet: above it we hold most of their business.
        scores = sorted(r.score for r in placed)
        y_split = scores[len(scores) // 2] if scores else 50.0
        x_split = 50.0
        dots, counts = [], {"invest": 0, "maintain": 0, "manage_for_cash": 0, "streamline": 0}
        for row in placed:
            strong = row.share_of_wallet_pct >= x_split
            attractive = row.score >= y_split
            quadrant = (
                ("maintain" if strong else "invest")
                if attractive
                else ("manage_for_cash" if strong else "streamline")
            )
            counts[quadrant] += 1
            dots.append(
                Dot(
                    x=min(row.share_of_wallet_pct, 100),
                    y=row.score,
                    name=row.account.name,
                    href=reverse(
                        "selection:scorecard", kwargs={"public_id": row.account.public_id}
                    ),
                    tooltip=_("%(name)s: score %(score)s, %(share)s of their wallet")
                    % {
                        "name": row.account.name,
                        "score": formatting.number(row.score),
                        "share": formatting.percent(row.share_of_wallet_pct),
                    },
                    size=4 + 6 * min((row.sales_share_pct or 0) / 5, 1),
                    key=row.is_key,
                )
            )
        chart = portfolio_chart(
            dots,
            x_split=x_split,
            y_split=y_split,
            x_label=_("Our relative strength: share of the customer's wallet (%)"),
            y_label=_("Customer attractiveness: score"),
            quadrants=(_("Invest"), _("Maintain"), _("Streamline"), _("Manage for cash")),
            title=_("Portfolio matrix"),
            number=formatting.number,
        )
        context.update(
            counts=counts,
            y_split=y_split,
            accounts=len(every),
            placed=len(placed),
            no_score=len(every) - len(rows),
            no_wallet=len(rows) - len(placed),
            keys_placed=sum(1 for r in placed if r.is_key),
            chart=chart,
            svg=chart.svg,
        )
    return render(request, "selection/portfolio.html", context)


def concentration(request: HttpRequest) -> HttpResponse:
    run = queries.latest_run()
    # The lead sees the company's sales; anyone else only the accounts they are on: the title
    # says which, so a KAM's four accounts never read as the company's concentration.
    context: dict = {"run": run, "company_wide": request.user.is_lead}
    if run is not None:
        rows = list(
            queries.key_account_rows(user=request.user, run=run, sort="revenue")
            .exclude(revenue=None)
            .values_list("account__name", "revenue")
        )
        revenues = [max(float(r), 0.0) for _, r in rows]
        total = sum(revenues) or 1.0
        shares = [(n, _top_share(revenues, n, total)) for n in (1, 5, 10, 20)]
        hhi = sum((r / total * 100) ** 2 for r in revenues)
        context.update(
            shares=shares,
            hhi=hhi,
            accounts=len(rows),
            top=rows[:10],
            total=total,
            svg=charts.pareto_chart(
                revenues,
                title=_("Concentration of sales")
                if request.user.is_lead
                else _("Concentration of sales across your accounts"),
                x_label=_("Share of accounts, largest first"),
                y_label=_("Cumulative share of sales"),
            ),
        )
    return render(request, "selection/concentration.html", context)


def _top_share(revenues: list[float], n: int, total: float) -> float:
    return sum(revenues[:n]) / total * 100


def programme_settings(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied
    ensure_defaults()
    scheme = TierScheme.objects.get(active=True)
    data = request.POST if request.method == "POST" else None
    status = 200
    if request.method == "POST" and request.POST.get("activate"):
        chosen = get_object_or_404(TierScheme, pk=request.POST["activate"])
        services.scheme_activate(scheme=chosen, by=request.user)
        messages.success(request, _("Tier scheme changed. Rescore to apply it."))
        return redirect("selection:settings")
    parts = _settings_forms(data, scheme)
    if request.method == "POST":
        status = 400
        valid = all(f.is_valid() for f in parts.values())
        if valid and parts["tiers"].cut_offs_ok(parts["scheme_form"].cleaned_data["cut_off"]):
            try:
                stale = save_versioned(
                    parts.values(), by=request.user, save=lambda: _save_settings(parts, request)
                )
            except ValidationError:  # refused by the criteria's service: on its row, unsaved
                stale = None
            if stale == []:
                messages.success(request, _("Settings saved. Rescore to apply them."))
                return redirect("selection:settings")
            if stale:
                # Someone saved in between: the user's input comes back, based on the stored
                # versions, with the other person's values beside the forms they touched.
                status, errors = 409, {id(form): form.non_field_errors() for form in stale}
                parts = _settings_forms(rebased(request.POST, stale), scheme)
                for part in parts.values():
                    part.is_valid()
                _carry_errors(parts, stale, errors)
    context = {
        **parts,
        "scheme": scheme,
        "schemes": TierScheme.objects.all(),
        "weights_total": sum(c.weight for c in SelectionCriterion.objects.all()),
        "conflict": status == 409,
    }
    return render(request, "selection/settings.html", context, status=status)


def _save_settings(parts: dict, request: HttpRequest) -> None:
    """Each changed criterion through the API's service (its checks, version and audit
    entry), then the rest of the settings; inside save_versioned's transaction, so a refusal
    (left on the criterion's row) saves nothing."""
    for form in parts["criteria_forms"].forms:
        changes = form.changes()
        if not changes:
            continue
        try:
            services.criterion_update(
                key=form.instance.key,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                **changes,
            )
        except ValidationError as error:
            put_errors(form, error, aliases={"thresholds": "thresholds_text"})
            raise
    for name, part in parts.items():
        if name != "criteria_forms":
            part.save()


def _settings_forms(data, scheme: TierScheme) -> dict:
    return {
        "criteria_forms": CriterionFormSet(
            data, queryset=SelectionCriterion.objects.all(), prefix="criteria"
        ),
        "knock_outs": KnockOutFormSet(data, prefix="knockouts"),
        "tiers": TierFormSet(data, instance=scheme, prefix="tiers"),
        "scheme_form": SchemeForm(data, instance=scheme, prefix="scheme"),
    }


def _carry_errors(parts: dict, stale: list, errors: dict) -> None:
    """Put each stale form's conflict on the same form of the rebuilt page (by prefix)."""
    by_prefix = {form.prefix: errors[id(form)] for form in stale}
    for part in parts.values():
        for form in getattr(part, "forms", [part]):
            if form.prefix in by_prefix:
                for message in by_prefix[form.prefix]:
                    form.add_error(None, message)


@require_POST
def rescore(request: HttpRequest) -> HttpResponse:
    if not request.user.is_lead:
        raise PermissionDenied
    job = job_submit(kind="score", params={"as_of": date.today().isoformat()}, by=request.user)
    return redirect(reverse("selection:job", kwargs={"public_id": job.public_id}))


def job_status(request: HttpRequest, public_id) -> HttpResponse:
    job = job_check(get_object_or_404(Job, public_id=public_id, created_by=request.user))
    template = "selection/partials/_job.html" if request.htmx else "selection/job.html"
    return render(request, template, {"job": job})


@require_POST
def scoring_period_set(request: HttpRequest) -> HttpResponse:
    """Save the programme's scoring window; a refused value is shown on its own form, and a
    stale one (someone saved in between) with the stored values beside it."""
    if not request.user.is_lead:
        raise PermissionDenied
    from kam.selection.forms import ScoringPeriodForm
    from kam.selection.models import ScoringPeriod

    form = ScoringPeriodForm(request.POST, instance=ScoringPeriod.current())
    status = 400
    if form.is_valid():
        if not save_versioned([form], by=request.user, save=form.save):
            messages.success(request, _("Scoring window saved. Rescore to apply it."))
            return redirect("selection:settings")
        status = 409
    return render(request, "selection/period.html", {"period_form": form}, status=status)


@require_POST
def job_run_again(request: HttpRequest, public_id) -> HttpResponse:
    """A failed job submitted again, same parameters; its page follows the new one."""
    job = get_object_or_404(Job, public_id=public_id, created_by=request.user)
    try:
        again = job_rerun(job=job, by=request.user)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect(reverse("selection:job", kwargs={"public_id": job.public_id}))
    return redirect(reverse("selection:job", kwargs={"public_id": again.public_id}))


def key_account_register(request: HttpRequest) -> HttpResponse:
    """Every user's read-only register of the key accounts; the lead also chooses here what
    it publishes. A stale save (someone saved in between) keeps the lead's choice beside the
    stored one."""
    from kam.selection.forms import RegisterSettingsForm
    from kam.selection.models import RegisterSettings
    from kam.selection.register import register_rows

    published = RegisterSettings.current()
    if request.method == "POST" and not request.user.is_lead:
        raise PermissionDenied
    form = RegisterSettingsForm(request.POST or None, instance=published)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if not save_versioned([form], by=request.user, save=form.save):
                messages.success(request, _("Register settings saved."))
                return redirect("selection:register")
            status = 409
    run = queries.latest_run()
    rows = register_rows(user=request.user, run=run, published=published) if run else []
    levels = {row.tier: row.service for row in rows if row.service is not None}
    context = {
        "run": run,
        "rows": rows,
        "levels": list(levels.items()),
        "published": published,
        "form": form if request.user.is_lead else None,
    }
    return render(request, "selection/register.html", context, status=status)
