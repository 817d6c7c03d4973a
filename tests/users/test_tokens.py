"""`kam token`: tokens are shown once and stored only as a hash."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.users.models import ApiToken


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_creates_a_token_that_authenticates_and_is_stored_hashed(alice):
    raw, warning = run("create", "alice", "--name", "ERP sync")
    assert raw.startswith("kam_")
    assert "will not be shown again" in warning
    stored = ApiToken.objects.get()
    assert raw not in (stored.digest, stored.key)
    assert ApiToken.objects.authenticate(raw).user == alice
    assert ApiToken.objects.authenticate(raw[:-1] + "x") is None


def test_it_lists_and_revokes_tokens(alice):
    raw, _ = run("create", "alice")
    key = raw[4:12]
    listing, _ = run("list", "alice")
    assert f"kam_{key}" in listing and "active" in listing
    run("revoke", key)
    assert ApiToken.objects.authenticate(raw) is None
    assert "revoked" in run("list", "alice")[0]


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("create", "nobody")
    assert not ApiToken.objects.exists()
