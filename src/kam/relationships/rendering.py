"""SVG to PNG for ``kam map --png``: Debian's chromium, headless, driven by Playwright.

cairosvg would need the system cairo library, which a pip install does not bring; chromium
is already what the browser tests drive, and it renders the map's CJK labels with the
system's Noto CJK fonts. Nothing is fetched: the SVG is set as the page's content.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class RenderingUnavailable(Exception):
    """Playwright or chromium is missing: the SVG is still written."""


def svg_to_png(svg: str, *, width: int, height: int, path: Path, scale: float = 1.0) -> None:
    """Render ``svg`` (``width`` x ``height`` pixels) to a PNG file."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as missing:
        raise RenderingUnavailable(
            "PNG needs Playwright (pip install playwright) and chromium"
        ) from missing
    if not Path(CHROMIUM).exists():
        raise RenderingUnavailable(f"PNG needs chromium at {CHROMIUM} (apt install chromium)")
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><style>'
        "html,body{margin:0;background:#fff}</style></head><body>" + svg + "</body></html>"
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(
                    viewport={"width": max(1, width), "height": max(1, height)},
                    device_scale_factor=scale,
                )
                page.set_content(html, wait_until="load")
                page.locator("svg").first.screenshot(path=str(path), omit_background=False)
            finally:
                browser.close()
    except Error as error:
        raise RenderingUnavailable(f"chromium could not render the map: {error}") from error
