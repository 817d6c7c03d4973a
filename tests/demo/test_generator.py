"""The demo company: deterministic, large enough, in three languages."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from kam.demo.generator import build_company

TODAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def company():
    return build_company(today=TODAY)


def test_the_same_seed_gives_the_same_company(company):
    again = build_company(today=TODAY)
    assert [a.name for a in again.accounts] == [a.name for a in company.accounts]
    assert again.contacts == company.contacts
    assert again.team == company.team


def test_another_seed_gives_another_company(company):
    other = build_company(seed=7, today=TODAY)
    assert [a.name for a in other.accounts] != [a.name for a in company.accounts]


def test_it_has_the_cast_of_the_programme(company):
    roles = Counter(u.role for u in company.users)
    assert roles == {"lead": 1, "kam": 6, "team": 20, "mentor": 2}
    usernames = {u.username for u in company.users}
    assert {"lead", "kam1", "kam6", "team1", "team20", "mentor1", "mentor2"} <= usernames


def test_it_sells_in_five_markets_with_names_in_three_scripts(company):
    assert len(company.accounts) >= 300
    assert {a.country for a in company.accounts} == {"CN", "HK", "ID", "SG", "GB"}
    names = [a.name for a in company.accounts]
    assert any(re.search(r"[\u4e00-\u9fff]", n) for n in names)
    assert any(n.startswith("PT ") for n in names)
    assert any(n.endswith(("Ltd", "plc")) for n in names)
    assert len(set(names)) == len(names)


def test_the_forty_largest_accounts_have_teams_contacts_and_a_mentor(company):
    largest = {a.code for a in company.largest(40)}
    assert {m.account_code for m in company.team} == largest
    assert {c.account_code for c in company.contacts} == largest
    assert {m.account_code for m in company.mentors} == largest
    assert all(a.owner for a in company.largest(40))


def test_groups_are_international_accounts_with_units(company):
    by_code = {a.code: a for a in company.accounts}
    children = [a for a in company.accounts if a.parent_code]
    assert children
    assert all(by_code[c.parent_code].coverage == "international" for c in children)


def test_stage_histories_end_at_the_current_stage(company):
    for account in company.accounts:
        assert account.stage_history[-1][2] == account.stage
        assert all(day < TODAY for day, *_ in account.stage_history)
