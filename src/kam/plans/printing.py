"""The printable plan, laid out for a review meeting, and its PDF: the same page printed by
Debian's chromium (headless, driven by Playwright), which renders Chinese with the system's
Noto CJK fonts. The page carries its stylesheet inline, so nothing is fetched."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from kam.planning.queries import horizon_of
from kam.plans import capabilities
from kam.plans.models import Plan, SignOff

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HORIZONS = ("0-3", "3-6", "6-12", "12+")


class RenderingUnavailable(Exception):
    """Playwright or chromium is missing, or chromium failed: the print page still works."""


def print_context(*, plan: Plan, today: date) -> dict[str, Any]:
    """Everything the printed plan shows, read in a handful of queries."""
    opportunities = list(plan.opportunities.order_by("expected_on", "pk"))
    by_horizon: dict[str, list] = {h: [] for h in (*HORIZONS, "")}
    for opportunity in opportunities:
        key = horizon_of(opportunity.expected_on, today) if opportunity.expected_on else ""
        by_horizon.setdefault(key, []).append(opportunity)
    versions = list(plan.versions.order_by("-number"))
    current = versions[0] if versions else None
    sign_offs = (
        list(SignOff.objects.filter(version=current).select_related("member")) if current else []
    )
    actions = list(
        plan.actions.select_related("owner", "objective", "opportunity", "contact").order_by(
            "due_on", "pk"
        )
    )
    for action in actions:
        action.late = (
            action.status == "open" and action.due_on is not None and action.due_on < today
        )
    return {
        "plan": plan,
        "account": plan.account,
        "today": today,
        "competitors": list(plan.competitors.all()),
        "customer_objectives": list(
            plan.customer_objectives.select_related("source_contact").order_by("horizon", "pk")
        ),
        "team_objectives": list(plan.team_objectives.all()),
        "actions": actions,
        "horizons": [(h, by_horizon[h]) for h in HORIZONS if by_horizon[h]],
        "undated": by_horizon[""],
        "version": current,
        "sign_offs": sign_offs,
        "review": plan.account.mentor_reviews.select_related("mentor").first(),
        "checklist": capabilities.latest_for_account(plan.account),
        "item_label": capabilities.label,
    }


def plan_html(*, plan: Plan, today: date) -> str:
    context = print_context(plan=plan, today=today)
    context["for_pdf"] = True
    return render_to_string("plans/print.html", context)


def plan_pdf(*, plan: Plan, today: date) -> bytes:
    """The printed plan as PDF (A4), in the active language."""
    return html_to_pdf(plan_html(plan=plan, today=today))


def html_to_pdf(html: str) -> bytes:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as missing:
        raise RenderingUnavailable(
            "PDF needs Playwright (pip install playwright) and chromium"
        ) from missing
    if not Path(CHROMIUM).exists():
        raise RenderingUnavailable(f"PDF needs chromium at {CHROMIUM} (apt install chromium)")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_content(html, wait_until="load")
                return page.pdf(
                    format="A4",
                    print_background=True,
                    margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except Error as error:
        raise RenderingUnavailable(f"chromium could not print the plan: {error}") from error
