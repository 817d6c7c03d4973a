from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.api.errors import validation_as_text
from kam.api.fields import Day, Text
from kam.api.openapi import answers
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import expected_version
from kam.core.jobs import job_check, job_rerun, job_submit
from kam.core.models import Job
from kam.selection import criteria, explain, queries, services
from kam.selection.models import AccountScore, SelectionCriterion, TierScheme
from kam.selection.schemas import (
    CriterionOut,
    CriterionPatch,
    JobOut,
    RatingIn,
    RatingOut,
    RegisterRowOut,
    SchemeOut,
    ScoreDetailOut,
    ScoreOut,
    TierOverrideIn,
)

router = Router(tags=["selection"])


def _criterion(row: SelectionCriterion) -> dict:
    return {
        "key": row.key,
        "label": criteria.label(row.key),
        "weight": row.weight,
        "direction": row.direction,
        "normalisation": row.normalisation,
        "thresholds": row.thresholds,
        "bound_low": row.bound_low,
        "bound_high": row.bound_high,
        "version": row.version,
    }


def _score(score: AccountScore, *, detail: bool = False) -> dict:
    data = {
        name: getattr(score, name)
        for name in (
            "score", "rank", "tier_name", "is_key", "tier_reason", "revenue", "revenue_previous",
            "margin_pct", "revenue_trend_pct", "growing_quarters_pct", "yoy_growth_pct",
            "sales_share_pct", "avg_days_late", "worst_days_late", "on_time_pct", "discount_pct",
            "discounts", "cost_to_serve", "profit", "share_of_wallet_pct",
        )
    }  # fmt: skip
    data.update(
        account_id=score.account.public_id,
        account_code=score.account.code,
        account_name=score.account.name,
        as_of=score.run.as_of,
        tier=score.tier_code,
        why=explain.why(score.contributions),
        flags=[
            {
                "code": f["code"],
                "title": explain.flag_title(f["code"]),
                "reason": explain.flag_reason(f),
                "reasons": f.get("reasons", []),
                "facts": f.get("facts", {}),
            }
            for f in score.flags
        ],
    )
    if detail:
        data["contributions"] = [
            {**c, "label": criteria.label(c["key"])} for c in score.contributions
        ]
    return data


def _latest_run():
    run = queries.latest_run()
    if run is None:
        raise HttpError(404, _("No scoring yet."))
    return run


@router.get("/criteria", response=list[CriterionOut])
def criterion_list(request: HttpRequest):
    """The programme's criteria and weights: everyone may know why accounts are key (M2)."""
    return [_criterion(row) for row in SelectionCriterion.objects.all()]


@router.patch("/criteria/{key}", response=CriterionOut)
def criterion_update(request: HttpRequest, key: Text, patch: CriterionPatch):
    """Change a criterion; ``version`` (or ``If-Match``) refuses a stale change with 409."""
    changes = patch.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    row = services.criterion_update(key=key, by=request.auth, expected_version=expected, **changes)
    return _criterion(row)


@router.get("/tiers", response=SchemeOut)
@answers(404)
def tier_scheme(request: HttpRequest):
    scheme = TierScheme.objects.prefetch_related("tiers").get(active=True)
    return {
        "name": scheme.name,
        "cut_off": scheme.cut_off,
        "capacity": scheme.capacity,
        "abc_crossing": scheme.abc_crossing,
        "tiers": list(scheme.tiers.all()),
    }


@router.get("/register", response=list[RegisterRowOut])
@paginate(LimitOffsetPagination)
@answers(404)
def register(request: HttpRequest):
    """The key account register: every key account of the latest scoring, for every user
    (M2), with no figure the programme lead has not published."""
    from kam.selection.models import RegisterSettings
    from kam.selection.register import register_rows

    rows = register_rows(user=request.auth, run=_latest_run(), published=RegisterSettings.current())
    return [
        {
            "account_id": row.account.public_id if row.may_open else None,
            "account_name": row.account.name,
            "country": row.account.country.code or "",
            "industry": row.account.industry,
            "tier": row.tier,
            "kam": row.kam,
            "visits_per_month": row.service.visits_per_month if row.service else None,
            "plan_review_days": row.service.plan_review_days if row.service else None,
            "dedicated_staff": row.service.dedicated_staff if row.service else None,
            "priority_ordering": row.service.priority_ordering if row.service else None,
            "other_service": row.service.extras if row.service else "",
            "rank": row.rank,
            "reason": row.reason,
            "revenue": row.revenue,
        }
        for row in rows
    ]


