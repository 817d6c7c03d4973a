"""Writes that only the API could do, now on pages (issue 14 item 8): correcting and deleting
assessments, interactions, links, interests and practices; recording practices; the levels
and hand-set strengths of a pair; the buying-role words. Each page form calls the API's
service: the same refusals (404 outside the user's accounts, 403 for a mentor), a stale save
refused with the input kept, bad input named on its field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.accounts.models import AuditEntry
from kam.relationships import services
from kam.relationships.models import (
    Assessment,
    Contact,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
    RelationshipLevel,
    RelationshipOverride,
    RoleVocabulary,
)
from tests.factories import ContactFactory

TODAY = timezone.localdate()


@pytest.fixture
def world(account, alice, budi, siti):
    """One record of each kind on Alice's account, made through the services."""
    return {
        "assessment": services.assessment_record(
            contact=budi, by=alice, attitude="neutral", influence=3
        ),
        "interaction": services.interaction_log(
            account=account,
            by=alice,
            kind="call",
            occurred_on=TODAY - timedelta(days=2),
            their_participants=[budi],
        ),
        "link": services.link_create(source=siti, target=budi, kind="influences", by=alice),
        "interest": services.interest_create(holder=budi, by=alice, kind="other", threat_level=2),
        "practice": services.practice_create(
            account=account, by=alice, description="Buys only local"
        ),
    }


def edit_url(account, kind, item) -> str:
    return reverse("relationships:edit", args=[account.public_id, kind, item.public_id])


def delete_url(account, kind, item) -> str:
    return reverse("relationships:delete", args=[account.public_id, kind, item.public_id])


def text(response) -> str:
    return response.content.decode()


def field_block(page: str, name: str) -> str:
    """The HTML of one field of the form (label, input, help, errors)."""
    start = page.index(f'class="field field-{name}')
    return page[start : page.index('<div class="field', start + 10)]


# --- correcting ------------------------------------------------------------------------------


