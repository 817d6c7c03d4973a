"""Writes the generated demo company into the database."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kam.accounts.models import Account, MentorAssignment, StageChange, TeamMembership
from kam.demo.generator import GENERATOR_VERSION, DemoCompany
from kam.demo.ledger import build_ledger
from kam.demo.ledger_loader import demo_ledger_load
from kam.demo.models import DemoLoad
from kam.demo.plans import demo_plans_load
from kam.demo.priorities import demo_priorities_load
from kam.demo.relationships import build_relationships, demo_relationships_load
from kam.demo.risk import demo_risk_load
from kam.demo.selection import demo_selection_load
from kam.demo.tactics import demo_tactics_load
from kam.relationships.models import Contact
from kam.users.models import User

DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's published password, set only by `kam demo`


class NotADemoDatabase(Exception):
    """The database holds data that the demo did not create; the demo will not touch it."""


def database_state() -> str:
    """'empty', 'demo' (holds the demo company) or 'other' (holds someone's own data)."""
    if DemoLoad.objects.exists():
        return "demo"
    if User.objects.exists() or Account.objects.exists():
        return "other"
    return "empty"


def _aware(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


@transaction.atomic
def demo_load(company: DemoCompany) -> DemoLoad:
    """Load the company into an empty database, whole or not at all."""
    if database_state() != "empty":
        raise NotADemoDatabase("The database is not empty.")
    # One hash for every demo login: hashing is deliberately slow, the password is the same.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=u.username,
            first_name=u.first_name,
            last_name=u.last_name,
            role=u.role,
            password=password,
            is_staff=u.role == "lead",
            email=f"{u.username}@demo.invalid",
        )
        for u in company.users
    )
    user_by_name = {u.username: u for u in users}
    if any(u.pk is None for u in users):  # backends without RETURNING on bulk insert
        user_by_name = {u.username: u for u in User.objects.all()}

    Account.objects.bulk_create(
        Account(
            code=a.code,
            name=a.name,
            country=a.country,
            currency=a.currency,
            industry=a.industry,
            coverage=a.coverage,
            owner=user_by_name.get(a.owner) if a.owner else None,
            stage=a.stage,
        )
        for a in company.accounts
    )
    account_by_code = {a.code: a for a in Account.objects.all()}
    children = []
    for a in company.accounts:
        if a.parent_code:
            child = account_by_code[a.code]
            child.parent = account_by_code[a.parent_code]
            children.append(child)
    Account.objects.bulk_update(children, ["parent"])

    StageChange.objects.bulk_create(
        StageChange(
            account=account_by_code[a.code],
            from_stage=from_stage,
            to_stage=to_stage,
            changed_by=user_by_name.get(by) if by else None,
            changed_at=_aware(day),
        )
        for a in company.accounts
        for day, from_stage, to_stage, by in a.stage_history
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(
            account=account_by_code[m.account_code],
            user=user_by_name[m.username],
            role=m.role,
            since=m.since,
        )
        for m in company.team
    )
    MentorAssignment.objects.bulk_create(
        MentorAssignment(
            account=account_by_code[m.account_code], mentor=user_by_name[m.username], since=m.since
        )
        for m in company.mentors
    )
    Contact.objects.bulk_create(
        Contact(
            account=account_by_code[c.account_code],
            name=c.name,
            title=c.title,
            department=c.department,
        )
        for c in company.contacts
    )
    demo_ledger_load(company, build_ledger(company))
    demo_relationships_load(company, build_relationships(company))
    demo_selection_load(company)
    demo_plans_load(company)
    demo_tactics_load(company)
    demo_risk_load(company)
    demo_priorities_load(company)
    return DemoLoad.objects.create(seed=company.seed, generator_version=GENERATOR_VERSION)
