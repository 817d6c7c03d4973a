"""The KAM capability checklist (METHOD.md M5 and the seeds' longer list): what a key account
manager should have in hand for an account, and the skills the role asks of the KAM.

A checklist is kept per account (the items about that customer) or per KAM (the KAM's own
knowledge and skills). Each assessment is a new dated row, so the history stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.access import CHANGE, require
from kam.accounts.audit import audit
from kam.accounts.models import Account, AuditAction
from kam.plans.models import CapabilityAnswer, CapabilityChecklist

if TYPE_CHECKING:
    from kam.users.models import User

ACCOUNT = "account"
KAM = "kam"


@dataclass(frozen=True)
class Item:
    key: str
    label: Any  # lazy text
    scope: str  # ACCOUNT or KAM


ITEMS: tuple[Item, ...] = (
    Item("decision_makers", gettext_lazy("Decision makers identified"), ACCOUNT),
    Item("buying_process", gettext_lazy("Buying process understood"), ACCOUNT),
    Item("competition", gettext_lazy("Competition assessed"), ACCOUNT),
    Item("development_plan", gettext_lazy("Account development plan in place"), ACCOUNT),
    Item("order_processing", gettext_lazy("Order processing efficient"), ACCOUNT),
    Item("revenue_profit", gettext_lazy("Revenue and profit at the right level"), ACCOUNT),
    Item("financial_legal", gettext_lazy("The account's financial and legal needs known"), ACCOUNT),
    Item("customer_targets", gettext_lazy("The customer's targets known"), ACCOUNT),
    Item("own_targets", gettext_lazy("Our own targets and commercial policies known"), KAM),
    Item("product_knowledge", gettext_lazy("Product knowledge"), KAM),
    Item("delegation", gettext_lazy("Delegation"), KAM),
    Item("interpersonal", gettext_lazy("Interpersonal skills"), KAM),
    Item("consultancy", gettext_lazy("Consultancy skills"), KAM),
    Item("financial_analysis", gettext_lazy("Financial analysis"), KAM),
    Item("project_management", gettext_lazy("Project management"), KAM),
    Item("people_management", gettext_lazy("People management"), KAM),
    Item("initiative", gettext_lazy("Initiative"), KAM),
)
BY_KEY = {item.key: item for item in ITEMS}


def items_of(scope: str) -> list[Item]:
    return [item for item in ITEMS if item.scope == scope]


def label(key: str) -> str:
    item = BY_KEY.get(key)
    return str(item.label) if item else key


@dataclass(frozen=True)
class Answer:
    """One item's answer as entered: met (True / False / None for not assessed), a rating 1-5
    or None, and a note."""

    met: bool | None = None
    rating: int | None = None
    note: str = ""


def may_see_kam(user: User, kam: User) -> bool:
    """A KAM's own checklist is for that KAM and the programme lead."""
    return bool(user.is_authenticated and user.is_active and (user.is_lead or user.pk == kam.pk))


def may_assess_kam(user: User | None, kam: User) -> bool:
    return user is None or (may_see_kam(user, kam) and not user.is_mentor)


def checklists_visible_to(user: User) -> QuerySet[CapabilityChecklist]:
    """Account checklists of the accounts the user sees, and the KAM checklists they may see."""
    from django.db.models import Q

    visible = Account.objects.visible_to(user)
    kam_rows = Q(account__isnull=True) & (Q(kam=user) if not user.is_lead else Q())
    return CapabilityChecklist.objects.filter(Q(account__in=visible) | kam_rows)


def with_answers(rows: QuerySet[CapabilityChecklist]) -> QuerySet[CapabilityChecklist]:
    return rows.select_related("account", "kam", "assessed_by").prefetch_related(
        Prefetch("answers", queryset=CapabilityAnswer.objects.order_by("pk"))
    )


@transaction.atomic
def checklist_record(
    *,
    by: User | None,
    answers: dict[str, Answer],
    account: Account | None = None,
    kam: User | None = None,
    assessed_on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> CapabilityChecklist:
    """Record a dated assessment of one account's items or one KAM's; the earlier ones stay.
    Only the account's KAM, its team and the lead assess an account; a KAM is assessed by the
    lead or by themself."""
    if (account is None) == (kam is None):
        raise ValidationError({"account": _("Assess either an account or a KAM.")})
    if account is not None:
        require(by, CHANGE, account)
        scope = ACCOUNT
    else:
        if not kam.is_active:
            raise ValidationError({"kam": _("This user is no longer active.")})
        if not may_assess_kam(by, kam):
            raise PermissionDenied(_("Only the KAM themself or the programme lead assess a KAM."))
        scope = KAM
    today = today or timezone.localdate()
    assessed_on = assessed_on or today
    if assessed_on > today:
        raise ValidationError({"assessed_on": _("An assessment cannot be dated in the future.")})
    allowed = {item.key for item in items_of(scope)}
    wrong = sorted(set(answers) - allowed)
    if wrong:
        raise ValidationError(
            {"answers": _("Not an item of this checklist: %(items)s") % {"items": ", ".join(wrong)}}
        )
    if not answers:
        raise ValidationError({"answers": _("Answer at least one item.")})
    checklist = CapabilityChecklist(
        account=account, kam=kam, assessed_on=assessed_on, assessed_by=by, note=note
    )
    checklist.full_clean()
    checklist.save()
    rows = [
        CapabilityAnswer(checklist=checklist, item=key, met=a.met, rating=a.rating, note=a.note)
        for key, a in answers.items()
    ]
    for row in rows:
        row.full_clean(exclude=["checklist"])
    CapabilityAnswer.objects.bulk_create(rows)
    audit(
        by=by,
        action=AuditAction.CREATE,
        obj=checklist,
        account=account,
        changes={
            "assessed_on": [None, assessed_on.isoformat()],
            "kam": [None, kam.pk if kam else None],
            "answers": [None, {k: [a.met, a.rating] for k, a in answers.items()}],
        },
    )
    return checklist


def latest_for_account(account: Account) -> CapabilityChecklist | None:
    return with_answers(CapabilityChecklist.objects.filter(account=account)).first()
