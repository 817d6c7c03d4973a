"""Drift over a period: attitudes and influence changing, people going quiet or leaving."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from .findings import Code, Finding, Severity, finding
from .model import ATTITUDE_RANK, Assessment, Contact, OpportunityStatus, Trend
from .strength import AccountContext


def assessment_on(contact: Contact, day: date) -> Assessment | None:
    """The assessment in force on ``day``: the latest snapshot dated on or before it."""
    snapshots = sorted(
        {a.on: a for a in (*contact.history, contact.assessment) if a is not None}.items()
    )
    index = bisect_right([on for on, _ in snapshots], day)
    return snapshots[index - 1][1] if index else None


@dataclass(frozen=True)
class DriftReport:
    """What changed between ``start`` and ``end`` (both inclusive)."""

    start: date
    end: date
    rising_ids: tuple[int, ...]
    fading_ids: tuple[int, ...]
    silent_ids: tuple[int, ...]
    departed_ids: tuple[int, ...]
    findings: tuple[Finding, ...]


def analyse_drift(
    ctx: AccountContext, *, start: date, end: date, silent_days: int | None = None
) -> DriftReport:
    """Compare each contact's assessment at ``start`` with the one at ``end``.

    A contact assessed for the first time inside the period has no 'before' and shows no
    drift. 'Gone quiet' only counts contacts we once talked to: the hundreds nobody ever met
    are a coverage question, not drift.
    """
    if end < start:
        raise ValueError("drift period ends before it starts")
    account = ctx.account
    quiet_after = ctx.config.silent_days if silent_days is None else silent_days
    findings: list[Finding] = []
    rising: list[int] = []
    fading: list[int] = []
    silent: list[int] = []
    departed: list[int] = []
    for contact in account.contacts:
        facts = {"contact_name": contact.name}
        before, after = assessment_on(contact, start), assessment_on(contact, end)
        if before is not None and after is not None and before is not after:
            old, new = ATTITUDE_RANK[before.attitude], ATTITUDE_RANK[after.attitude]
            if old != new:
                findings.append(
                    finding(
                        Code.ATTITUDE_IMPROVED if new > old else Code.ATTITUDE_WORSENED,
                        Severity.INFO if new > old else Severity.WARNING,
                        contact_id=contact.id,
                        attitude_from=before.attitude.value,
                        attitude_to=after.attitude.value,
                        **facts,
                    )
                )
            was, now = before.influence or 0, after.influence or 0
            if was != now:
                findings.append(
                    finding(
                        Code.INFLUENCE_ROSE if now > was else Code.INFLUENCE_FELL,
                        Severity.INFO,
                        contact_id=contact.id,
                        influence_from=was,
                        influence_to=now,
                        trend=after.trend.value,
                        **facts,
                    )
                )
            # A trend turning is the early signal, before the influence figure moves.
            turned_up = after.trend == Trend.RISING and before.trend != Trend.RISING
            turned_down = after.trend == Trend.FALLING and before.trend != Trend.FALLING
            if turned_up or turned_down:
                findings.append(
                    finding(
                        Code.INFLUENCER_RISING if turned_up else Code.INFLUENCER_FADING,
                        Severity.INFO,
                        contact_id=contact.id,
                        trend_from=before.trend.value,
                        trend_to=after.trend.value,
                        influence=now,
                        **facts,
                    )
                )
            if now > was or (turned_up and now == was):
                rising.append(contact.id)
            elif now < was or (turned_down and now == was):
                fading.append(contact.id)

        if contact.left_on is not None and start <= contact.left_on <= end:
            departed.append(contact.id)
            findings.append(_departure(ctx, contact))
        elif not contact.has_left(end):
            last = ctx.last_interaction(contact.id, end)
            if last is not None and (end - last).days >= quiet_after:
                silent.append(contact.id)
                findings.append(
                    finding(
                        Code.GONE_QUIET,
                        Severity.WARNING
                        if contact.influence >= ctx.config.influential_min
                        else Severity.INFO,
                        contact_id=contact.id,
                        last_interaction_on=last,
                        days_silent=(end - last).days,
                        influence=contact.influence,
                        **facts,
                    )
                )

    for interest in account.interests:
        holder = account.contact_by_id.get(interest.contact_id)
        facts = {
            "interest_id": interest.id,
            "interest_kind": interest.kind,
            "threat_level": interest.threat_level,
            "contact_name": holder.name if holder else "",
        }
        if interest.raised_on is not None and start <= interest.raised_on <= end:
            findings.append(
                finding(
                    Code.INTEREST_EMERGED,
                    Severity.WARNING,
                    contact_id=interest.contact_id,
                    raised_on=interest.raised_on,
                    **facts,
                )
            )
        if interest.defused_on is not None and start <= interest.defused_on <= end:
            findings.append(
                finding(
                    Code.INTEREST_DEFUSED,
                    Severity.INFO,
                    contact_id=interest.contact_id,
                    defused_on=interest.defused_on,
                    **facts,
                )
            )
    return DriftReport(
        start, end, tuple(rising), tuple(fading), tuple(silent), tuple(departed), tuple(findings)
    )


def _departure(ctx: AccountContext, contact: Contact) -> Finding:
    """A departure with the open opportunities it touches (buy-in or objective source)."""
    account = ctx.account
    touched = []
    for opp in account.opportunities:
        if opp.status != OpportunityStatus.OPEN:
            continue
        objective = account.objective_by_id.get(opp.objective_id or -1)
        via_buy_in = contact.id in opp.buy_in_contact_ids
        via_objective = objective is not None and objective.source_contact_id == contact.id
        if via_buy_in or via_objective:
            touched.append(
                {
                    "id": opp.id,
                    "name": opp.name,
                    "value": opp.value,
                    "buy_in_needed": via_buy_in,
                    "objective_source": via_objective,
                }
            )
    successor = account.contact_by_id.get(contact.successor_id or -1)
    influential = contact.influence >= ctx.config.influential_min
    return finding(
        Code.DEPARTED,
        Severity.RISK if touched or influential else Severity.INFO,
        contact_id=contact.id,
        contact_name=contact.name,
        left_on=contact.left_on,
        successor_id=successor.id if successor else None,
        successor_name=successor.name if successor else "",
        opportunities=tuple(touched),
    )
