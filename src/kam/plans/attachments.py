"""Proposals and presentations attached to a plan or an opportunity (issue 11 item 6): stored
through Django's storage API, limited in size, and accepted only when their content is one of
the document types below (the name alone proves nothing), with the mentor's dated remarks."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, can, require
from kam.accounts.audit import audit, audit_create, audit_delete, lock
from kam.accounts.models import Account, AuditAction
from kam.plans.models import Attachment, AttachmentComment, Plan

if TYPE_CHECKING:
    from kam.planning.models import Opportunity
    from kam.users.models import User

FIELDS = ("title", "plan", "opportunity", "content_type", "size")


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = Kind("application/pdf", (".pdf",), "PDF")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word"
)
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
    "PowerPoint",
)
XLSX = Kind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel"
)
ODT = Kind("application/vnd.oasis.opendocument.text", (".odt",), "OpenDocument")
ODP = Kind("application/vnd.oasis.opendocument.presentation", (".odp",), "OpenDocument")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", (".ods",), "OpenDocument")
PNG = Kind("image/png", (".png",), "PNG")
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
KINDS = (PDF, DOCX, PPTX, XLSX, ODT, ODP, ODS, PNG, JPEG)
# Office Open XML: the folder inside the zip that says which document it is.
_OOXML = {"word/": DOCX, "ppt/": PPTX, "xl/": XLSX}
_ODF = {k.content_type: k for k in (ODT, ODP, ODS)}


def allowed_names() -> str:
    return ", ".join(sorted({e for k in KINDS for e in k.extensions}))


def sniff(upload: UploadedFile) -> Kind | None:
    """The document type the file's content shows, or None. Reads the first bytes, and for a
    zip its table of contents: a renamed executable or archive is not a presentation."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    return _ODF.get(mimetype)
                if "[Content_Types].xml" in names:
                    for folder, kind in _OOXML.items():
                        if any(n.startswith(folder) for n in names):
                            return kind
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
    return None


def check_upload(upload: UploadedFile) -> Kind:
    """The upload's kind, or a ValidationError on ``file`` saying why it is refused."""
    limit = settings.KAM_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the largest accepted is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _("This file's content is not a document kam accepts. Accepted: %(types)s.")
                % {"types": allowed_names()}
            }
        )
    name = (upload.name or "").lower()
    if not name.endswith(kind.extensions):
        raise ValidationError(
            {
                "file": _(
                    "The file's name does not match its content (a %(kind)s file); name it %(ext)s."
                )
                % {"kind": kind.label, "ext": " / ".join(kind.extensions)}
            }
        )
    return kind


def _safe_name(name: str) -> str:
    # Keep the user's name (any script) but never a path.
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    return base[:150]


@transaction.atomic
def attachment_add(
    *,
    by: User | None,
    upload: UploadedFile,
    title: str = "",
    plan: Plan | None = None,
    opportunity: Opportunity | None = None,
) -> Attachment:
    """Attach a proposal or presentation to a plan or an opportunity of one account. The
    account team and the lead attach; the mentor comments."""
    if (plan is None) == (opportunity is None):
        raise ValidationError({"plan": _("Attach the file to a plan or to an opportunity.")})
    account: Account = (plan or opportunity).account
    require(by, CHANGE, account)
    kind = check_upload(upload)
    title = title.strip() or _safe_name(upload.name or "")
    attachment = Attachment(
        account=account,
        plan=plan,
        opportunity=opportunity,
        title=title,
        content_type=kind.content_type,
        size=upload.size,
        created_by=by,
        updated_by=by,
    )
    attachment.full_clean(exclude=["file"])
    upload.name = _safe_name(upload.name or "file")
    attachment.file.save(upload.name, upload, save=False)
    try:
        attachment.save()
    except Exception:  # the file is stored before the row: do not leave it behind
        attachment.file.delete(save=False)
        raise
    audit_create(by=by, obj=attachment, account=account, fields=FIELDS)
    return attachment


@transaction.atomic
def attachment_delete(
    *, by: User | None, attachment: Attachment, expected_version: int | None = None
) -> None:
    require(by, CHANGE, attachment.account)
    fresh = lock(attachment, expected_version)
    audit_delete(by=by, obj=fresh, account=fresh.account, fields=FIELDS)
    name = fresh.file.name
    storage = fresh.file.storage
    fresh.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachment_comment_add(*, by: User, attachment: Attachment, comment: str) -> AttachmentComment:
    """A dated, attributed remark on an attachment: the mentor's above all (M1), and the
    team's; anyone who sees the account and is not only a reader because of their role."""
    if not (can(by, CHANGE, attachment.account) or _mentors(by, attachment.account)):
        raise PermissionDenied(
            _("Only the account's mentor, its team and the programme lead comment on its files.")
        )
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    row = AttachmentComment(attachment=attachment, author=by, comment=comment)
    row.full_clean()
    row.save()
    audit(
        by=by,
        action=AuditAction.CREATE,
        obj=row,
        account=attachment.account,
        changes={"attachment": [None, attachment.pk], "comment": [None, comment]},
    )
    return row


def _mentors(user: User, account: Account) -> bool:
    return bool(user.is_authenticated and account.mentors.filter(mentor=user).exists())


def attachments_of(
    *, plan: Plan | None = None, opportunity: Opportunity | None = None
) -> QuerySet[Attachment]:
    rows = Attachment.objects.select_related("created_by").annotate(comment_count=Count("comments"))
    if plan is not None:
        return rows.filter(plan=plan)
    return rows.filter(opportunity=opportunity)
