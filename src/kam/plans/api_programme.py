"""The programme's plans, attachments and capability checklists at /api/v1/plans.

Same rules as the rest of the API: 404 outside the caller's accounts, 403 for a role that may
not, 422 naming the field. No ``from __future__ import annotations`` (ninja)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kam.accounts.access import account_or_404
from kam.api.fields import Text
from kam.api.openapi import answers
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import field_error, version_to_delete, visible_object
from kam.core.versions import display_name
from kam.planning.models import Opportunity
from kam.plans import attachments as files
from kam.plans import capabilities, programme
from kam.plans.models import Attachment, CapabilityChecklist, Plan
from kam.plans.schemas_programme import (
    AttachmentIn,
    AttachmentOut,
    CapabilityItemOut,
    ChecklistIn,
    ChecklistOut,
    CommentIn,
    CommentOut,
    ProgrammeRowOut,
)
from kam.plans.views_programme import attachment_response
from kam.users.models import User

router = Router(tags=["plans"])


def _name(user) -> str | None:
    return display_name(user) if user is not None else None


def _row_out(r: programme.Row) -> dict:
    plan, account = r.plan, r.plan.account
    return {
        "plan_id": plan.public_id,
        "account_id": account.public_id,
        "account": account.name,
        "account_code": account.code,
        "key_account_manager": account.owner.username if account.owner_id else None,
        "tier": r.tier,
        "is_key": r.is_key,
        "period": plan.period.name,
        "state": plan.state,
        "waiting_for": [u.username for u in r.waiting_for],
        "status": r.status,
        "status_reason": r.status_reason,
        "actions": r.total,
        "done": r.done,
        "late": r.late,
        "blocked": r.blocked,
        "quality": r.quality,
        "missing": r.missing,
        "stale": r.stale,
        "last_review": r.last_review,
        "next_review": r.next_review,
        "review_overdue": r.review_overdue,
    }


@router.get("/programme", response=list[ProgrammeRowOut])
@paginate(LimitOffsetPagination)
def programme_list(
    request: HttpRequest,
    q: Text = "",
    period: Text = "",
    state: Text = "",
    tier: Text = "",
    status: Text = "",
    overdue: bool = False,
    waiting_for_me: bool = False,
    sort: Text = "account",
):
    """Every plan the caller may see, as the programme's page lists it: tier, state, who has
    still to sign, status with its reason, quality with what is missing, next mentor review."""
    rows = programme.programme_rows(
        user=request.auth,
        today=timezone.localdate(),
        q=q,
        period=period,
        state=state,
        tier=tier,
        status=status,
        overdue=overdue,
        waiting_for_me=waiting_for_me,
        sort=sort if sort in programme.SORTS else "account",
    )
    return [_row_out(r) for r in programme.hydrate(rows)]


# -- attachments ---------------------------------------------------------------------------


def _attachment_out(a: Attachment) -> dict:
    return {
        "id": a.public_id,
        "account_id": a.account.public_id,
        "plan_id": a.plan.public_id if a.plan_id else None,
        "opportunity_id": a.opportunity.public_id if a.opportunity_id else None,
        "title": a.title,
        "content_type": a.content_type,
        "size": a.size,
        "created_at": a.created_at,
        "created_by": _name(a.created_by),
        "comment_count": getattr(a, "comment_count", None) or a.comments.count(),
        "version": a.version,
    }


def _attachments():
    return Attachment.objects.select_related("account", "plan", "opportunity", "created_by")


def _attachment(request: HttpRequest, attachment_id: UUID) -> Attachment:
    return visible_object(request, _attachments(), attachment_id)


@router.get("/attachments", response=list[AttachmentOut])
@paginate(LimitOffsetPagination)
def attachment_list(
    request: HttpRequest,
    plan: UUID | None = None,
    opportunity: UUID | None = None,
    account: UUID | None = None,
):
    """Proposals and presentations of the plans and opportunities the caller may see."""
    rows = _attachments().visible_to(request.auth)
    if plan is not None:
        rows = rows.filter(plan__public_id=plan)
    if opportunity is not None:
        rows = rows.filter(opportunity__public_id=opportunity)
    if account is not None:
        rows = rows.filter(account__public_id=account)
    from django.db.models import Count

    return [_attachment_out(a) for a in rows.annotate(comment_count=Count("comments"))]


@router.post("/attachments", response={201: AttachmentOut})
@answers(403, 413)
def attachment_create(
    request: HttpRequest,
    file: File[UploadedFile],
    form: Form[AttachmentIn],
):
    """Attach a file (multipart) to a plan or an opportunity. Refused with 422 on ``file``
    when too large or when its content is not an accepted document type."""
    title, plan, opportunity = form.title, form.plan, form.opportunity
    found_plan = found_opportunity = None
    if (plan is None) == (opportunity is None):
        raise field_error("plan", _("Attach the file to a plan or to an opportunity."))
    if plan is not None:
        found_plan = visible_object(request, Plan.objects.select_related("account"), plan)
    else:
        found_opportunity = visible_object(
            request, Opportunity.objects.select_related("account"), opportunity
        )
    if len(title) > Attachment._meta.get_field("title").max_length:
        raise field_error("title", _("At most 300 characters."))
    attachment = files.attachment_add(
        by=request.auth,
        upload=file,
        title=title,
        plan=found_plan,
        opportunity=found_opportunity,
    )
    return Status(201, _attachment_out(_attachment(request, attachment.public_id)))


@router.get("/attachments/{uuid:attachment_id}", response=AttachmentOut)
def attachment_detail(request: HttpRequest, attachment_id: UUID):
    return _attachment_out(_attachment(request, attachment_id))


@router.get("/attachments/{uuid:attachment_id}/file")
def attachment_file(request: HttpRequest, attachment_id: UUID):
    """The file itself, typed by its checked content."""
    return attachment_response(_attachment(request, attachment_id))


@router.delete("/attachments/{uuid:attachment_id}", response={204: None})
def attachment_delete(request: HttpRequest, attachment_id: UUID, version: int | None = None):
    files.attachment_delete(
        by=request.auth,
        attachment=_attachment(request, attachment_id),
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


def _comment_out(c) -> dict:
    return {
        "id": c.pk,
        "author": display_name(c.author),
        "comment": c.comment,
        "created_at": c.created_at,
    }


@router.get("/attachments/{uuid:attachment_id}/comments", response=list[CommentOut])
def attachment_comments(request: HttpRequest, attachment_id: UUID):
    attachment = _attachment(request, attachment_id)
    return [_comment_out(c) for c in attachment.comments.select_related("author")]


@router.post("/attachments/{uuid:attachment_id}/comments", response={201: CommentOut})
@answers(403)
def attachment_comment_create(request: HttpRequest, attachment_id: UUID, payload: CommentIn):
    """A dated remark on the file, attributed to the caller (the mentor's above all)."""
    comment = files.attachment_comment_add(
        by=request.auth, attachment=_attachment(request, attachment_id), comment=payload.comment
    )
    return Status(201, _comment_out(comment))


# -- capability checklists -----------------------------------------------------------------


@router.get("/capabilities/items", response=list[CapabilityItemOut])
def capability_items(request: HttpRequest):
    """The checklist's items: ``account`` ones are assessed per account, ``kam`` ones per KAM."""
    return [{"key": i.key, "label": str(i.label), "scope": i.scope} for i in capabilities.ITEMS]


def _checklist_out(c: CapabilityChecklist) -> dict:
    return {
        "id": c.pk,
        "account_id": c.account.public_id if c.account_id else None,
        "kam": c.kam.username if c.kam_id else None,
        "assessed_on": c.assessed_on,
        "assessed_by": _name(c.assessed_by),
        "note": c.note,
        "answers": [
            {
                "item": a.item,
                "label": capabilities.label(a.item),
                "met": a.met,
                "rating": a.rating,
                "note": a.note,
            }
            for a in c.answers.all()
        ],
    }


@router.get("/capabilities", response=list[ChecklistOut])
@paginate(LimitOffsetPagination)
def checklist_list(request: HttpRequest, account: UUID | None = None, kam: Text | None = None):
    """Assessments, newest first, of the accounts the caller sees (and of KAMs: their own,
    or every KAM's for the lead). The history stays: each assessment is its own entry."""
    rows = capabilities.checklists_visible_to(request.auth)
    if account is not None:
        rows = rows.filter(account__public_id=account)
    if kam:
        rows = rows.filter(kam__username=kam, account__isnull=True)
    return [_checklist_out(c) for c in capabilities.with_answers(rows)]


def _kam(request: HttpRequest, username: str) -> User:
    kam = User.objects.filter(username=username, is_active=True).first()
    if kam is None or not capabilities.may_see_kam(request.auth, kam):
        raise field_error("kam", _("No KAM of this name that you may assess."))
    return kam


@router.post("/capabilities", response={201: ChecklistOut})
@answers(403)
def checklist_create(request: HttpRequest, payload: ChecklistIn):
    """Record a dated assessment of an account's items or a KAM's."""
    found_account = account_or_404(request.auth, payload.account) if payload.account else None
    kam = _kam(request, payload.kam) if payload.kam else None
    if found_account is None and kam is None:
        raise field_error("account", _("Assess either an account or a KAM."))
    answers_in = {}
    for a in payload.answers:
        if a.item in answers_in:
            raise field_error("answers", _("Each item once: %(item)s") % {"item": a.item})
        if a.rating is not None and not 1 <= a.rating <= 5:
            raise field_error("answers", _("A rating is from 1 to 5."))
        answers_in[a.item] = capabilities.Answer(met=a.met, rating=a.rating, note=a.note)
    try:
        checklist = capabilities.checklist_record(
            by=request.auth,
            account=found_account,
            kam=kam,
            answers=answers_in,
            assessed_on=payload.assessed_on,
            note=payload.note,
        )
    except ValidationError:
        raise
    return Status(
        201,
        _checklist_out(
            capabilities.with_answers(CapabilityChecklist.objects.filter(pk=checklist.pk)).get()
        ),
    )


@router.get("/capabilities/{int:checklist_id}", response=ChecklistOut)
def checklist_detail(request: HttpRequest, checklist_id: int):
    found = capabilities.with_answers(
        capabilities.checklists_visible_to(request.auth).filter(pk=checklist_id)
    ).first()
    if found is None:
        raise Http404
    return _checklist_out(found)
