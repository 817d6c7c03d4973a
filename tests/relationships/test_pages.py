"""The relationship pages as the team sees them: the findings in words with the right names,
who may see and record what, and pages whose query count does not grow with the account."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kam.accounts.models import AuditEntry
from kam.relationships.models import (
    Assessment,
    Contact,
    ContactLink,
    Interaction,
)
from kam.relationships.services import assessment_record
from kam.relationships.views import maps
from tests.factories import ContactFactory
from tests.relationships.factories import (
    AssessmentFactory,
    InteractionFactory,
    InterestFactory,
    LinkFactory,
    ObjectiveFactory,
    OpportunityFactory,
    PracticeFactory,
)

TODAY = timezone.localdate()


def _grow(account, user, count: int) -> None:
    """``count`` more people at the account, each assessed, met, linked and with an interest."""
    previous = None
    for i in range(count):
        person = ContactFactory(
            account=account, name=f"Extra {i}", department=f"Dept {i % 3}", reports_to=previous
        )
        AssessmentFactory(contact=person, influence=1 + i % 5, attitude="neutral")
        InteractionFactory(
            account=account,
            occurred_on=TODAY - timedelta(days=10 + i),
            users=[user],
            contacts=[person],
        )
        if previous is not None:
            LinkFactory(source=previous, target=person, kind="allied_with")
        InterestFactory(holder=person, threat_level=2)
        previous = person


@pytest.fixture
def mapped(account, alice, bob, budi, siti):
    """Alice's account: Budi (procurement) is the one we know; Siti (design) is influential,
    against us, unknown, needed for a significant deal, and holds a kick-back interest."""
    AssessmentFactory(
        contact=budi, influence=4, attitude="supporter", buying_role="coach"
    ).known_in_person_by.set([alice])
    AssessmentFactory(contact=siti, influence=5, attitude="opponent", buying_role="decision_maker")
    InteractionFactory(
        account=account, kind="pilot", occurred_on=TODAY, users=[alice], contacts=[budi]
    )
    LinkFactory(source=budi, target=siti, kind="influences")
    InterestFactory(holder=siti, kind="incumbent_kickbacks", threat_level=4)
    deal = OpportunityFactory(account=account, name="Hinge line retrofit", significant=True)
    deal.buy_in_needed_from.set([siti])
    ObjectiveFactory(
        account=account, description="Move up-market", horizon="long_term", source_contact=siti
    )
    PracticeFactory(account=account, description="Only buys 2-3 day training courses")
    return account


def page_url(account) -> str:
    return reverse("relationships:account_detail", kwargs={"public_id": account.public_id})


def map_url(account, suffix: str = "") -> str:
    name = {"": "map_detail", "svg": "map_export_svg", "png": "map_export_png"}[suffix]
    return reverse(f"relationships:{name}", kwargs={"public_id": account.public_id})


def text_of(response) -> str:
    return response.content.decode()


TABS = ("overview", "people", "threats", "plan", "log", "record")


def every_tab(client, account) -> str:
    """The page with each of its tabs open in turn, as one text."""
    return "".join(text_of(client.get(page_url(account), {"tab": tab})) for tab in TABS)


# --- the findings in words ----------------------------------------------------------------


def test_the_page_words_the_risks_with_the_peoples_names(client_for, alice, mapped):
    page = every_tab(client_for(alice), mapped)
    assert "Only 1 of the 2 influential contacts (influence 4 or more) are known in person" in page
    assert "Not yet met in person: Siti Rahayu." in page
    assert "Single-threaded: Budi Santoso carries 100% of the team&#x27;s relationship" in page
    assert "Siti Rahayu is against us (influence 5 of 5)" in page
    assert "Their buy-in is needed for a significant deal." in page
    assert (
        "Hinge line retrofit needs the buy-in of Siti Rahayu. Nobody on the team knows them in "
        "person and no step to meet them is planned." in page
    )
    assert "Siti Rahayu stands to lose if they buy from us (Kick-backs from the incumbent" in page
    assert "and no strategy to defuse it has been chosen." in page
    assert "Nobody on the team reaches Desain (1 person). Influential there: Siti Rahayu." in page


def test_it_draws_the_introduction_path_from_our_user_through_their_people(
    client_for, alice, mapped
):
    page = every_tab(client_for(alice), mapped)
    assert 'class="us">Alice' in page
    chain = page[page.index('<ol class="paths">') :]
    chain = chain[: chain.index("</ol>")]
    assert chain.index("Alice") < chain.index("Budi Santoso") < chain.index("Siti Rahayu")
    assert "influence 5 of 5" in page[page.index('id="paths"') :]


def test_it_answers_the_three_questions_of_a_significant_deal(client_for, alice, mapped):
    page = every_tab(client_for(alice), mapped)
    deal = page[page.index('id="deals"') : page.index('id="threats"')]
    assert "Hinge line retrofit" in deal
    assert "Siti Rahayu" in deal and "None planned" in deal


def test_it_shows_drift_over_the_chosen_period(client_for, alice, account, budi):
    now = timezone.now()
    AssessmentFactory(contact=budi, attitude="supporter", assessed_at=now - timedelta(days=200))
    AssessmentFactory(contact=budi, attitude="opponent", assessed_at=now - timedelta(days=100))
    client = client_for(alice)
    worsened = (
        "Budi Santoso: attitude to us worsened from Pleased / supporter to Unhappy / opponent."
    )
    assert worsened not in text_of(client.get(page_url(account), {"period": 30, "tab": "threats"}))
    drift = client.get(
        page_url(account), {"period": 180}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="drift"
    )
    assert worsened in text_of(drift) and "<html" not in text_of(drift)


def test_it_shows_objectives_opportunities_by_horizon_and_practices(client_for, bob, mapped):
    page = every_tab(client_for(bob), mapped)
    assert "Move up-market" in page and "told us:" in page
    assert "Hinge line retrofit" in page and "months" in page
    assert "Only buys 2-3 day training courses" in page


def test_the_team_matrix_shades_each_strength(client_for, alice, mapped):
    page = every_tab(client_for(alice), mapped)
    matrix = page[page.index('id="matrix"') :]
    assert 'style="--s: 63"' in matrix  # one pilot today: 100 * (1 - e^-1)


def test_the_first_view_is_a_summary_and_each_tab_loads_on_demand(client_for, bob, mapped):
    client = client_for(bob)
    first = text_of(client.get(page_url(mapped)))
    assert "risks</span>" in first or "risk</span>" in first
    assert "1 open significant deal" in first and "1 needs attention" in first
    assert 'id="record-assessment"' not in first and 'id="matrix"' not in first
    for tab in TABS[1:]:
        assert f'href="?tab={tab}"' in first
        fragment = text_of(
            client.get(
                page_url(mapped), {"tab": tab}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tabs"
            )
        )
        assert "<html" not in fragment and 'aria-selected="true"' in fragment
    record = text_of(client.get(page_url(mapped), {"tab": "record"}))
    assert 'id="record-assessment"' in record and 'id="attention"' not in record


def test_a_mentor_has_no_record_tab(client_for, mia, mapped):
    page = text_of(client_for(mia).get(page_url(mapped), {"tab": "record"}))
    assert 'href="?tab=record"' not in page and 'id="record-assessment"' not in page
    assert 'id="attention"' in page  # an unknown or refused tab opens the overview


def test_a_fragment_opened_directly_sends_the_reader_to_its_page(client_for, alice, mapped, budi):
    client = client_for(alice)
    log = client.get(reverse("relationships:interaction_list", args=[mapped.public_id]), {"log": 2})
    assert log.status_code == 302 and log.url.endswith("?tab=log&log=2")
    summary = client.get(reverse("relationships:account_summary", args=[mapped.public_id]))
    assert summary.url == mapped.get_absolute_url()
    panel = client.get(reverse("relationships:map_panel", args=[mapped.public_id, budi.pk]))
    assert panel.url == reverse("relationships:contact_detail", args=[budi.public_id])


def test_the_interaction_log_is_latest_first_and_paginated(client_for, alice, account, budi):
    for days in range(25):
        InteractionFactory(
            account=account,
            occurred_on=TODAY - timedelta(days=days),
            users=[alice],
            contacts=[budi],
            notes=f"note {days}",
        )
    client = client_for(alice)
    log = reverse("relationships:interaction_list", args=[account.public_id])
    first = text_of(client.get(log, HTTP_HX_REQUEST="true"))
    assert first.index("note 0<") < first.index("note 1<")
    assert "note 24" not in first and "Page 1 of 2" in first
    second = text_of(client.get(log, {"log": 2}, HTTP_HX_REQUEST="true"))
    assert "note 24" in second


def test_the_account_page_shows_a_summary_of_the_top_findings(client_for, alice, mapped):
    summary = client_for(alice).get(
        reverse("relationships:account_summary", args=[mapped.public_id]), HTTP_HX_REQUEST="true"
    )
    assert "Siti Rahayu" in text_of(summary)


# --- who sees and records what ------------------------------------------------------------


def _get_urls(account, contact) -> list[str]:
    a, c = account.public_id, contact.public_id
    return [
        reverse("relationships:account_detail", args=[a]),
        reverse("relationships:account_summary", args=[a]),
        reverse("relationships:interaction_list", args=[a]),
        reverse("relationships:map_detail", args=[a]),
        reverse("relationships:map_panel", args=[a, contact.pk]),
        reverse("relationships:map_export_svg", args=[a]),
        reverse("relationships:contact_detail", args=[c]),
    ]


def _post_urls(account, contact) -> list[str]:
    a, c = account.public_id, contact.public_id
    return [
        *(
            reverse("relationships:record", args=[a, kind])
            for kind in ("assessment", "interaction", "departure", "interest", "link")
        ),
        reverse("relationships:contact_export", args=[c]),
        reverse("relationships:contact_erase", args=[c]),
    ]


def test_charlie_gets_not_found_on_every_page_and_every_post(client_for, charlie, mapped, budi):
    client = client_for(charlie)
    urls = [*_get_urls(mapped, budi), map_url(mapped, "png")]
    urls.append(reverse("relationships:contact_erase", args=[budi.public_id]))
    for url in urls:
        assert client.get(url).status_code == 404, url
    before = AuditEntry.objects.count()
    for url in _post_urls(mapped, budi):
        response = client.post(
            url, {"as-contact": str(budi.public_id), "reason": "x", "confirm": "on"}
        )
        assert response.status_code == 404, url
        assert "Budi" not in text_of(response)
    assert AuditEntry.objects.count() == before
    assert Contact.objects.get(pk=budi.pk).name == "Budi Santoso"


def test_mia_reads_everything_but_sees_no_form_and_cannot_post(client_for, mia, mapped, budi):
    client = client_for(mia)
    for url in _get_urls(mapped, budi):
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, url
        assert 'class="stack record-form"' not in text_of(response), url
    contact_page = text_of(
        client.get(reverse("relationships:contact_detail", args=[budi.public_id]))
    )
    assert "Audit trail" not in contact_page and "Erase on request" not in contact_page
    for url in _post_urls(mapped, budi):
        response = client.post(url, {"as-contact": str(budi.public_id), "as-attitude": "opponent"})
        assert response.status_code == 403, url
    assert not Assessment.objects.filter(contact=budi, attitude="opponent").exists()


def test_the_team_sees_the_recording_forms(client_for, bob, mapped):
    page = every_tab(client_for(bob), mapped)
    for kind in ("assessment", "interaction", "departure", "interest", "link"):
        assert f'id="record-{kind}"' in page


def test_bob_records_an_assessment_and_the_earlier_one_stays_in_history(
    client_for, bob, alice, mapped, budi
):
    client = client_for(bob)
    response = client.post(
        reverse("relationships:record", args=[mapped.public_id, "assessment"]),
        {
            "as-contact": str(budi.public_id),
            "as-attitude": "neutral",
            "as-influence": "4",
            "as-influence_trend": "falling",
            "as-known_in_person_by": [str(alice.pk)],
            "next": page_url(mapped),
        },
    )
    assert response.status_code == 302
    assert budi.assessments.count() == 2
    contact = text_of(client.get(reverse("relationships:contact_detail", args=[budi.public_id])))
    timeline = contact[contact.index('class="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.count("<li>") == 2 and "Falling" in timeline


def test_a_departure_with_its_successor_is_one_action(client_for, bob, mapped, budi, siti):
    response = client_for(bob).post(
        reverse("relationships:record", args=[mapped.public_id, "departure"]),
        {
            "dp-contact": str(budi.public_id),
            "dp-left_on": str(TODAY - timedelta(days=1)),
            "dp-successor": str(siti.public_id),
            "dp-hand_over": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Redirect"] == page_url(mapped)
    budi.refresh_from_db()
    assert budi.status == "left" and budi.successor == siti


def test_bob_logs_an_interaction_an_interest_and_a_link(client_for, bob, mapped, budi, siti):
    client = client_for(bob)
    record = lambda kind, data: client.post(  # noqa: E731
        reverse("relationships:record", args=[mapped.public_id, kind]), data
    )
    assert (
        record(
            "interaction",
            {
                "ix-kind": "visit",
                "ix-occurred_on": str(TODAY),
                "ix-their_participants": [str(siti.public_id)],
            },
        ).status_code
        == 302
    )
    assert Interaction.objects.filter(their_participants=siti, our_participants=bob).exists()
    assert (
        record(
            "interest",
            {
                "in-holder": str(budi.public_id),
                "in-kind": "other",
                "in-threat_level": "2",
                "in-strategy": "enlist_advocate",
                "in-advocate": str(siti.public_id),
            },
        ).status_code
        == 302
    )
    assert budi.interests.get().advocate == siti
    assert (
        record(
            "link",
            {
                "ln-source": str(siti.public_id),
                "ln-kind": "restricts_access",
                "ln-target": str(budi.public_id),
            },
        ).status_code
        == 302
    )
    assert ContactLink.objects.filter(source=siti, kind="restricts_access").exists()


def test_a_service_refusal_comes_back_in_the_form(client_for, bob, mapped, budi):
    response = client_for(bob).post(
        reverse("relationships:record", args=[mapped.public_id, "interest"]),
        {
            "in-holder": str(budi.public_id),
            "in-kind": "other",
            "in-threat_level": "2",
            "in-strategy": "enlist_advocate",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Name the advocate who will speak for us." in text_of(response)
    assert not budi.interests.exists()


# --- a contact's page ---------------------------------------------------------------------


def test_the_audit_trail_is_shown_to_the_team_and_the_lead(client_for, alice, bob, lee, budi):
    assessment_record(contact=budi, by=bob, attitude="supporter")
    url = reverse("relationships:contact_detail", args=[budi.public_id])
    for user in (alice, bob, lee):
        page = text_of(client_for(user).get(url))
        assert "Audit trail" in page and "assessment #" in page


def test_the_kam_exports_a_persons_data_as_json(client_for, alice, budi):
    response = client_for(alice).post(
        reverse("relationships:contact_export", args=[budi.public_id])
    )
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert b"Budi Santoso" in response.content


def test_only_the_kam_and_the_lead_may_export_or_erase(client_for, bob, budi):
    client = client_for(bob)
    page = text_of(client.get(reverse("relationships:contact_detail", args=[budi.public_id])))
    assert "Erase on request" not in page
    assert (
        client.post(reverse("relationships:contact_export", args=[budi.public_id])).status_code
        == 403
    )
    assert (
        client.get(reverse("relationships:contact_erase", args=[budi.public_id])).status_code == 403
    )


def test_erasing_needs_a_confirmation_step(client_for, lee, budi):
    client = client_for(lee)
    url = reverse("relationships:contact_erase", args=[budi.public_id])
    assert "cannot be undone" in text_of(client.get(url))
    assert client.post(url, {"reason": "Their request"}).status_code == 400
    assert Contact.objects.get(pk=budi.pk).erased_at is None
    response = client.post(url, {"reason": "Their request by email", "confirm": "on"})
    assert response.status_code == 302
    assert Contact.objects.get(pk=budi.pk).erased_at is not None


# --- the map ------------------------------------------------------------------------------


def test_the_map_inlines_the_svg_with_clickable_people(client_for, alice, mapped, budi):
    page = text_of(client_for(alice).get(map_url(mapped)))
    assert '<g id="overlay-links"' in page and '<g id="overlay-team"' in page
    panel = reverse("relationships:map_panel", args=[mapped.public_id, budi.pk])
    # Each person's panel address is relative to the page: it resolves to the panel.
    relative = f"contacts/{budi.pk}/"
    assert f'hx-get="{relative}"' in page
    assert urljoin(map_url(mapped), relative) == panel


def test_the_map_is_drawn_once_until_something_on_it_changes(
    client_for, alice, mapped, budi, siti, monkeypatch
):
    from kam.relationships import queries

    drawn = []
    real = queries.account_map
    monkeypatch.setattr(queries, "account_map", lambda **kw: drawn.append(1) or real(**kw))
    client = client_for(alice)

    def svg() -> str:
        page = text_of(client.get(map_url(mapped)))
        return page[page.index("<svg") : page.index("</svg>")]

    first = svg()
    assert svg() == first
    assert len(drawn) == 1
    LinkFactory(source=siti, target=budi, kind="in_tension_with")
    assert 'class="link in_tension_with"' in svg()
    siti.name = "Siti Wulandari"
    siti.save()
    assert "Siti Wulandari" in svg()
    assert len(drawn) == 3


def test_the_link_kinds_ticked_are_the_ones_an_export_draws(client_for, alice, mapped, budi, siti):
    LinkFactory(source=siti, target=budi, kind="in_tension_with")
    page = text_of(client_for(alice).get(map_url(mapped)))
    # A small map ticks every kind, each with its count of lines.
    for kind in ("in_tension_with", "restricts_access", "influences", "allied_with"):
        assert re.search(rf'<input[^>]*name="kinds" value="{kind}"[^>]*checked', page), kind
    assert 'In tension <span class="muted">(1)</span>' in page
    response = client_for(alice).get(
        map_url(mapped, "svg") + "?f=1&k=1&links=on&departed=on&kinds=in_tension_with"
    )
    svg = text_of(response)
    assert 'class="link in_tension_with"' in svg and 'class="link influences"' not in svg


def test_a_dense_map_opens_with_the_risky_kinds_of_link(client_for, alice, mapped, monkeypatch):
    from kam.relationships.views import maps

    monkeypatch.setattr(maps, "DENSE_LINKS", 0)
    page = text_of(client_for(alice).get(map_url(mapped)))
    ticked = re.findall(r'<input[^>]*name="kinds" value="(\w+)"[^>]*checked', page)
    assert ticked == ["in_tension_with", "restricts_access"]


def test_the_panel_shows_the_persons_assessment_and_who_knows_them(client_for, alice, mapped, siti):
    panel = text_of(
        client_for(alice).get(
            reverse("relationships:map_panel", args=[mapped.public_id, siti.pk]),
            HTTP_HX_REQUEST="true",
        )
    )
    assert "Siti Rahayu" in panel and "Unhappy / opponent" in panel
    assert "Kick-backs from the incumbent vendor" in panel
    assert "Nobody on our team knows them." in panel
    assert "<html" not in panel


def test_the_panel_of_another_accounts_contact_is_not_found(
    client_for, alice, mapped, other_account
):
    stranger = other_account.contacts.get()
    url = reverse("relationships:map_panel", args=[mapped.public_id, stranger.pk])
    assert client_for(alice).get(url, HTTP_HX_REQUEST="true").status_code == 404


def test_a_large_map_shows_everyone_and_says_how_many_a_filter_hides(client_for, alice, account):
    _grow(account, alice, 70)  # one reporting chain 70 deep
    people = account.contacts.count()
    page = text_of(client_for(alice).get(map_url(account)))
    assert f"Everyone is shown: {people} people." in page
    collapsed = text_of(client_for(alice).get(map_url(account), {"depth": "2"}))
    assert f"Showing 4 of {people} people: {people - 4} hidden" in collapsed  # Budi and 3 levels
    assert "levels below 2 are collapsed" in collapsed
    assert "Show everyone" in collapsed
    assert "could not be drawn" not in page


def test_a_huge_map_opens_collapsed_and_show_everyone_shows_everyone(
    client_for, alice, account, monkeypatch
):
    # Past HUGE_MAP people (300: seconds to draw), a bare link opens the top levels only.
    monkeypatch.setattr(maps, "HUGE_MAP", 50)
    _grow(account, alice, 70)
    people = account.contacts.count()
    page = text_of(client_for(alice).get(map_url(account)))
    assert f"Showing 4 of {people} people: {people - 4} hidden" in page
    assert "levels below 2 are collapsed" in page
    assert "?depth=all" in page
    everyone = text_of(client_for(alice).get(map_url(account), {"depth": "all"}))
    assert f"Everyone is shown: {people} people." in everyone


def test_the_search_focuses_one_person_in_any_case_or_lists_the_candidates(
    client_for, alice, mapped, budi, siti
):
    client = client_for(alice)
    found = text_of(client.get(map_url(mapped), {"q": "SITI"}))
    assert f'focus" data-contact-id="{siti.pk}"' in found
    assert f'data-contact-id="{budi.pk}"' in found  # the whole map, Siti highlighted
    several = text_of(client.get(map_url(mapped), {"q": "a"}))
    assert "people match “a”" in several and "Budi Santoso" in several
    nobody = text_of(client.get(map_url(mapped), {"q": "Zebedee"}))
    assert "Nobody on this account is called “Zebedee”." in nobody


def test_the_map_filters_by_department_and_focus(client_for, alice, mapped, budi, siti):
    client = client_for(alice)
    only_design = text_of(client.get(map_url(mapped), {"f": "1", "department": "Desain"}))
    assert f'data-contact-id="{siti.pk}"' in only_design
    assert f'data-contact-id="{budi.pk}"' not in only_design


def test_the_svg_export_is_valid_xml_with_the_names_escaped(client_for, alice, account):
    ContactFactory(account=account, name='<Tom & "Jerry">', department="R&D")
    response = client_for(alice).get(map_url(account, "svg"))
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t and t.startswith('<Tom & "Jer') for t in texts), texts
    assert b"hx-get" not in response.content


@pytest.mark.skipif(
    not shutil.which("chromium") and not __import__("os").path.exists("/usr/bin/chromium"),
    reason="the PNG export needs chromium at /usr/bin/chromium",
)
def test_the_png_export_is_an_image(client_for, alice, mapped):
    response = client_for(alice).get(map_url(mapped, "png"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


# --- query counts -------------------------------------------------------------------------


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_of", [page_url, map_url], ids=["account page", "map page"])
def test_the_query_count_does_not_grow_with_the_contacts(client_for, alice, mapped, url_of):
    client = client_for(alice)
    url = url_of(mapped)
    _grow(mapped, alice, 3)
    small = _queries(client, url)
    _grow(mapped, alice, 40)
    large = _queries(client, url)
    assert small == large
    assert large <= 45


def test_the_contact_page_query_count_does_not_grow(client_for, alice, mapped, budi):
    client = client_for(alice)
    url = reverse("relationships:contact_detail", args=[budi.public_id])
    _grow(mapped, alice, 3)
    small = _queries(client, url)
    _grow(mapped, alice, 30)
    assert _queries(client, url) == small


def test_opportunity_values_are_formatted_in_the_accounts_currency(client_for, alice, mapped):
    OpportunityFactory(account=mapped, name="Big one", value=Decimal("1234567"), significant=True)
    page = text_of(client_for(alice).get(page_url(mapped)))
    assert "1,234,567 IDR" in page
