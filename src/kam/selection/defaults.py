"""The settings a new programme starts with: the catalogue's criteria and the named schemes.

Used by the data migration (with historical models) and at run time when the settings are
missing (with the real ones), so scoring never fails for want of a scheme.
"""

from __future__ import annotations

from kam.selection import criteria, tiering

SCHEME_NAMES = {
    "gold_silver_bronze": "Gold / Silver / Bronze",
    "divisions": "Premier / 1st division / 2nd division",
    "airline": "First / Club / Economy / Standby",
}
DEFAULT_SCHEME = "gold_silver_bronze"


def seed(criterion_model, scheme_model, tier_model) -> None:
    """Create whatever is missing: criteria by key, schemes by preset, one active scheme."""
    known = set(criterion_model.objects.values_list("key", flat=True))
    criterion_model.objects.bulk_create(
        criterion_model(
            key=info.key,
            weight=info.weight,
            direction="higher_is_better" if info.higher_is_better else "lower_is_better",
            normalisation=info.normalisation,
            order=order,
        )
        for order, info in enumerate(criteria.CATALOGUE)
        if info.key not in known
    )
    presets = set(scheme_model.objects.values_list("preset", flat=True))
    any_active = scheme_model.objects.filter(active=True).exists()
    for preset in tiering.PRESETS.values():
        if preset.code in presets:
            continue
        scheme = scheme_model.objects.create(
            name=SCHEME_NAMES[preset.code],
            preset=preset.code,
            cut_off=preset.cut_off.value,
            capacity=preset.capacity,
            active=not any_active and preset.code == DEFAULT_SCHEME,
        )
        tier_model.objects.bulk_create(
            tier_model(
                scheme=scheme,
                code=tier.code,
                name=tier.name,
                order=order,
                cut_off=tier.cut_off,
                is_key=tier.key,
                visits_per_month=tier.service.visits_per_month,
                plan_review_days=tier.service.plan_review_days,
                dedicated_staff=tier.service.dedicated_staff,
                priority_ordering=tier.service.priority_ordering,
                extras=tier.service.extras,
            )
            for order, tier in enumerate(preset.tiers)
        )


def ensure_defaults() -> None:
    from kam.selection.models import SelectionCriterion, Tier, TierScheme

    if not (
        SelectionCriterion.objects.exists() and TierScheme.objects.filter(active=True).exists()
    ):
        seed(SelectionCriterion, TierScheme, Tier)
