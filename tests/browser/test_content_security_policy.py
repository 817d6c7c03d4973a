"""Every main page runs under the Content-Security-Policy without a single violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Generous: Swagger UI lays out the whole API, which takes a while on a busy machine.
WAIT = 60_000

# Chromium reports a blocked script or style both as a securitypolicyviolation event and as a
# console error; either one fails the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.kamReportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


def test_the_pages_and_htmx_work_under_the_policy(page, log_in, live_server, lee, scored, account):
    violations: list[str] = []

    def report(text: str) -> None:
        violations.append(text)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.expose_function("kamReportViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    log_in(lee)
    base = live_server.url
    response = page.goto(f"{base}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # The account list filters in place through htmx as one types.
    page.goto(f"{base}/accounts/")
    page.fill("input[name=q]", "Squeezer")
    expect(page.locator("#account-table")).not_to_contain_text("Steady 0", timeout=WAIT)
    expect(page.locator("#account-table")).to_contain_text("Squeezer Ltd", timeout=WAIT)

    # The account page loads its relationship summary through htmx.
    page.goto(f"{base}/accounts/{account.public_id}/")
    loaded = page.locator("#relationships-summary").locator(".findings, p.empty").first
    expect(loaded).to_be_visible(timeout=WAIT)

    page.goto(f"{base}/selection/")
    expect(page.locator("main")).to_contain_text("Squeezer Ltd", timeout=WAIT)

    # The scorecard's server-drawn charts are there and take up room.
    page.goto(f"{base}/selection/accounts/{account.public_id}/")
    chart = page.locator(".charts svg").first
    assert chart.bounding_box()["width"] > 100

    page.goto(f"{base}/relationships/accounts/{account.public_id}/")
    expect(page.locator("main h1")).to_contain_text(account.name, timeout=WAIT)

    # Clicking a person on the map fetches their panel through htmx.
    page.goto(f"{base}/relationships/accounts/{account.public_id}/map/")
    page.locator("#map-canvas [data-contact-id] circle").first.click()
    expect(page.locator("[data-testid=contact-panel]")).to_contain_text(
        "Budi Santoso", timeout=WAIT
    )

    page.goto(f"{base}/ledger/import/")
    expect(page.locator("input[type=file]")).to_be_visible(timeout=WAIT)

    # Swagger UI comes from ninja's own static files, not a CDN, and draws the operations.
    page.goto(f"{base}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=WAIT)

    page.goto(f"{base}/admin/axes/accessattempt/")
    expect(page.locator("#content")).to_be_visible(timeout=WAIT)

    assert violations == []

    # The listener itself works: an inline script is refused, and reported.
    directive = page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation",
            (event) => resolve(event.violatedDirective), {once: true});
          const script = document.createElement("script");
          script.textContent = "window.ran = 1";
          document.body.append(script);
        })"""
    )
    assert directive.startswith("script-src")
    assert page.evaluate("() => window.ran") is None
    for _ in range(100):  # the report crosses to Python on its own
        if violations:
            break
        page.wait_for_timeout(50)
    assert violations
