"""The default objectives of an account team (METHOD.md M5): every new plan starts from these
seven, each with a measure the team can change. Where kam can compute the current value it
says from where (``source``, see ``plans.objective_values``); the others are entered."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kam.plans.models import ObjectiveSource


@dataclass(frozen=True)
class TemplateObjective:
    key: str
    title: Promise
    measure: Promise
    unit: str = ""
    source: str = ObjectiveSource.MANUAL


SEVEN = (
    TemplateObjective(
        "image",
        _("A coherent, professional image of our company"),
        _("The customer's feedback at the reviews"),
    ),
    TemplateObjective(
        "relationship",
        _("A secure long-term relationship"),
        _("Revenue at the account in the period"),
        source=ObjectiveSource.REVENUE,
    ),
    TemplateObjective(
        "dmu",
        _("Penetration of the decision-making unit for new openings"),
        _("Influential contacts known in person"),
        unit="%",
        source=ObjectiveSource.DMU_PENETRATION,
    ),
    TemplateObjective(
        "customer_strategy",
        _("The customer's strategy and organisation understood and documented"),
        _("Situation and customer objectives written in the plan"),
    ),
    TemplateObjective(
        "feedback",
        _("Feedback to our senior management on the long-term potential of the customer's market"),
        _("Days since the mentor's last review"),
        unit="d",
        source=ObjectiveSource.REVIEW_CURRENCY,
    ),
    TemplateObjective(
        "solutions",
        _("Technically sound solutions"),
        _("Solutions accepted without rework"),
    ),
    TemplateObjective(
        "supply",
        _("Total supply delivered to requirement"),
        _("Orders delivered in full and on time"),
        unit="%",
    ),
)
