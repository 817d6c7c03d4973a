"""The analyses through the API: every id a finding carries is a public one, and each
finding comes with the sentence the account's page shows, in the caller's language."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest
from django.urls import reverse
from django.utils import translation

from kam.planning.services import opportunity_create
from kam.relationships.models import EntrenchedInterest
from kam.relationships.public_findings import PublicIds, public_facts
from kam.relationships.services import interaction_log, interest_create
from tests.relationships.test_pages_explain import FACTS

C = "/api/v1/contacts"


@pytest.fixture
def findings_world(account, alice, budi, siti):
    """A single thread to budi, and a significant deal that needs siti, who holds an
    entrenched interest against us: findings about a contact, an opportunity, an interest."""
    interaction_log(
        account=account,
        by=alice,
        kind="meeting",
        occurred_on=date.today() - timedelta(days=3),
        their_participants=[budi],
    )
    deal = opportunity_create(
        account=account,
        by=alice,
        name="Hinges 2027",
        value=1500000,
        probability=60,
        significant=True,
        buy_in_needed_from=[siti],
    )
    interest = interest_create(holder=siti, by=alice, kind="incumbent_kickbacks", threat_level=4)
    return {"deal": deal, "interest": interest}


def _ids_in(value, key=""):
    """Every (key, value) under an id-like key, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "id" or k.endswith("_id"):
                yield k, v
            yield from _ids_in(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _ids_in(item, key)


def test_findings_name_contacts_deals_and_interests_by_public_id(
    api, alice, account, budi, siti, findings_world
):
    body = api(alice).get(f"{C}/analyses", account=str(account.public_id)).json()
    by_code = {f["code"]: f for f in body["findings"]}
    deal = by_code["deal.contact_unknown_no_step"]
    assert deal["contact_id"] == str(siti.public_id)
    assert deal["facts"]["opportunity_id"] == str(findings_world["deal"].public_id)
    threat = by_code["threat.interest_no_strategy"]
    assert threat["facts"]["interest_id"] == str(findings_world["interest"].public_id)
    assert by_code["relationships.single_threaded"]["contact_id"] == str(budi.public_id)
    ids = list(_ids_in(body["findings"]))
    assert ids, "the findings carry ids"
    for key, value in ids:
        assert value is None or UUID(value), (key, value)


def test_each_finding_has_the_sentence_of_the_page(
    api, client_for, alice, account, budi, findings_world
):
    body = api(alice).get(f"{C}/analyses", account=str(account.public_id)).json()
    sentence = next(
        f["sentence"] for f in body["findings"] if f["code"] == "relationships.single_threaded"
    )
    assert sentence.startswith("Single-threaded: Budi Santoso carries 100%")
    page = client_for(alice).get(
        reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    )
    assert "Single-threaded: Budi Santoso carries 100%" in page.text


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-Hant", "團隊在此客戶的關係強度有"), ("id", "Bergantung pada satu orang: Budi Santoso")],
)
def test_the_sentence_is_in_the_callers_language(
    client, alice, account, findings_world, language, words
):
    from kam.users.models import ApiToken

    response = client.get(
        f"{C}/analyses",
        {"account": str(account.public_id)},
        HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=alice)[1]}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    finding = next(
        f for f in response.json()["findings"] if f["code"] == "relationships.single_threaded"
    )
    assert words in finding["sentence"]
    assert not finding["sentence"].startswith("Single-threaded")
    assert finding["code"] == "relationships.single_threaded"  # codes stay for scripts


def test_charlie_gets_no_analyses_of_an_account_he_is_not_on(api, charlie, account):
    assert api(charlie).get(f"{C}/analyses", account=str(account.public_id)).status_code == 404


@pytest.mark.parametrize("code", sorted(FACTS, key=str))
def test_every_kind_of_fact_loses_its_integer_ids(code):
    """The facts of every finding code (the wording tests' examples) come out with no
    integer id: contacts and records by public id, our users by username."""
    ids = PublicIds(
        contacts={1: UUID(int=1), 2: UUID(int=2), 3: UUID(int=3)},
        opportunities={1: UUID(int=11), 9: UUID(int=19)},
        interests={1: UUID(int=21), 5: UUID(int=25)},
        objectives={1: UUID(int=31)},
        users={7: "lee", 1: "alice", 2: "bob"},
    )
    facts, _words = FACTS[code]
    with translation.override("en"):
        out = public_facts(facts, ids)
    for key, value in _ids_in(out):
        assert not isinstance(value, int), (code, key, value)
    assert "user_id" not in str(out)
    if "user_id" in facts:
        assert out["user"] == "lee"
    for item in out.get("unknown", []) + out.get("contacts", []):
        assert UUID(item["id"])


def test_interest_and_opportunity_ids_map_to_their_records(account, findings_world):
    ids = PublicIds.of(account=account, users={})
    interest = EntrenchedInterest.objects.get()
    assert ids.public("interests", interest.pk) == str(interest.public_id)
    deal = findings_world["deal"]
    assert ids.public("opportunities", deal.pk) == str(deal.public_id)
