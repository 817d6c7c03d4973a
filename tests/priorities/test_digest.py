"""Completing "my week": introduction paths to unknown influencers, the lead reading a KAM's
week, and the weekly digest e-mail each person can turn off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kam.core.models import Period
from kam.plans import services as plans
from kam.priorities.digest import send_digests
from kam.priorities.models import DigestPreference
from kam.relationships.services import assessment_record, override_set
from tests.factories import ContactFactory


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KAM_SITE_URL = "https://kam.example.com"


@pytest.fixture
def late_action(account, alice, lee):
    alice.email, lee.email = "alice@kam.example", "lee@kam.example"
    alice.save(), lee.save()
    today = timezone.localdate()
    period = Period.objects.create(
        name="FY-week", starts_on=today - timedelta(days=100), ends_on=today + timedelta(days=100)
    )
    plan = plans.plan_create(account=account, period=period, by=alice)
    return plans.action_create(
        plan=plan,
        by=alice,
        what="Kirim proposal uji coba",
        owner=alice,
        due_on=today - timedelta(days=2),
    )


def test_an_unknown_influencer_comes_with_the_path_to_them(account, alice, client_for):
    budi = account.contacts.get(name="Budi Santoso")
    boss = ContactFactory(account=account, name="Hendra Wijaya", title="Direktur Utama")
    budi.reports_to = boss
    budi.save()
    assessment_record(contact=boss, by=alice, influence=5)
    override_set(user=alice, contact=budi, value=90, reason="Met weekly", by=alice)
    [row] = [
        r
        for r in client_for(alice).get("/api/v1/priorities/my-week").json()
        if r["kind"] == "introduction"
    ]
    assert "Hendra Wijaya" in row["title"] and "Budi Santoso" in row["title"]
    assert "you → Budi Santoso → Hendra Wijaya" in row["reason"]
    page = client_for(alice).get("/priorities/").content.decode()
    assert "Get an introduction to Hendra Wijaya" in page
    assert "How this list is ordered" in page


def test_an_introduction_is_dropped_once_someone_knows_the_person(account, alice, client_for):
    # The introductions are cached per account between visits; a change of the relationship
    # data must show on the next visit, not when the cache expires.
    budi = account.contacts.get(name="Budi Santoso")
    boss = ContactFactory(account=account, name="Hendra Wijaya", title="Direktur Utama")
    budi.reports_to = boss
    budi.save()
    assessment_record(contact=boss, by=alice, influence=5)
    override_set(user=alice, contact=budi, value=90, reason="Met weekly", by=alice)
    assert "Get an introduction to Hendra Wijaya" in client_for(alice).get("/").content.decode()
    override_set(user=alice, contact=boss, value=90, reason="Met at the fair", by=alice)
    assert "Get an introduction to Hendra Wijaya" not in client_for(alice).get("/").content.decode()


def test_the_lead_reads_a_kams_week_and_nobody_else_may(late_action, alice, bob, lee, client_for):
    page = client_for(lee).get("/priorities/?kam=alice").content.decode()
    assert "Kirim proposal uji coba" in page and "The week of Alice" in page
    api = client_for(lee).get("/api/v1/priorities/my-week?kam=alice").json()
    assert [r["title"] for r in api] == ["Kirim proposal uji coba"]
    assert client_for(bob).get("/priorities/?kam=alice").status_code == 403
    assert client_for(bob).get("/api/v1/priorities/my-week?kam=alice").status_code == 403
    assert client_for(lee).get("/api/v1/priorities/my-week?kam=nobody").status_code == 404


def test_the_digest_sends_each_person_their_week_with_links(late_action, alice, lee):
    report = send_digests()
    assert report.sent == ["alice", "lee"]
    to_alice = next(m for m in mail.outbox if m.to == ["alice@kam.example"])
    assert "1 late" in to_alice.subject
    assert "Kirim proposal uji coba" in to_alice.body and "2 days late" in to_alice.body
    assert "https://kam.example.com/plans/" in to_alice.body
    to_lee = next(m for m in mail.outbox if m.to == ["lee@kam.example"])
    assert "Alice" in to_lee.body and "https://kam.example.com/priorities/?kam=alice" in to_lee.body


def test_a_person_turns_the_digest_off_and_chooses_its_language(late_action, alice, client_for):
    page = client_for(alice)
    assert page.get("/priorities/settings/").status_code == 200
    page.post("/priorities/settings/", {"language": "zh-hant", "weekly_digest": "on"})
    send_digests(only=[alice])
    assert "逾期" in mail.outbox[-1].subject or "遲" in mail.outbox[-1].subject
    page.post("/priorities/settings/", {"language": ""})  # the box unticked: off
    assert DigestPreference.objects.get(user=alice).weekly_digest is False
    mail.outbox.clear()
    assert send_digests(only=[alice]).turned_off == ["alice"] and mail.outbox == []
    api = page.put(
        "/api/v1/priorities/settings/digest",
        {"weekly_digest": True, "language": "xx"},
        content_type="application/json",
    )
    assert api.status_code == 422 and "language" in api.content.decode()


def test_the_command_sends_and_names_an_unknown_user(late_action, alice, capsys):
    call_command("digest", "--user", "alice")
    assert "1 sent" in capsys.readouterr().out and len(mail.outbox) == 1
    with pytest.raises(Exception, match="nobody"):
        call_command("digest", "--user", "nobody")
