"""Reads of risk: the inputs of the pure modules gathered with a few set-based queries (GROUP
BY account, never a query per account), and the stored snapshots, overrides and runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db.models import Count, Max, Q

from kam.accounts.models import Account
from kam.plans.models import Action, ActionStatus, Plan, PlanState
from kam.relationships.models import (
    Attitude,
    Contact,
    ContactStatus,
    EntrenchedInterest,
    Interaction,
    InterestStatus,
)
from kam.risk import health as pure_health
from kam.risk import loss as pure_loss
from kam.risk.models import HealthSnapshot, LossOverride, RiskSettings, SimulationRun
from kam.selection.models import AccountScore, RunStatus, ScoringRun, TierScheme
from kam.tactics.barriers import exit_barrier_strength

INFLUENTIAL = 4  # influence 4-5 of 5


def latest_runs() -> tuple[ScoringRun | None, ScoringRun | None]:
    """The last finished scoring run and the one before."""
    runs = list(ScoringRun.objects.filter(status=RunStatus.DONE).order_by("-as_of", "-pk")[:2])
    return (runs[0] if runs else None, runs[1] if len(runs) > 1 else None)


@dataclass(frozen=True)
class HealthInputs:
    account_ids: np.ndarray  # ascending
    values: dict[str, np.ndarray]  # by signal key, NaN unknown
    previous: np.ndarray  # last stored health, NaN none


def _fill(ids: np.ndarray, rows, default: float = np.nan) -> np.ndarray:
    """One value per account from (account_id, value) rows; ``default`` where none."""
    out = np.full(len(ids), default)
    if not rows:
        return out
    found = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([np.nan if r[1] is None else float(r[1]) for r in rows])
    at = np.searchsorted(ids, found)
    ok = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == found)
    out[at[ok]] = values[ok]
    return out


def health_inputs(*, today: date, account_ids: list[int] | None = None) -> HealthInputs:
    """Every signal of every account (or of ``account_ids``), in about a dozen queries."""
    accounts = Account.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    ids = np.array(sorted(accounts.values_list("pk", flat=True)), dtype=np.int64)

    def scoped(qs, path="account_id"):
        return qs if account_ids is None else qs.filter(**{f"{path}__in": account_ids})

    contacts = scoped(Contact.objects.filter(erased_at=None))
    counts = list(
        contacts.values("account_id")
        .annotate(
            total=Count("pk"),
            left=Count(
                "pk",
                filter=Q(status=ContactStatus.LEFT, left_on__gte=today - timedelta(days=183)),
            ),
            influential=Count(
                "pk",
                filter=Q(
                    status=ContactStatus.ACTIVE,
                    current_assessment__influence__gte=INFLUENTIAL,
                ),
            ),
            supporters=Count(
                "pk",
                filter=Q(
                    status=ContactStatus.ACTIVE,
                    current_assessment__influence__gte=INFLUENTIAL,
                    current_assessment__attitude=Attitude.SUPPORTER,
                ),
            ),
            opponents=Count(
                "pk",
                filter=Q(
                    status=ContactStatus.ACTIVE,
                    current_assessment__influence__gte=INFLUENTIAL,
                    current_assessment__attitude=Attitude.OPPONENT,
                ),
            ),
        )
        .values_list("account_id", "total", "left", "influential", "supporters", "opponents")
    )
    has_contacts = _fill(ids, [(r[0], r[1]) for r in counts], 0.0) > 0
    departures = np.where(has_contacts, _fill(ids, [(r[0], r[2]) for r in counts], 0.0), np.nan)
    influential = _fill(ids, [(r[0], r[3]) for r in counts], 0.0)
    net = _fill(ids, [(r[0], r[4] - r[5]) for r in counts], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        attitude = np.where(influential > 0, net / influential * 100.0, np.nan)

    through = Interaction.their_participants.through
    threads_rows = list(
        scoped(
            through.objects.filter(
                interaction__occurred_on__gte=today - timedelta(days=365),
                contact__status=ContactStatus.ACTIVE,
            ),
            "interaction__account_id",
        )
        .values("interaction__account_id")
        .annotate(n=Count("contact_id", distinct=True))
        .values_list("interaction__account_id", "n")
    )
    threads = np.where(has_contacts, _fill(ids, threads_rows, 0.0), np.nan)

    interests = list(
        scoped(EntrenchedInterest.objects.filter(status=InterestStatus.OPEN, strategy=""))
        .values("account_id")
        .annotate(n=Count("pk"))
        .values_list("account_id", "n")
    )
    interests_open = np.where(has_contacts, _fill(ids, interests, 0.0), np.nan)

    last_seen = list(
        scoped(Interaction.objects.all())
        .values("account_id")
        .annotate(last=Max("occurred_on"))
        .values_list("account_id", "last")
    )
    days_since = _fill(ids, [(a, (today - d).days) for a, d in last_seen])

    latest, before = latest_runs()
    score_cols = ("revenue_trend_pct", "margin_trend", "avg_days_late", "tier_code")
    rows = []
    if latest is not None:
        rows = list(
            scoped(AccountScore.objects.filter(run=latest)).values_list("account_id", *score_cols)
        )
    revenue_trend = _fill(ids, [(r[0], r[1]) for r in rows])
    margin_trend = _fill(ids, [(r[0], r[2]) for r in rows])
    days_late = _fill(ids, [(r[0], r[3]) for r in rows])
    scheme = TierScheme.objects.filter(active=True).first()
    visits = {}
    if scheme is not None:
        visits = {t.code: float(t.visits_per_month) for t in scheme.tiers.all()}
    interval = _fill(
        ids,
        [(r[0], 30.0 / visits[r[4]]) for r in rows if visits.get(r[4], 0) > 0],
    )  # days between visits the tier's service level asks for
    recency = days_since / interval  # NaN when either is unknown
    previous_late = np.full(len(ids), np.nan)
    if before is not None:
        previous_late = _fill(
            ids,
            list(
                scoped(AccountScore.objects.filter(run=before)).values_list(
                    "account_id", "avg_days_late"
                )
            ),
        )
    late_change = days_late - previous_late

    plans = list(
        scoped(Plan.objects.exclude(state=PlanState.CLOSED))
        .values("account_id")
        .annotate(agreed=Count("pk", filter=Q(state=PlanState.AGREED)))
        .values_list("account_id", "agreed")
    )
    has_plan = ~np.isnan(_fill(ids, plans))
    agreed = _fill(ids, plans, 0.0) > 0
    due = list(
        scoped(Action.objects.filter(due_on__gte=today - timedelta(days=183), due_on__lte=today))
        .values("account_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(status=ActionStatus.DONE)))
        .values_list("account_id", "n", "done")
    )
    due_n = _fill(ids, [(r[0], r[1]) for r in due], 0.0)
    done_n = _fill(ids, [(r[0], r[2]) for r in due], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        done_pct = np.where(due_n > 0, done_n / due_n * 100.0, 100.0)
    plan_delivery = np.where(has_plan, np.where(agreed, 50.0, 0.0) + done_pct / 2.0, np.nan)

    previous = _fill(
        ids,
        list(
            scoped(HealthSnapshot.objects.order_by("account_id", "computed_at", "pk")).values_list(
                "account_id", "score"
            )
        ),
    )  # ordered oldest first, so each account's newest snapshot is written last
    values = {
        "threads": threads,
        "attitude": attitude,
        "departures": departures,
        "interests_open": interests_open,
        "recency": recency,
        "revenue_trend": revenue_trend,
        "margin_trend": margin_trend,
        "days_late": days_late,
        "days_late_change": late_change,
        "plan_delivery": plan_delivery,
    }
    return HealthInputs(account_ids=ids, values=values, previous=previous)


def health_settings() -> tuple[tuple, pure_health.Bands]:
    settings = RiskSettings.current()
    signals = pure_health.with_weights(settings.weights or {})
    bands = pure_health.Bands(
        watch_below=settings.watch_below, at_risk_below=settings.at_risk_below
    )
    return signals, bands


def health_latest(*, account: Account) -> HealthSnapshot | None:
    return HealthSnapshot.objects.filter(account=account).first()


def health_history(*, account: Account, count: int = 12) -> list[HealthSnapshot]:
    return list(HealthSnapshot.objects.filter(account=account)[:count])


def latest_health_by_account(account_ids) -> dict[int, HealthSnapshot]:
    """Each account's newest snapshot; one query."""
    latest = {}
    rows = HealthSnapshot.objects.filter(account_id__in=account_ids).order_by(
        "account_id", "computed_at", "pk"
    )
    for snap in rows:
        latest[snap.account_id] = snap
    return latest


