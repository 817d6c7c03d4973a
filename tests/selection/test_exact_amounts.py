"""Amounts people type (a wallet, a cost to serve) are kept to the sen on both databases, and
one past what both databases hold is refused with a message, never a server error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kam.selection.models import CostToServe, Rating

pytestmark = pytest.mark.django_db


def test_a_wallet_of_a_quadrillion_rupiah_keeps_its_sen(client, alice, account):
    client.force_login(alice)
    path = f"/api/v1/selection/accounts/{account.public_id}/ratings"
    body = {"key": "wallet", "value": "1000000000000000.37"}

    assert client.post(path, body, content_type="application/json").status_code == 201
    assert Rating.objects.get().value == Decimal("1000000000000000.37")

    too_large = {"key": "wallet", "value": "100000000000000000.00"}
    assert client.post(path, too_large, content_type="application/json").status_code == 422
    assert Rating.objects.count() == 1


def test_a_cost_to_serve_past_what_the_database_holds_is_refused_on_the_page(
    client, alice, account
):
    client.force_login(alice)
    path = f"/selection/accounts/{account.public_id}/cost-to-serve/"

    response = client.post(path, {"amount": "100000000000000000"}, follow=True)

    assert response.status_code == 200
    assert "Enter a cost of zero or more." in response.content.decode()
    assert not CostToServe.objects.exists()
    client.post(path, {"amount": "2345678901234.56"})
    assert CostToServe.objects.get().amount == Decimal("2345678901234.56")
