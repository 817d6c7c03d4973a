"""Exit barrier strength per account, for the pages and for other apps (the risk app reads
it). The model is documented in kam.tactics.strength; this module reads the tactics.

    exit_barrier_strength(accounts) -> {account_id: (strength 0-100 or None, reasons)}

``accounts`` are Account objects or their integer ids (callers scope them first); the keys
are the accounts' integer ids; ``reasons`` are sentences in the active language, one per
barrier tactic recorded (for the account or, by default, for its tier). Strength None means
unknown: nothing is recorded about tactics 5-7 for the account or its tier.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.tactics.models import BARRIER_KINDS, TacticKind, TacticStatus
from kam.tactics.queries import as_of, effective_tactics
from kam.tactics.strength import BarrierTactic, Part, barrier_strength

__all__ = ["exit_barrier_strength"]


def _reason(part: Part) -> str:
    name = TacticKind(part.kind).label
    if part.status == TacticStatus.PLANNED:
        return _("%(tactic)s: planned, not yet a barrier (0 of %(most)s points).") % {
            "tactic": name,
            "most": part.most,
        }
    if part.status != TacticStatus.IN_PLACE:
        return _("%(tactic)s: not applicable (0 of %(most)s points).") % {
            "tactic": name,
            "most": part.most,
        }
    if part.years is None:
        return _(
            "%(tactic)s: in place since a date not recorded (%(points)s of %(most)s points)."
        ) % {"tactic": name, "points": round(part.points), "most": part.most}
    return _("%(tactic)s: in place for %(years)s years (%(points)s of %(most)s points).") % {
        "tactic": name,
        "years": f"{part.years:.1f}",
        "points": round(part.points),
        "most": part.most,
    }


def exit_barrier_strength(
    accounts: Iterable[Account | int], today: date | None = None
) -> dict[int, tuple[int | None, list[str]]]:
    """Each account's exit barrier strength (0-100, None unknown) with its reasons."""
    ids = [a.pk if isinstance(a, Account) else int(a) for a in accounts]
    on = today or as_of()
    out: dict[int, tuple[int | None, list[str]]] = {}
    for account_id, tactics in effective_tactics(ids).items():
        recorded = [
            BarrierTactic(t.kind, t.status, t.since)
            for kind in BARRIER_KINDS
            if (t := tactics[kind.value]).status
        ]
        strength = barrier_strength(recorded, on)
        if strength.score is None:
            reasons = [_("No exit barrier tactic is recorded for this account or its tier.")]
        else:
            reasons = [_reason(p) for p in strength.parts]
        out[account_id] = (strength.score, reasons)
    return out
