"""CSV / XLSX exports of the risk and tactics pages (issue 13 item 10): what the page shows,
with a cell a spreadsheet would read as a formula neutralised."""

from __future__ import annotations

import io
from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from kam.selection.models import AccountScore, Rating
from tests.rollups import AS_OF


def test_the_power_and_tactics_exports(client_for, lee, alice, tactics, ledger):
    AccountScore.objects.filter(account__in=[tactics, ledger["squeezer"]]).update(is_key=True)
    Rating.objects.create(
        account=ledger["squeezer"],
        key="wallet",
        value=Decimal("24000000"),
        rated_by=lee,
        rated_at=timezone.make_aware(datetime.combine(AS_OF, time(9))),
    )
    client = client_for(lee)
    power = client.get("/risk/power/export.csv").content.decode("utf-8-sig").splitlines()
    assert "its share of our sales" in power[0]
    squeezer = next(line for line in power if "Squeezer Ltd" in line)
    assert "50.0" in squeezer
    mine = next(line for line in power if tactics.name in line)
    assert mine.endswith(",")  # alice's account: wallet unknown, an empty cell, never 0
    book = load_workbook(io.BytesIO(client_for(alice).get("/tactics/export.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert "Integrated delivery, inventory and invoicing" in rows[0]
    assert [r[1] for r in rows[1:]] == [tactics.name]  # alice sees her own key account only
    assert rows[1][rows[0].index("Integrated delivery, inventory and invoicing")] == "In place"
