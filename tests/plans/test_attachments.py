"""Proposals and presentations attached to a plan or an opportunity (issue 11 item 6)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kam.accounts.models import AuditEntry
from kam.plans.models import Attachment, AttachmentComment
from kam.users.models import ApiToken
from tests.plans.factories import PlanFactory
from tests.relationships.factories import OpportunityFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p/>")
    return buffer.getvalue()


@pytest.fixture
def plan(account):
    return PlanFactory(account=account)


def _upload(client, plan, name, content, title=""):
    return client.post(
        reverse("plans:plan_attachments", args=[plan.public_id]),
        {"title": title, "file": SimpleUploadedFile(name, content)},
    )


def test_the_team_attaches_a_proposal_and_the_mentor_comments(client_for, bob, mia, plan):
    answer = _upload(client_for(bob), plan, "提案.pdf", PDF, title="Proposal 2027")
    assert answer.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    client = client_for(mia)
    client.post(
        reverse("plans:attachment_comment", args=[attachment.public_id]),
        {"comment": "Lead with the service level, not the price."},
    )
    page = client.get(reverse("plans:plan_attachments", args=[plan.public_id])).content.decode()
    assert "Proposal 2027" in page and "Lead with the service level" in page
    assert AttachmentComment.objects.get().author == mia
    download = client.get(reverse("plans:attachment_download", args=[attachment.public_id]))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"


def test_it_accepts_a_presentation_by_its_content(client_for, alice, account):
    opportunity = OpportunityFactory(account=account)
    client_for(alice).post(
        reverse("plans:opportunity_attachments", args=[opportunity.public_id]),
        {"file": SimpleUploadedFile("pitch.pptx", _pptx())},
    )
    assert Attachment.objects.get().opportunity == opportunity


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("invoice.pdf", b"MZ\x90\x00 an executable", "not a document kam accepts"),
        ("notes.pdf", _pptx(), "does not match its content"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_it_refuses_a_file_by_its_content_with_the_reason(
    client_for, alice, plan, name, content, says
):
    answer = _upload(client_for(alice), plan, name, content)
    assert answer.status_code == 400
    assert says in answer.content.decode()
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(client_for, alice, plan, settings):
    settings.KAM_ATTACHMENT_MAX_BYTES = 20
    answer = _upload(client_for(alice), plan, "big.pdf", PDF)
    assert "the largest accepted is 20" in answer.content.decode()
    assert not Attachment.objects.exists()


def test_a_mentor_may_not_attach_and_an_outsider_sees_nothing(
    client_for, mia, charlie, alice, plan
):
    assert _upload(client_for(mia), plan, "a.pdf", PDF).status_code == 403
    _upload(client_for(alice), plan, "a.pdf", PDF)
    attachment = Attachment.objects.get()
    client = client_for(charlie)
    assert (
        client.get(reverse("plans:attachment_download", args=[attachment.public_id])).status_code
        == 404
    )
    assert client.get(reverse("plans:plan_attachments", args=[plan.public_id])).status_code == 404
    assert (
        client.post(
            reverse("plans:attachment_comment", args=[attachment.public_id]), {"comment": "x"}
        ).status_code
        == 404
    )
    assert not AttachmentComment.objects.exists()


def test_the_api_uploads_lists_and_downloads(client, alice, charlie, plan):
    token = ApiToken.issue(user=alice)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    created = client.post(
        "/api/v1/plans/attachments",
        {"plan": str(plan.public_id), "file": SimpleUploadedFile("deck.pdf", PDF)},
        **auth,
    )
    assert created.status_code == 201, created.content
    attachment_id = created.json()["id"]
    listed = client.get("/api/v1/plans/attachments", {"plan": str(plan.public_id)}, **auth)
    assert [a["id"] for a in listed.json()["items"]] == [attachment_id]
    file = client.get(f"/api/v1/plans/attachments/{attachment_id}/file", **auth)
    assert b"".join(file.streaming_content) == PDF
    bad = client.post(
        "/api/v1/plans/attachments",
        {"plan": str(plan.public_id), "file": SimpleUploadedFile("x.pdf", b"GIF89a")},
        **auth,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "file"
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=charlie)[1]}"}
    assert (
        client.get(f"/api/v1/plans/attachments/{attachment_id}/file", **outsider).status_code == 404
    )
    deleted = client.delete(f"/api/v1/plans/attachments/{attachment_id}", **auth)
    assert deleted.status_code == 204
    assert AuditEntry.objects.filter(action="delete").exists()
