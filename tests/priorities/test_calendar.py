"""Meetings from a calendar export: matched by e-mail within what the importer may see,
idempotent by UID, moved and cancelled meetings followed, bad files refused whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kam.accounts.models import AuditEntry
from kam.priorities.calendar import address_resolve, import_calendar
from kam.priorities.models import CalendarEvent
from kam.relationships.models import Interaction
from tests.factories import ContactFactory

ICS = Path(__file__).parent / "ics"
TODAY = date(2026, 11, 20)
REVIEW_UID = "040000008200E00074C5B7101A82E0080000000010"


def ics(name: str) -> bytes:
    return (ICS / name).read_bytes()


@pytest.fixture
def world(account, other_account, alice, bob):
    alice.email, bob.email = "alice@kam.example", "bob@kam.example"
    alice.save(), bob.save()
    budi = account.contacts.get(name="Budi Santoso")
    budi.email = "budi.santoso@sinarabadi.co.id"
    budi.save()
    wang = other_account.contacts.get(name="王伟")
    wang.email = "wangwei@huamei.cn"
    wang.save()
    return {"budi": budi, "wang": wang}


def test_meetings_are_logged_with_the_people_matched_by_email(world, account, alice, bob):
    result = import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    assert (result.read, result.logged) == (5, 2)
    review = Interaction.objects.get(notes__startswith="Kunjungan")
    assert review.account == account
    assert review.occurred_on == date(2026, 11, 2)
    assert review.duration_minutes == 90
    assert set(review.our_participants.all()) == {alice, bob}
    assert list(review.their_participants.all()) == [world["budi"]]
    reasons = dict(result.skipped)
    assert "Team sync" in reasons and "Natal" in reasons
    # Siti is nobody kam knows: listed for alice, never guessed.
    unmatched = {a["email"] for row in result.to_resolve for a in row.unmatched}
    assert unmatched == {"siti.rahayu@sinarabadi.co.id", "wangwei@huamei.cn"}


def test_importing_again_changes_nothing(world, alice):
    import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    audits = AuditEntry.objects.count()
    again = import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    assert again.changed == 0
    assert Interaction.objects.count() == 2
    assert AuditEntry.objects.count() == audits


def test_a_moved_meeting_updates_and_a_cancelled_one_is_withdrawn(world, alice):
    import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    moved = import_calendar(ics("moved.ics"), user=alice, today=TODAY)
    assert moved.updated == 1
    review = CalendarEvent.objects.get(uid=REVIEW_UID).interaction
    assert (review.occurred_on, review.duration_minutes) == (date(2026, 11, 4), 120)
    cancelled = import_calendar(ics("cancelled.ics"), user=alice, today=TODAY)
    assert cancelled.withdrawn == 1
    assert not Interaction.objects.filter(pk=review.pk).exists()
    # An older copy of the meeting does not bring it back.
    assert import_calendar(ics("moved.ics"), user=alice, today=TODAY).changed == 0


def test_a_contact_of_an_account_out_of_sight_is_not_matched(world, other_account, alice):
    result = import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    assert not Interaction.objects.filter(account=other_account).exists()
    row = CalendarEvent.objects.get(uid="google-wang-1@google.com")
    assert row.account is None and row.interaction is None
    # alice sees only the address her own file gave, nothing of charlie's account.
    assert row.unmatched == [{"email": "wangwei@huamei.cn", "name": "王伟"}]
    assert other_account.name not in str([r.__dict__ for r in result.to_resolve])


def test_a_bad_file_names_the_event_and_field_and_imports_nothing(world, alice):
    with pytest.raises(ValidationError) as refused:
        import_calendar(ics("bad.ics"), user=alice, today=TODAY)
    message = " ".join(refused.value.message_dict["file"])
    assert "Rapat anggaran" in message and "DTSTART" in message
    assert not Interaction.objects.exists() and not CalendarEvent.objects.exists()
    with pytest.raises(ValidationError, match="not a calendar file"):
        import_calendar(b"Name,Email\nBudi,budi@x\n", user=alice, today=TODAY)


def test_resolving_an_address_logs_the_person_on_the_meeting(world, account, alice):
    import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    siti = ContactFactory(account=account, name="Siti Rahayu")
    address_resolve(user=alice, email="Siti.Rahayu@sinarabadi.co.id", contact=siti, today=TODAY)
    pricing = CalendarEvent.objects.get(uid="google-7f3a9c@google.com")
    assert siti in pricing.interaction.their_participants.all()
    assert pricing.unmatched == []
    with pytest.raises(ValidationError) as refused:
        address_resolve(user=alice, email="wangwei@huamei.cn", contact=world["wang"])
    assert "contact" in refused.value.message_dict


def test_the_command_imports_for_the_user_named(world, alice, capsys):
    call_command("import-calendar", str(ICS / "meetings.ics"), "--user", "alice")
    out = capsys.readouterr().out
    assert "2 logged" in out and "siti.rahayu@sinarabadi.co.id" in out


def test_the_page_imports_an_upload_and_refuses_a_mentor(world, period, alice, mia, client_for):
    page = client_for(alice).get("/priorities/time/")
    assert b"/priorities/time/calendar/" in page.content
    upload = SimpleUploadedFile("cal.ics", ics("meetings.ics"), content_type="text/calendar")
    response = client_for(alice).post("/priorities/time/calendar/", {"file": upload})
    assert response.status_code == 200
    assert "2 meetings logged" in response.content.decode()
    assert "siti.rahayu@sinarabadi.co.id" in response.content.decode()
    bad = SimpleUploadedFile("bad.ics", ics("bad.ics"), content_type="text/calendar")
    refused = client_for(alice).post("/priorities/time/calendar/", {"file": bad})
    assert refused.status_code == 400 and "Rapat anggaran" in refused.content.decode()
    upload = SimpleUploadedFile("cal.ics", ics("meetings.ics"), content_type="text/calendar")
    assert client_for(mia).post("/priorities/time/calendar/", {"file": upload}).status_code == 403


def test_the_api_imports_and_names_the_file_on_a_bad_one(world, alice, mia, client_for):
    url = "/api/v1/priorities/calendar/import"
    ok = client_for(alice).post(url, {"file": SimpleUploadedFile("c.ics", ics("meetings.ics"))})
    assert ok.status_code == 200 and ok.json()["logged"] == 2
    bad = client_for(alice).post(url, {"file": SimpleUploadedFile("b.ics", ics("bad.ics"))})
    assert bad.status_code == 422 and "file" in bad.content.decode()
    assert "DTSTART" in bad.content.decode()
    mentor = client_for(mia).post(url, {"file": SimpleUploadedFile("c.ics", ics("meetings.ics"))})
    assert mentor.status_code == 403


def test_the_page_resolves_and_dismisses_only_what_the_user_may(
    world, account, alice, charlie, client_for
):
    import_calendar(ics("meetings.ics"), user=alice, today=TODAY)
    siti = ContactFactory(account=account, name="Siti Rahayu")
    page = client_for(alice)
    hidden = page.post(
        "/priorities/time/calendar/resolve/",
        {"email": "wangwei@huamei.cn", "contact": world["wang"].public_id},
    )
    assert hidden.status_code == 404
    done = page.post(
        "/priorities/time/calendar/resolve/",
        {"email": "siti.rahayu@sinarabadi.co.id", "contact": siti.public_id},
    )
    assert done.status_code == 302
    pricing = CalendarEvent.objects.get(uid="google-7f3a9c@google.com")
    assert siti in pricing.interaction.their_participants.all()
    wang_call = CalendarEvent.objects.get(uid="google-wang-1@google.com")
    url = f"/priorities/time/calendar/{wang_call.public_id}/dismiss/"
    assert client_for(charlie).post(url).status_code == 404
    assert client_for(alice).post(url).status_code == 302
    listed = client_for(alice).get("/priorities/time/calendar/").content.decode()
    assert "与王伟通话" not in listed
