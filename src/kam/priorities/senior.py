"""Senior-visit suggestions read from the database and said in words (the rules are in
kam.priorities.senior_visits). A handful of queries for any number of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.accounts.models import Account, MentorAssignment
from kam.planning.models import Opportunity
from kam.priorities import senior_visits as rules
from kam.priorities.alarms import tier_levels
from kam.relationships.models import Contact, EntrenchedInterest, Interaction, InteractionKind
from kam.users.models import Role, User


def senior_inputs(
    accounts, today: date, *, goes: dict[int, str] | None = None
) -> list[rules.AccountFacts]:
    rows = list(accounts.values_list("pk", "name", "created_at"))
    ids = [pk for pk, *_ in rows]
    levels = tier_levels(ids)
    interests: dict[int, list[str]] = {}
    for i in EntrenchedInterest.objects.filter(
        account__in=ids, status="open", holder__isnull=False
    ):
        interests.setdefault(i.holder_id, []).append(i.description or i.get_kind_display())
    people: dict[int, list[rules.Person]] = {}
    contacts = (
        Contact.objects.filter(account__in=ids, status="active")
        .select_related("current_assessment")
        .prefetch_related("current_assessment__known_in_person_by")
    )
    for c in contacts:
        a = c.current_assessment
        people.setdefault(c.account_id, []).append(
            rules.Person(
                c.pk,
                c.name,
                influence=a.influence if a else None,
                decision_maker=bool(a and a.buying_role == "decision_maker"),
                opponent=bool(a and a.attitude == "opponent"),
                interests=tuple(interests.get(c.pk, ())),
                known_in_person=bool(a and a.known_in_person_by.all()),
            )
        )
    opportunities: dict[int, list[rules.Opportunity]] = {}
    for o in Opportunity.objects.filter(account__in=ids, status="open", significant=True):
        opportunities.setdefault(o.account_id, []).append(
            rules.Opportunity(o.name, o.expected_on, o.significant)
        )
    last = dict(
        Interaction.objects.filter(account__in=ids, kind=InteractionKind.SENIOR_VISIT)
        .values("account")
        .annotate(m=Max("occurred_on"))
        .values_list("account", "m")
    )
    trends = _trends(ids)
    goes = _who_goes(ids) if goes is None else goes
    return [
        rules.AccountFacts(
            pk,
            name,
            created.date(),
            people=tuple(people.get(pk, ())),
            opportunities=tuple(opportunities.get(pk, ())),
            revenue_trend_pct=trends.get(pk),
            last_senior_visit=last.get(pk),
            exec_days=levels.get(pk, (False, None, None))[2],
            goes=goes.get(pk, ""),
        )
        for pk, name, created in rows
    ]


def _trends(ids: list[int]) -> dict[int, float]:
    from kam.selection.models import AccountScore
    from kam.selection.queries import latest_run

    run = latest_run()
    if run is None:
        return {}
    return dict(
        AccountScore.objects.filter(
            run=run, account__in=ids, revenue_trend_pct__isnull=False
        ).values_list("account_id", "revenue_trend_pct")
    )


def _who_goes(ids: list[int]) -> dict[int, str]:
    """The account's mentor, else the programme lead."""
    lead = User.objects.filter(role=Role.PROGRAMME_LEAD, is_active=True).order_by("pk").first()
    out = dict.fromkeys(ids, _person(lead) if lead else "")
    for m in MentorAssignment.objects.filter(account__in=ids).select_related("mentor"):
        out[m.account_id] = _person(m.mentor)
    return out


def _person(user) -> str:
    return user.get_full_name() or user.username


def reason_words(r: rules.Reason) -> str:
    if r.code == rules.LOW_LEVEL_DM:
        return _(
            "%(name)s, an influential decision maker, is not known in person at our senior level."
        ) % {"name": r.subject}
    if r.code == rules.OPPONENT:
        return _("%(name)s opposes us and protects an interest: %(interest)s.") % {
            "name": r.subject,
            "interest": r.detail,
        }
    if r.code == rules.OPPORTUNITY:
        return _("The significant opportunity %(name)s is expected on %(day)s.") % {
            "name": r.subject,
            "day": date_format(parse_date(r.detail)),
        }
    if r.code == rules.FALLING:
        return _("The account's revenue trend is falling (%(pct)s %%).") % {"pct": r.detail}
    return _("No senior visit since %(day)s (%(days)d days).") % {
        "day": date_format(parse_date(r.detail)),
        "days": r.days,
    }


@dataclass(frozen=True)
class VisitLine:
    suggestion: rules.Suggestion
    account: Account | None
    reasons: list[str]


def senior_visit_lines(*, accounts, today: date, facts=None) -> list[VisitLine]:
    """The suggestions of the (scoped) accounts, less those the KAM already accepted or
    dismissed on the same facts (kam.priorities.visit_decisions). ``facts``: the accounts'
    ``kam.priorities.facts_cache.week_facts`` when the caller already has them."""
    from kam.priorities.facts_cache import week_facts
    from kam.priorities.visit_decisions import decided, fingerprint

    found = (facts or week_facts(accounts, today)).suggestions
    done = decided({s.account_id for s in found})
    found = [s for s in found if (s.account_id, fingerprint(s)) not in done]
    by_pk = Account.objects.only("pk", "public_id", "name").in_bulk({s.account_id for s in found})
    return [
        VisitLine(s, by_pk.get(s.account_id), [reason_words(r) for r in s.reasons]) for s in found
    ]
