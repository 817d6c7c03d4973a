"""Writes to account plans (METHOD.md M5): periods, plans and their contents, and the team's
sign-off. Every write checks who may make it (``kam.accounts.access``), locks and versions
the rows it changes (a stale write is an EditConflict, 409), validates naming the field
(ValidationError, 422) and goes to the audit trail. The workflow's rules are in
``plans.workflow``; this module records its steps.

Substance and implementation: the plan's texts, links, competitors, team objectives (not their
current value) and what each action is, who owns it and when it is due are the plan's
substance; an agreed plan whose substance changes becomes a new draft while the agreed version
stays in force. Actions' progress (status, blocked reason, done date) and objectives' current
values are implementation: they change in any state but closed and never start a version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.accounts.access import CHANGE, MANAGE_TEAM, SIGN, require
from kam.accounts.audit import (
    apply_update,
    audit,
    audit_create,
    audit_delete,
    check_fields,
    json_value,
    lock,
)
from kam.accounts.models import Account, AuditAction
from kam.core.models import Period
from kam.core.versions import display_name
from kam.plans import workflow
from kam.plans.models import (
    Action,
    ActionStatus,
    Competitor,
    Decision,
    ObjectiveSource,
    Plan,
    PlanState,
    PlanVersion,
    SignOff,
    TeamObjective,
    VersionState,
)
from kam.plans.template import SEVEN
from kam.users.models import User

PERIOD_FIELDS = ("name", "starts_on", "ends_on")
PLAN_FIELDS = (
    "customer_strategy",
    "strengths",
    "weaknesses",
    "opportunities_swot",
    "threats",
    "strategy",
    "contingency_triggers",
    "contingency_actions",
    "contingency_owner",
    "customer_objectives",
    "opportunities",
)
COMPETITOR_FIELDS = ("name", "position", "order")
OBJECTIVE_SUBSTANCE = ("title", "measure", "unit", "target", "source", "order")
OBJECTIVE_FIELDS = (*OBJECTIVE_SUBSTANCE, "current_value")
ACTION_SUBSTANCE = ("what", "owner", "due_on", "objective", "opportunity", "contact")
ACTION_PROGRESS = ("status", "blocked_reason", "done_on")
ACTION_FIELDS = (*ACTION_SUBSTANCE, *ACTION_PROGRESS)


# -- the team --------------------------------------------------------------------------------


def team_members(account: Account) -> list[User]:
    """Who may sign the account's plan: its KAM and team, never a mentor (M5), active."""
    mentors = set(account.mentors.values_list("mentor_id", flat=True))
    ids = set(account.team.values_list("user_id", flat=True))
    if account.owner_id:
        ids.add(account.owner_id)
    return list(
        User.objects.filter(pk__in=ids - mentors, is_active=True)
        .exclude(role="mentor")
        .order_by("first_name", "last_name", "username")
    )


def _on_team(account: Account, users: Iterable[User | None], field: str) -> None:
    members = {u.pk for u in team_members(account)}
    outside = [u for u in users if u is not None and u.pk not in members]
    if outside:
        raise ValidationError(
            {
                field: _("%(names)s is not on the account team.")
                % {"names": ", ".join(display_name(u) for u in outside)}
            }
        )


def _same_account(account: Account, field: str, items: Sequence) -> None:
    if any(item is not None and item.account_id != account.pk for item in items):
        raise ValidationError({field: _("Choose items of the same account.")})


# -- periods ---------------------------------------------------------------------------------


def _require_lead(by) -> None:
    """Periods are the programme's: everyone plans by the same ones, the lead keeps them."""
    if by is not None and not (by.is_active and by.is_lead):
        raise PermissionDenied(_("Only the programme lead adds, changes or removes periods."))


@transaction.atomic
def period_create(*, by, name: str, starts_on: date, ends_on: date) -> Period:
    _require_lead(by)
    period = Period(name=name, starts_on=starts_on, ends_on=ends_on, updated_by=by)
    _clean_period(period)
    period.save()
    audit_create(by=by, obj=period, account=None, fields=PERIOD_FIELDS)
    return period


