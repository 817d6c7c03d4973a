"""The follow-up's results in the reader's language: the plan's status and its reasons, the
quality checks and what each lacks. The pure modules return codes and figures; this words them
for the pages and the API alike."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kam.plans import monitoring as mon
from kam.plans.quality import Check, Named


def status_word(word: str) -> str:
    return {
        mon.ON_TRACK: _("On track"),
        mon.AT_RISK: _("At risk"),
        mon.OFF_TRACK: _("Off track"),
    }[word]


def reason_text(reason: mon.Reason) -> str:
    f = reason.figures
    if reason.code == "no_actions":
        return _("The plan has no actions yet.")
    if reason.code == "late_share":
        return _("%(late)s of %(total)s actions (%(pct)s%%) are past their due date.") % f
    if reason.code == "behind":
        return _("%(due)s%% of the actions were due by today; %(done)s%% are done.") % f
    if reason.code == "late":
        return ngettext("%(count)s action is late.", "%(count)s actions are late.", f["count"]) % f
    if reason.code == "blocked":
        return (
            ngettext("%(count)s action is blocked.", "%(count)s actions are blocked.", f["count"])
            % f
        )
    raise ValueError(reason.code)


def status_reason(status: mon.Status) -> str:
    """Why the plan has its status, in one sentence or a few."""
    if not status.reasons:
        return _("No action is late or blocked, and the done actions keep up with the due ones.")
    return " ".join(reason_text(r) for r in status.reasons)


_CHECK_TITLES = {
    "customer_objectives": gettext_lazy("Customer objectives of both horizons"),
    "team_objectives": gettext_lazy("Every team objective has a measure and a target"),
    "actions": gettext_lazy("Every action has an owner and a due date"),
    "coverage": gettext_lazy("Coverage rule of the relationship analyses met"),
    "defusing": gettext_lazy("Every opponent and entrenched interest has a defusing strategy"),
    "review": gettext_lazy("Mentor review current"),
    "contingency": gettext_lazy("Contingency written for a key account"),
    "fresh": gettext_lazy("Plan updated within 90 days"),
}


def check_title(key: str) -> str:
    return str(_CHECK_TITLES[key])


def _lacks(word: str) -> str:
    return {
        "measure": _("measure"),
        "target": _("target"),
        "owner": _("owner"),
        "due_on": _("due date"),
        "opponent": _("opponent without a defusing strategy"),
        "interest": _("entrenched interest without a defusing strategy"),
    }[word]


def missing_text(item: Named) -> str:
    if item.label == "short_term" and not item.lacks:
        return _("No short-term customer objective is linked.")
    if item.label == "long_term" and not item.lacks:
        return _("No long-term customer objective is linked.")
    if item.lacks in (("opponent",), ("interest",)):
        return _("%(name)s: %(what)s") % {"name": item.label, "what": _lacks(item.lacks[0])}
    return _("%(label)s: missing %(lacks)s") % {
        "label": item.label,
        "lacks": ", ".join(_lacks(w) for w in item.lacks),
    }


def check_problem(check: Check) -> str:
    """What is wrong, in words; empty when the check passed or does not apply."""
    f = check.figures
    if not check.applicable:
        if f.get("unknown"):
            return _("Unknown: no scoring run says yet whether the account is key.")
        if f.get("no_mentor"):
            return _("The account has no mentor.")
        return _("Does not apply: the account is not a key account.")
    if check.passed:
        return ""
    if f.get("none") and check.key == "team_objectives":
        return _("The plan has no team objectives.")
    if f.get("none") and check.key == "actions":
        return _("The plan has no actions.")
    if check.key == "coverage":
        return (
            _("%(known)s influential contacts known in person; the rule asks for %(minimum)s.") % f
        )
    if check.key == "review":
        return _("The review was due on %(day)s (%(days)s days ago).") % {
            "day": date_format(f["due_on"]),
            "days": f["days"],
        }
    if check.key == "contingency":
        return _("No trigger signals or contingency actions are written.")
    if check.key == "fresh":
        return _("Last updated %(days)s days ago: the plan is stale.") % f
    return "; ".join(missing_text(m) for m in check.missing)
