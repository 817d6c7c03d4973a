"""The "my week" page: the person's ordered next actions and the neglect alarms of every
account they may see (the lead: the programme's)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kam.accounts.models import Account
from kam.priorities.alarms import neglect_alarm_lines
from kam.priorities.senior import senior_visit_lines
from kam.priorities.stage_fit import fit_alarm_lines
from kam.priorities.week import week_for
from kam.priorities.week_people import people_of_the_programme, week_subject


@login_required
def week(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    visible = Account.objects.visible_to(request.user)
    subject = week_subject(request.user, request.GET.get("kam"))
    return render(
        request,
        "priorities/week.html",
        {
            "week": week_for(user=subject, today=today),
            "subject": subject,
            "people": people_of_the_programme() if request.user.is_lead else [],
            "alarms": neglect_alarm_lines(accounts=visible, today=today),
            "visits": senior_visit_lines(accounts=visible, today=today),
            "fit_alarms": fit_alarm_lines(accounts=visible, today=today),
        },
    )