def exit_barriers(account_ids: np.ndarray) -> np.ndarray:
    """Exit barrier strength 0-100 per account (kam.tactics); NaN where unknown (nothing
    recorded about tactics 5-7), which the loss model counts as neutral."""
    strengths = exit_barrier_strength([int(i) for i in account_ids])
    return np.array(
        [
            np.nan if strengths.get(int(i), (None,))[0] is None else float(strengths[int(i)][0])
            for i in account_ids
        ],
        dtype=np.float64,
    )


@dataclass(frozen=True)
class LossInputs:
    account_ids: np.ndarray
    result: pure_loss.LossResult
    overrides: dict[int, LossOverride]

    def probability(self) -> np.ndarray:
        """The model's probability, or the override's where one counts."""
        p = self.result.probability.copy()
        at = {int(a): i for i, a in enumerate(self.account_ids)}
        for account_id, override in self.overrides.items():
            if account_id in at:
                p[at[account_id]] = float(override.probability)
        return p


def loss_model() -> pure_loss.LossModel:
    settings = RiskSettings.current()
    coefficients = settings.loss_coefficients or {}
    return pure_loss.LossModel(
        base_rate=settings.base_rate,
        inputs=tuple(
            pure_loss.Input(
                i.key, float(coefficients.get(i.key, i.coefficient)), i.centre, i.low, i.high
            )
            for i in pure_loss.DEFAULT_MODEL.inputs
        ),
    )


