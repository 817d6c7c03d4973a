"""Pages of a plan's follow-up: its monitoring, quality and mentor reviews, and the mentor's
review form. The panels themselves render through ``{% follow_panels plan %}`` so the plan page
shows them too."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from kam.plans import follow, reviews
from kam.plans.forms_follow import ReviewForm
from kam.plans.models import Plan


def _plan(request: HttpRequest, public_id) -> Plan:
    try:
        return (
            Plan.objects.visible_to(request.user)
            .select_related("account", "period")
            .get(public_id=public_id)
        )
    except Plan.DoesNotExist as missing:
        raise Http404 from missing


def _after_review(plan: Plan) -> str:
    """Back to the plan page's reviews panel (the follow-up page until the plan page exists)."""
    try:
        page = reverse("plans:account_plan", kwargs={"public_id": plan.account.public_id})
        return f"{page}?period={plan.period_id}#reviews"
    except NoReverseMatch:
        return reverse("plans:plan_follow", kwargs={"public_id": plan.public_id}) + "#reviews"


@login_required
def plan_follow(request: HttpRequest, public_id) -> HttpResponse:
    plan = _plan(request, public_id)
    return render(request, "plans/follow.html", {"plan": plan, "account": plan.account})


@login_required
@require_POST
def review_add(request: HttpRequest, public_id) -> HttpResponse:
    plan = _plan(request, public_id)
    if not follow.is_mentor_of(request.user, plan.account):
        raise PermissionDenied(reviews.not_mentor_reason())
    form = ReviewForm(request.POST, account=plan.account)
    if form.is_valid():
        try:
            reviews.review_record(
                account=plan.account,
                by=request.user,
                plan=plan,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
                reviewed_on=form.cleaned_data["reviewed_on"],
                follow_ups=form.follow_ups(),
            )
        except ValidationError as refused:
            for field, messages in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect(_after_review(plan))
    context = {"plan": plan, "account": plan.account, "review_form": form}
    return render(request, "plans/follow.html", context, status=422)