def test_bob_corrects_an_assessment_and_the_audit_trail_says_so(client_for, bob, world, account):
    item = world["assessment"]
    client = client_for(bob)
    page = text(client.get(edit_url(account, "assessment", item)))
    assert 'name="version" value="1"' in page and "Budi Santoso" in page
    response = client.post(
        edit_url(account, "assessment", item),
        {
            "version": "1",
            "attitude": "supporter",
            "influence": "3",
            "influence_trend": "steady",
            "assessed_on": str(timezone.localdate(item.assessed_at)),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.attitude == "supporter" and item.version == 2
    assert AuditEntry.objects.filter(by=bob, action="update").exists()


def test_an_interaction_link_interest_and_practice_are_corrected(client_for, bob, world, account):
    client = client_for(bob)
    interaction = world["interaction"]
    assert (
        client.post(
            edit_url(account, "interaction", interaction),
            {
                "version": "1",
                "kind": "visit",
                "occurred_on": str(interaction.occurred_on),
                "their_participants": [
                    str(p.public_id) for p in interaction.their_participants.all()
                ],
                "notes": "Met at their plant",
            },
        ).status_code
        == 302
    )
    assert Interaction.objects.get(pk=interaction.pk).kind == "visit"
    link = world["link"]
    response = client.post(
        edit_url(account, "link", link),
        {"version": "1", "kind": "allied_with", "note": "old friends"},
    )
    assert response.status_code == 302
    assert ContactLink.objects.get(pk=link.pk).kind == "allied_with"
    interest = world["interest"]
    response = client.post(
        edit_url(account, "interest", interest),
        {
            "version": "1",
            "kind": "other",
            "threat_level": "4",
            "strategy": "earn_trust",
            "status": "open",
            "why": "He said so at lunch",
        },
    )
    assert response.status_code == 302
    stored = EntrenchedInterest.objects.get(pk=interest.pk)
    assert stored.threat_level == 4 and stored.changes.first().note == "He said so at lunch"
    practice = world["practice"]
    response = client.post(
        edit_url(account, "practice", practice),
        {
            "version": "1",
            "description": "Buys only local",
            "workaround": "A local partner",
            "recorded_on": str(TODAY),
        },
    )
    assert response.status_code == 302
    assert EntrenchedPractice.objects.get(pk=practice.pk).workaround == "A local partner"


def test_a_stale_save_is_refused_with_the_input_kept(client_for, alice, bob, world, account):
    item = world["link"]
    services.link_update(link=item, by=alice, note="Alice's note")  # version 2 now
    response = client_for(bob).post(
        edit_url(account, "link", item),
        {"version": "1", "kind": "in_tension_with", "note": "Bob's note"},
    )
    assert response.status_code == 409
    page = text(response)
    assert "Bob&#x27;s note" in page or "Bob's note" in page  # the input is kept
    assert "Alice" in page and "Stored now" in page  # who changed it, what is stored
    assert 'name="version" value="2"' in page  # saving again is a deliberate choice
    assert ContactLink.objects.get(pk=item.pk).note == "Alice's note"


def test_bad_input_is_named_on_its_field(client_for, bob, world, account):
    client = client_for(bob)
    interest = world["interest"]
    response = client.post(
        edit_url(account, "interest", interest),
        {
            "version": "1",
            "kind": "other",
            "threat_level": "2",
            "strategy": "enlist_advocate",
            "status": "open",
        },
    )
    assert response.status_code == 422
    assert "Name the advocate" in field_block(text(response), "advocate")
    interaction = world["interaction"]
    response = client.post(
        edit_url(account, "interaction", interaction),
        {
            "version": "1",
            "kind": "call",
            "occurred_on": str(TODAY + timedelta(days=30)),
            "their_participants": [str(p.public_id) for p in interaction.their_participants.all()],
        },
    )
    assert response.status_code == 422
    assert 'class="errorlist' in field_block(text(response), "occurred_on")
    assert Interaction.objects.get(pk=interaction.pk).occurred_on == interaction.occurred_on


# --- deleting --------------------------------------------------------------------------------


def test_a_deletion_needs_a_yes_and_a_fresh_version(client_for, alice, bob, world, account):
    client = client_for(bob)
    item = world["assessment"]
    response = client.post(delete_url(account, "assessment", item), {"delete-version": "1"})
    assert response.status_code == 422 and "delete-confirm" in text(response)
    services.assessment_update(assessment=item, by=alice, note="Checked")  # version 2
    response = client.post(
        delete_url(account, "assessment", item), {"delete-version": "1", "delete-confirm": "on"}
    )
    assert response.status_code == 409 and Assessment.objects.filter(pk=item.pk).exists()
    assert 'name="delete-version" value="2"' in text(response)
    response = client.post(
        delete_url(account, "assessment", item), {"delete-version": "2", "delete-confirm": "on"}
    )
    assert response.status_code == 302 and not Assessment.objects.filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(by=bob, action="delete").exists()


@pytest.mark.parametrize("kind", ["interaction", "link", "interest", "practice"])
def test_each_kind_is_deleted(client_for, bob, world, account, kind):
    item = world[kind]
    response = client_for(bob).post(
        delete_url(account, kind, item), {"delete-version": "1", "delete-confirm": "on"}
    )
    assert response.status_code == 302
    assert not type(item).objects.filter(pk=item.pk).exists()


# --- refusals --------------------------------------------------------------------------------


def test_a_mentor_reads_but_may_not_correct_or_delete(client_for, mia, world, account):
    client = client_for(mia)
    before = AuditEntry.objects.count()
    for kind, item in world.items():
        assert client.get(edit_url(account, kind, item)).status_code == 403, kind
        assert client.post(edit_url(account, kind, item), {"version": "1"}).status_code == 403
        response = client.post(
            delete_url(account, kind, item), {"delete-version": "1", "delete-confirm": "on"}
        )
        assert response.status_code == 403, kind
    assert AuditEntry.objects.count() == before
    contact_page = text(
        client.get(
            reverse("relationships:contact_detail", args=[world["assessment"].contact.public_id])
        )
    )
    assert 'class="edit-link"' not in contact_page


def test_another_account_is_not_found(client_for, charlie, world, account, other_account):
    client = client_for(charlie)
    for kind, item in world.items():
        assert client.get(edit_url(account, kind, item)).status_code == 404
        # Charlie's own account in the URL does not reach Alice's record either.
        assert client.get(edit_url(other_account, kind, item)).status_code == 404
        response = client.post(
            delete_url(other_account, kind, item), {"delete-version": "1", "delete-confirm": "on"}
        )
        assert response.status_code == 404
    assert Assessment.objects.filter(pk=world["assessment"].pk).exists()


def test_the_pages_link_to_the_corrections(client_for, bob, world, account, budi):
    client = client_for(bob)
    contact_page = text(client.get(reverse("relationships:contact_detail", args=[budi.public_id])))
    for kind in ("assessment", "interaction", "interest"):
        assert edit_url(account, kind, world[kind]) in contact_page, kind
    page = reverse("relationships:account_detail", args=[account.public_id])
    threats = text(client.get(page, {"tab": "threats"}))
    assert edit_url(account, "practice", world["practice"]) in threats
    log = text(client.get(page, {"tab": "log"}))
    assert edit_url(account, "interaction", world["interaction"]) in log


# --- practices recorded on the page ----------------------------------------------------------


def test_a_practice_is_recorded_from_the_record_tab(client_for, bob, account):
    client = client_for(bob)
    page = reverse("relationships:account_detail", args=[account.public_id])
    assert 'id="record-practice"' in text(client.get(page, {"tab": "record"}))
    url = reverse("relationships:record", args=[account.public_id, "practice"])
    response = client.post(
        url, {"pr-description": "", "pr-workaround": "x"}, HTTP_HX_REQUEST="true"
    )
    assert "This field is required" in field_block(text(response), "description")
    response = client.post(url, {"pr-description": "Only 2-3 day training courses"})
    assert response.status_code == 302
    practice = EntrenchedPractice.objects.get(account=account)
    assert practice.recorded_on == TODAY and practice.created_by == bob


# --- a pair: level and hand-set strength -----------------------------------------------------


def pair_url(contact, user) -> str:
    return reverse("relationships:pair", args=[contact.public_id, user.pk])


def test_bob_sets_a_level_and_a_strength_then_clears_them(client_for, alice, bob, budi):
    client = client_for(bob)
    contact_page = text(client.get(reverse("relationships:contact_detail", args=[budi.public_id])))
    assert pair_url(budi, alice) in contact_page
    url = pair_url(budi, alice)
    response = client.post(
        url, {"action": "level", "level-current": "vendor", "level-target": "trusted_advisor"}
    )
    assert response.status_code == 302
    level = RelationshipLevel.objects.get(contact=budi, user=alice)
    assert level.target == "trusted_advisor"
    response = client.post(
        url, {"action": "override", "override-value": "140", "override-reason": "x"}
    )
    assert response.status_code == 422
    assert 'class="errorlist' in field_block(text(response), "value")
    response = client.post(
        url, {"action": "override", "override-value": "70", "override-reason": "Dinner every month"}
    )
    assert response.status_code == 302
    assert RelationshipOverride.objects.get(contact=budi, user=alice).value == 70
    page = text(client.get(url))
    seen = re.search(r'name="override-seen" value="([^"]+)"', page).group(1)
    response = client.post(url, {"action": "clear_override", "override-seen": seen})
    assert response.status_code == 302
    assert not RelationshipOverride.objects.filter(contact=budi, user=alice).exists()


def test_a_stale_level_is_refused_with_the_input_kept(client_for, alice, bob, budi):
    services.level_set(user=alice, contact=budi, current="vendor", by=alice)
    client = client_for(bob)
    url = pair_url(budi, alice)
    seen = re.search(r'name="level-seen" value="([^"]+)"', text(client.get(url))).group(1)
    services.level_set(user=alice, contact=budi, current="problem_solver", by=alice)
    response = client.post(
        url,
        {
            "action": "level",
            "level-seen": seen,
            "level-current": "credible_source",
            "level-note": "Bob's view",
        },
    )
    assert response.status_code == 409
    assert "Bob&#x27;s view" in text(response) or "Bob's view" in text(response)
    assert RelationshipLevel.objects.get(contact=budi, user=alice).current == "problem_solver"


def test_the_pair_page_refuses_like_the_api(client_for, alice, bob, mia, charlie, budi):
    url = pair_url(budi, alice)
    assert client_for(mia).get(url).status_code == 403
    assert (
        client_for(mia).post(url, {"action": "level", "level-current": "vendor"}).status_code == 403
    )
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(bob).get(pair_url(budi, charlie)).status_code == 404  # not on the team
    assert not RelationshipLevel.objects.exists()


# --- the buying-role words -------------------------------------------------------------------


def test_the_lead_chooses_chess_pieces_and_the_pages_use_them(client_for, lee, alice, mia):
    url = reverse("relationships:vocabulary")
    assert client_for(alice).get(url).status_code == 200
    assert client_for(alice).post(url, {"style": "chess"}).status_code == 403
    assert client_for(mia).post(url, {"style": "chess"}).status_code == 403
    client = client_for(lee)
    response = client.post(url, {"style": "chess", "label_coach": "Sponsor"})
    assert response.status_code == 302
    vocabulary = RoleVocabulary.load()
    assert vocabulary.style == "chess" and vocabulary.custom_labels == {"coach": "Sponsor"}
    page = text(client.get(url))
    assert "Sponsor" in page
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    services.role_vocabulary_update(by=lee, style="plain")
    response = client.post(url, {"style": "chess", "seen": seen})
    assert response.status_code == 409
    assert RoleVocabulary.load().style == "plain"


# --- the people picker -----------------------------------------------------------------------


def test_the_picker_finds_a_chinese_name_of_this_account_only(
    client_for, bob, account, other_account
):
    ContactFactory(account=account, name="王伟", title="采购经理")
    ContactFactory(account=other_account, name="王芳")
    url = reverse("relationships:people_search", args=[account.public_id])
    response = client_for(bob).get(
        url, {"field": "source", "source-search": "王"}, HTTP_HX_REQUEST="true"
    )
    page = text(response)
    assert "王伟" in page and "王芳" not in page
    page = text(
        client_for(bob).get(url, {"field": "x", "x-search": "budi"}, HTTP_HX_REQUEST="true")
    )
    assert "Budi Santoso" in page  # case does not matter in Latin script


def test_the_picker_of_another_account_is_not_found(client_for, charlie, account):
    url = reverse("relationships:people_search", args=[account.public_id])
    response = client_for(charlie).get(
        url, {"field": "x", "x-search": "Budi"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404


def test_the_forms_offer_no_list_of_every_person(client_for, bob, account):
    for i in range(40):
        ContactFactory(account=account, name=f"Person {i}")
    client = client_for(bob)
    record = text(
        client.get(
            reverse("relationships:account_detail", args=[account.public_id]), {"tab": "record"}
        )
    )
    assert "Person 7" not in record and record.count("<option") < 60


# --- significant deals -----------------------------------------------------------------------


def test_bob_marks_a_significant_deal_and_whose_buy_in_it_needs(
    client_for, alice, bob, mia, account, siti
):
    from kam.planning.services import opportunity_create, opportunity_update

    deal = opportunity_create(
        account=account, by=alice, name="Hinge retrofit", value=10, probability=50
    )
    url = edit_url(account, "deal", deal)
    page = reverse("relationships:account_detail", args=[account.public_id])
    client = client_for(bob)
    assert url in text(client.get(page, {"tab": "plan"}))
    assert client_for(mia).get(url).status_code == 403
    client = client_for(bob)
    response = client.post(
        url, {"version": "1", "significant": "on", "buy_in_needed_from": [str(siti.public_id)]}
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.significant and list(deal.buy_in_needed_from.all()) == [siti]
    overview = text(client.get(page, {"tab": "overview"}))
    deals = overview[overview.index('id="deals"') :]
    assert "Hinge retrofit" in deals and "Siti Rahayu" in deals
    opportunity_update(opportunity=deal, by=alice, probability=70)  # a newer version
    response = client.post(url, {"version": "2", "significant": ""})
    assert response.status_code == 409 and 'name="version" value="3"' in text(response)
    deal.refresh_from_db()
    assert deal.significant
    response = client.post(
        delete_url(account, "deal", deal), {"delete-version": "3", "delete-confirm": "on"}
    )
    assert response.status_code == 302 and "tab=plan" in response["Location"]
    assert not type(deal).objects.filter(pk=deal.pk).exists()


def test_an_objective_is_closed_or_deleted_from_the_plan_tab(client_for, alice, bob, mia, account):
    from kam.planning.models import Objective
    from kam.planning.services import objective_create

    objective = objective_create(
        account=account, by=alice, description="Move up-market", horizon="long_term"
    )
    url = edit_url(account, "objective", objective)
    page = reverse("relationships:account_detail", args=[account.public_id])
    assert url in text(client_for(bob).get(page, {"tab": "plan"}))
    assert client_for(mia).post(url, {"version": "1", "status": "achieved"}).status_code == 403
    client = client_for(bob)
    assert client.post(url, {"version": "1", "status": "achieved"}).status_code == 302
    assert Objective.objects.get(pk=objective.pk).status == "achieved"
    response = client.post(url, {"version": "1", "status": "dropped"})
    assert response.status_code == 409
    response = client.post(
        delete_url(account, "objective", objective),
        {"delete-version": "2", "delete-confirm": "on"},
    )
    assert response.status_code == 302 and not Objective.objects.filter(pk=objective.pk).exists()


# --- people ----------------------------------------------------------------------------------


def test_bob_adds_a_person_edits_and_deletes_them(client_for, alice, bob, account, budi):
    from kam.relationships.models import Contact

    client = client_for(bob)
    url = reverse("relationships:record", args=[account.public_id, "contact"])
    response = client.post(url, {"ct-name": "陈静", "ct-email": "not an address"})
    assert response.status_code == 400 and "ct-email" in text(response)
    response = client.post(
        url,
        {"ct-name": "陈静", "ct-other_name": "Chen Jing", "ct-reports_to": str(budi.public_id)},
    )
    assert response.status_code == 302
    person = Contact.objects.get(account=account, name="陈静")
    assert person.reports_to == budi and person.created_by == bob
    edit = edit_url(account, "contact", person)
    assert edit in text(
        client.get(reverse("relationships:contact_detail", args=[person.public_id]))
    )
    response = client.post(
        edit, {"version": "1", "name": "陈静", "title": "设计总监", "reports_to": ""}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.title == "设计总监" and person.reports_to is None
    services.contact_update(contact=person, by=alice, department="Desain")  # version 3
    response = client.post(edit, {"version": "2", "name": "陈静 (Jing)"})
    assert response.status_code == 409 and "陈静 (Jing)" in text(response)
    response = client.post(
        delete_url(account, "contact", person), {"delete-version": "3", "delete-confirm": "on"}
    )
    assert response.status_code == 302 and "tab=overview" in response["Location"]
    assert not Contact.objects.filter(pk=person.pk).exists()


def test_a_person_who_moved_to_another_of_our_accounts_is_followed(
    client_for, alice, bob, mia, account, budi
):
    from kam.relationships.models import Contact
    from tests.factories import AccountFactory

    second = AccountFactory(name="PT Kedua", owner=alice)
    url = reverse("relationships:contact_rejoin", args=[budi.public_id])
    assert client_for(mia).get(url).status_code == 403
    client = client_for(alice)
    response = client.post(url, {"account": str(account.public_id)})  # not offered: the same
    assert response.status_code == 422 and 'class="errorlist' in field_block(
        text(response), "account"
    )
    response = client.post(url, {"account": str(second.public_id), "title": "Kepala Pembelian"})
    assert response.status_code == 302
    joined = Contact.objects.get(account=second)
    assert joined.previous == budi and joined.title == "Kepala Pembelian"
    budi.refresh_from_db()
    assert budi.status == "left"


# --- the successor of a person who already left (PUT .../successor on a page) ---------------


def test_the_team_names_the_successor_of_a_person_who_left(
    client_for, account, alice, mia, charlie, budi, siti
):
    dedi = ContactFactory(account=account, name="Dedi Kurniawan")
    ContactFactory(account=account, name="Ani", reports_to=dedi)
    today = timezone.localdate()
    services.contact_record_departure(contact=dedi, left_on=today, by=alice, hand_over=False)
    url = reverse("relationships:contact_successor", args=[dedi.public_id])
    page = client_for(alice).get(reverse("relationships:contact_detail", args=[dedi.public_id]))
    assert url in text(page)
    assert client_for(mia).get(url).status_code == 403
    assert client_for(mia).post(url, {"successor": str(siti.public_id)}).status_code == 403
    assert client_for(charlie).get(url).status_code == 404
    client = client_for(alice)
    themselves = client.post(url, {"successor": str(dedi.public_id)})
    assert themselves.status_code == 422
    assert "successor" in themselves.context["form"].errors  # the service's refusal
    done = client.post(url, {"successor": str(siti.public_id), "hand_over": "on"})
    assert done.status_code == 302
    dedi.refresh_from_db()
    assert dedi.successor == siti
    assert Contact.objects.get(name="Ani").reports_to == siti  # handed over
    assert AuditEntry.objects.filter(contact=dedi, action="update").exists()


def test_a_successor_needs_a_recorded_departure(client_for, alice, budi, siti):
    url = reverse("relationships:contact_successor", args=[budi.public_id])
    response = client_for(alice).post(url, {"successor": str(siti.public_id)})
    assert response.status_code == 422
    assert "Record the departure first" in text(response)
