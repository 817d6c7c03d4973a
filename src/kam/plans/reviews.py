"""Mentor reviews (M5): the account's mentor reviews the long-term strategy, dated, signed with
their login, commented, with a verdict and follow-up actions that land in the plan.

Only a mentor assigned to the account records a review (anyone else who sees the account gets
PermissionDenied, 403). The follow-up actions are created by the review itself: the mentor
never edits the plan otherwise, and a follow-up is the plan's progress, not a change of its
substance, so it starts no new version. Each follow-up follows the plan's rules for an action
(an owner on the team, a due date within the period); any refusal saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.accounts.audit import audit_create
from kam.accounts.models import Account
from kam.plans.follow import is_mentor_of
from kam.plans.models import Action, ActionStatus, MentorReview, Plan, PlanState
from kam.users.models import User

REVIEW_FIELDS = ("plan", "mentor", "reviewed_on", "verdict", "comment")
FOLLOW_UP_FIELDS = ("plan", "what", "owner", "due_on", "review")


@dataclass(frozen=True)
class FollowUp:
    what: str
    owner: User | None = None
    due_on: date | None = None


def not_mentor_reason() -> str:
    return _("Only the account's mentor reviews its plan.")


def team_of(account: Account) -> set[int]:
    """Who may own an action: the account's KAM and its team members."""
    ids = set(account.team.values_list("user_id", flat=True))
    if account.owner_id:
        ids.add(account.owner_id)
    return ids


def plan_to_review(account: Account, on: date) -> Plan | None:
    """The plan a review dated ``on`` is about: the one whose period contains the day, else
    the account's latest."""
    plans = Plan.objects.filter(account=account).select_related("period")
    return (
        plans.filter(period__starts_on__lte=on, period__ends_on__gte=on).first()
        or plans.order_by("-period__starts_on").first()
    )


def _check(account: Account, plan: Plan | None, reviewed_on: date, follow_ups) -> None:
    errors: dict[str, str] = {}
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("A review cannot be dated in the future.")
    if plan is not None and plan.account_id != account.pk:
        errors["plan"] = _("Choose a plan of this account.")
    if follow_ups and plan is None:
        errors["follow_ups"] = _("The account has no plan for the follow-up actions to land in.")
    elif follow_ups and plan.state == PlanState.CLOSED:
        errors["follow_ups"] = _("The plan is closed: follow-up actions cannot be added to it.")
    team = team_of(account)
    for n, item in enumerate(follow_ups, start=1):
        if not item.what.strip():
            errors["follow_ups"] = _("Follow-up %(n)s: say what is to be done.") % {"n": n}
        elif item.owner is not None and item.owner.pk not in team:
            errors["follow_ups"] = _("Follow-up %(n)s: %(name)s is not on the account team.") % {
                "n": n,
                "name": str(item.owner),
            }
        elif item.due_on is not None and plan is not None and not plan.period.contains(item.due_on):
            errors["follow_ups"] = _(
                "Follow-up %(n)s: the due date %(day)s is outside the period %(period)s."
            ) % {"n": n, "day": date_format(item.due_on), "period": plan.period.name}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_record(
    *,
    account: Account,
    by: User,
    verdict: str,
    comment: str,
    reviewed_on: date | None = None,
    plan: Plan | None = None,
    follow_ups: list[FollowUp] | tuple[FollowUp, ...] = (),
) -> MentorReview:
    """Record the mentor's review of the account (and of ``plan``, by default the plan in force
    on the review's date), and its follow-up actions in that plan."""
    if not is_mentor_of(by, account):
        raise PermissionDenied(not_mentor_reason())
    reviewed_on = reviewed_on or timezone.localdate()
    plan = plan or plan_to_review(account, reviewed_on)
    _check(account, plan, reviewed_on, follow_ups)
    review = MentorReview(
        account=account,
        plan=plan,
        mentor=by,
        reviewed_on=reviewed_on,
        verdict=verdict,
        comment=comment,
        created_by=by,
        updated_by=by,
    )
    review.full_clean()
    review.save()
    audit_create(by=by, obj=review, account=account, fields=REVIEW_FIELDS)
    for item in follow_ups:
        action = Action(
            account=account,
            plan=plan,
            what=item.what.strip(),
            owner=item.owner,
            due_on=item.due_on,
            status=ActionStatus.OPEN,
            review=review,
            created_by=by,
            updated_by=by,
        )
        action.full_clean()
        action.save()
        audit_create(by=by, obj=action, account=account, fields=FOLLOW_UP_FIELDS)
    return review
