from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from kam.accounts.api import get_visible_account
from kam.core.jobs import job_submit
from kam.core.models import Job
from kam.selection import adapters, criteria, explain, queries, services
from kam.selection.models import AccountScore, SelectionCriterion, TierScheme
from kam.selection.schemas import (
    CriterionOut,
    CriterionPatch,
    JobOut,
    OverrideIn,
    RatingIn,
    RatingOut,
    SchemeOut,
    ScoreDetailOut,
    ScoreOut,
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
        raise HttpError(404, "No scoring yet.")
    return run


@router.get("/criteria", response=list[CriterionOut])
def criterion_list(request: HttpRequest):
    """The programme's criteria and weights: everyone may know why accounts are key (M2)."""
    return [_criterion(row) for row in SelectionCriterion.objects.all()]


@router.patch("/criteria/{key}", response=CriterionOut)
def criterion_update(request: HttpRequest, key: str, patch: CriterionPatch):
    if not request.auth.is_lead:
        raise HttpError(403, "Only the programme lead changes the criteria.")
    row = get_object_or_404(SelectionCriterion, key=key)
    for name, value in patch.dict(exclude_unset=True).items():
        setattr(row, name, value)
    try:
        row.full_clean()
        adapters.to_criteria([row])  # the scoring module's own checks (thresholds, bounds)
    except (ValidationError, ValueError) as error:
        raise HttpError(422, "; ".join(getattr(error, "messages", [str(error)]))) from error
    row.save()
    return _criterion(row)


@router.get("/tiers", response=SchemeOut)
def tier_scheme(request: HttpRequest):
    scheme = TierScheme.objects.prefetch_related("tiers").get(active=True)
    return {
        "name": scheme.name,
        "cut_off": scheme.cut_off,
        "capacity": scheme.capacity,
        "abc_crossing": scheme.abc_crossing,
        "tiers": list(scheme.tiers.all()),
    }


@router.get("/scores", response=list[ScoreOut])
@paginate(LimitOffsetPagination)
def score_list(
    request: HttpRequest, tier: str = "", flag: str = "", key_only: bool = False, q: str = ""
):
    """The latest scores of the accounts the caller may see, with tiers, flags and reasons."""
    rows = queries.key_account_rows(
        user=request.auth, run=_latest_run(), tier=tier, flag=flag, key_only=key_only, q=q
    ).select_related("run")
    return [_score(s) for s in rows]


@router.get("/flags", response=list[ScoreOut])
@paginate(LimitOffsetPagination)
def flagged_list(request: HttpRequest, flag: str = ""):
    rows = queries.key_account_rows(user=request.auth, run=_latest_run(), flag=flag).exclude(
        flags="[]"
    )
    return [_score(s) for s in rows.select_related("run")]


@router.get("/accounts/{account_id}/score", response=ScoreDetailOut)
def account_score(request: HttpRequest, account_id: UUID):
    account = get_visible_account(request, account_id)
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
    return list(get_visible_account(request, account_id).ratings.select_related("rated_by"))


@router.post("/accounts/{account_id}/ratings", response={201: RatingOut})
def rating_create(request: HttpRequest, account_id: UUID, body: RatingIn):
    account = get_visible_account(request, account_id)
    try:
        rating = services.rating_record(
            account=account, key=body.key, value=body.value, note=body.note, by=request.auth
        )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied)) from denied
    except ValidationError as error:
        raise HttpError(422, "; ".join(error.messages)) from error
    return Status(201, rating)


@router.post("/accounts/{account_id}/override", response={201: dict})
def override_create(request: HttpRequest, account_id: UUID, body: OverrideIn):
    account = get_visible_account(request, account_id)
    try:
        if body.clear:
            services.tier_override_clear(account=account, reason=body.reason, by=request.auth)
        else:
            services.tier_override_set(
                account=account, tier_code=body.tier, reason=body.reason, by=request.auth
            )
    except PermissionDenied as denied:
        raise HttpError(403, str(denied)) from denied
    except ValidationError as error:
        raise HttpError(422, "; ".join(error.messages)) from error
    return Status(201, {"detail": "Saved; it counts from the next scoring."})


@router.post("/runs", response={202: JobOut})
def run_start(request: HttpRequest, as_of: date | None = None):
    """Rescore every account in the background; poll the job for its progress."""
    if not request.auth.is_lead:
        raise HttpError(403, "Only the programme lead starts a rescore.")
    job = job_submit(
        kind="score", params={"as_of": (as_of or date.today()).isoformat()}, by=request.auth
    )
    return Status(202, job)


@router.get("/jobs/{job_id}", response=JobOut)
def job_detail(request: HttpRequest, job_id: UUID):
    return get_object_or_404(Job, public_id=job_id, created_by=request.auth)
