"""Neglect alarms read from the database (``neglect_inputs``, seven queries however many
accounts) and said in words (``alarm_words``). The rules are in kam.priorities.neglect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.accounts.models import Account
from kam.planning.models import Horizon, Objective, ObjectiveStatus, Opportunity
from kam.planning.queries import add_months
from kam.priorities import neglect
from kam.relationships.models import Contact, Interaction, InteractionKind

IN_PERSON = [
    InteractionKind.MEETING,
    InteractionKind.VISIT,
    InteractionKind.DEMO,
    InteractionKind.PILOT,
    InteractionKind.SENIOR_VISIT,
]
LONG_HORIZON_MONTHS = 6


def tier_levels(account_ids: list[int]) -> dict[int, tuple[bool, float | None, int | None]]:
    """Per account: (is key, visits per month, plan review days) of its tier in the latest
    scoring run. Three queries."""
    from kam.selection.models import AccountScore, Tier, TierScheme
    from kam.selection.queries import latest_run

    run = latest_run()
    if run is None or not account_ids:
        return {}
    scores = AccountScore.objects.filter(run=run, account__in=account_ids).values_list(
        "account_id", "tier_code", "is_key"
    )
    tiers = {
        code: (float(visits), days)
        for code, visits, days in Tier.objects.filter(
            scheme__in=TierScheme.objects.filter(active=True)
        ).values_list("code", "visits_per_month", "plan_review_days")
    }
    out = {}
    for account_id, code, is_key in scores:
        visits, days = tiers.get(code, (None, None))
        out[account_id] = (bool(is_key), visits, days)
    return out


def neglect_inputs(
    accounts, today: date
) -> tuple[list[neglect.AccountFacts], list[neglect.ContactFacts]]:
    """The facts the rules read for the given accounts (a queryset already scoped to the
    reader)."""
    rows = list(accounts.values_list("pk", "name", "created_at"))
    ids = [pk for pk, *_ in rows]
    levels = tier_levels(ids)
    last = dict(
        Interaction.objects.filter(account__in=ids)
        .values("account")
        .annotate(m=Max("occurred_on"))
        .values_list("account", "m")
    )
    last_visit = dict(
        Interaction.objects.filter(account__in=ids, kind__in=IN_PERSON)
        .values("account")
        .annotate(m=Max("occurred_on"))
        .values_list("account", "m")
    )
    work: dict[int, list[tuple[str, date]]] = {}
    far = add_months(today, LONG_HORIZON_MONTHS)
    for account_id, name, on in Opportunity.objects.filter(
        account__in=ids, status="open", expected_on__gte=far
    ).values_list("account_id", "name", "created_at__date"):
        work.setdefault(account_id, []).append((name, on))
    for account_id, text, on in Objective.objects.filter(
        account__in=ids, horizon=Horizon.LONG_TERM, status=ObjectiveStatus.OPEN
    ).values_list("account_id", "description", "recorded_on"):
        work.setdefault(account_id, []).append((text, on))
    facts = []
    for pk, name, created in rows:
        is_key, visits, days = levels.get(pk, (False, None, None))
        items = work.get(pk, [])
        facts.append(
            neglect.AccountFacts(
                account_id=pk,
                name=name,
                known_since=created.date(),
                is_key=is_key,
                visits_per_month=visits,
                review_days=days,
                last_interaction=last.get(pk),
                last_visit=last_visit.get(pk),
                long_horizon=tuple(sorted(n for n, _on in items)),
                long_horizon_since=min((on for _n, on in items), default=None),
            )
        )
    contacts = [
        neglect.ContactFacts(
            account_id=account_id,
            contact_id=pk,
            name=name,
            influence=influence,
            known_since=created.date(),
            last_seen=seen,
        )
        for pk, account_id, name, influence, created, seen in Contact.objects.filter(
            account__in=ids,
            status="active",
            current_assessment__influence__gte=neglect.INFLUENTIAL,
        )
        .annotate(seen=Max("interactions__occurred_on"))
        .values_list(
            "pk", "account_id", "name", "current_assessment__influence", "created_at", "seen"
        )
    ]
    return facts, contacts


@dataclass(frozen=True)
class AlarmLine:
    alarm: neglect.Alarm
    account: Account | None
    why: str
    what_to_do: str

    @property
    def kind(self) -> str:
        return self.alarm.kind


def alarm_words(alarm: neglect.Alarm) -> tuple[str, str]:
    """Why the alarm rings, and what to do, in the reader's language."""
    since = date_format(alarm.since)
    days = alarm.days
    if alarm.kind == neglect.LONG_HORIZON:
        work = "; ".join(alarm.subjects)
        if alarm.last:
            why = ngettext(
                "Long-horizon work (%(work)s) and no interaction since %(since)s: %(days)d day, "
                "the tier allows %(allowed)d.",
                "Long-horizon work (%(work)s) and no interaction since %(since)s: %(days)d days, "
                "the tier allows %(allowed)d.",
                days,
            )
        else:
            why = ngettext(
                "Long-horizon work (%(work)s) and no interaction ever, since %(since)s: "
                "%(days)d day, the tier allows %(allowed)d.",
                "Long-horizon work (%(work)s) and no interaction ever, since %(since)s: "
                "%(days)d days, the tier allows %(allowed)d.",
                days,
            )
        why = why % {"work": work, "since": since, "days": days, "allowed": alarm.allowed_days}
        todo = _("Contact the account about this work before a competitor does.")
    elif alarm.kind == neglect.NO_VISIT:
        if alarm.last:
            why = _(
                "Key account with no visit since %(since)s; the service level asks for one "
                "every %(allowed)d days."
            )
        else:
            why = _(
                "Key account never visited (known since %(since)s); the service level asks "
                "for a visit every %(allowed)d days."
            )
        why = why % {"since": since, "allowed": alarm.allowed_days}
        todo = _("Plan a visit.")
    else:
        if alarm.last:
            why = _("%(name)s, an influential contact, not met since %(since)s (%(days)d days).")
        else:
            why = _(
                "%(name)s, an influential contact, never met since %(since)s, when the contact "
                "was added (%(days)d days)."
            )
        why = why % {"name": alarm.subjects[0], "since": since, "days": days}
        todo = _("Meet %(name)s.") % {"name": alarm.subjects[0]}
    return why, todo


def neglect_alarm_lines(*, accounts, today: date, facts=None) -> list[AlarmLine]:
    """The alarms of the given (scoped) accounts, each with its account and its words (the
    alarms from the cache while their inputs are unchanged: kam.priorities.facts_cache;
    ``facts``: the accounts' ``week_facts`` when the caller already has them)."""
    from kam.priorities.facts_cache import week_facts

    alarms = (facts or week_facts(accounts, today)).alarms
    by_pk = Account.objects.only("pk", "public_id", "name").in_bulk({a.account_id for a in alarms})
    return [AlarmLine(a, by_pk.get(a.account_id), *alarm_words(a)) for a in alarms]
