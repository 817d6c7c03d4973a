"""The weekly digest: each person's "my week" (kam.priorities.week, in the same order) by
e-mail, through Django's e-mail backend (the console unless KAM_EMAIL_HOST names an SMTP
server). Sent on Mondays by Celery beat when a broker is set (kam/celery.py), or by
``kam digest`` from cron.

Who gets it: every active person with an e-mail address who has not turned it off (their
settings page, /priorities/settings/), in the language they chose there (else the site's).
A person with nothing on their list gets no e-mail. The programme lead's digest adds, per
KAM, how many lines are late and due this week, with a link to that KAM's week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kam.priorities import my_week
from kam.priorities.models_digest import DigestPreference
from kam.priorities.week import week_for
from kam.priorities.week_people import people_of_the_programme
from kam.users.models import User


@dataclass
class DigestReport:
    sent: list[str] = field(default_factory=list)  # usernames
    turned_off: list[str] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)
    nothing_to_say: list[str] = field(default_factory=list)


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.KAM_SITE_URL.rstrip("/") + url


def _counts(week) -> dict[str, int]:
    return {
        "late": sum(1 for band, _line in week if band == my_week.LATE),
        "this_week": sum(1 for band, _line in week if band == my_week.THIS_WEEK),
        "suggested": sum(1 for band, _line in week if band == my_week.SUGGESTED),
    }


def digest_message(
    user: User, *, today: date, week=None, per_kam: list[dict] | None = None
) -> EmailMultiAlternatives | None:
    """The person's digest, or None when their list is empty (and, for the lead, every
    KAM's too)."""
    week = week_for(user=user, today=today) if week is None else week
    per_kam = [row for row in (per_kam or []) if row["late"] or row["this_week"]]
    if not week and not per_kam:
        return None
    preference = DigestPreference.objects.filter(user=user).first()
    language = (preference.language if preference else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        counts = _counts(week)
        context = {
            "user": user,
            "today": today,
            "lines": [
                {"band": band, "line": line, "url": _absolute(line.url)} for band, line in week
            ],
            "counts": counts,
            "per_kam": per_kam,
            "week_url": _absolute("/priorities/"),
            "settings_url": _absolute("/priorities/settings/"),
        }
        subject = (
            _(
                "Your week in kam: %(late)d late, %(this_week)d due this week, "
                "%(suggested)d suggested"
            )
            % counts
        )
        text = render_to_string("priorities/email/digest.txt", context)
        html = render_to_string("priorities/email/digest.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def send_digests(*, today: date | None = None, only: list[User] | None = None) -> DigestReport:
    """Send this week's digest to everyone who wants it (or to ``only``)."""
    today = today or timezone.localdate()
    report = DigestReport()
    people = list(only) if only is not None else list(User.objects.filter(is_active=True))
    off = set(
        DigestPreference.objects.filter(weekly_digest=False).values_list("user_id", flat=True)
    )
    weeks: dict[int, list] = {}

    def week_of(person: User):
        if person.pk not in weeks:
            weeks[person.pk] = week_for(user=person, today=today)
        return weeks[person.pk]

    messages = []
    for person in sorted(people, key=lambda p: p.username):
        if person.pk in off:
            report.turned_off.append(person.username)
            continue
        if not person.email:
            report.no_address.append(person.username)
            continue
        per_kam = None
        if person.is_lead:
            per_kam = [
                {
                    "user": kam,
                    **_counts(week_of(kam)),
                    "url": _absolute(f"/priorities/?kam={kam.username}"),
                }
                for kam in people_of_the_programme()
            ]
        message = digest_message(person, today=today, week=week_of(person), per_kam=per_kam)
        if message is None:
            report.nothing_to_say.append(person.username)
            continue
        messages.append((person, message))
    if messages:
        connection = get_connection()
        connection.send_messages([m for _p, m in messages])
        sent_at = timezone.now()
        for person, _message in messages:
            DigestPreference.objects.update_or_create(
                user=person, defaults={"last_sent_at": sent_at}
            )
            report.sent.append(person.username)
    return report