def _clean_period(period: Period) -> None:
    if period.starts_on and period.ends_on and period.ends_on < period.starts_on:
        raise ValidationError({"ends_on": _("The period ends before it starts.")})
    period.full_clean()


@transaction.atomic
def period_update(*, period: Period, by, expected_version: int | None = None, **changes) -> Period:
    _require_lead(by)
    check_fields(changes, PERIOD_FIELDS)
    fresh = lock(period, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _clean_period(fresh)
    outside = Action.objects.filter(plan__period=fresh, due_on__isnull=False).exclude(
        due_on__range=(fresh.starts_on, fresh.ends_on)
    )
    if outside.exists():
        field = "starts_on" if outside.filter(due_on__lt=fresh.starts_on).exists() else "ends_on"
        raise ValidationError(
            {field: _("Actions of plans in this period are due outside the new dates.")}
        )
    updated, _changed = apply_update(
        period, by=by, changes=changes, allowed=PERIOD_FIELDS, account=None
    )
    return updated


@transaction.atomic
def period_delete(*, period: Period, by, expected_version: int | None = None) -> None:
    _require_lead(by)
    fresh = lock(period, expected_version)
    try:
        with transaction.atomic():
            audit_delete(by=by, obj=fresh, account=None, fields=PERIOD_FIELDS)
            fresh.delete()
    except ProtectedError:
        raise ValidationError(
            {"period": _("Plans are made for this period; it cannot be removed.")}
        ) from None


# -- plans -----------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, account: Account, period: Period, by, with_template: bool = True) -> Plan:
    """Start the account's plan for ``period``: a draft whose required signers are the whole
    team and whose team objectives are M5's seven (``plans.template``)."""
    require(by, CHANGE, account)
    if Plan.objects.filter(account=account, period=period).exists():
        raise ValidationError(
            {
                "period": _("%(account)s already has a plan for %(period)s.")
                % {"account": account.name, "period": period.name}
            }
        )
    plan = Plan(account=account, period=period, created_by=by, updated_by=by)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same plan created at the same moment
        raise ValidationError(
            {
                "period": _("%(account)s already has a plan for %(period)s.")
                % {"account": account.name, "period": period.name}
            }
        ) from None
    plan.required_signers.set(team_members(account))
    if with_template:
        TeamObjective.objects.bulk_create(
            TeamObjective(
                plan=plan,
                template_key=item.key,
                title=str(item.title),
                measure=str(item.measure),
                unit=item.unit,
                source=item.source,
                target=90 if item.source == ObjectiveSource.REVIEW_CURRENCY else None,
                order=index,
                updated_by=by,
            )
            for index, item in enumerate(SEVEN, start=1)
        )
    audit_create(by=by, obj=plan, account=account, fields=("period", "required_signers"))
    return plan


def _refuse(plan: Plan, step: str, field: str = "state") -> None:
    try:
        workflow.next_state(plan.state, step)
    except workflow.StepRefused:
        messages = {
            PlanState.SUBMITTED: _(
                "Version %(number)s is waiting for the team's agreement: withdraw it to change it."
            ),
            PlanState.CLOSED: _("The plan is closed; it can no longer change."),
            PlanState.AGREED: _("Version %(number)s is already agreed."),
            PlanState.DRAFT: _("The plan is a draft: submit it for agreement first."),
        }
        raise ValidationError(
            {field: messages[PlanState(plan.state)] % {"number": plan.number}}
        ) from None


def _substance_edit(plan: Plan, by, expected_version: int | None = None) -> Plan:
    """Lock the plan for a change of its substance: refused while it waits for agreement or
    once closed; an agreed plan becomes a new draft (the agreed version stays in force)."""
    fresh = lock(plan, expected_version)
    _refuse(fresh, workflow.Step.EDIT)
    if fresh.state == PlanState.AGREED:
        fresh.state = PlanState.DRAFT
        fresh.save(update_fields=["state", *fresh.touch(by)])
        audit(
            by=by,
            action=AuditAction.UPDATE,
            obj=fresh,
            account=fresh.account,
            changes={"state": [PlanState.AGREED, PlanState.DRAFT]},
        )
    return fresh


def _progress_edit(plan: Plan) -> Plan:
    fresh = lock(plan)
    if fresh.state == PlanState.CLOSED:
        raise ValidationError({"state": _("The plan is closed; it can no longer change.")})
    return fresh


@transaction.atomic
def plan_update(*, plan: Plan, by, expected_version: int | None = None, **changes: Any) -> Plan:
    """Change the plan's texts and links (its substance)."""
    require(by, CHANGE, plan.account)
    check_fields(changes, PLAN_FIELDS)
    account = plan.account
    if "contingency_owner" in changes:
        _on_team(account, [changes["contingency_owner"]], "contingency_owner")
    for field in ("customer_objectives", "opportunities"):
        if field in changes:
            _same_account(account, field, changes[field])
    _substance_edit(plan, by, expected_version)
    updated, _changed = apply_update(
        plan, by=by, changes=changes, allowed=PLAN_FIELDS, account=account
    )
    return updated


@transaction.atomic
def plan_set_signers(
    *, plan: Plan, by, signers: Sequence[User], expected_version: int | None = None
) -> Plan:
    """The KAM chooses whose agreement is required: members of the team only."""
    require(by, MANAGE_TEAM, plan.account)
    _on_team(plan.account, signers, "required_signers")
    fresh = lock(plan, expected_version)
    if fresh.state in (PlanState.SUBMITTED, PlanState.CLOSED):
        _refuse(fresh, workflow.Step.EDIT, "required_signers")
    updated, _changed = apply_update(
        fresh,
        by=by,
        changes={"required_signers": list(signers)},
        allowed=("required_signers",),
        account=plan.account,
    )
    return updated


# -- contents --------------------------------------------------------------------------------


def plan_content(plan: Plan) -> dict[str, Any]:
    """The plan's substance as text, the frozen content of a version (``plans.diff``)."""
    fields = {name: getattr(plan, name) for name in PLAN_FIELDS[:8]}
    owner = plan.contingency_owner
    fields["contingency_owner"] = display_name(owner) if owner else ""
    objectives = list(plan.team_objectives.all())
    titles = {o.pk: o.title for o in objectives}
    return {
        "plan": fields,
        "customer_objectives": [
            {"key": str(o.public_id), "label": o.description, "horizon": o.horizon}
            for o in plan.customer_objectives.order_by("pk")
        ],
        "opportunities": [
            {"key": str(o.public_id), "label": o.name} for o in plan.opportunities.order_by("pk")
        ],
        "competitors": [
            {"key": str(c.public_id), "label": c.name, "name": c.name, "position": c.position}
            for c in plan.competitors.all()
        ],
        "team_objectives": [
            {
                "key": str(o.public_id),
                "label": o.title,
                "title": o.title,
                "measure": o.measure,
                "unit": o.unit,
                "target": json_value(o.target),
                "source": o.source,
            }
            for o in objectives
        ],
        "actions": [
            {
                "key": str(a.public_id),
                "label": a.what[:80],
                "what": a.what,
                "owner": display_name(a.owner) if a.owner else "",
                "due_on": json_value(a.due_on),
                "objective": titles.get(a.objective_id, ""),
                "opportunity": a.opportunity.name if a.opportunity else "",
                "contact": a.contact.name if a.contact else "",
            }
            for a in plan.actions.select_related("owner", "opportunity", "contact").order_by(
                "due_on", "pk"
            )
        ],
    }


def _child(model, plan: Plan, by, fields: dict[str, Any], allowed: Iterable[str]):
    check_fields(fields, allowed)
    item = model(plan=plan, updated_by=by, **fields)
    item.full_clean()
    item.save()
    audit_create(by=by, obj=item, account=plan.account, fields=allowed)
    return item


@transaction.atomic
def competitor_create(*, plan: Plan, by, name: str, **fields: Any) -> Competitor:
    require(by, CHANGE, plan.account)
    plan = _substance_edit(plan, by)
    return _child(Competitor, plan, by, {"name": name, **fields}, COMPETITOR_FIELDS)


@transaction.atomic
def competitor_update(
    *, competitor: Competitor, by, expected_version: int | None = None, **changes: Any
) -> Competitor:
    plan = competitor.plan
    require(by, CHANGE, plan.account)
    check_fields(changes, COMPETITOR_FIELDS)
    lock(competitor, expected_version)
    _substance_edit(plan, by)
    updated, _changed = apply_update(
        competitor, by=by, changes=changes, allowed=COMPETITOR_FIELDS, account=plan.account
    )
    return updated


@transaction.atomic
def competitor_delete(*, competitor: Competitor, by, expected_version: int | None = None) -> None:
    plan = competitor.plan
    require(by, CHANGE, plan.account)
    fresh = lock(competitor, expected_version)
    _substance_edit(plan, by)
    audit_delete(by=by, obj=fresh, account=plan.account, fields=COMPETITOR_FIELDS)
    fresh.delete()


def _check_objective(source: str, current_value) -> None:
    if current_value is not None and source != ObjectiveSource.MANUAL:
        raise ValidationError(
            {"current_value": _("kam computes this value; it cannot be entered.")}
        )


@transaction.atomic
def team_objective_create(*, plan: Plan, by, title: str, **fields: Any) -> TeamObjective:
    require(by, CHANGE, plan.account)
    _check_objective(fields.get("source", ObjectiveSource.MANUAL), fields.get("current_value"))
    plan = _substance_edit(plan, by)
    fields.setdefault("order", plan.team_objectives.count() + 1)
    return _child(TeamObjective, plan, by, {"title": title, **fields}, OBJECTIVE_FIELDS)


@transaction.atomic
def team_objective_update(
    *, objective: TeamObjective, by, expected_version: int | None = None, **changes: Any
) -> TeamObjective:
    plan = objective.plan
    require(by, CHANGE, plan.account)
    check_fields(changes, OBJECTIVE_FIELDS)
    fresh = lock(objective, expected_version)
    source = changes.get("source", fresh.source)
    _check_objective(source, changes.get("current_value"))
    if source != ObjectiveSource.MANUAL and fresh.current_value is not None:
        changes["current_value"] = None  # now computed: the typed value no longer applies
    if _substantive(fresh, changes, OBJECTIVE_SUBSTANCE):
        _substance_edit(plan, by)
    else:
        _progress_edit(plan)
    updated, _changed = apply_update(
        objective, by=by, changes=changes, allowed=OBJECTIVE_FIELDS, account=plan.account
    )
    return updated


@transaction.atomic
def team_objective_delete(
    *, objective: TeamObjective, by, expected_version: int | None = None
) -> None:
    plan = objective.plan
    require(by, CHANGE, plan.account)
    fresh = lock(objective, expected_version)
    _substance_edit(plan, by)
    audit_delete(by=by, obj=fresh, account=plan.account, fields=OBJECTIVE_FIELDS)
    fresh.delete()


def _substantive(current, changes: dict[str, Any], substance: Iterable[str]) -> bool:
    return any(
        name in changes and json_value(changes[name]) != json_value(getattr(current, name))
        for name in substance
    )


def _check_action(plan: Plan, action: Action, given: Iterable[str]) -> None:
    """The rules of an action beyond its fields' own: each refusal names its field."""
    errors: dict[str, str] = {}
    period = plan.period
    if action.owner_id and "owner" in given:
        members = {u.pk for u in team_members(plan.account)}
        if action.owner_id not in members:
            errors["owner"] = _("%(name)s is not on the account team.") % {
                "name": display_name(action.owner)
            }
    if action.due_on and not period.contains(action.due_on):
        errors["due_on"] = _(
            "The due date %(day)s is outside the period %(period)s (%(start)s to %(end)s)."
        ) % {
            "day": date_format(action.due_on),
            "period": period.name,
            "start": date_format(period.starts_on),
            "end": date_format(period.ends_on),
        }
    if action.objective_id and action.objective.plan_id != plan.pk:
        errors["objective"] = _("Choose a team objective of this plan.")
    for field in ("opportunity", "contact"):
        linked = getattr(action, field)
        if linked is not None and linked.account_id != plan.account_id:
            errors[field] = _("Choose items of the same account.")
    if action.status == ActionStatus.BLOCKED and not action.blocked_reason.strip():
        errors["blocked_reason"] = _("Say why the action is blocked.")
    if action.status != ActionStatus.DONE and action.done_on and "done_on" in given:
        errors["done_on"] = _("Only a done action has a done date.")
    if action.done_on and action.done_on > timezone.localdate():
        errors["done_on"] = _("The done date cannot be in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(*, plan: Plan, by, what: str, **fields: Any) -> Action:
    """An action of the plan: what, by whom (a team member), by when (within the period)."""
    require(by, CHANGE, plan.account)
    check_fields(fields, ACTION_FIELDS)
    if fields.get("status") == ActionStatus.DONE and not fields.get("done_on"):
        fields["done_on"] = timezone.localdate()
    action = Action(
        plan=plan, account=plan.account, what=what, created_by=by, updated_by=by, **fields
    )
    _check_action(plan, action, {"what", *fields})
    action.full_clean()
    _substance_edit(plan, by)
    action.save()
    audit_create(by=by, obj=action, account=plan.account, fields=ACTION_FIELDS)
    return action


@transaction.atomic
def action_update(
    *, action: Action, by, expected_version: int | None = None, **changes: Any
) -> Action:
    """Change an action. Its progress (status, blocked reason, done date) changes in any state
    but closed; what it is, its owner and due date are substance (see the module docstring)."""
    plan = action.plan
    require(by, CHANGE, plan.account)
    check_fields(changes, ACTION_FIELDS)
    fresh = lock(action, expected_version)
    status = changes.get("status", fresh.status)
    if status == ActionStatus.DONE and not changes.get("done_on", fresh.done_on):
        changes["done_on"] = timezone.localdate()
    if status != ActionStatus.DONE and "done_on" not in changes and fresh.done_on:
        changes["done_on"] = None  # reopened: it is no longer done
    if status != ActionStatus.BLOCKED and "blocked_reason" not in changes and fresh.blocked_reason:
        changes["blocked_reason"] = ""
    probe = Action(**{f.attname: getattr(fresh, f.attname) for f in Action._meta.concrete_fields})
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_action(plan, probe, changes)
    if _substantive(fresh, changes, ACTION_SUBSTANCE):
        _substance_edit(plan, by)
    else:
        _progress_edit(plan)
    updated, _changed = apply_update(
        fresh, by=by, changes=changes, allowed=ACTION_FIELDS, account=plan.account
    )
    return updated


@transaction.atomic
def action_delete(*, action: Action, by, expected_version: int | None = None) -> None:
    plan = action.plan
    require(by, CHANGE, plan.account)
    fresh = lock(action, expected_version)
    _substance_edit(plan, by)
    audit_delete(by=by, obj=fresh, account=plan.account, fields=ACTION_FIELDS)
    fresh.delete()


# -- sign-off --------------------------------------------------------------------------------


def _set_state(plan: Plan, by, state: str, **extra: Any) -> None:
    before = plan.state
    plan.state = state
    for name, value in extra.items():
        setattr(plan, name, value)
    plan.save(update_fields=["state", *extra, *plan.touch(by)])
    audit(
        by=by,
        action=AuditAction.UPDATE,
        obj=plan,
        account=plan.account,
        changes={"state": [before, state], **{k: [None, json_value(v)] for k, v in extra.items()}},
    )


@transaction.atomic
def plan_submit(*, plan: Plan, by, expected_version: int | None = None) -> PlanVersion:
    """Freeze the working copy as version ``plan.number`` and ask every team member to agree
    (the required ones must; the others may)."""
    require(by, MANAGE_TEAM, plan.account)
    fresh = lock(plan, expected_version)
    _refuse(fresh, workflow.Step.SUBMIT)
    members = team_members(fresh.account)
    required = set(fresh.required_signers.values_list("pk", flat=True))
    if not any(m.pk in required for m in members):
        raise ValidationError(
            {"required_signers": _("Choose at least one team member whose agreement is required.")}
        )
    version = PlanVersion.objects.create(
        plan=fresh,
        number=fresh.number,
        content=plan_content(fresh),
        submitted_at=timezone.now(),
        submitted_by=by if by is not None and by.pk else None,
    )
    SignOff.objects.bulk_create(
        SignOff(version=version, member=m, required=m.pk in required) for m in members
    )
    _set_state(fresh, by, workflow.next_state(fresh.state, workflow.Step.SUBMIT))
    return version


def current_version(plan: Plan) -> PlanVersion | None:
    """The version waiting for agreement, if any."""
    if plan.state != PlanState.SUBMITTED:
        return None
    return plan.versions.filter(number=plan.number).first()


def _return(plan: Plan, version: PlanVersion, by, step: str) -> None:
    version.state = VersionState.RETURNED
    version.decided_at = timezone.now()
    version.save(update_fields=["state", "decided_at"])
    _set_state(plan, by, workflow.next_state(plan.state, step), number=plan.number + 1)


@transaction.atomic
def plan_withdraw(*, plan: Plan, by, expected_version: int | None = None) -> Plan:
    """The KAM takes a submitted version back to change it; it stays readable as returned."""
    require(by, MANAGE_TEAM, plan.account)
    fresh = lock(plan, expected_version)
    _refuse(fresh, workflow.Step.WITHDRAW)
    _return(fresh, current_version(fresh), by, workflow.Step.WITHDRAW)
    return fresh


@transaction.atomic
def plan_sign(
    *, plan: Plan, by, decision: str, comment: str = "", expected_version: int | None = None
) -> SignOff:
    """A team member agrees to the submitted version, or objects with a comment. An objection
    returns the plan to draft; the last required agreement makes the version the one in force
    (the previous one is superseded)."""
    require(by, SIGN, plan.account)
    fresh = lock(plan, expected_version)  # serialises the team's answers
    if decision not in (Decision.AGREED, Decision.OBJECTED):
        raise ValidationError({"decision": _("Agree or object.")})
    if decision == Decision.OBJECTED and not comment.strip():
        raise ValidationError({"comment": _("Say what you object to.")})
    _refuse(fresh, workflow.Step.OBJECT, "decision")
    version = current_version(fresh)
    sign_off = version.sign_offs.select_for_update().filter(member=by).first()
    if sign_off is None:
        raise ValidationError(
            {
                "decision": _(
                    "You were not asked to sign version %(number)s: you joined the team after "
                    "it was submitted."
                )
                % {"number": version.number}
            }
        )
    before = [sign_off.decision, sign_off.comment]
    sign_off.decision, sign_off.comment = decision, comment
    sign_off.decided_at = timezone.now()
    sign_off.save(update_fields=["decision", "comment", "decided_at"])
    audit(
        by=by,
        action=AuditAction.UPDATE,
        obj=sign_off,
        account=fresh.account,
        changes={"decision": [before[0], decision], "comment": [before[1], comment]},
    )
    answers = [
        workflow.Answer(s.member_id, s.required, workflow.Decision(s.decision))
        for s in version.sign_offs.all()
    ]
    result = workflow.outcome(answers)
    if result == workflow.Outcome.RETURNED:
        _return(fresh, version, by, workflow.Step.OBJECT)
    elif result == workflow.Outcome.AGREED:
        now = timezone.now()
        if fresh.in_force_id:
            PlanVersion.objects.filter(pk=fresh.in_force_id).update(state=VersionState.SUPERSEDED)
        version.state, version.decided_at = VersionState.AGREED, now
        version.save(update_fields=["state", "decided_at"])
        _set_state(
            fresh,
            by,
            workflow.next_state(fresh.state, workflow.Step.AGREE),
            number=fresh.number + 1,
            in_force=version,
        )
    return sign_off


@transaction.atomic
def plan_close(*, plan: Plan, by, expected_version: int | None = None) -> Plan:
    """Close the plan (at its period's end, or early): it becomes read-only."""
    require(by, MANAGE_TEAM, plan.account)
    fresh = lock(plan, expected_version)
    _refuse(fresh, workflow.Step.CLOSE)
    pending = current_version(fresh)
    if pending is not None:
        pending.state = VersionState.RETURNED
        pending.decided_at = timezone.now()
        pending.save(update_fields=["state", "decided_at"])
    if fresh.in_force_id:
        PlanVersion.objects.filter(pk=fresh.in_force_id).update(state=VersionState.CLOSED)
    _set_state(fresh, by, workflow.next_state(fresh.state, workflow.Step.CLOSE))
    return fresh
