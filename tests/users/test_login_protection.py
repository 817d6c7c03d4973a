"""Login protection: repeated failures lock a user name and an address for a while."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kam.users.models import ApiToken
from tests.conftest import PASSWORD

LOCKED = "Too many failed log-ins"


def log_in(client, username, password, address="127.0.0.1", **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def guess_ten_times(client, username, address="127.0.0.1"):
    for attempt in range(10):
        log_in(client, username, f"guess-{attempt}", address)


def test_the_right_password_after_ten_wrong_ones_is_refused_with_the_reason(client, alice):
    guess_ten_times(client, "alice")
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.text
    assert "locked for 15 minutes" in response.text
    assert "ask the programme lead to unlock it" in response.text
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_the_lockout_is_explained_in_the_users_language(client, alice):
    guess_ten_times(client, "alice")
    response = log_in(client, "alice", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code == 429
    assert "登入已鎖定 15 分鐘" in response.text


def test_a_few_mistakes_do_not_lock_anyone_out(client, alice):
    for attempt in range(4):
        assert log_in(client, "alice", f"typo-{attempt}").status_code == 200
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_address_and_the_user_name_are_each_locked(client, alice, bob):
    """The documented rule: either one counts. From the guesser's address nobody logs in;
    the guessed name cannot log in from anywhere; others elsewhere are not affected."""
    guess_ten_times(client, "alice", address="198.51.100.7")
    assert log_in(Client(), "bob", PASSWORD, address="198.51.100.7").status_code == 429
    assert log_in(Client(), "alice", PASSWORD, address="203.0.113.9").status_code == 429
    assert log_in(Client(), "bob", PASSWORD, address="203.0.113.9").status_code == 302


def test_guessing_many_user_names_from_one_address_is_stopped(client, alice):
    for attempt in range(10):
        log_in(client, f"nobody{attempt}", "guess", address="198.51.100.7")
    assert log_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 429


def test_the_programme_lead_unlocks_in_the_admin(client, alice, lee):
    guess_ten_times(client, "alice")
    lead = Client()
    lead.force_login(lee)
    listing = lead.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "alice" in listing.text
    assert "Locked Out" in listing.text
    index = lead.get("/admin/")
    assert "/admin/axes/accessattempt/" in index.text

    ids = [str(pk) for pk in listing.context["cl"].result_list.values_list("pk", flat=True)]
    done = lead.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": ids},
        follow=True,
    )
    assert "logging in works again" in done.text
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_nobody_else_sees_the_failed_logins(client, alice, charlie):
    guess_ten_times(Client(), "alice")
    client.force_login(charlie)
    assert client.get("/admin/axes/accessattempt/").status_code == 302


def test_the_reset_command_unlocks_a_user_name(client, alice):
    guess_ten_times(client, "alice")
    call_command("axes_reset_username", "alice", verbosity=0)
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_a_locked_out_users_api_token_still_works(client, alice, account):
    _, raw = ApiToken.issue(user=alice, name="ERP sync")
    guess_ten_times(client, "alice")
    assert log_in(client, "alice", PASSWORD).status_code == 429

    response = Client().get("/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert account.name in response.text


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: a client-written header is ignored
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the entry our proxy added
        (2, "203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "", "10.0.0.2"),
    ],
)
def test_the_counted_address_is_the_one_the_proxies_saw(rf, settings, proxies, forwarded, expected):
    from kam.users.lockout import client_address

    settings.KAM_PROXY_COUNT = proxies
    request = rf.get("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
