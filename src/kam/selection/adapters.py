"""Turn the programme's stored settings into the pure modules' inputs."""

from __future__ import annotations

from kam.selection import scoring, tiering
from kam.selection.models import (
    KnockOutRule,
    SelectionCriterion,
    Tier,
    TierScheme,
    check_cut_offs,
)


def to_criteria(rows: list[SelectionCriterion]) -> list[scoring.Criterion]:
    """The active criteria (weight above zero) as the scoring module takes them."""
    result = []
    for row in rows:
        if row.weight <= 0:
            continue
        bounds = None
        if row.bound_low is not None and row.bound_high is not None:
            bounds = (float(row.bound_low), float(row.bound_high))
        result.append(
            scoring.Criterion(
                key=row.key,
                weight=float(row.weight),
                direction=scoring.Direction(row.direction),
                normalisation=scoring.Normalisation(row.normalisation),
                thresholds=tuple((float(v), float(p)) for v, p in row.thresholds),
                bounds=bounds,
            )
        )
    return result


def to_knock_outs(rows: list[KnockOutRule]) -> list[scoring.KnockOut]:
    return [
        scoring.KnockOut(
            code=f"{row.key}_{row.pk}",
            key=row.key,
            minimum=None if row.minimum is None else float(row.minimum),
            maximum=None if row.maximum is None else float(row.maximum),
            missing_knocks_out=row.missing_knocks_out,
        )
        for row in rows
        if row.active
    ]


def to_scheme(scheme: TierScheme, tiers: list[Tier]) -> tiering.TierScheme:
    """The stored scheme as the tiering takes it; ``ValidationError`` naming the tier and the
    field when its cut-offs cannot be read (saved before they were checked, or by hand)."""
    check_cut_offs(scheme.cut_off, [(t.name, t.cut_off) for t in tiers])
    return tiering.TierScheme(
        code=scheme.preset or f"scheme_{scheme.pk}",
        tiers=tuple(
            tiering.Tier(
                code=tier.code,
                name=tier.name,
                cut_off=float(tier.cut_off),
                service=tiering.ServiceLevel(
                    visits_per_month=float(tier.visits_per_month),
                    plan_review_days=tier.plan_review_days,
                    dedicated_staff=tier.dedicated_staff,
                    priority_ordering=tier.priority_ordering,
                    extras=tier.extras,
                ),
                key=tier.is_key,
            )
            for tier in tiers
        ),
        cut_off=tiering.CutOff(scheme.cut_off),
        capacity=scheme.capacity,
        crossing=tiering.Crossing(scheme.abc_crossing),
    )
