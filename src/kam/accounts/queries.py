"""Reads of customer accounts for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from kam.accounts.models import Account, MentorAssignment, Stage, StageChange, TeamMembership
from kam.relationships.models import Contact


def account_list_rows(*, user) -> QuerySet[Account]:
    """The visible accounts with what the list shows, in one query."""
    return (
        Account.objects.visible_to(user)
        .select_related("owner", "parent")
        .annotate(team_size=Count("team", distinct=True))
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class AccountDetail:
    account: Account
    team: list[TeamMembership]
    mentors: list[MentorAssignment]
    contacts: list[Contact]
    stage_history: list[StageChange]
    children: list[Account]


def account_detail(*, account: Account) -> AccountDetail:
    return AccountDetail(
        account=account,
        team=list(account.team.select_related("user").order_by("role", "user__username")),
        mentors=list(account.mentors.select_related("mentor")),
        contacts=[],  # the page's contact table is paged: account_contacts()
        stage_history=list(account.stage_changes.select_related("changed_by")[:50]),
        children=list(account.children.order_by("name")),
    )


@dataclass(frozen=True)
class Dashboard:
    accounts: list[Account]
    by_stage: list[tuple[str, str, int]]
    total_visible: int


def dashboard_for(*, user) -> Dashboard:
    """The user's own accounts (owned, on the team, mentored) and their spread over stages."""
    mine = (
        Account.objects.mine(user)
        .select_related("owner")
        .prefetch_related(
            Prefetch("team", queryset=TeamMembership.objects.filter(user=user), to_attr="my_roles")
        )
        .order_by("name")
    )
    accounts = list(mine)
    _attach_scores(accounts)
    counts = dict.fromkeys(Stage.values, 0)
    scope = Account.objects.visible_to(user) if user.is_lead else mine
    for row in scope.order_by().values("stage").annotate(n=Count("pk")):
        counts[row["stage"]] = row["n"]
    by_stage = [(value, label, counts[value]) for value, label in Stage.choices]
    return Dashboard(accounts=accounts, by_stage=by_stage, total_visible=sum(counts.values()))


def _attach_scores(accounts: list[Account]) -> None:
    """Give each account its latest score row (or None), in one query."""
    from kam.selection.models import AccountScore
    from kam.selection.queries import latest_run

    run = latest_run()
    scores = {}
    if run is not None and accounts:
        scores = {
            s.account_id: s
            for s in AccountScore.objects.filter(run=run, account__in=[a.pk for a in accounts])
        }
    for account in accounts:
        account.latest_score = scores.get(account.pk)


def contact_departments(*, account: Account) -> list[str]:
    """The departments named at the account, for the contact table's filter."""
    return list(
        account.contacts.exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def account_contacts(
    *, account: Account, q: str = "", department: str = "", order: tuple[str, ...] = ("name",)
):
    """The account's contacts for its contact table: searched by name, title or department in
    any script (a contains match), narrowed to a department, sorted."""
    rows = account.contacts.select_related("current_assessment").only(
        "public_id",
        "account_id",  # read by each row's link: deferred, it cost a query per row
        "name",
        "other_name",
        "title",
        "department",
        "status",
        "left_on",
        "current_assessment__influence",
        "current_assessment__attitude",
    )
    if q:
        rows = rows.filter(
            Q(name__icontains=q)
            | Q(other_name__icontains=q)
            | Q(title__icontains=q)
            | Q(department__icontains=q)
        )
    if department:
        rows = rows.filter(department=department)
    return rows.order_by(*order)