def loss_inputs(*, account_ids: list[int] | None = None) -> LossInputs:
    """Each account's loss probability from its latest health, exit barriers, payment and
    revenue trend, and the overrides in force."""
    accounts = Account.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    ids = np.array(sorted(accounts.values_list("pk", flat=True)), dtype=np.int64)
    snaps = latest_health_by_account(ids.tolist())
    health_score = np.array(
        [
            np.nan if snaps.get(i) is None or snaps[i].score is None else snaps[i].score
            for i in ids.tolist()
        ]
    )
    latest, _ = latest_runs()
    rows = []
    if latest is not None:
        rows = list(
            AccountScore.objects.filter(run=latest, account_id__in=ids.tolist()).values_list(
                "account_id", "avg_days_late", "revenue_trend_pct"
            )
        )
    result = pure_loss.loss_probability(
        {
            "health": health_score,
            "barriers": exit_barriers(ids),
            "days_late": _fill(ids, [(r[0], r[1]) for r in rows]),
            "revenue_trend": _fill(ids, [(r[0], r[2]) for r in rows]),
        },
        model=loss_model(),
    )
    return LossInputs(account_ids=ids, result=result, overrides=overrides_in_force(ids.tolist()))


def overrides_in_force(account_ids) -> dict[int, LossOverride]:
    latest: dict[int, LossOverride] = {}
    for o in LossOverride.objects.filter(account_id__in=account_ids).order_by(
        "account_id", "created_at", "pk"
    ):
        latest[o.account_id] = o
    return {a: o for a, o in latest.items() if not o.cleared and o.probability is not None}


def override_history(*, account: Account) -> list[LossOverride]:
    return list(account.loss_overrides.select_related("created_by")[:20])


def simulation_runs(*, count: int = 10) -> list[SimulationRun]:
    return list(SimulationRun.objects.all()[:count])


def account_risk(*, account: Account) -> dict:
    """Everything the account's risk panel and its API show: the latest health with each
    signal in words, the loss probability with each input's contribution, the override."""
    from kam.risk import explain

    snap = health_latest(account=account)
    loss = loss_inputs(account_ids=[account.pk])
    model = loss.result.account(0)
    override = loss.overrides.get(account.pk)
    return {
        "health": snap,
        "band_name": explain.BAND_NAMES.get(snap.band if snap else "unknown"),
        "trend_name": explain.TREND_NAMES.get(snap.trend if snap else "unknown"),
        "signals": [
            {
                **part,
                "name": str(explain.SIGNAL_NAMES.get(part["key"], part["key"])),
                "sentence": explain.signal_sentence(part),
            }
            for part in (snap.signals if snap else [])
        ],
        "unknown": [
            str(explain.SIGNAL_NAMES.get(p["key"], p["key"]))
            for p in (snap.signals if snap else [])
            if p["value"] is None
        ],
        "history": health_history(account=account),
        "loss": {
            **model,
            "inputs": [
                {
                    **item,
                    "name": str(explain.INPUT_NAMES.get(item["key"], item["key"])),
                    "sentence": explain.input_sentence(item),
                }
                for item in model["inputs"]
            ],
        },
        "model_probability": model["probability"],
        "probability": float(override.probability) if override else model["probability"],
        "probability_pct": (float(override.probability) if override else model["probability"])
        * 100,
        "model_probability_pct": model["probability"] * 100,
        "base_rate_pct": model["base_rate"] * 100,
        "override": override,
        "overrides": override_history(account=account),
    }


