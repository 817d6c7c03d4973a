"""The risk settings page and API (the lead only): every bad value refused naming its field,
nothing saved then; a stale version refused; the loss model follows its coefficients."""

from __future__ import annotations

import pytest

from kam.risk import services
from kam.risk.models import RiskSettings


def _form(**changes):
    values = services.settings_values()
    values.update(changes)
    return {k: ("" if v is None else v) for k, v in values.items()}


def test_the_lead_changes_the_bands_and_the_loss_model(client_for, lee, db):
    client = client_for(lee)
    assert "Weight of Revenue trend" in client.get("/risk/settings/").content.decode()
    data = _form(watch_below=70, at_risk_below=45, coef_health=-0.1, version=1)
    response = client.post("/risk/settings/", data)
    assert response.status_code == 302
    stored = RiskSettings.current()
    assert (stored.watch_below, stored.at_risk_below) == (70, 45)
    assert stored.loss_coefficients["health"] == pytest.approx(-0.1)
    from kam.risk.queries import loss_model

    assert {i.key: i.coefficient for i in loss_model().inputs}["health"] == pytest.approx(-0.1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"at_risk_below": 80}, "at_risk_below"),  # above the watch threshold
        ({"base_rate": 1.5}, "base_rate"),
        ({"correlation": 0.99}, "correlation"),
        ({"weight_threads": -1}, "weight_threads"),
        ({"fixed_costs": -10}, "fixed_costs"),
        ({"contingency_above": 2}, "contingency_above"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_field(client, lee, db, changes, field):
    client.force_login(lee)
    response = client.post(
        "/api/v1/risk/settings", {"values": changes}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == field
    page = client.post("/risk/settings/", _form(**changes))
    assert page.status_code == 400
    assert 'class="errorlist' in page.content.decode()
    assert RiskSettings.current().version == 1  # nothing saved


def test_a_stale_write_and_another_role_are_refused(client, lee, alice, db):
    client.force_login(lee)
    path = "/api/v1/risk/settings"
    ok = client.post(path, {"values": {"base_rate": 0.1}, "version": 1}, "application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.post(path, {"values": {"base_rate": 0.2}, "version": 1}, "application/json")
    assert stale.status_code == 409
    assert RiskSettings.current().base_rate == pytest.approx(0.1)
    client.force_login(alice)
    assert client.get(path).status_code == 403
    assert client.get("/risk/settings/").status_code == 403
    assert client.post(path, {"values": {"base_rate": 0.3}}, "application/json").status_code == 403
