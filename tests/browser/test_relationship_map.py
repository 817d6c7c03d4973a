"""The relationship map in a real browser: click a person, see their panel, toggle overlays."""

from __future__ import annotations

import pytest

from tests.factories import ContactFactory
from tests.relationships.factories import AssessmentFactory, LinkFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def drawn(account, alice):
    budi = account.contacts.get(name="Budi Santoso")
    siti = ContactFactory(account=account, name="Siti Rahayu", department="Desain", reports_to=budi)
    AssessmentFactory(
        contact=siti, attitude="opponent", influence=5, planned_step="Lunch through Budi"
    )
    LinkFactory(source=budi, target=siti, kind="influences")
    return siti


def test_a_kam_clicks_a_person_and_sees_their_panel(log_in, live_server, alice, account, drawn):
    page = log_in(alice)
    page.goto(f"{live_server.url}/relationships/accounts/{account.public_id}/map/")
    page.locator(f'#map-canvas [data-contact-id="{drawn.pk}"] circle').click()
    panel = page.locator("[data-testid=contact-panel]")
    panel.wait_for()
    assert "Siti Rahayu" in panel.inner_text()
    assert "Unhappy / opponent" in panel.inner_text()
    assert "Lunch through Budi" in panel.inner_text()


def test_the_overlays_toggle_without_a_reload(log_in, live_server, alice, account, drawn):
    page = log_in(alice)
    page.goto(f"{live_server.url}/relationships/accounts/{account.public_id}/map/")

    # A layer of thin lines may have an empty box, so ask the browser whether it is displayed.
    def shown(layer: str) -> bool:
        return page.locator(layer).evaluate("g => getComputedStyle(g).display") != "none"

    assert shown("#overlay-links") and shown("#overlay-team")
    url = page.url
    page.uncheck("#id_links")
    assert not shown("#overlay-links") and shown("#overlay-team")
    assert page.url == url
    page.check("#id_links")
    assert shown("#overlay-links")