def balance_of_power(*, accounts, as_of: date | None = None, quarters: int = 8) -> dict:
    """Per key account among ``accounts`` (the latest scoring run's), over the last
    ``quarters`` complete quarters: its share of our sales and our share of its wallet, and
    how they moved. The wallet is the estimate in force at each quarter's end (the first
    estimate before it was made, said so); no estimate at all: unknown, never 0."""
    from django.db.models import Sum
    from django.utils import timezone

    from kam.core.periods import add_quarters, last_complete_quarters, quarter_label
    from kam.ledger.models import AccountQuarter
    from kam.risk import scenarios as pure_scenarios
    from kam.selection.models import Rating

    latest, _before = latest_runs()
    as_of = as_of or (latest.as_of if latest else timezone.localdate())
    span = last_complete_quarters(as_of, quarters)
    keys = set()
    if latest is not None:
        keys = set(
            AccountScore.objects.filter(run=latest, is_key=True).values_list(
                "account_id", flat=True
            )
        )
    chosen = list(accounts.filter(pk__in=keys).order_by("name", "pk"))
    ids = [a.pk for a in chosen]
    totals = dict(
        AccountQuarter.objects.filter(quarter__in=span)
        .values("quarter")
        .annotate(total=Sum("revenue"))
        .values_list("quarter", "total")
    )
    revenue: dict[int, dict] = {}
    for account_id, quarter, amount in AccountQuarter.objects.filter(
        account_id__in=ids, quarter__in=span
    ).values_list("account_id", "quarter", "revenue"):
        revenue.setdefault(account_id, {})[quarter] = float(amount)
    wallets: dict[int, list] = {}
    for account_id, rated_at, value in (
        Rating.objects.filter(account_id__in=ids, key="wallet")
        .order_by("account_id", "rated_at", "pk")
        .values_list("account_id", "rated_at", "value")
    ):
        wallets.setdefault(account_id, []).append((timezone.localdate(rated_at), float(value)))
    ends = [add_quarters(q, 1) - timedelta(days=1) for q in span]
    rows = []
    for account in chosen:
        estimates = wallets.get(account.pk, [])
        per_quarter, backdated = [], False
        for end in ends:
            known = [v for d, v in estimates if d <= end]
            if known:
                per_quarter.append(known[-1])
            elif estimates:
                per_quarter.append(estimates[0][1])
                backdated = True
            else:
                per_quarter.append(None)
        history = pure_scenarios.balance_of_power(
            revenue=[revenue.get(account.pk, {}).get(q, 0.0) for q in span],
            total=[float(totals.get(q) or 0) for q in span],
            wallet=per_quarter,
        )
        rows.append(
            {
                "account": account,
                "history": history,
                "movement": pure_scenarios.power_movement(history),
                "wallet_known": bool(estimates),
                "backdated": backdated,
                "wallet": per_quarter[-1] if per_quarter else None,
            }
        )
    return {"quarters": [quarter_label(q) for q in span], "rows": rows}


def above_risk_threshold(account_ids) -> dict[int, dict]:
    """The accounts among ``account_ids`` above the risk threshold: a probability of loss in
    force at or above the settings' threshold, or health at risk; each with its probability
    and band."""
    from kam.risk import explain

    ids = list(account_ids)
    if not ids:
        return {}
    threshold = RiskSettings.current().contingency_above
    loss = loss_inputs(account_ids=ids)
    probability = loss.probability()
    snaps = latest_health_by_account(ids)
    out = {}
    for i, account_id in enumerate(loss.account_ids.tolist()):
        p = float(probability[i])
        band = snaps[account_id].band if account_id in snaps else "unknown"
        if p >= threshold or band == "at_risk":
            out[account_id] = {
                "probability_pct": p * 100,
                "band": band,
                "band_name": explain.BAND_NAMES[band],
            }
    return out
