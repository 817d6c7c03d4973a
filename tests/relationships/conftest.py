"""Fixtures of the relationship tests: the account's people, and an API caller per user."""

from __future__ import annotations

import json

import pytest

from kam.relationships.models import Contact
from kam.users.models import ApiToken
from tests.factories import ContactFactory


@pytest.fixture
def budi(account):
    """The account's purchasing manager (created by the shared ``account`` fixture)."""
    return Contact.objects.get(account=account, name="Budi Santoso")


@pytest.fixture
def siti(account):
    return ContactFactory(
        account=account, name="Siti Rahayu", title="Kepala Desain", department="Desain"
    )


@pytest.fixture
def api(client):
    """``api(user).get(path)``, ``.post(path, body)``... with the user's bearer token."""

    class Caller:
        def __init__(self, user):
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=user)[1]}"}

        def _send(self, method, path, body=None, **params):
            kwargs = dict(self.headers)
            if body is not None:
                kwargs.update(data=json.dumps(body, default=str), content_type="application/json")
                return getattr(client, method)(path, **kwargs)
            return getattr(client, method)(path, params or None, **kwargs)

        def get(self, path, **params):
            return self._send("get", path, **params)

        def post(self, path, body):
            return self._send("post", path, body)

        def patch(self, path, body):
            return self._send("patch", path, body)

        def put(self, path, body):
            return self._send("put", path, body)

        def delete(self, path):
            return client.delete(path, **self.headers)

    return Caller