@router.get("/scores", response=list[ScoreOut])
@paginate(LimitOffsetPagination)
@answers(404)
def score_list(
    request: HttpRequest, tier: Text = "", flag: Text = "", key_only: bool = False, q: Text = ""
):
    """The latest scores of the accounts the caller may see, with tiers, flags and reasons."""
    rows = queries.key_account_rows(
        user=request.auth, run=_latest_run(), tier=tier, flag=flag, key_only=key_only, q=q
    ).select_related("run")
    return [_score(s) for s in rows]


@router.get("/flags", response=list[ScoreOut])
@paginate(LimitOffsetPagination)
@answers(404)
def flagged_list(request: HttpRequest, flag: Text = ""):
    rows = queries.key_account_rows(user=request.auth, run=_latest_run(), flag=flag).exclude(
        flags="[]"
    )
    return [_score(s) for s in rows.select_related("run")]


@router.get("/accounts/{account_id}/score", response=ScoreDetailOut)
def account_score(request: HttpRequest, account_id: UUID):
    account = account_or_404(request.auth, account_id)
    score = (
        AccountScore.objects.select_related("run", "account")
        .filter(run=_latest_run(), account=account)
        .first()
    )
    if score is None:
        raise Http404
    return _score(score, detail=True)


@router.get("/accounts/{account_id}/ratings", response=list[RatingOut])
def rating_list(request: HttpRequest, account_id: UUID):
    return list(account_or_404(request.auth, account_id).ratings.select_related("rated_by"))


@router.post("/accounts/{account_id}/ratings", response={201: RatingOut})
@validation_as_text
def rating_create(request: HttpRequest, account_id: UUID, body: RatingIn):
    account = account_or_404(request.auth, account_id)
    rating = services.rating_record(
        account=account, key=body.key, value=body.value, note=body.note, by=request.auth
    )
    return Status(201, rating)


@router.post("/accounts/{account_id}/override", response={201: dict})
@validation_as_text
def override_create(request: HttpRequest, account_id: UUID, body: TierOverrideIn):
    account = account_or_404(request.auth, account_id)
    if body.clear:
        services.tier_override_clear(account=account, reason=body.reason, by=request.auth)
    else:
        services.tier_override_set(
            account=account, tier_code=body.tier, reason=body.reason, by=request.auth
        )
    return Status(201, {"detail": "Saved; it counts from the next scoring."})


@router.post("/runs", response={202: JobOut})
def run_start(request: HttpRequest, as_of: Day | None = None):
    """Rescore every account in the background; poll the job for its progress."""
    if not request.auth.is_lead:
        raise PermissionDenied(_("Only the programme lead starts a rescore."))
    job = job_submit(
        kind="score", params={"as_of": (as_of or date.today()).isoformat()}, by=request.auth
    )
    return Status(202, job)


@router.get("/jobs/{job_id}", response=JobOut)
def job_detail(request: HttpRequest, job_id: UUID):
    return job_check(get_object_or_404(Job, public_id=job_id, created_by=request.auth))


@router.post("/jobs/{job_id}/rerun", response={202: JobOut})
def job_run_again(request: HttpRequest, job_id: UUID):
    """Run a failed job again with the same parameters, as a new job; poll that one."""
    job = get_object_or_404(Job, public_id=job_id, created_by=request.auth)
    try:
        again = job_rerun(job=job, by=request.auth)
    except PermissionDenied as denied:
        raise HttpError(403, str(denied)) from denied
    except ValidationError as refused:
        raise HttpError(409, " ".join(refused.messages)) from refused
    return Status(202, again)
