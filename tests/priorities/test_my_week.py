"""My week: the ordering rule (pure) and the dashboard's panel, which shows a person only
their own actions and the alarms of accounts they are on."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kam.core.models import Period
from kam.plans import services
from kam.priorities.my_week import (
    ACTION,
    ALARM,
    LATE,
    SUGGESTED,
    THIS_WEEK,
    UNSPENT_HOURS,
    Line,
    my_week,
)

TODAY = date(2026, 12, 7)


def test_late_comes_first_longest_overdue_then_this_week_then_suggestions():
    lines = [
        Line(UNSPENT_HOURS, "A", "Spend hours", "", weight=5),
        Line(ACTION, "A", "Due Friday", "", due_on=TODAY + timedelta(days=4)),
        Line(ACTION, "A", "Late 3 days", "", due_on=TODAY - timedelta(days=3)),
        Line(ALARM, "B", "Meet Budi", "", overdue_days=40),
        Line(ACTION, "A", "Next month", "", due_on=TODAY + timedelta(days=30)),
        Line(ACTION, "A", "Tomorrow", "", due_on=TODAY + timedelta(days=1)),
    ]
    assert [(band, x.title) for band, x in my_week(lines, TODAY)] == [
        (LATE, "Meet Budi"),
        (LATE, "Late 3 days"),
        (THIS_WEEK, "Tomorrow"),
        (THIS_WEEK, "Due Friday"),
        (SUGGESTED, "Spend hours"),
    ]


def test_the_dashboard_lists_my_late_action_and_not_to_someone_else(
    account, alice, charlie, lee, client_for
):
    today = timezone.localdate()
    period = Period.objects.create(
        name="FY-week", starts_on=today - timedelta(days=100), ends_on=today + timedelta(days=100)
    )
    plan = services.plan_create(account=account, period=period, by=alice)
    services.action_create(
        plan=plan,
        by=alice,
        what="Send the pilot proposal",
        owner=alice,
        due_on=today - timedelta(days=2),
    )
    page = client_for(alice).get("/").content.decode()
    assert "My week" in page and "Send the pilot proposal" in page and "2 days late" in page
    assert "Send the pilot proposal" not in client_for(charlie).get("/").content.decode()
    assert client_for(charlie).get("/api/v1/priorities/my-week").json() == []
    [row] = client_for(alice).get("/api/v1/priorities/my-week").json()
    assert (row["band"], row["title"]) == ("late", "Send the pilot proposal")
    page = client_for(lee).get("/priorities/").content.decode()
    assert "Neglect alarms" in page
