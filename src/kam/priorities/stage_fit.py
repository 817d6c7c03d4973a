"""The right activity for the stage read from the database and said in words (the rules are
in kam.priorities.activity_fit): the expectations the lead set over the documented defaults,
each account's last activity of each kind, and the alarms. Five queries for any number of
accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kam.accounts.audit import audit
from kam.accounts.models import Account, AuditAction, Stage
from kam.core import formatting
from kam.core.versions import check_version
from kam.planning.models import Opportunity, OpportunityStatus
from kam.planning.queries import HORIZONS, horizon_of
from kam.plans.models import Attachment
from kam.priorities import activity_fit as fit
from kam.priorities.models_fit import ActivityExpectation, ActivityKind, ExpectationScope
from kam.relationships.models import Interaction

HORIZON_LABELS = [label for label, *_ in HORIZONS]


def expectations() -> list[fit.Expectation]:
    """The defaults with the lead's rows in their place, stages first then horizons."""
    rows = [
        fit.Expectation(r.scope, r.key, tuple(r.kinds), r.within_days, r.active)
        for r in ActivityExpectation.objects.all()
    ]
    order = {key: i for i, key in enumerate([*Stage.values, *HORIZON_LABELS])}
    return sorted(
        fit.merged(rows), key=lambda e: (e.scope != fit.STAGE, order.get(e.key, 99), e.key)
    )


def activity_inputs(accounts, today: date) -> list[fit.AccountActivity]:
    rows = list(accounts.values_list("pk", "name", "stage", "created_at"))
    ids = [pk for pk, *_ in rows]
    last: dict[int, dict[str, date]] = defaultdict(dict)
    for account_id, kind, on in (
        Interaction.objects.filter(account__in=ids)
        .values("account", "kind")
        .annotate(m=Max("occurred_on"))
        .values_list("account", "kind", "m")
    ):
        activity = fit.INTERACTION_ACTIVITY.get(kind)
        if activity and (activity not in last[account_id] or on > last[account_id][activity]):
            last[account_id][activity] = on
    for account_id, at in (
        Attachment.objects.filter(account__in=ids)
        .values("account")
        .annotate(m=Max("created_at"))
        .values_list("account", "m")
    ):
        last[account_id][fit.PROPOSAL] = at.date()
    horizons: dict[int, dict[str, tuple[list[str], date]]] = defaultdict(dict)
    for account_id, name, expected, created in Opportunity.objects.filter(
        account__in=ids, status=OpportunityStatus.OPEN
    ).values_list("account_id", "name", "expected_on", "created_at"):
        label = horizon_of(expected, today)
        if label not in HORIZON_LABELS:
            continue
        names, known = horizons[account_id].get(label, ([], created.date()))
        horizons[account_id][label] = ([*names, name], min(known, created.date()))
    return [
        fit.AccountActivity(
            pk,
            name,
            stage,
            created.date(),
            dict(last.get(pk, {})),
            {k: (tuple(sorted(n)), on) for k, (n, on) in horizons.get(pk, {}).items()},
        )
        for pk, name, stage, created in rows
    ]


def kinds_words(kinds) -> str:
    return _(" or ").join(str(ActivityKind(k).label).lower() for k in kinds)


def scope_words(scope: str, key: str) -> str:
    if scope == fit.STAGE:
        try:
            return _("Stage: %(stage)s") % {"stage": Stage(key).label}
        except ValueError:
            return key
    return _("Results expected in %(horizon)s months") % {"horizon": key}


def misfit_words(m: fit.Misfit) -> tuple[str, str]:
    values = {
        "kinds": kinds_words(m.expected),
        "allowed": m.allowed_days,
        "since": formatting.day(m.since),
        "days": m.days,
    }
    if m.scope == fit.STAGE:
        values["stage"] = Stage(m.key).label if m.key in Stage.values else m.key
        if m.last:
            why = _(
                "At the stage %(stage)s, expected every %(allowed)d days: %(kinds)s; the last "
                "was on %(since)s, %(days)d days ago."
            )
        else:
            why = _(
                "At the stage %(stage)s, expected every %(allowed)d days: %(kinds)s; none "
                "since %(since)s, %(days)d days ago."
            )
    else:
        values["horizon"] = m.key
        values["work"] = "; ".join(m.subjects)
        if m.last:
            why = _(
                "Results expected in %(horizon)s months (%(work)s): expected every "
                "%(allowed)d days: %(kinds)s; the last was on %(since)s, %(days)d days ago."
            )
        else:
            why = _(
                "Results expected in %(horizon)s months (%(work)s): expected every "
                "%(allowed)d days: %(kinds)s; none since %(since)s, %(days)d days ago."
            )
    why = why % values
    if m.done_instead:
        why += " " + _("Done instead: %(kinds)s.") % {
            "kinds": ", ".join(str(ActivityKind(k).label).lower() for k in m.done_instead)
        }
    todo = _("Plan one of these: %(kinds)s.") % {"kinds": kinds_words(m.expected)}
    return why, todo


@dataclass(frozen=True)
class FitLine:
    misfit: fit.Misfit
    account: Account | None
    why: str
    what_to_do: str


def fit_alarm_lines(*, accounts, today: date) -> list[FitLine]:
    """The stage-fit alarms of the given (scoped) accounts, each with its words."""
    found = fit.misfits(activity_inputs(accounts, today), expectations(), today)
    by_pk = Account.objects.in_bulk({m.account_id for m in found})
    return [FitLine(m, by_pk.get(m.account_id), *misfit_words(m)) for m in found]


@transaction.atomic
def expectation_set(
    *,
    by,
    scope: str,
    key: str,
    kinds: list[str],
    within_days: int,
    active: bool = True,
    expected_version: int | None = None,
) -> ActivityExpectation:
    """The lead sets what one stage or horizon expects (a stale form is an EditConflict)."""
    if by is not None and not (by.is_active and by.is_lead):
        raise PermissionDenied(_("Only the programme lead sets the expected activities."))
    keys = Stage.values if scope == ExpectationScope.STAGE else HORIZON_LABELS
    errors = {}
    if scope not in ExpectationScope.values:
        errors["scope"] = _("Choose a stage or a horizon.")
    elif key not in keys:
        errors["key"] = _("Choose one of: %(keys)s.") % {"keys": ", ".join(keys)}
    unknown = [k for k in kinds if k not in fit.KINDS]
    if unknown or (active and not kinds):
        errors["kinds"] = _("Choose at least one of the activity kinds.")
    try:
        within_days = int(within_days)
    except (TypeError, ValueError):
        within_days = 0
    if not 1 <= within_days <= 730:
        errors["within_days"] = _("Enter between 1 and 730 days.")
    if errors:
        raise ValidationError(errors)
    row = ActivityExpectation.objects.select_for_update().filter(scope=scope, key=key).first()
    kinds = [k for k in fit.KINDS if k in kinds]
    if row is None:
        row = ActivityExpectation(scope=scope, key=key)
        before = next(
            (
                {"kinds": list(e.kinds), "within_days": e.within_days, "active": e.active}
                for e in fit.DEFAULTS
                if (e.scope, e.key) == (scope, key)
            ),
            {},
        )
    else:
        check_version(row, expected_version)
        before = {"kinds": row.kinds, "within_days": row.within_days, "active": row.active}
        row.touch(by)
    row.kinds, row.within_days, row.active = kinds, int(within_days), active
    if by is not None:
        row.updated_by = by
    row.save()
    after = {"kinds": kinds, "within_days": int(within_days), "active": active}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    audit(by=by, action=AuditAction.UPDATE, obj=row, account=None, changes=changes)
    return row
