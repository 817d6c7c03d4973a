"""The demo's relationship maps: deterministic, loaded fast, and the planted cases found by
the analyses through the same adapter the pages use."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from kam.accounts.models import Account
from kam.demo.generator import build_company
from kam.demo.priorities import PLANTED_PEOPLE
from kam.demo.relationships import build_relationships
from kam.relationships.analysis import Code, Severity
from kam.relationships.models import Contact, ContactLink, Interaction
from kam.relationships.queries import account_analyses

TODAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def data(company):
    return build_relationships(company)


def test_the_same_company_gives_the_same_maps(company, data):
    again = build_relationships(build_company(today=TODAY))
    assert again.people == data.people
    assert again.interactions == data.interactions
    assert again.planted == data.planted


def test_the_forty_largest_accounts_get_maps_of_ten_to_sixty_people(company, data):
    sizes = Counter(p.account_code for p in data.people)
    assert set(sizes) == {a.code for a in company.largest(40)}
    large = data.planted["large_account"]["account"]
    assert all(10 <= n <= 60 for code, n in sizes.items() if code != large)


def test_names_are_in_the_accounts_languages(company, data):
    by_code = {a.code: a for a in company.accounts}
    for person in data.people:
        if by_code[person.account_code].language.startswith("zh"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in person.name), person


def test_history_and_interactions_stay_in_their_windows(data):
    assert min(a.on for a in data.assessments) >= date(2025, 5, 1)  # about 18 months
    assert max(i.on for i in data.interactions) < TODAY
    assert min(i.on for i in data.interactions) >= date(2024, 11, 2)
    changed = Counter((a.account_code, a.person) for a in data.assessments)
    assert sum(1 for n in changed.values() if n > 1) > 200


def test_it_completes_the_companys_own_contacts(loaded, db, company, data):
    stored = Counter(Contact.objects.values_list("account__code", "name"))
    generated = Counter((p.account_code, p.name) for p in data.people)
    assert generated - stored == Counter()  # every generated person is in the database
    # and the only others are the people the priorities demo plants for its cases
    assert sorted(name for _, name in (stored - generated).elements()) == sorted(PLANTED_PEOPLE)
    first = company.contacts[0]
    contact = Contact.objects.get(account__code=first.account_code, name=first.name)
    assert contact.level in {"board", "executive"}
    assert Contact.objects.exclude(current_assessment=None).count() > 1000


def _codes(code: str, severity: Severity | None = None) -> dict:
    account = Account.objects.get(code=code)
    result = account_analyses(account=account, today=TODAY)
    return {f.code: f for f in result.findings if severity is None or f.severity == severity}


def test_the_single_threaded_account_whose_contact_left_is_found(loaded, db, data):
    case = data.planted["single_threaded_left"]
    found = _codes(case["account"])
    assert Code.SINGLE_THREADED_CONTACT_LEFT in found
    assert found[Code.SINGLE_THREADED_CONTACT_LEFT].facts["contact_name"] == case["contact"]
    assert (TODAY - case["left_on"]).days <= 30


def test_the_opponent_protecting_kickbacks_and_the_advocate_are_found(loaded, db, data):
    case = data.planted["kickback_opponent"]
    account = Account.objects.get(code=case["account"])
    result = account_analyses(account=account, today=TODAY)
    names = {c.id: c.name for c in result.context.account.contacts}
    opponents = [names[i] for i in result.threats.opponent_ids]
    assert case["opponent"] in opponents
    interest = next(i for i in result.context.account.interests if i.kind == "incumbent_kickbacks")
    assert names[interest.contact_id] == case["opponent"]
    assert names[interest.advocate_id] == case["advocate"]
    assert ContactLink.objects.filter(
        account=account,
        kind="influences",
        source__name=case["advocate"],
        target__name=case["opponent"],
    ).exists()


def test_the_furniture_maker_shows_design_and_sales_unreached(loaded, db, data):
    case = data.planted["furniture_cost_fixation"]
    account = Account.objects.get(code=case["account"])
    assert account.industry == "furniture"
    result = account_analyses(account=account, today=TODAY)
    unreached = {
        f.facts["department"]
        for f in result.departments.findings
        if f.code == Code.DEPARTMENT_NOT_REACHED and f.severity == Severity.RISK
    }
    depts = dict(Contact.objects.filter(account=account).values_list("name", "department"))
    assert {depts[n] for n in case["design_and_sales"]} <= unreached
    assert depts[case["procurement"][0]] not in unreached
    horizons = Counter((o.source_contact.department, o.horizon) for o in account.objectives.all())
    assert horizons[(depts[case["procurement"][0]], "short_term")] == 3
    assert sum(n for (d, h), n in horizons.items() if h == "long_term") == 3


def test_the_large_account_has_a_team_of_ten_and_about_a_thousand_relationships(loaded, db, data):
    case = data.planted["large_account"]
    account = Account.objects.get(code=case["account"])
    team = {account.owner.username, *account.team.values_list("user__username", flat=True)}
    assert len(team) == 10
    pairs = set(
        Interaction.our_participants.through.objects.filter(
            interaction__account=account
        ).values_list("interaction_id", "user_id")
    )
    contacts = Interaction.their_participants.through.objects.filter(
        interaction__account=account
    ).values_list("interaction_id", "contact_id")
    by_interaction: dict[int, list[int]] = {}
    for iid, uid in pairs:
        by_interaction.setdefault(iid, []).append(uid)
    relationships = {(u, c) for iid, c in contacts for u in by_interaction[iid]}
    links = ContactLink.objects.filter(account=account).count()
    assert 900 <= len(relationships) + links <= 1100
