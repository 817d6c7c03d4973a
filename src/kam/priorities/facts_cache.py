"""The neglect alarms and senior-visit suggestions of a set of accounts, kept in Django's cache
while nothing they read has changed (issue 14 item 12: the dashboard's "my week" recomputed
them on every view, about twenty queries and most of the page's time).

The cache key holds ``inputs_fingerprint``: one query over every table the two rule sets read
(the accounts, their people, opinions and who knows them in person, meetings, opportunities,
long-term objectives, entrenched interests, mentors, the tier schemes and the finished scoring
runs). Each table gives its row count, highest id, the sum of its versions and its latest
change, so a row added, removed or edited through the app (every edit bumps ``version`` and
``updated_at``) gives a new key at once, in every web process. What is cached are the facts
(alarms and suggestions), never words: the reader's language is applied on each view. The
people who would go on a senior visit are read on each view (their names are not versioned)
and are part of the key. ``CACHE_SECONDS`` only bounds how long an unused entry is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from kam.core.cached import fingerprint_cached

CACHE_SECONDS = 6 * 3600

# (label, table, how its rows reach the account ids, whether it has version/updated_at)
_PER_ACCOUNT = [
    ("account", "accounts_account", "t.id", True),
    ("contact", "relationships_contact", "t.account_id", True),
    ("interaction", "relationships_interaction", "t.account_id", True),
    ("opportunity", "planning_opportunity", "t.account_id", True),
    ("objective", "planning_objective", "t.account_id", True),
    ("interest", "relationships_entrenchedinterest", "t.account_id", True),
    ("mentor", "accounts_mentorassignment", "t.account_id", False),
]


def _tables() -> dict[str, str]:
    """The tables by label, read from the models (a renamed table cannot go unnoticed)."""
    from kam.accounts.models import Account, MentorAssignment
    from kam.planning.models import Objective, Opportunity
    from kam.relationships.models import Assessment, Contact, EntrenchedInterest, Interaction
    from kam.selection.models import ScoringRun, Tier, TierScheme

    models = {
        "account": Account,
        "contact": Contact,
        "interaction": Interaction,
        "opportunity": Opportunity,
        "objective": Objective,
        "interest": EntrenchedInterest,
        "mentor": MentorAssignment,
        "assessment": Assessment,
        "known": Assessment.known_in_person_by.through,
        "tier": Tier,
        "scheme": TierScheme,
        "run": ScoringRun,
    }
    return {label: model._meta.db_table for label, model in models.items()}


def inputs_fingerprint(account_ids: list[int]) -> tuple:
    """A value that changes whenever anything the alarms or senior-visit rules read for these
    accounts is added, changed or removed. One query."""
    from kam.selection.models import RunStatus

    if not account_ids:
        return ()
    tables = _tables()
    ids = ", ".join(["%s"] * len(account_ids))
    parts, params = [], []

    def part(label: str, source: str, where: str, versioned: bool, extra: list) -> None:
        columns = "SUM(t.version), MAX(t.updated_at)" if versioned else "0, NULL"
        parts.append(
            f"SELECT '{label}', COUNT(*), MAX(t.id), {columns} FROM {source} WHERE {where}"  # noqa: S608 - tables and labels are ours, values are parameters
        )
        params.extend(extra)

    for label, _table, by, versioned in _PER_ACCOUNT:
        part(label, f"{tables[label]} t", f"{by} IN ({ids})", versioned, account_ids)
    contact = tables["contact"]
    part(
        "assessment",
        f"{tables['assessment']} t JOIN {contact} c ON c.id = t.contact_id",
        f"c.account_id IN ({ids})",
        True,
        account_ids,
    )
    part(
        "known",
        f"{tables['known']} t JOIN {tables['assessment']} a ON a.id = t.assessment_id "
        f"JOIN {contact} c ON c.id = a.contact_id",
        f"c.account_id IN ({ids})",
        False,
        account_ids,
    )
    part("tier", f"{tables['tier']} t", "1 = 1", True, [])
    part("scheme", f"{tables['scheme']} t", "1 = 1", True, [])
    part("run", f"{tables['run']} t", "t.status = %s", False, [RunStatus.DONE])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return tuple(sorted((label, n, top, total, str(last)) for label, n, top, total, last in rows))


@dataclass(frozen=True)
class WeekFacts:
    """The rule results of a set of accounts: alarms (kam.priorities.neglect) and senior
    visit suggestions (kam.priorities.senior_visits), before any words."""

    alarms: list
    suggestions: list


def week_facts(accounts, today: date, *, ids: list[int] | None = None) -> WeekFacts:
    """The alarms and suggestions of the (scoped) accounts, from the cache while their inputs
    are unchanged. ``ids``: the accounts' ids, sorted, when the caller has them."""
    from kam.priorities import neglect
    from kam.priorities import senior_visits as rules
    from kam.priorities.alarms import neglect_inputs
    from kam.priorities.senior import _who_goes, senior_inputs

    if ids is None:
        ids = sorted(accounts.values_list("pk", flat=True))
    if not ids:
        return WeekFacts([], [])
    goes = _who_goes(ids)

    def compute() -> WeekFacts:
        facts, contacts = neglect_inputs(accounts, today)
        return WeekFacts(
            alarms=neglect.neglect_alarms(facts, contacts, today),
            suggestions=rules.senior_visits(senior_inputs(accounts, today, goes=goes), today),
        )

    parts = (ids, today, sorted(goes.items()), inputs_fingerprint(ids))
    return fingerprint_cached("weekfacts", parts, compute, seconds=CACHE_SECONDS)
