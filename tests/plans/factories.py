"""Factories of plan records, written straight through the models (the plan services of
issue 11 are built alongside); tests of the workflow itself go through the services."""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone

from kam.core.models import Period
from kam.plans.models import (
    Action,
    MentorReview,
    Plan,
    PlanVersion,
    SignOff,
    TeamObjective,
)
from tests.factories import AccountFactory


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("name",)

    name = "FY2026"
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    account = factory.SubFactory(AccountFactory)
    period = factory.SubFactory(PeriodFactory)
    strategy = "Become the preferred hinge supplier."


class TeamObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamObjective

    plan = factory.SubFactory(PlanFactory)
    title = "A secure long-term relationship"
    measure = "Contract renewed"
    target = 1


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    plan = factory.SubFactory(PlanFactory)
    account = factory.SelfAttribute("plan.account")
    what = factory.Sequence(lambda n: f"Action {n}")
    due_on = date(2026, 12, 1)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = 1
    submitted_at = factory.LazyFunction(timezone.now)


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOff

    version = factory.SubFactory(VersionFactory)


class MentorReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorReview

    plan = factory.SubFactory(PlanFactory)
    account = factory.SelfAttribute("plan.account")
    reviewed_on = date(2026, 11, 1)
    verdict = "endorsed"
    comment = "Sound long-term strategy."
