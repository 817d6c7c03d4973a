"""The selection pages: the list with reasons, exports, scorecard, matrix, Pareto, settings."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kam.selection.models import AccountScore, Rating, SelectionCriterion, TierOverride
from kam.selection.queries import latest_run


def scorecard_url(account):
    return reverse("selection:scorecard", kwargs={"public_id": account.public_id})


def test_the_lead_sees_every_scored_account_with_its_reason(client_for, lee, scored, ledger):
    response = client_for(lee).get(reverse("selection:key_accounts"))
    assert response.status_code == 200
    assert "Squeezer Ltd" in response.text
    assert "Big but bad buyer" in response.text
    assert "below cost (margin -5.0%)" in response.text


def test_a_kam_sees_only_their_accounts_in_the_list(client_for, alice, scored, account):
    response = client_for(alice).get(reverse("selection:key_accounts"))
    assert account.name in response.text
    assert "Squeezer Ltd" not in response.text


def test_the_list_filters_by_flag(client_for, lee, scored):
    response = client_for(lee).get(reverse("selection:key_accounts"), {"flag": "big_but_bad"})
    assert "Squeezer Ltd" in response.text
    assert "Steady 3" not in response.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas_and_keep_unicode(client_for, lee, scored, ledger, fmt):
    ledger[0].name = '=HYPERLINK("http://evil")'
    ledger[0].save()
    ledger[1].name = "广州华美家具有限公司"
    ledger[1].save()
    response = client_for(lee).get(reverse("selection:export", args=[fmt]))
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    names = [row[2] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in names
    assert "广州华美家具有限公司" in names
    assert len(rows) == 1 + len(ledger) + 1


def test_exports_hold_only_visible_accounts(client_for, alice, scored, account):
    response = client_for(alice).get(reverse("selection:export", args=["csv"]))
    body = response.content.decode("utf-8-sig")
    assert account.name in body
    assert "Squeezer" not in body


def test_the_scorecard_explains_the_score_and_draws_trends(client_for, alice, scored, account):
    response = client_for(alice).get(scorecard_url(account))
    assert response.status_code == 200
    assert "<svg" in response.text
    assert "Sales volume (last 12 months)" in response.text  # the breakdown uses full labels
    assert "Why this score" in response.text


def test_a_stranger_gets_404_on_the_scorecard(client_for, charlie, scored, account):
    assert client_for(charlie).get(scorecard_url(account)).status_code == 404
    post = client_for(charlie).post(
        reverse("selection:rating_add", kwargs={"public_id": account.public_id}),
        {"key": "openness", "value": "5"},
    )
    assert post.status_code == 404
    assert not Rating.objects.exists()


def test_the_team_rates_and_the_mentor_may_not(client_for, bob, mia, scored, account):
    url = reverse("selection:rating_add", kwargs={"public_id": account.public_id})
    assert client_for(mia).post(url, {"key": "openness", "value": "5"}).status_code == 403
    assert not Rating.objects.exists()
    response = client_for(bob).post(url, {"key": "openness", "value": "4", "note": "很開放"})
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.value, rating.rated_by, rating.note) == (Decimal("4"), bob, "很開放")


def test_a_rating_outside_its_scale_is_refused(client_for, alice, scored, account):
    url = reverse("selection:rating_add", kwargs={"public_id": account.public_id})
    response = client_for(alice).post(url, {"key": "openness", "value": "9"}, follow=True)
    assert "Enter a value from 1 to 5" in response.text
    assert not Rating.objects.exists()


def test_only_the_lead_overrides_a_tier_and_must_say_why(client_for, alice, lee, scored, account):
    url = reverse("selection:override", kwargs={"public_id": account.public_id})
    assert client_for(alice).post(url, {"tier_code": "gold", "reason": "x"}).status_code == 403
    client_for(lee).post(url, {"tier_code": "gold", "reason": ""})
    assert not TierOverride.objects.exists()
    client_for(lee).post(url, {"tier_code": "gold", "reason": "Strategic for the hotel push"})
    assert TierOverride.objects.get().tier_code == "gold"


def test_the_portfolio_places_accounts_with_a_wallet(client_for, lee, scored, account):
    Rating.objects.create(
        account=account,
        key="wallet",
        value=Decimal("4000000"),
        rated_by=lee,
        rated_at="2026-10-01T00:00Z",
    )
    from kam.selection.run import scoring_run_execute
    from tests.rollups import AS_OF

    scoring_run_execute(as_of=AS_OF, by=lee)
    response = client_for(lee).get(reverse("selection:portfolio"))
    assert response.status_code == 200
    page = response.text
    assert f"{account.name}:" in page
    # How many are left out, and for want of which value, with the list one click away.
    rows = AccountScore.objects.filter(run=latest_run())
    missing = rows.exclude(score=None).filter(share_of_wallet_pct=None).count()
    assert missing > 0
    assert f"{missing} accounts have no wallet estimate" in page
    listed = client_for(lee).get(reverse("selection:key_accounts"), {"missing": "wallet"}).text
    assert account.name not in listed  # it has its estimate now
    # The axes carry their values, and a key account its name beside its dot, linked to its
    # scorecard.
    assert page.count('class="tick x"') >= 4 and page.count('class="tick y"') >= 4
    score = rows.get(account=account)
    if score.is_key:
        assert 'class="account-name"' in page
    scorecard = reverse("selection:scorecard", kwargs={"public_id": account.public_id})
    assert f'href="{scorecard}"' in page


def test_concentration_shows_the_share_of_the_largest(client_for, lee, scored):
    response = client_for(lee).get(reverse("selection:concentration"))
    assert response.status_code == 200
    assert "Concentration index (HHI)" in response.text
    assert "Squeezer Ltd" in response.text


def test_only_the_lead_opens_the_settings(client_for, alice, lee, scored):
    assert client_for(alice).get(reverse("selection:settings")).status_code == 403
    assert client_for(lee).get(reverse("selection:settings")).status_code == 200


def test_the_lead_changes_a_weight(client_for, lee, scored):
    client = client_for(lee)
    page = client.get(reverse("selection:settings"))
    form = page.context["criteria_forms"]
    data = {
        "criteria-TOTAL_FORMS": str(len(form.forms)),
        "criteria-INITIAL_FORMS": str(len(form.forms)),
        "knockouts-TOTAL_FORMS": "0",
        "knockouts-INITIAL_FORMS": "0",
        "tiers-TOTAL_FORMS": str(len(page.context["tiers"].forms)),
        "tiers-INITIAL_FORMS": str(len(page.context["tiers"].forms)),
        "scheme-cut_off": "score",
        "scheme-capacity": "",
    }
    for i, f in enumerate(form.forms):
        c = f.instance
        data.update(
            {
                f"criteria-{i}-id": str(c.pk),
                f"criteria-{i}-weight": "40" if c.key == "revenue" else str(c.weight),
                f"criteria-{i}-direction": c.direction,
                f"criteria-{i}-normalisation": c.normalisation,
                f"criteria-{i}-thresholds_text": "[]",
            }
        )
    for i, f in enumerate(page.context["tiers"].forms):
        t = f.instance
        data.update(
            {
                f"tiers-{i}-id": str(t.pk),
                f"tiers-{i}-name": t.name,
                f"tiers-{i}-cut_off": str(t.cut_off),
                f"tiers-{i}-is_key": "on",
                f"tiers-{i}-visits_per_month": "1",
                f"tiers-{i}-plan_review_days": "90",
                f"tiers-{i}-cost_to_serve": "0",
            }
        )
    response = client.post(reverse("selection:settings"), data)
    assert response.status_code == 302, (
        response.context and response.context["criteria_forms"].errors
    )
    assert SelectionCriterion.objects.get(key="revenue").weight == 40


def test_the_lead_rescores_in_the_background(client_for, lee, ledger, transactional_db):
    from kam.core import jobs
    from kam.core.models import Job

    response = client_for(lee).post(reverse("selection:rescore"))
    assert response.status_code == 302
    job = Job.objects.get()
    jobs.wait(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.message
    from kam.accounts.models import Account

    assert job.result["accounts"] == Account.objects.count()
    page = client_for(lee).get(response.url)
    assert "accounts scored" in page.text


def test_the_dashboard_shows_the_tier_score_and_flags_of_my_accounts(client_for, alice, scored):
    response = client_for(alice).get(reverse("accounts:dashboard"))
    score = response.context["dashboard"].accounts[0].latest_score
    assert score is not None
    assert f">{score.score:.0f}</a>" in response.text
