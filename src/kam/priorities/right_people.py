"""Time with the right people read from the database and said in words (the measure is in
kam.priorities.people_time): per KAM and per account over a period, with the trend. A few
queries whatever the number of accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.accounts.models import Account
from kam.core import formatting
from kam.priorities import people_time as pt
from kam.relationships.models import Contact, EntrenchedInterest, Interaction
from kam.relationships.models.interactions import DEFAULT_MINUTES
from kam.users.models import Role, User


def load(accounts, start: date, end: date) -> tuple[list[pt.Meeting], dict[int, pt.Person]]:
    """The interactions of the (scoped) accounts between ``start`` and ``end`` and every
    contact of those accounts."""
    window = Interaction.objects.filter(
        account__in=accounts, occurred_on__gte=start, occurred_on__lte=end
    )
    ours: dict[int, list[int]] = defaultdict(list)
    for i, u in Interaction.our_participants.through.objects.filter(
        interaction__in=window
    ).values_list("interaction_id", "user_id"):
        ours[i].append(u)
    theirs: dict[int, list[int]] = defaultdict(list)
    for i, c in Interaction.their_participants.through.objects.filter(
        interaction__in=window
    ).values_list("interaction_id", "contact_id"):
        theirs[i].append(c)
    meetings = [
        pt.Meeting(
            account_id,
            on,
            minutes or DEFAULT_MINUTES.get(kind, 60),
            tuple(ours.get(pk, ())),
            tuple(theirs.get(pk, ())),
        )
        for pk, account_id, on, kind, minutes in window.values_list(
            "pk", "account_id", "occurred_on", "kind", "duration_minutes"
        )
    ]
    holders = set(
        EntrenchedInterest.objects.filter(account__in=accounts, status="open").values_list(
            "holder_id", flat=True
        )
    )
    people = {
        pk: pt.Person(
            pk,
            account_id,
            name,
            influence=influence,
            decision_maker=role == "decision_maker",
            opponent=attitude == "opponent",
            holds_interest=pk in holders,
            active=status == "active",
        )
        for pk, account_id, name, influence, role, attitude, status in Contact.objects.filter(
            account__in=accounts
        ).values_list(
            "pk",
            "account_id",
            "name",
            "current_assessment__influence",
            "current_assessment__buying_role",
            "current_assessment__attitude",
            "status",
        )
    }
    return meetings, people


@dataclass(frozen=True)
class Row:
    """One KAM's or one account's finding, said in words."""

    finding: pt.Finding
    name: str
    user: User | None = None
    account: Account | None = None
    why: str = ""
    what_to_do: str = ""

    @property
    def hours(self) -> float:
        return self.finding.mix.total / 60


NAMES_SHOWN = 5


def _names(people) -> str:
    """The first names (the most influential first), then how many more."""
    shown = ", ".join(p.name for p in people[:NAMES_SHOWN])
    more = len(people) - NAMES_SHOWN
    if more <= 0:
        return shown
    return ngettext("%(names)s and %(more)d more", "%(names)s and %(more)d more", more) % {
        "names": shown,
        "more": more,
    }


def words(finding: pt.Finding, name: str) -> tuple[str, str]:
    """Why the finding is flagged, and what to do ("" when it is not)."""
    if not finding.flagged:
        return "", ""
    values = {
        "name": name,
        "share": formatting.share(finding.mix.easy_share),
        "hours": formatting.number(finding.mix.total / 60, 1),
    }
    if finding.unseen:
        why = _(
            "%(name)s: %(share)s of %(hours)s contact hours went to easy contacts; "
            "not met in the period: %(unseen)s."
        ) % {**values, "unseen": _names(finding.unseen)}
        todo = _("Make time for %(unseen)s.") % {"unseen": _names(finding.unseen)}
    else:
        why = _("%(name)s: %(share)s of %(hours)s contact hours went to easy contacts.") % values
        todo = _("Find and meet the people who decide.")
    return why, todo


def _buckets(end: date, by: str) -> list[pt.Bucket]:
    """The last 4 quarters (or 6 months) up to the period's end, or today when it ends later
    (no empty future buckets)."""
    return pt.buckets(min(end, timezone.localdate()), by, 4 if by == "quarter" else 6)


def _window(start: date, end: date, buckets: list[pt.Bucket]) -> date:
    return min([start, *(b.starts_on for b in buckets)])


def account_rows(*, accounts, start: date, end: date, by: str = "quarter") -> list[Row]:
    """One row per (scoped) account with contact time in the period or flagged, flagged
    first, then by the least influential share."""
    buckets = _buckets(end, by)
    meetings, people = load(accounts, _window(start, end, buckets), end)
    ids = {m.account_id for m in meetings}
    by_pk = Account.objects.in_bulk(ids)
    rows = []
    for pk in ids:
        f = pt.find(meetings, people, start=start, end=end, buckets=buckets, account=pk)
        if not f.mix.total and all(p.share is None for p in f.trend):
            continue
        account = by_pk[pk]
        rows.append(Row(f, account.name, account=account, **_said(f, account.name)))
    rows.sort(key=_order)
    return rows


def _said(f: pt.Finding, name: str) -> dict[str, str]:
    why, todo = words(f, name)
    return {"why": why, "what_to_do": todo}


def _order(row: Row):
    share = row.finding.mix.influential_share
    return (not row.finding.flagged, 2.0 if share is None else share, row.name)


def people_for(reader: User, wanted: User | None = None) -> list[User]:
    """Whose contact time the reader may see: the lead every KAM's (or the one asked for);
    anyone else only their own. PermissionDenied when they ask for someone else's."""
    if wanted is not None and wanted.pk != reader.pk and not reader.is_lead:
        raise PermissionDenied(_("Only the programme lead sees another person's contact time."))
    if wanted is not None:
        return [wanted]
    if reader.is_lead:
        return list(
            User.objects.filter(role=Role.KEY_ACCOUNT_MANAGER, is_active=True).order_by(
                "first_name", "last_name", "username"
            )
        )
    return [] if reader.is_mentor else [reader]


def kam_rows(
    *, reader: User, start: date, end: date, by: str = "quarter", wanted: User | None = None
) -> list[Row]:
    """One row per person the reader may see (``people_for``), flagged first."""
    users = people_for(reader, wanted)
    if not users:
        return []
    buckets = _buckets(end, by)
    accounts = Account.objects.visible_to(reader)
    meetings, people = load(accounts, _window(start, end, buckets), end)
    owned: dict[int, list[int]] = defaultdict(list)
    for pk, owner in accounts.filter(owner__in=users).values_list("pk", "owner_id"):
        owned[owner].append(pk)
    rows = []
    for u in users:
        f = pt.find(
            meetings,
            people,
            start=start,
            end=end,
            buckets=buckets,
            user=u.pk,
            their_accounts=owned.get(u.pk, ()),
        )
        name = u.get_full_name() or u.username
        rows.append(Row(f, name, user=u, **_said(f, name)))
    rows.sort(key=_order)
    return rows
