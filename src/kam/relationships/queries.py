"""Reads of relationship data, and the adapter that feeds the pure analyses.

Everything starts from ``Account.objects.visible_to(user)`` (through the models'
``visible_to``), except the adapter, which takes an account the caller already resolved for
the user. The adapter reads one account in a fixed number of queries, whatever its size
(``SNAPSHOT_QUERIES``; a test holds it to that), and returns the pure module's dataclasses.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kam.accounts.access import AUDIT, can
from kam.accounts.models import Account, AuditEntry, TeamMembership, TeamRole
from kam.core.cached import fingerprint_cached
from kam.relationships import analysis as pure
from kam.relationships.mapdraw import MapDrawing, MapOptions, draw_map
from kam.relationships.models import (
    Assessment,
    CentralityCache,
    Contact,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
    InterestStatus,
    RelationshipLevel,
    RelationshipOverride,
)
from kam.relationships.models.contacts import LEVEL_RANK
from kam.users.models import User

# --- reads for pages and the API -----------------------------------------------------------


def contacts_for(*, user, account: Account | None = None) -> QuerySet[Contact]:
    """Visible contacts with their current assessment, manager and successor: three queries
    for any number of rows (the contacts with joins, then 'known in person by')."""
    rows = (
        Contact.objects.visible_to(user)
        .with_current_assessment()
        .select_related("account", "reports_to", "successor")
    )
    if account is not None:
        rows = rows.filter(account=account)
    return rows.order_by("account__name", "name", "pk")


def contact_for(*, user, public_id: UUID) -> Contact:
    """One visible contact, or Contact.DoesNotExist whether it is missing or not theirs."""
    return contacts_for(user=user).get(public_id=public_id)


def assessment_history(*, contact: Contact) -> QuerySet[Assessment]:
    """Every assessment of the contact, newest first, with who made it and who knows them."""
    return (
        contact.assessments.select_related("assessed_by")
        .prefetch_related("known_in_person_by")
        .order_by("-assessed_at", "-pk")
    )


def interactions_for(
    *, user, account: Account | None = None, contact: Contact | None = None
) -> QuerySet[Interaction]:
    rows = (
        Interaction.objects.visible_to(user)
        .select_related("account", "objective", "logged_by")
        .prefetch_related("our_participants", "their_participants")
    )
    if account is not None:
        rows = rows.filter(account=account)
    if contact is not None:
        rows = rows.filter(their_participants=contact)
    return rows.order_by("-occurred_on", "-pk")


def links_for(*, user, account: Account | None = None) -> QuerySet[ContactLink]:
    rows = ContactLink.objects.visible_to(user).select_related("account", "source", "target")
    return (rows.filter(account=account) if account is not None else rows).order_by("pk")


def interests_for(*, user, account: Account | None = None) -> QuerySet[EntrenchedInterest]:
    rows = EntrenchedInterest.objects.visible_to(user).select_related(
        "account", "holder", "advocate"
    )
    return (rows.filter(account=account) if account is not None else rows).order_by(
        "-threat_level", "pk"
    )


def interest_history(*, interest: EntrenchedInterest):
    return interest.changes.select_related("changed_by", "advocate").order_by("-changed_at", "-pk")


def practices_for(*, user, account: Account | None = None) -> QuerySet[EntrenchedPractice]:
    rows = EntrenchedPractice.objects.visible_to(user).select_related("account")
    return (rows.filter(account=account) if account is not None else rows).order_by("pk")


def overrides_for(*, user, account: Account | None = None) -> QuerySet[RelationshipOverride]:
    rows = RelationshipOverride.objects.visible_to(user).select_related(
        "account", "user", "contact", "set_by"
    )
    return (rows.filter(account=account) if account is not None else rows).order_by("pk")


def levels_for(*, user, account: Account | None = None) -> QuerySet[RelationshipLevel]:
    rows = RelationshipLevel.objects.visible_to(user).select_related("account", "user", "contact")
    return (rows.filter(account=account) if account is not None else rows).order_by("pk")


def audit_for(*, user, account: Account) -> QuerySet[AuditEntry]:
    """The account's audit trail, for its team and the lead only (empty for anyone else)."""
    if not can(user, AUDIT, account):
        return AuditEntry.objects.none()
    return (
        AuditEntry.objects.filter(account=account)
        .select_related("by", "content_type")
        .order_by("-at", "-pk")
    )


