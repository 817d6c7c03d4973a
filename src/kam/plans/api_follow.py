"""The plan follow-up API at /api/v1/plans: monitoring, quality and mentor reviews.

Same rules as the other apps: 404 outside the caller's accounts, 403 for a role that may not
(only the account's mentor records a review), 422 naming the field. No ``from __future__ import
annotations`` (ninja)."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.api.fields import Day
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import account_filter, empty_if_hidden, field_error, users_named
from kam.plans import follow, reviews, words
from kam.plans.models import MentorReview, Plan
from kam.plans.schemas_follow import MonitoringOut, QualityOut, ReviewIn, ReviewOut

router = Router(tags=["plans"])


def _plan(request: HttpRequest, plan_id: UUID) -> Plan:
    try:
        return (
            Plan.objects.visible_to(request.auth)
            .select_related("account", "period")
            .get(public_id=plan_id)
        )
    except Plan.DoesNotExist as missing:
        raise Http404 from missing


def monitoring_out(plan: Plan, found: follow.PlanMonitoring) -> dict:
    result = found.result

    def counts(c):
        return {**c.__dict__, "percent_complete": c.percent_complete}

    return {
        "plan_id": plan.public_id,
        "today": found.today,
        "status": result.status.word,
        "status_text": words.status_word(result.status.word),
        "reasons": [{"code": r.code, "text": words.reason_text(r)} for r in result.status.reasons],
        "counts": counts(result.counts),
        "objectives": [{"title": o.title, "counts": counts(o.counts)} for o in found.objectives],
        "late_by_person": [
            {"owner": p.name, "actions": [a.__dict__ for a in p.actions]}
            for p in found.late_by_person
        ],
        "trend": [p.__dict__ for p in result.trend],
    }


def quality_out(plan: Plan, found: follow.PlanQuality) -> dict:
    return {
        "plan_id": plan.public_id,
        "score": found.result.score,
        "checks": [
            {
                "key": c.key,
                "title": words.check_title(c.key),
                "passed": c.passed,
                "applicable": c.applicable,
                "problem": words.check_problem(c),
                "missing": [
                    {"label": m.label, "lacks": list(m.lacks), "text": words.missing_text(m)}
                    for m in c.missing
                ],
                "fix_url": found.links[c.key],
            }
            for c in found.result.checks
        ],
    }


@router.get("/{uuid:plan_id}/monitoring", response=MonitoringOut)
def plan_monitoring(request: HttpRequest, plan_id: UUID, today: Day | None = None):
    """Actions done / open / late / blocked, per plan and per team objective, % complete, the
    trend over the period, each person's late actions, and the plan's status with its reason."""
    plan = _plan(request, plan_id)
    found = follow.plan_monitoring(plan=plan, today=today or timezone.localdate())
    return monitoring_out(plan, found)


@router.get("/{uuid:plan_id}/quality", response=QualityOut)
def plan_quality(request: HttpRequest, plan_id: UUID, today: Day | None = None):
    """The plan's completeness score (0-100) and every check, what it lacks and where to fix it."""
    plan = _plan(request, plan_id)
    return quality_out(plan, follow.plan_quality(plan=plan, today=today or timezone.localdate()))


def _reviews():
    return MentorReview.objects.select_related("account", "plan", "mentor").prefetch_related(
        "follow_ups__owner"
    )


@router.get("/reviews", response=list[ReviewOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def review_list(request: HttpRequest, account: UUID | None = None):
    """Mentor reviews of the accounts the caller sees, newest first."""
    found = _reviews().visible_to(request.auth)
    if (only := account_filter(request, account)) is not None:
        found = found.filter(account=only)
    return found.order_by("-reviewed_on", "-pk")


@router.post("/reviews", response={201: ReviewOut})
def review_create(request: HttpRequest, payload: ReviewIn):
    """Record a mentor review (the account's mentor only) with its follow-up actions."""
    account = account_or_404(request.auth, payload.account)
    if not follow.is_mentor_of(request.auth, account):
        raise PermissionDenied(reviews.not_mentor_reason())
    plan = None
    if payload.plan is not None:
        plan = Plan.objects.filter(account=account, public_id=payload.plan).first()
        if plan is None:
            raise field_error("plan", _("No plan of this account has this id."))
    owners = users_named([f.owner for f in payload.follow_ups if f.owner], "follow_ups")
    by_name = {u.username: u for u in owners}
    review = reviews.review_record(
        account=account,
        by=request.auth,
        verdict=payload.verdict,
        comment=payload.comment,
        reviewed_on=payload.reviewed_on,
        plan=plan,
        follow_ups=[
            reviews.FollowUp(f.what, by_name.get(f.owner or ""), f.due_on)
            for f in payload.follow_ups
        ],
    )
    return Status(201, _reviews().get(pk=review.pk))
