"""Slips on the selection pages a director would notice (issue 14 item 7)."""

from __future__ import annotations

import re

from django.urls import reverse

from kam.selection.forms import thresholds_parsed, thresholds_shown
from kam.selection.models import AccountScore


def test_average_days_late_reads_the_same_on_the_card_and_in_the_table(
    client_for, alice, scored, account
):
    score = AccountScore.objects.filter(account=account).latest("pk")
    score.avg_days_late = 0.24
    score.save(update_fields=["avg_days_late"])
    text = (
        client_for(alice)
        .get(reverse("selection:scorecard", kwargs={"public_id": account.public_id}))
        .text
    )
    card = re.search(r'stat-value">([^<]*)</span><span class="stat-label">Average days late', text)
    assert card.group(1) == "0.24"  # as precise as the breakdown's value, not "0"


def test_a_kams_concentration_page_says_it_covers_their_accounts(client_for, alice, lee, scored):
    mine = client_for(alice).get(reverse("selection:concentration")).text
    assert "Concentration of sales across your accounts" in mine
    assert "The ten largest accounts" not in mine
    company = client_for(lee).get(reverse("selection:concentration")).text
    assert "across your accounts" not in company


def test_thresholds_read_as_steps_never_as_raw_json(client_for, lee, scored):
    text = client_for(lee).get(reverse("selection:settings")).text
    assert 'value="[]"' not in text
    assert thresholds_shown([[0, 0], [1_000_000, 50]]) == "0 = 0; 1,000,000 = 50"
    assert thresholds_parsed("0 = 0; 1000000 = 50") == [[0.0, 0.0], [1_000_000.0, 50.0]]
    assert thresholds_parsed("[[0, 0]]") == [[0.0, 0.0]]


def test_tier_filters_offer_tier_names_in_the_readers_language(client_for, lee, scored):
    client = client_for(lee)
    client.cookies["django_language"] = "id"
    text = client.get(reverse("selection:key_accounts")).text
    options = re.findall(
        r'<option value="[^"]+">([^<]+)</option>',
        text.split('name="tier"', 1)[1].split("</select>", 1)[0],
    )
    assert options and "Gold" not in options and "Emas" in options
