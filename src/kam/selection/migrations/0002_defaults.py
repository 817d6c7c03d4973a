"""A new programme starts with the catalogue's criteria and the three named tier schemes."""

from django.db import migrations

from kam.selection import criteria, tiering

SCHEME_NAMES = {
    "gold_silver_bronze": "Gold / Silver / Bronze",
    "divisions": "Premier / 1st division / 2nd division",
    "airline": "First / Club / Economy / Standby",
}


def seed(apps, schema_editor):
    Criterion = apps.get_model("selection", "SelectionCriterion")
    Scheme = apps.get_model("selection", "TierScheme")
    Tier = apps.get_model("selection", "Tier")
    Criterion.objects.bulk_create(
        Criterion(
            key=info.key,
            weight=info.weight,
            direction="higher_is_better" if info.higher_is_better else "lower_is_better",
            normalisation=info.normalisation,
            order=order,
        )
        for order, info in enumerate(criteria.CATALOGUE)
    )
    for preset in tiering.PRESETS.values():
        scheme = Scheme.objects.create(
            name=SCHEME_NAMES[preset.code],
            preset=preset.code,
            cut_off=preset.cut_off.value,
            capacity=preset.capacity,
            active=preset.code == "gold_silver_bronze",
        )
        for order, tier in enumerate(preset.tiers):
            Tier.objects.create(
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


class Migration(migrations.Migration):
    dependencies = [("selection", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
