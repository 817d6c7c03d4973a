"""The key account register: every user knows who the key accounts are, their tier, KAM and
service level, and sees no figure the programme lead has not published (issue 14 item 9)."""

from __future__ import annotations

import re

from django.urls import reverse

from kam.selection.models import RegisterSettings
from kam.users.models import ApiToken

REGISTER = reverse("selection:register")


def key_scores(run):
    return list(run.scores.filter(is_key=True).select_related("account"))


def test_someone_on_no_account_sees_who_is_key_without_figures_or_contacts(
    client_for, charlie, scored, account
):
    keys = key_scores(scored)
    assert keys, "the fixture's run has key accounts"
    page = client_for(charlie).get(REGISTER)
    assert page.status_code == 200
    for score in keys:
        assert score.account.name in page.text
        # Not on the account: its name is not a link into it.
        assert score.account.get_absolute_url() not in page.text
    assert "visits a month" in page.text
    assert "Budi Santoso" not in page.text  # a contact of a key account
    assert "Revenue (" not in page.text
    assert "What the register publishes" not in page.text  # only the lead chooses


def test_the_accounts_a_user_is_on_are_links(client_for, alice, scored, account):
    assert account.pk in {s.account_id for s in key_scores(scored)}
    page = client_for(alice).get(REGISTER)
    assert account.get_absolute_url() in page.text


def test_what_the_lead_publishes_appears_for_everyone(client_for, lee, charlie, scored):
    published = RegisterSettings.current()
    answer = client_for(lee).post(
        REGISTER,
        {"publish_revenue": "on", "publish_rank": "on", "version": published.version},
    )
    assert answer.status_code == 302
    page = client_for(charlie).get(REGISTER)
    assert "Revenue (" in page.text
    top = min(key_scores(scored), key=lambda s: s.rank)
    assert f"{int(top.revenue):,}" in page.text


def test_only_the_lead_may_change_what_is_published(client_for, alice, scored):
    answer = client_for(alice).post(REGISTER, {"publish_revenue": "on"})
    assert answer.status_code == 403
    assert RegisterSettings.current().publish_revenue is False


def test_a_stale_save_is_refused_and_keeps_the_choice(client_for, lee, scored):
    published = RegisterSettings.current()
    stale_version = published.version
    published.publish_rank = True
    published.version += 1
    published.save()
    answer = client_for(lee).post(REGISTER, {"publish_revenue": "on", "version": stale_version})
    assert answer.status_code == 409
    assert RegisterSettings.current().publish_revenue is False
    assert re.search(r'<input[^>]*name="publish_revenue"[^>]*checked', answer.text)
    assert "Stored now" in answer.text


def test_the_api_names_only_the_accounts_the_caller_is_on(client, charlie, scored, account):
    token = ApiToken.issue(user=charlie)[1]
    answer = client.get("/api/v1/selection/register", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    rows = answer.json()["items"]
    assert {row["account_name"] for row in rows} == {s.account.name for s in key_scores(scored)}
    assert all(row["account_id"] is None for row in rows)
    assert all(row["revenue"] is None and row["reason"] == "" for row in rows)