def contact_public_ids(*, account: Account) -> dict[int, UUID]:
    """Contact id -> public id, to turn the analyses' integer ids into URLs (one query)."""
    return dict(Contact.objects.filter(account=account).values_list("pk", "public_id"))


# --- the adapter to the pure analyses ------------------------------------------------------

SNAPSHOT_QUERIES = 15
_STRATEGY = {
    "bypass": pure.DefusingStrategy.BYPASS,
    "earn_trust": pure.DefusingStrategy.EARN_TRUST,
    "enlist_advocate": pure.DefusingStrategy.ENLIST_ADVOCATE,
    "wait_for_departure": pure.DefusingStrategy.WAIT_TO_LEAVE,
}
_TERM = {"short_term": "short", "long_term": "long"}


def _day(moment) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _assessments(account: Account, today: date) -> dict[int, list[pure.Assessment]]:
    """Each contact's assessments dated up to ``today``, oldest first (queries 2-3)."""
    rows = list(
        Assessment.objects.filter(contact__account=account)
        .order_by("assessed_at", "pk")
        .values(
            "pk",
            "contact_id",
            "assessed_at",
            "buying_role",
            "influence",
            "influence_trend",
            "attitude",
            "standing",
            "buy_in_needed",
            "planned_step",
        )
    )
    known: dict[int, set[int]] = defaultdict(set)
    through = Assessment.known_in_person_by.through.objects.filter(
        assessment__contact__account=account
    )
    for assessment_id, user_id in through.values_list("assessment_id", "user_id"):
        known[assessment_id].add(user_id)
    history: dict[int, list[pure.Assessment]] = defaultdict(list)
    for row in rows:
        on = _day(row["assessed_at"])
        if on > today:
            continue  # the snapshot is as of ``today``: later opinions did not exist yet
        history[row["contact_id"]].append(
            pure.Assessment(
                on=on,
                role=pure.BuyingRole(row["buying_role"]) if row["buying_role"] else None,
                influence=row["influence"],
                trend=pure.Trend(row["influence_trend"]),
                attitude=pure.Attitude(row["attitude"]),
                standing=pure.Standing(row["standing"]) if row["standing"] else None,
                buy_in_needed=row["buy_in_needed"],
                known_in_person_by=frozenset(known.get(row["pk"], ())),
                planned_step=row["planned_step"],
            )
        )
    return history


def _team(account: Account) -> tuple[pure.TeamMember, ...]:
    """The KAM first, then the team by role (queries 4-5)."""

    def name(first: str, last: str, username: str) -> str:
        return f"{first} {last}".strip() or username

    members: list[pure.TeamMember] = []
    owner = User.objects.filter(pk=account.owner_id).values_list(
        "pk", "first_name", "last_name", "username"
    )
    seen: set[int] = set()
    for pk, first, last, username in owner:
        members.append(
            pure.TeamMember(pk, name(first, last, username), TeamRole.KEY_ACCOUNT_MANAGER)
        )
        seen.add(pk)
    rows = (
        TeamMembership.objects.filter(account=account)
        .order_by("role", "user__username")
        .values_list("user_id", "user__first_name", "user__last_name", "user__username", "role")
    )
    for pk, first, last, username, role in rows:
        if pk in seen:
            continue
        seen.add(pk)
        members.append(
            pure.TeamMember(
                pk,
                name(first, last, username),
                role,
                is_executive_sponsor=role == TeamRole.EXECUTIVE_SPONSOR,
            )
        )
    return tuple(members)


def _interactions(account: Account, today: date) -> tuple[pure.Interaction, ...]:
    """The log up to ``today`` with both sides' participants (queries 7-9)."""
    rows = list(
        Interaction.objects.filter(account=account, occurred_on__lte=today)
        .order_by("occurred_on", "pk")
        .values_list("pk", "occurred_on", "kind", "objective_id")
    )
    users: dict[int, list[int]] = defaultdict(list)
    contacts: dict[int, list[int]] = defaultdict(list)
    window = {"interaction__account": account, "interaction__occurred_on__lte": today}
    for iid, uid in Interaction.our_participants.through.objects.filter(**window).values_list(
        "interaction_id", "user_id"
    ):
        users[iid].append(uid)
    for iid, cid in Interaction.their_participants.through.objects.filter(**window).values_list(
        "interaction_id", "contact_id"
    ):
        contacts[iid].append(cid)
    return tuple(
        pure.Interaction(
            on=on,
            kind=kind,
            user_ids=tuple(sorted(users.get(pk, ()))),
            contact_ids=tuple(sorted(contacts.get(pk, ()))),
            objective_id=objective_id,
        )
        for pk, on, kind, objective_id in rows
    )


