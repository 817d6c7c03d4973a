"""Balance of power over the last 8 quarters (issue 13 item 8): its share of our sales against
our share of its wallet; an unknown wallet shown as unknown, never as 0."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.selection.models import AccountScore, Rating
from tests.rollups import AS_OF


@pytest.fixture
def rated(scored, ledger, lee):
    squeezer = ledger["squeezer"]
    AccountScore.objects.filter(run=scored, account__in=[squeezer, ledger[0]]).update(is_key=True)
    Rating.objects.create(
        account=squeezer,
        key="wallet",
        value=Decimal("24000000"),
        rated_by=lee,
        rated_at=timezone.make_aware(datetime.combine(AS_OF, time(9))),
    )
    return ledger


def test_the_lead_sees_who_holds_the_big_stick_quarter_by_quarter(client_for, lee, rated):
    client = client_for(lee)
    body = client.get("/api/v1/risk/power").json()
    rows = {r["name"]: r for r in body}
    squeezer, steady = rows["Squeezer Ltd"], rows["Steady 0"]
    assert len(squeezer["quarters"]) == 8
    # 3M a quarter a year against a wallet of 24M: half its wallet, in every quarter.
    assert [q["wallet_share_pct"] for q in squeezer["quarters"]] == [pytest.approx(50.0)] * 8
    assert squeezer["backdated"] and squeezer["wallet_change"] == pytest.approx(0)
    assert squeezer["holder"] == "them"  # about 60% of our sales, against half its wallet
    # Nobody sized Steady 0's wallet: unknown, not 0.
    assert {q["wallet_share_pct"] for q in steady["quarters"]} == {None}
    assert steady["holder"] == "unknown" and steady["wallet_change"] is None
    page = client.get("/risk/power/").content.decode()
    assert "Balance of power" in page and "Squeezer Ltd" in page
    assert "unknown" in page and "Unknown: no wallet estimate" in page


def test_a_kam_sees_only_the_key_accounts_in_sight(client_for, alice, rated):
    names = {r["name"] for r in client_for(alice).get("/api/v1/risk/power").json()}
    assert "Squeezer Ltd" not in names
    assert "Squeezer Ltd" not in client_for(alice).get("/risk/power/").content.decode()
