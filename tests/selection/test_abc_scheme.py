"""ABC tiers as a setting of the scheme: the crossing rule, cut-offs refused in words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from kam.selection.models import ScoringRun, TierScheme, check_cut_offs
from kam.selection.run import scoring_run_execute
from tests.rollups import AS_OF


def settings_post(page, *, kind: str, cut_offs: list[str], crossing: str | None = None) -> dict:
    """The settings form as the page shows it, with the scheme's cut-offs replaced."""
    criteria, tiers = page.context["criteria_forms"], page.context["tiers"]
    data = {
        "criteria-TOTAL_FORMS": str(len(criteria.forms)),
        "criteria-INITIAL_FORMS": str(len(criteria.forms)),
        "knockouts-TOTAL_FORMS": "0",
        "knockouts-INITIAL_FORMS": "0",
        "tiers-TOTAL_FORMS": str(len(tiers.forms)),
        "tiers-INITIAL_FORMS": str(len(tiers.forms)),
        "scheme-cut_off": kind,
        "scheme-capacity": "",
    }
    if crossing:
        data["scheme-abc_crossing"] = crossing
    for i, f in enumerate(criteria.forms):
        c = f.instance
        data.update(
            {
                f"criteria-{i}-id": str(c.pk),
                f"criteria-{i}-weight": str(c.weight),
                f"criteria-{i}-direction": c.direction,
                f"criteria-{i}-normalisation": c.normalisation,
                f"criteria-{i}-thresholds_text": "[]",
            }
        )
    for i, (f, cut) in enumerate(zip(tiers.forms, cut_offs, strict=True)):
        t = f.instance
        data.update(
            {
                f"tiers-{i}-id": str(t.pk),
                f"tiers-{i}-name": t.name,
                f"tiers-{i}-cut_off": cut,
                f"tiers-{i}-is_key": "on",
                f"tiers-{i}-visits_per_month": "1",
                f"tiers-{i}-plan_review_days": "90",
                f"tiers-{i}-cost_to_serve": "0",
            }
        )
    return data


def make_abc(cut_offs: list[str], crossing: str = "next") -> TierScheme:
    scheme = TierScheme.objects.get(active=True)
    scheme.cut_off, scheme.abc_crossing = "revenue_share", crossing
    scheme.save()
    for tier, cut in zip(scheme.tiers.order_by("order"), cut_offs, strict=True):
        tier.cut_off = Decimal(cut)
        tier.save()
    return scheme


def test_the_settings_page_shows_the_abc_crossing_rule_with_the_textbook_one_chosen(
    client_for, lee, scored
):
    page = client_for(lee).get(reverse("selection:settings"))
    assert "the account whose revenue crosses a cut-off" in page.text
    assert page.context["scheme_form"]["abc_crossing"].value() == "next"


def test_the_settings_page_refuses_abc_cut_offs_in_the_wrong_order_naming_the_tier(
    client_for, lee, scored
):
    client = client_for(lee)
    page = client.get(reverse("selection:settings"))
    before = list(TierScheme.objects.get(active=True).tiers.values_list("cut_off", flat=True))
    data = settings_post(page, kind="revenue_share", cut_offs=["75", "60", "45"])
    response = client.post(reverse("selection:settings"), data)
    assert response.status_code == 400
    assert "Settings saved" not in response.text
    assert "Cut-off of tier Silver (60" in response.text
    assert "Cumulative revenue shares must rise" in response.text
    scheme = TierScheme.objects.get(active=True)
    assert scheme.cut_off == "score"  # nothing saved
    assert list(scheme.tiers.values_list("cut_off", flat=True)) == before


def test_the_lead_saves_an_abc_scheme_with_the_upper_rule(client_for, lee, scored):
    client = client_for(lee)
    page = client.get(reverse("selection:settings"))
    data = settings_post(page, kind="revenue_share", cut_offs=["80", "95", "100"], crossing="upper")
    response = client.post(reverse("selection:settings"), data)
    assert response.status_code == 302, (
        response.context["scheme_form"].errors,
        response.context["criteria_forms"].errors,
    )
    scheme = TierScheme.objects.get(active=True)
    assert (scheme.cut_off, scheme.abc_crossing) == ("revenue_share", "upper")


def test_the_scheme_check_refuses_cut_offs_it_cannot_read_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        check_cut_offs("revenue_share", [("Gold", 75), ("Silver", 60), ("Bronze", 45)])
    assert "Cut-off of tier Silver (60)" in refused.value.message_dict["cut_off"][0]
    check_cut_offs("revenue_share", [("Gold", 80), ("Silver", 95), ("Bronze", 100)])


def test_kam_score_refuses_a_bad_scheme_in_words_and_records_no_run(scored):
    make_abc(["75", "60", "45"])
    runs = ScoringRun.objects.count()
    with pytest.raises(CommandError, match="Cut-off of tier Silver"):
        call_command("score", as_of=AS_OF)
    assert ScoringRun.objects.count() == runs


def test_the_scorecard_explains_an_abc_tier_with_the_rule_in_use(client_for, lee, ledger, account):
    # Squeezer Ltd and alice's account make most of the revenue (A); the steady accounts add
    # about 2% each: the one that takes the cumulative share past 80% goes to B.
    from tests.rollups import quarters_for

    quarters_for(account, [500_000] * 8, margin=Decimal("0.35"))
    make_abc(["80", "95", "100"])
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    squeezer = run.scores.get(account=ledger["squeezer"])
    assert squeezer.tier_code == "gold"
    crossing = run.scores.filter(cumulative_share_pct__gt=80).order_by("rank").first()
    assert crossing.tier_code == "silver"
    assert run.scores.get(rank=crossing.rank - 1).tier_code == "gold"
    page = client_for(lee).get(
        reverse("selection:scorecard", kwargs={"public_id": crossing.account.public_id})
    )
    assert f"Number {crossing.rank} by revenue" in page.text
    assert "the cut-off of Silver is 95%" in page.text
    assert "the one that crosses goes to the next tier" in page.text


def test_under_the_upper_rule_the_crossing_account_stays_in_a_and_the_page_says_so(
    client_for, lee, ledger, account
):
    from tests.rollups import quarters_for

    quarters_for(account, [500_000] * 8, margin=Decimal("0.35"))
    make_abc(["80", "95", "100"], crossing="upper")
    run = scoring_run_execute(as_of=AS_OF, by=lee)
    crossing = run.scores.filter(cumulative_share_pct__gt=80).order_by("rank").first()
    assert crossing.tier_code == "gold"
    page = client_for(lee).get(
        reverse("selection:scorecard", kwargs={"public_id": crossing.account.public_id})
    )
    assert "crosses a cut-off stays in the upper tier" in page.text


def test_a_rescore_from_the_page_on_a_bad_scheme_fails_with_the_reason_in_words(
    client_for, lee, ledger, transactional_db
):
    from kam.core import jobs
    from kam.core.models import Job
    from kam.selection.defaults import ensure_defaults

    ensure_defaults()
    make_abc(["75", "60", "45"])
    client_for(lee).post(reverse("selection:rescore"))
    job = Job.objects.get()
    jobs.wait(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("Cut-off of tier Silver (60")
