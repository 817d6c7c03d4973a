"""A stale stage form is a conflict: 409, the other person's change shown, the user's kept."""

from __future__ import annotations

from django.urls import reverse

from kam.accounts.models import Stage, StageChange
from kam.accounts.services import account_stage_change


def _submit(client, account, **fields):
    data = {"to_stage": Stage.REVIEW, "expected_stage": Stage.PRE_SALES, "version": 1}
    data.update(fields)
    return client.post(
        reverse("accounts:account_stage", kwargs={"public_id": account.public_id}), data
    )


def test_the_stage_form_carries_the_version_it_was_drawn_from(client_for, alice, account):
    page = client_for(alice).get(account.get_absolute_url())
    assert 'name="version" value="1"' in page.text


def test_a_stale_stage_form_shows_who_changed_it_and_keeps_the_users_input(
    client_for, alice, lee, account
):
    account_stage_change(account=account, to_stage=Stage.NEGOTIATION, by=lee)
    response = _submit(client_for(alice), account, note="Kontrak ditandatangani 合同")
    assert response.status_code == 409
    assert "Lee" in response.text
    assert "Kontrak ditandatangani 合同" in response.text
    theirs = response.text.split('data-testid="their-change"')[1].split("</p>")[0]
    assert "Contract negotiation" in theirs
    account.refresh_from_db()
    assert (account.stage, StageChange.objects.count()) == (Stage.NEGOTIATION, 1)


def test_a_change_away_and_back_is_seen(client_for, alice, lee, account):
    account_stage_change(account=account, to_stage=Stage.NEGOTIATION, by=lee)
    account_stage_change(account=account, to_stage=Stage.PRE_SALES, by=lee)
    response = _submit(client_for(alice), account)
    assert response.status_code == 409
    account.refresh_from_db()
    assert account.stage == Stage.PRE_SALES


def test_submitting_the_rebased_form_again_applies_the_users_choice(
    client_for, alice, lee, account
):
    account_stage_change(account=account, to_stage=Stage.NEGOTIATION, by=lee)
    client = client_for(alice)
    conflict = _submit(client, account, note="signed")
    form = conflict.context["stage_form"]
    again = _submit(
        client,
        account,
        note=form["note"].value(),
        expected_stage=form["expected_stage"].value(),
        version=form["version"].value(),
    )
    assert again.status_code == 302
    account.refresh_from_db()
    assert (account.stage, account.version) == (Stage.REVIEW, 3)
