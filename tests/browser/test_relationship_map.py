"""The relationship map in a real browser: click a person, see their panel, toggle overlays."""

from __future__ import annotations

import re

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
    page.evaluate("window.notReloaded = true")
    page.uncheck("#id_links")
    assert not shown("#overlay-links") and shown("#overlay-team")
    assert page.evaluate("window.notReloaded") and "links=on" not in page.url
    page.check("#id_links")
    assert shown("#overlay-links") and "links=on" in page.url


def test_each_kind_of_link_toggles_by_keyboard_and_the_address_keeps_it(
    log_in, live_server, alice, account, drawn
):
    budi = account.contacts.get(name="Budi Santoso")
    LinkFactory(source=drawn, target=budi, kind="in_tension_with")
    page = log_in(alice)
    page.goto(f"{live_server.url}/relationships/accounts/{account.public_id}/map/")

    def shown(kind: str) -> bool:
        path = page.locator(f"#overlay-links path.{kind}")
        return path.evaluate("p => getComputedStyle(p).display") != "none"

    assert shown("influences") and shown("in_tension_with")
    page.evaluate("window.notReloaded = true")
    # A named checkbox (what a screen reader announces), toggled with the keyboard.
    box = page.get_by_role("checkbox", name=re.compile("Influences"))
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    assert not shown("influences") and shown("in_tension_with")
    assert page.evaluate("window.notReloaded")
    assert "kinds=in_tension_with" in page.url and "kinds=influences" not in page.url
    svg = page.locator("a[data-export]").first.get_attribute("href")
    assert "kinds=influences" not in svg and "kinds=in_tension_with" in svg
    page.goto(page.url)  # the shared address shows the same lines
    assert not page.get_by_role("checkbox", name=re.compile("Influences")).is_checked()
    assert not shown("influences") and shown("in_tension_with")
