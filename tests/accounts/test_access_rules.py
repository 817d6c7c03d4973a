"""The per-role rules of kam.accounts.access, written once: who may do what on an account."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kam.accounts import access
from kam.accounts.access import account_or_404, can, require

# action -> the cast members who may do it (alice KAM, bob team, mia mentor, lee lead).
MAY = {
    access.VIEW: {"alice", "bob", "mia", "lee"},
    access.CHANGE: {"alice", "bob", "lee"},
    access.AUDIT: {"alice", "bob", "lee"},
    access.ERASE: {"alice", "lee"},
    access.MANAGE_TEAM: {"alice", "lee"},
    access.CHANGE_STAGE: {"alice", "lee"},
    access.SET_COST: {"alice", "lee"},
    access.OVERRIDE_TIER: {"lee"},
    access.SIGN: {"alice", "bob"},
}
CAST = ("alice", "bob", "charlie", "mia", "lee")


@pytest.mark.parametrize("action", access.ACTIONS)
def test_each_role_may_do_exactly_what_the_rules_say(request, account, action):
    users = {name: request.getfixturevalue(name) for name in CAST}
    allowed = {name for name, user in users.items() if can(user, action, account)}
    assert allowed == MAY[action]


def test_a_refusal_says_why_in_the_users_language(mia, account):
    with pytest.raises(PermissionDenied, match="programme lead"):
        require(mia, access.CHANGE, account)


def test_an_account_out_of_sight_is_a_404_whatever_the_action(charlie, account):
    for action in (access.VIEW, access.CHANGE):
        with pytest.raises(Http404):
            account_or_404(charlie, account.public_id, action)
    with pytest.raises(Http404):
        account_or_404(charlie, "not-a-uuid")


def test_a_mentor_reads_the_account_and_is_refused_a_write(mia, account):
    assert account_or_404(mia, account.public_id) == account
    with pytest.raises(PermissionDenied):
        account_or_404(mia, account.public_id, access.CHANGE)


def test_a_system_job_may_write(account):
    require(None, access.CHANGE, account)