def _opportunities(account: Account) -> tuple[pure.Opportunity, ...]:
    """Opportunities with the objectives they serve and whose buy-in they need (13-15)."""
    from kam.planning.models import Opportunity

    rows = list(
        Opportunity.objects.filter(account=account)
        .order_by("pk")
        .values_list("pk", "name", "value", "probability", "expected_on", "significant", "status")
    )
    objectives: dict[int, list[int]] = defaultdict(list)
    for oid, objective_id in (
        Opportunity.objectives.through.objects.filter(opportunity__account=account)
        .order_by("objective_id")
        .values_list("opportunity_id", "objective_id")
    ):
        objectives[oid].append(objective_id)
    buy_in: dict[int, list[int]] = defaultdict(list)
    for oid, contact_id in (
        Opportunity.buy_in_needed_from.through.objects.filter(opportunity__account=account)
        .order_by("contact_id")
        .values_list("opportunity_id", "contact_id")
    ):
        buy_in[oid].append(contact_id)
    return tuple(
        pure.Opportunity(
            id=pk,
            name=name,
            value=value,
            probability=probability / 100,
            expected_on=expected_on,
            significant=significant,
            # The pure model holds one objective per opportunity; ours may serve several.
            objective_id=objectives[pk][0] if objectives.get(pk) else None,
            buy_in_contact_ids=tuple(buy_in.get(pk, ())),
            status=pure.OpportunityStatus(status),
        )
        for pk, name, value, probability, expected_on, significant, status in rows
    )


def account_relationship_snapshot(*, account: Account, today: date) -> pure.AccountSnapshot:
    """Everything the relationship analyses read about ``account`` as of ``today``, in
    ``SNAPSHOT_QUERIES`` queries whatever the account's size.

    The caller has already resolved ``account`` through the user's scope. Assessments and
    interactions dated after ``today`` are left out, so a past ``today`` shows the map as it
    was known then.
    """
    from kam.planning.models import Objective

    contact_rows = list(
        Contact.objects.filter(account=account)
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "title",
            "department",
            "site",
            "level",
            "reports_to_id",
            "status",
            "left_on",
            "successor_id",
        )
    )  # query 1
    history = _assessments(account, today)  # queries 2-3
    contacts = []
    for (
        pk,
        name,
        title,
        department,
        site,
        level,
        manager,
        status,
        left_on,
        successor,
    ) in contact_rows:
        snapshots = tuple(history.get(pk, ()))
        contacts.append(
            pure.Contact(
                id=pk,
                name=name,
                title=title,
                department=department,
                site=site,
                level=LEVEL_RANK.get(level),
                reports_to=manager,
                status=pure.ContactStatus(status),
                left_on=left_on,
                successor_id=successor,
                assessment=snapshots[-1] if snapshots else None,
                history=snapshots,
            )
        )
    team = _team(account)  # queries 4-5
    links = tuple(
        pure.ContactLink(source, target, pure.LinkKind(kind))
        for source, target, kind in ContactLink.objects.filter(account=account)
        .order_by("pk")
        .values_list("source_id", "target_id", "kind")
    )  # query 6
    interactions = _interactions(account, today)  # queries 7-9
    overrides = tuple(
        pure.StrengthOverride(user_id, contact_id, float(value))
        for user_id, contact_id, value in RelationshipOverride.objects.filter(account=account)
        .order_by("pk")
        .values_list("user_id", "contact_id", "value")
    )  # query 10
    interests = tuple(
        pure.EntrenchedInterest(
            id=pk,
            contact_id=holder,
            kind=kind,
            threat_level=threat,
            strategy=_STRATEGY.get(strategy),
            advocate_id=advocate,
            # The pure model knows open and defused; a dropped interest is no longer open.
            status=pure.InterestStatus.OPEN
            if status == InterestStatus.OPEN
            else pure.InterestStatus.DEFUSED,
            raised_on=raised_on,
            defused_on=closed_on if status == InterestStatus.DEFUSED else None,
        )
        for pk, holder, kind, threat, strategy, advocate, status, raised_on, closed_on in (
            EntrenchedInterest.objects.filter(account=account)
            .order_by("pk")
            .values_list(
                "pk",
                "holder_id",
                "kind",
                "threat_level",
                "strategy",
                "advocate_id",
                "status",
                "raised_on",
                "closed_on",
            )
        )
    )  # query 11
    objectives = tuple(
        pure.Objective(
            id=pk,
            name=description,
            term=_TERM.get(horizon, ""),
            source_contact_id=source,
            stated_on=recorded_on,
        )
        for pk, description, horizon, source, recorded_on in Objective.objects.filter(
            account=account
        )
        .order_by("pk")
        .values_list("pk", "description", "horizon", "source_contact_id", "recorded_on")
    )  # query 12
    return pure.AccountSnapshot(
        as_of=today,
        contacts=tuple(contacts),
        team=team,
        links=links,
        interactions=interactions,
        overrides=overrides,
        interests=interests,
        objectives=objectives,
        opportunities=_opportunities(account),  # queries 13-15
    )


