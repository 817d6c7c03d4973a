"""factory_boy factories for kam's models."""

from __future__ import annotations

from datetime import date

import factory

from kam.accounts.models import Account, MentorAssignment, TeamMembership
from kam.relationships.models import Contact
from kam.users.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.KEY_ACCOUNT_MANAGER
    password = factory.django.Password("s3cret-pass")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    code = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n}")
    country = "ID"
    currency = "IDR"
    industry = "furniture"


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory, role=Role.TEAM_MEMBER)
    role = "customer_service"
    since = date(2026, 1, 5)


class MentorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorAssignment

    account = factory.SubFactory(AccountFactory)
    mentor = factory.SubFactory(UserFactory, role=Role.MENTOR)
    since = date(2026, 1, 5)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "Purchasing Manager"
    department = "Procurement"
