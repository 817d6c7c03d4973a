"""Key accounts above the risk threshold without a contingency plan are flagged (issue 13
item 9), on the programme's risk page and on the list of key accounts without a plan."""

from __future__ import annotations

from decimal import Decimal

from kam.risk.models import LossOverride
from kam.selection.models import AccountScore


def test_a_risky_key_account_without_contingency_is_flagged_and_filtered(
    client_for, lee, scored, ledger
):
    squeezer, calm = ledger["squeezer"], ledger[3]
    AccountScore.objects.filter(run=scored).update(is_key=False)
    AccountScore.objects.filter(run=scored, account__in=[squeezer, calm]).update(is_key=True)
    LossOverride.objects.create(account=squeezer, probability=Decimal("0.6"), reason="tender")
    LossOverride.objects.create(account=calm, probability=Decimal("0.01"), reason="loyal")
    client = client_for(lee)

    everyone = client.get("/tactics/contingency/").content.decode()
    assert squeezer.name in everyone and calm.name in everyone
    assert everyone.count("Above the risk threshold, no contingency plan") == 1
    above = client.get("/tactics/contingency/?above=1").content.decode()
    assert squeezer.name in above and calm.name not in above

    page = client.get("/risk/").content.decode()
    flagged = page.split('id="no-contingency"')[1].split("</section>")[0]
    assert squeezer.name in flagged and calm.name not in flagged
    assert "no contingency plan" in page
    risky_only = client.get("/risk/?above=1").content.decode()
    top = risky_only.split("Top risks")[1].split("</table>")[0]
    assert squeezer.name in top and calm.name not in top
    assert "Name at least one account" not in risky_only  # the filter is not a scenario
