"""Panels of one page read the same facts (issue 14 item 2): a risk never speaks of a deal the
deals panel does not list, a contact met in person is 'known in person' on every panel, and no
meeting is logged after the person left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kam.relationships.models import Interaction
from kam.relationships.services import interaction_log
from tests.relationships.factories import (
    AssessmentFactory,
    InteractionFactory,
    OpportunityFactory,
)

TODAY = timezone.localdate()


def page(client, account) -> str:
    url = reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    "deal", [{"significant": False}, {"significant": True, "status": "lost"}], ids=str
)
def test_a_risk_names_a_significant_deal_only_when_the_deals_panel_lists_one(
    client_for, alice, account, siti, deal
):
    AssessmentFactory(contact=siti, influence=5, attitude="opponent")
    OpportunityFactory(account=account, name="Small reorder", **deal).buy_in_needed_from.set([siti])
    text = page(client_for(alice), account)
    assert "No open significant deal." in text
    assert "Siti Rahayu is against us" in text
    assert "Their buy-in is needed for a significant deal." not in text


def test_an_opponent_needed_by_an_open_significant_deal_is_named_in_both_panels(
    client_for, alice, account, siti
):
    AssessmentFactory(contact=siti, influence=5, attitude="opponent")
    deal = OpportunityFactory(account=account, name="Hinge line retrofit", significant=True)
    deal.buy_in_needed_from.set([siti])
    text = page(client_for(alice), account)
    assert "Their buy-in is needed for a significant deal." in text
    assert "Hinge line retrofit" in text.split('id="deals"', 1)[1]


def test_a_contact_met_in_person_is_known_in_person_on_their_page(client_for, alice, siti):
    AssessmentFactory(contact=siti, influence=3, attitude="neutral")  # nobody ticked
    for days in (1, 3):
        InteractionFactory(
            account=siti.account,
            kind="meeting",
            occurred_on=TODAY - timedelta(days=days),
            users=[alice],
            contacts=[siti],
        )
    url = reverse("relationships:contact_detail", kwargs={"public_id": siti.public_id})
    text = client_for(alice).get(url).content.decode()
    known = text.split("Known in person by</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert "Alice" in known and "nobody" not in known
    around = text.split("Who on our team knows them", 1)[1].split("</table>", 1)[0]
    assert "Alice" in around and '<span class="badge">in person</span>' in around


def test_no_interaction_is_logged_after_the_contact_left(alice, account, siti):
    siti.left_on = TODAY - timedelta(days=10)
    siti.save()
    with pytest.raises(ValidationError) as refused:
        interaction_log(
            account=account,
            by=alice,
            kind="meeting",
            occurred_on=TODAY - timedelta(days=2),
            their_participants=[siti],
        )
    assert "their_participants" in refused.value.error_dict
    # On the day they left is still fine: the farewell meeting.
    interaction_log(
        account=account,
        by=alice,
        kind="meeting",
        occurred_on=siti.left_on,
        their_participants=[siti],
    )
    assert Interaction.objects.filter(their_participants=siti).count() == 1


def test_the_form_says_why_a_meeting_after_the_departure_is_refused(client_for, bob, account, siti):
    siti.left_on = TODAY - timedelta(days=10)
    siti.save()
    response = client_for(bob).post(
        reverse("relationships:record", args=[account.public_id, "interaction"]),
        {
            "ix-kind": "meeting",
            "ix-occurred_on": str(TODAY),
            "ix-their_participants": [str(siti.public_id)],
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Siti Rahayu left the company on" in response.content.decode()
    assert not Interaction.objects.filter(their_participants=siti).exists()
