"""The plan's follow-up panels (monitoring, quality, mentor reviews) and the dashboard's
overdue reviews, as template tags, so any page shows them with one line."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kam.core.charts import Series, quarterly_chart
from kam.plans import follow, words
from kam.plans.forms_follow import ReviewForm

register = template.Library()


def trend_chart(found: follow.PlanMonitoring) -> str:
    points = found.result.trend
    if not points:
        return ""
    labels = [date_format(p.on, "M") for p in points]
    svg = quarterly_chart(
        labels,
        [
            Series(_("Due"), [p.due_pct for p in points], "line"),
            Series(_("Done"), [p.done_pct for p in points], "line"),
        ],
        title=_("Done and due, % of the actions"),
        height=200,
    )
    return mark_safe(svg)  # noqa: S308 - kam.core.charts escapes every text


@register.inclusion_tag("plans/partials/_follow.html", takes_context=True)
def follow_panels(context, plan) -> dict:
    """Monitoring with its chart, quality with its fix links, and the mentor reviews with the
    review form for the account's mentor."""
    user = context["request"].user
    today = timezone.localdate()
    monitoring = follow.plan_monitoring(plan=plan, today=today)
    quality = follow.plan_quality(plan=plan, today=today)
    status = monitoring.result.status
    may_review = follow.is_mentor_of(user, plan.account)
    form = context.get("review_form") or (ReviewForm(account=plan.account) if may_review else None)
    checks = [
        {
            "check": c,
            "title": words.check_title(c.key),
            "problem": "" if c.missing else words.check_problem(c),
            "missing": [words.missing_text(m) for m in c.missing],
            "link": quality.links[c.key],
        }
        for c in quality.result.checks
    ]
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "plan": plan,
        "monitoring": monitoring,
        "counts": monitoring.result.counts,
        "status": status.word,
        "status_text": words.status_word(status.word),
        "status_reason": words.status_reason(status),
        "chart": trend_chart(monitoring),
        "quality": quality.result,
        "checks": checks,
        "reviews": follow.reviews_of(account=plan.account),
        "due": follow.review_due(plan.account, today),
        "may_review": may_review,
        "form": form,
    }


@register.inclusion_tag("plans/partials/_overdue_reviews.html", takes_context=True)
def overdue_reviews(context) -> dict:
    """Overdue mentor reviews for the KAM and the lead (the mentor's own are in "Waiting for
    me", kam.plans.programme)."""
    user = context["request"].user
    found = (
        [] if user.is_mentor else follow.overdue_reviews_for(user=user, today=timezone.localdate())
    )
    return {"overdue": found[:10], "more": max(len(found) - 10, 0)}
