"""factory_boy factories for the relationship and planning models (direct rows, no audit:
for building large maps in query-count tests; behaviour tests go through the services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from kam.planning.models import Objective, Opportunity
from kam.relationships.models import (
    Assessment,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
)
from tests.factories import AccountFactory, ContactFactory


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    contact = factory.SubFactory(ContactFactory)
    assessed_at = factory.LazyFunction(timezone.now)
    buying_role = "influencer"
    influence = 3
    attitude = "neutral"

    @factory.post_generation
    def current(self, create, extracted, **kwargs):
        if create:
            type(self.contact).objects.filter(pk=self.contact_id).update(current_assessment=self)


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLink

    account = factory.SelfAttribute("source.account")
    source = factory.SubFactory(ContactFactory)
    target = factory.SubFactory(ContactFactory, account=factory.SelfAttribute("..source.account"))
    kind = "influences"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    kind = "meeting"
    occurred_on = date(2026, 11, 1)

    @factory.post_generation
    def users(self, create, extracted, **kwargs):
        if create and extracted:
            self.our_participants.set(extracted)

    @factory.post_generation
    def contacts(self, create, extracted, **kwargs):
        if create and extracted:
            self.their_participants.set(extracted)


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntrenchedInterest

    holder = factory.SubFactory(ContactFactory)
    account = factory.SelfAttribute("holder.account")
    kind = "incumbent_kickbacks"
    threat_level = 4
    raised_on = date(2026, 9, 1)


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntrenchedPractice

    account = factory.SubFactory(AccountFactory)
    description = "Only buys 2-3 day training courses"
    recorded_on = date(2026, 9, 1)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    account = factory.SubFactory(AccountFactory)
    description = "Cut the cost of hinges by 10%"
    horizon = "short_term"
    recorded_on = date(2026, 9, 1)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Opportunity {n}")
    value = Decimal("100000.00")
    currency = "IDR"
    probability = 50
    expected_on = date(2027, 1, 15)