SNAPSHOT_CACHE_SECONDS = 3600


def _snapshot_fingerprint(account: Account) -> tuple:
    """What ``account_relationship_snapshot`` reads beyond ``relationship_fingerprints``:
    interests, objectives and opportunities (count, highest id, latest change and the sum of
    versions, which every edit bumps), the many-to-many rows of meetings, opinions and
    opportunities (count and highest id), in one query."""
    from django.db import connection

    from kam.planning.models import Objective, Opportunity

    def table(model) -> str:
        return model._meta.db_table

    versioned = [(1, EntrenchedInterest), (2, Objective), (3, Opportunity)]
    parts = [
        f"SELECT {k}, COUNT(*), MAX(t.id), MAX(t.updated_at), SUM(t.version) "  # noqa: S608
        f"FROM {table(m)} t WHERE t.account_id = %s"
        for k, m in versioned
    ]
    joined = [  # (kind, through table, its column to the parent, parent table)
        (4, Interaction.our_participants.through, "interaction_id", Interaction),
        (5, Interaction.their_participants.through, "interaction_id", Interaction),
        (6, Assessment.known_in_person_by.through, "assessment_id", Assessment),
        (7, Opportunity.objectives.through, "opportunity_id", Opportunity),
        (8, Opportunity.buy_in_needed_from.through, "opportunity_id", Opportunity),
    ]
    for k, through, column, parent in joined:
        owner = (
            f"JOIN {table(Contact)} c ON c.id = p.contact_id WHERE c.account_id = %s"
            if parent is Assessment
            else "WHERE p.account_id = %s"
        )
        parts.append(
            f"SELECT {k}, COUNT(*), MAX(t.id), NULL, 0 FROM {table(through)} t "  # noqa: S608
            f"JOIN {table(parent)} p ON p.id = t.{column} {owner}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [account.pk] * len(parts))
        rows = cursor.fetchall()
    return tuple(sorted((k, n, top, str(last), total) for k, n, top, last, total in rows))


def account_snapshot_cached(*, account: Account, today: date) -> pure.AccountSnapshot:
    """``account_relationship_snapshot`` from Django's cache while nothing it reads has
    changed: the key holds the account's relationship fingerprint, ``_snapshot_fingerprint``
    and its team as it is now (names and roles: not versioned), and the day. Four queries
    instead of fifteen and the rows turned into the pure dataclasses, on every view of the
    relationships page (issue 14 item 12)."""
    parts = (
        account.pk,
        relationship_fingerprints([account.pk])[account.pk],
        _snapshot_fingerprint(account),
        _team(account),
        today.isoformat(),
    )
    return fingerprint_cached(
        "relationships:snapshot",
        parts,
        lambda: account_relationship_snapshot(account=account, today=today),
        seconds=SNAPSHOT_CACHE_SECONDS,
    )


def account_analyses(
    *,
    account: Account,
    today: date,
    period: timedelta = timedelta(days=90),
    config: pure.AnalysisConfig | None = None,
    with_centrality: bool = True,
) -> pure.AccountAnalysis:
    """Every relationship analysis of the account as of ``today``; drift covers ``period``
    back from ``today``."""
    snapshot = account_snapshot_cached(account=account, today=today)
    return pure.analyse_account(
        snapshot,
        config=config,
        drift_start=today - period,
        with_centrality=with_centrality,
        centrality_store=StoredCentrality(account),
    )


def relationship_fingerprints(account_ids: list[int]) -> dict[int, tuple]:
    """Per account, a value that changes whenever anything the relationship analyses read
    changes (a person, link, opinion, meeting, hand-set strength or team member added,
    changed or removed): the count, the highest id and the latest change of each kind of
    record, in one query for any number of accounts (six grouped selects joined by UNION
    ALL). Callers cache what they derive from an account's analyses under it."""
    from django.db import connection

    if not account_ids:
        return {}
    contact = Contact._meta.db_table
    kinds = [  # (kind, table, account column, change column)
        (0, contact, "t.account_id", "MAX(t.updated_at)"),
        (1, ContactLink._meta.db_table, "t.account_id", "MAX(t.updated_at)"),
        (2, Interaction._meta.db_table, "t.account_id", "MAX(t.updated_at)"),
        (
            3,
            f"{Assessment._meta.db_table} t JOIN {contact} c ON c.id = t.contact_id",
            "c.account_id",
            "MAX(t.updated_at)",
        ),
        (4, RelationshipOverride._meta.db_table, "t.account_id", "MAX(t.set_at)"),
        (5, TeamMembership._meta.db_table, "t.account_id", "NULL"),
    ]
    ids = ", ".join(["%s"] * len(account_ids))
    sql = " UNION ALL ".join(
        f"SELECT {kind}, {by}, COUNT(*), MAX(t.id), {changed} "  # noqa: S608 - our tables
        f"FROM {table if ' ' in table else table + ' t'} WHERE {by} IN ({ids}) GROUP BY {by}"
        for kind, table, by, changed in kinds
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(account_ids) * len(kinds))
        rows = cursor.fetchall()
    seen = {
        (kind, pk): (n, top, "" if last is None else str(last)) for kind, pk, n, top, last in rows
    }
    return {
        pk: tuple(seen.get((kind, pk), (0, 0, "")) for kind in range(len(kinds)))
        for pk in account_ids
    }


class StoredCentrality:
    """The account's betweenness scores kept in the database (``CentralityCache``), shared by
    every web process. After a change to the map a background job recomputes them
    (kam.relationships.background); meanwhile a small account's view computes them itself,
    a large one's shows the older map's scores dated (``latest``) and asks for the
    recompute again (``recompute``) in case the job was lost."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._row: tuple[str, dict, object] | None = None
        self._read = False

    def _stored(self) -> tuple[str, dict, object] | None:
        if not self._read:  # one query however many of get / latest a view calls
            self._row = (
                CentralityCache.objects.filter(account=self.account)
                .values_list("key", "scores", "computed_at")
                .first()
            )
            self._read = True
        return self._row

    def get(self, key: str) -> dict[int, float] | None:
        row = self._stored()
        if row is None or row[0] != key:
            return None
        return {int(cid): value for cid, value in row[1].items()}

    def latest(self):
        """The scores stored last, whatever map they were computed on, and when."""
        row = self._stored()
        if row is None:
            return None
        return {int(cid): value for cid, value in row[1].items()}, row[2]

    def recompute(self, key: str) -> None:
        from kam.relationships.background import centrality_requested

        centrality_requested(self.account.pk, key)

    def put(self, key: str, scores: Mapping[int, float]) -> None:
        # Two first views at once both compute; the second write loses the race harmlessly
        # (same key, same scores), inside a savepoint so the page's transaction goes on.
        try:
            with transaction.atomic():
                CentralityCache.objects.update_or_create(
                    account=self.account,
                    defaults={"key": key, "scores": {str(c): v for c, v in scores.items()}},
                )
        except IntegrityError:
            pass
        self._read = False


def account_map(
    *,
    account: Account,
    today: date,
    options: MapOptions | None = None,
    config: pure.AnalysisConfig | None = None,
) -> MapDrawing:
    """The account's relationship map drawn as SVG, with our team's strengths overlaid."""
    snapshot = account_relationship_snapshot(account=account, today=today)
    context = pure.AccountContext.build(snapshot, config)
    return draw_map(
        snapshot, strengths=context.strengths.pairs, known_by=context.known_by, options=options
    )


# A drawn map is kept this long at most; any change to what it shows changes its key first.
MAP_CACHE_SECONDS = 3600


def _options_key(options: MapOptions) -> tuple:
    """The options as a stable, hashable value (sets sorted: their order varies by process)."""
    return tuple(
        (f.name, tuple(sorted(v)) if isinstance(v, frozenset) else v)
        for f in dataclasses.fields(options)
        for v in (getattr(options, f.name),)
    )


def account_map_cached(*, account: Account, today: date, options: MapOptions) -> MapDrawing:
    """``account_map``, kept in the cache under what it depends on: the account's relationship
    fingerprint, its open interests and team (drawn on the map, not in the fingerprint), the
    day (strengths decay, people leave) and the options (which carry the translated label).
    Drawing and routing 150 people costs tens of milliseconds; the page is opened far more
    often than the map changes."""
    from django.db.models import Count, Max
    from django.utils.translation import get_language

    interests = EntrenchedInterest.objects.filter(account=account).aggregate(
        n=Count("id"), top=Max("id"), last=Max("updated_at")
    )
    key_parts = (
        relationship_fingerprints([account.pk])[account.pk],
        (interests["n"], interests["top"], str(interests["last"])),
        _team(account),
        today.isoformat(),
        get_language(),
        _options_key(options),
    )
    return fingerprint_cached(
        "relationships:map",
        (account.pk, *key_parts),
        lambda: account_map(account=account, today=today, options=options),
        seconds=MAP_CACHE_SECONDS,
    )


def relationship_context(
    *, account: Account, today: date, config: pure.AnalysisConfig | None = None
) -> pure.AccountContext:
    """The facts every analysis shares: strengths and who knows each contact in person (their
    assessment, or a meeting or visit logged with them). Pages that show either read them here,
    so a contact page and the analyses never disagree."""
    snapshot = account_relationship_snapshot(account=account, today=today)
    return pure.AccountContext.build(snapshot, config)


def relationship_strengths(
    *, account: Account, today: date, config: pure.AnalysisConfig | None = None
) -> pure.StrengthTable:
    """Strength (0-100) per (our user, their contact): derived from the interaction log with
    recency decay, a manual override winning."""
    snapshot = account_relationship_snapshot(account=account, today=today)
    return pure.relationship_strengths(snapshot, config or pure.AnalysisConfig())


def relationship_pairs(*, account: Account, today: date) -> list[dict]:
    """Every (user, contact) pair with a strength, an override or a level: what the team
    matrix page and the API show, strongest first."""
    table = relationship_strengths(account=account, today=today)
    overrides = {
        (o.user_id, o.contact_id): o
        for o in RelationshipOverride.objects.filter(account=account).select_related("set_by")
    }
    levels = {
        (lv.user_id, lv.contact_id): lv for lv in RelationshipLevel.objects.filter(account=account)
    }
    pairs = set(table.pairs) | set(overrides) | set(levels)
    users = dict(User.objects.filter(pk__in={u for u, _ in pairs}).values_list("pk", "username"))
    contacts = {
        c.pk: c for c in Contact.objects.filter(Q(account=account), Q(pk__in={c for _, c in pairs}))
    }
    rows = []
    for user_id, contact_id in pairs:
        level = levels.get((user_id, contact_id))
        override = overrides.get((user_id, contact_id))
        rows.append(
            {
                "user": users.get(user_id, ""),
                "contact": contacts[contact_id],
                "strength": round(table.of(user_id, contact_id), 1),
                "overridden": (user_id, contact_id) in table.overridden,
                "override_reason": override.reason if override else "",
                "level": level.current if level else "",
                "target_level": level.target if level else "",
            }
        )
    rows.sort(key=lambda r: (-r["strength"], r["user"], r["contact"].name))
    return rows


def contacts_with_history(*, account: Account) -> QuerySet[Contact]:
    """Contacts with every assessment prefetched (the history page: two queries)."""
    return Contact.objects.filter(account=account).prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-assessed_at", "-pk"))
    )


# --- departures ----------------------------------------------------------------------------


def departures_for(*, account: Account) -> QuerySet[Contact]:
    """The account's contacts with a departure recorded (left, or leaving on an announced
    date), latest first, with their successor and hand-overs: three queries a page."""
    from kam.relationships.models import Handover

    handovers = Handover.objects.select_related("successor", "by").order_by("at", "pk")
    return (
        Contact.objects.filter(account=account, left_on__isnull=False)
        .select_related("account", "successor")
        .prefetch_related(Prefetch("handovers", queryset=handovers))
        .order_by("-left_on", "pk")
    )


def handover_names(*, account: Account) -> dict[str, dict[str, str]]:
    """Public id -> name of the account's contacts and opportunities, which hand-overs
    name by public id (two queries for the whole list)."""
    from kam.planning.models import Opportunity

    return {
        "contacts": {
            str(p): n
            for p, n in Contact.objects.filter(account=account).values_list("public_id", "name")
        },
        "opportunities": {
            str(p): n
            for p, n in Opportunity.objects.filter(account=account).values_list("public_id", "name")
        },
    }
