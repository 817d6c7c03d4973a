"""Relationship findings in words, in the reader's language.

The pure analyses return a ``Finding``: a code and its facts (names, numbers, dates). This
module turns each into one sentence a key account manager understands, through ``gettext``
with named placeholders so translators can reorder them; numbers, money and dates are
formatted for the active language with Django's formats. Choice values (attitudes, roles,
kinds) are worded with the models' own lazy labels, so there is one wording per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.formats import date_format, number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kam.relationships.analysis import Code, Finding, Severity
from kam.relationships.models import (
    Attitude,
    ContactLevel,
    ContactStatus,
    DefusingStrategy,
    InteractionKind,
    InterestKind,
    InterestStatus,
    LinkKind,
    RelationshipStage,
    RoleVocabulary,
    Standing,
    Trend,
    role_label,
)

# The analyses' strategy value for 'wait for them to leave' differs from the model's.
_PURE_STRATEGY = {"wait_to_leave": DefusingStrategy.WAIT_FOR_DEPARTURE}

CHOICES: dict[str, type[models.TextChoices]] = {
    "attitude": Attitude,
    "trend": Trend,
    "standing": Standing,
    "level": ContactLevel,
    "status": ContactStatus,
    "interest_kind": InterestKind,
    "interest_status": InterestStatus,
    "strategy": DefusingStrategy,
    "link_kind": LinkKind,
    "interaction_kind": InteractionKind,
    "stage": RelationshipStage,
}

SEVERITY_LABELS = {
    Severity.RISK: gettext_lazy("Risk"),
    Severity.WARNING: gettext_lazy("Warning"),
    Severity.INFO: gettext_lazy("For information"),
}

# Which section of the page a finding belongs to, by the prefix of its code.
GROUPS = {
    "relationships": gettext_lazy("Threading"),
    "coverage": gettext_lazy("Coverage"),
    "deal": gettext_lazy("Significant deals"),
    "threat": gettext_lazy("Opponents and entrenched interests"),
    "path": gettext_lazy("Introduction paths"),
    "drift": gettext_lazy("Drift"),
    "department": gettext_lazy("Departments"),
    "centrality": gettext_lazy("Hidden influencers"),
}


def label(kind: str, value: str | None) -> str:
    """The translated label of a choice value (``kind`` is a key of ``CHOICES``)."""
    if not value:
        return ""
    if kind == "strategy":
        value = _PURE_STRATEGY.get(value, value)
    choices = CHOICES[kind]
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def group_of(code: str) -> str:
    """The page section of a finding code: 'coverage', 'deal', 'drift'..."""
    return str(code).split(".", 1)[0]


def fmt_date(day: date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else "—"


def fmt_number(value: float | int | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return number_format(round(value, digits), digits, use_l10n=True, force_grouping=True)


def fmt_percent(share: float | None) -> str:
    """A 0-1 share as a whole percentage: '62%'."""
    return _("%(percent)s%%") % {"percent": fmt_number((share or 0) * 100)}


def names(people: Iterable[Mapping[str, Any] | str]) -> str:
    """'A, B and C' in the reader's language."""
    words = [p if isinstance(p, str) else str(p.get("name", "")) for p in people]
    return get_text_list([w for w in words if w], _("and"))


class Explainer:
    """Words the findings of one account.

    ``users`` names our users by id (some facts hold only ids), ``currency`` formats deal
    values and ``vocabulary`` is the team's words for buying roles.
    """

    def __init__(
        self,
        *,
        users: Mapping[int, str] | None = None,
        currency: str = "",
        vocabulary: RoleVocabulary | None = None,
    ) -> None:
        self.users = dict(users or {})
        self.currency = currency
        self.vocabulary = vocabulary

    # --- small formatters ----------------------------------------------------------------

    def money(self, value: Decimal | float | None) -> str:
        amount = fmt_number(value)
        return f"{amount} {self.currency}".strip()

    def influence(self, value: int | None) -> str:
        if not value:
            return _("not assessed")
        return _("%(influence)s of 5") % {"influence": value}

    def role(self, value: str | None) -> str:
        return role_label(value, vocabulary=self.vocabulary)

    def user_names(self, ids: Iterable[int]) -> str:
        return names([self.users.get(i, "?") for i in ids])

    def successor(self, facts: Mapping[str, Any]) -> str:
        if facts.get("successor_name"):
            return _("Their successor is %(successor)s.") % {"successor": facts["successor_name"]}
        return _("No successor is recorded: find out who took over and meet them.")

    # --- the sentences -------------------------------------------------------------------

    def title(self, finding: Finding) -> str:
        """A short heading for a finding, for lists and the account summary."""
        return str(GROUPS.get(group_of(finding.code), ""))

    def sentence(self, finding: Finding) -> str:
        """The finding in one or two sentences, facts filled in."""
        method = getattr(self, "_" + str(finding.code).replace(".", "_"), None)
        if method is None:  # a code added to the analyses before it is worded here
            return str(finding.code)
        return method(finding.facts)

    def _relationships_none(self, f: Mapping[str, Any]) -> str:
        return _(
            "Nobody on the team has logged an interaction with anyone at this account yet: "
            "there is no relationship to build on."
        )

    def _relationships_single_threaded(self, f: Mapping[str, Any]) -> str:
        return _(
            "Single-threaded: %(name)s carries %(share)s of the team's relationship strength "
            "here. If they leave or turn against us, the account goes with them."
        ) % {"name": f["contact_name"], "share": fmt_percent(f["share"])}

    def _relationships_single_threaded_contact_left(self, f: Mapping[str, Any]) -> str:
        return (
            _(
                "%(name)s, who carried %(share)s of the relationship, left on %(date)s. "
                "Nobody else holds the account for us."
            )
            % {
                "name": f["contact_name"],
                "share": fmt_percent(f["share"]),
                "date": fmt_date(f.get("left_on")),
            }
            + " "
            + self.successor(f)
        )

    def _relationships_single_threaded_contact_leaving(self, f: Mapping[str, Any]) -> str:
        return (
            _(
                "%(name)s carries %(share)s of the relationship and leaves on %(date)s: "
                "build other relationships before then."
            )
            % {
                "name": f["contact_name"],
                "share": fmt_percent(f["share"]),
                "date": fmt_date(f.get("left_on")),
            }
            + " "
            + self.successor(f)
        )

    def _coverage(self, f: Mapping[str, Any], text: str) -> str:
        out = text % {
            "known": f["known_count"],
            "influential": f["influential_count"],
            "minimum": f["minimum"],
            "target": f["target"],
            "influence": f["influence_min"],
        }
        if f.get("unknown"):
            out += " " + _("Not yet met in person: %(names)s.") % {"names": names(f["unknown"])}
        return out

    def _coverage_below_minimum(self, f: Mapping[str, Any]) -> str:
        return self._coverage(
            f,
            _(
                "Only %(known)s of the %(influential)s influential contacts (influence "
                "%(influence)s or more) are known in person. The rule of thumb is at least "
                "%(minimum)s, ideally %(target)s: one departure could lose the account."
            ),
        )

    def _coverage_below_target(self, f: Mapping[str, Any]) -> str:
        return self._coverage(
            f,
            _(
                "%(known)s of the %(influential)s influential contacts are known in person: "
                "above the minimum of %(minimum)s, short of the %(target)s to aim for."
            ),
        )

    def _coverage_met(self, f: Mapping[str, Any]) -> str:
        return self._coverage(
            f,
            _(
                "%(known)s of the %(influential)s influential contacts are known in person: "
                "the rule of %(minimum)s to %(target)s is met."
            ),
        )

    def _coverage_no_decision_maker_identified(self, f: Mapping[str, Any]) -> str:
        return _(
            "No decision maker identified: nobody is assessed as %(role)s. Find out whose "
            "'yes' the deal needs."
        ) % {"role": self.role(f.get("role"))}

    def _coverage_no_decision_maker_known(self, f: Mapping[str, Any]) -> str:
        return _("Nobody on the team knows the decision maker in person (%(names)s).") % {
            "names": names(f.get("contacts", ()))
        }

    def _coverage_no_coach_identified(self, f: Mapping[str, Any]) -> str:
        return _(
            "No coach identified: nobody is assessed as %(role)s, so nobody inside guides us "
            "through their buying."
        ) % {"role": self.role(f.get("role"))}

    def _coverage_no_coach_known(self, f: Mapping[str, Any]) -> str:
        return _("Nobody on the team knows the coach in person (%(names)s).") % {
            "names": names(f.get("contacts", ()))
        }

    def _coverage_no_executive_sponsor(self, f: Mapping[str, Any]) -> str:
        return _(
            "Our account team has no executive sponsor: nobody senior on our side to meet "
            "their senior people."
        )

    def _coverage_sponsor_knows_nobody(self, f: Mapping[str, Any]) -> str:
        return _(
            "Our executive sponsor %(user)s does not know anyone at the account in person yet."
        ) % {"user": f.get("user_name") or self.users.get(f.get("user_id", 0), "?")}

    def _deal(self, f: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "deal": f["opportunity_name"],
            "value": self.money(f.get("value")),
            "name": f.get("contact_name", ""),
        }

    def _deal_buy_in_not_identified(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(deal)s (%(value)s): nobody has recorded whose buy-in this deal needs."
        ) % self._deal(f)

    def _deal_contact_unknown_no_step(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(deal)s needs the buy-in of %(name)s. Nobody on the team knows them in person "
            "and no step to meet them is planned."
        ) % self._deal(f)

    def _deal_contact_unknown_step_planned(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(deal)s needs the buy-in of %(name)s, not yet known in person. Planned step: "
            "%(step)s."
        ) % {**self._deal(f), "step": f.get("planned_step", "")}

    def _deal_contact_left(self, f: Mapping[str, Any]) -> str:
        return (
            _("%(deal)s needed the buy-in of %(name)s, who left on %(date)s.")
            % {**self._deal(f), "date": fmt_date(f.get("left_on"))}
            + " "
            + self.successor(f)
        )

    def _deal_contact_opponent(self, f: Mapping[str, Any]) -> str:
        return _("%(deal)s needs the buy-in of %(name)s, who is against us.") % self._deal(f)

    def _threat_opponent(self, f: Mapping[str, Any]) -> str:
        parts = [
            _("%(name)s is against us (influence %(influence)s).")
            % {"name": f["contact_name"], "influence": self.influence(f.get("influence"))}
        ]
        if f.get("buy_in_needed"):
            parts.append(_("Their buy-in is needed for a significant deal."))
        elif f.get("buy_in_flagged"):
            parts.append(_("Their assessment marks their buy-in as needed."))
        count = f.get("open_interests", 0)
        if count:
            parts.append(
                ngettext(
                    "They hold %(count)s open entrenched interest.",
                    "They hold %(count)s open entrenched interests.",
                    count,
                )
                % {"count": count}
            )
        if f.get("known_by"):
            parts.append(
                _("Known in person by %(users)s.") % {"users": self.user_names(f["known_by"])}
            )
        else:
            parts.append(_("Nobody on the team knows them in person."))
        return " ".join(parts)

    def _interest(self, f: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "name": f.get("contact_name") or _("someone who left no name"),
            "kind": label("interest_kind", f.get("interest_kind")),
            "threat": f.get("threat_level"),
        }

    def _threat_interest_no_strategy(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(name)s stands to lose if they buy from us (%(kind)s, threat %(threat)s of 5) "
            "and no strategy to defuse it has been chosen."
        ) % self._interest(f)

    def _threat_interest_advocate_missing(self, f: Mapping[str, Any]) -> str:
        return _(
            "To defuse the interest of %(name)s (%(kind)s, threat %(threat)s of 5) we mean to "
            "enlist an advocate, but nobody is named."
        ) % self._interest(f)

    def _threat_interest_advocate_opponent(self, f: Mapping[str, Any]) -> str:
        return _(
            "The advocate meant to speak for us to %(name)s (%(kind)s), %(advocate)s, is "
            "against us themselves."
        ) % {**self._interest(f), "advocate": f.get("advocate_name", "")}

    def _threat_interest_advocate_left(self, f: Mapping[str, Any]) -> str:
        return _(
            "The advocate meant to speak for us to %(name)s (%(kind)s), %(advocate)s, left "
            "on %(date)s: choose another way to defuse it."
        ) % {
            **self._interest(f),
            "advocate": f.get("advocate_name", ""),
            "date": fmt_date(f.get("left_on")),
        }

    def _threat_interest_holder_left(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(name)s, who held an entrenched interest (%(kind)s), left on %(date)s: the "
            "interest can probably be closed."
        ) % {**self._interest(f), "date": fmt_date(f.get("left_on"))}

    def path(self, path: Mapping[str, Any], target: str) -> str:
        """One introduction path as 'our user → contact → contact'."""
        chain = [path.get("user_name") or self.users.get(path.get("user_id", 0), "?")]
        chain += [str(step["name"]) for step in path.get("via", ())]
        chain.append(target)
        return " → ".join(chain)

    def _path_introduction(self, f: Mapping[str, Any]) -> str:
        paths = f.get("paths", ())
        best = paths[0] if paths else {}
        return ngettext(
            "Nobody on the team knows %(name)s (influence %(influence)s). %(count)s way to be "
            "introduced; the best: %(path)s.",
            "Nobody on the team knows %(name)s (influence %(influence)s). %(count)s ways to be "
            "introduced; the best: %(path)s.",
            len(paths),
        ) % {
            "name": f["contact_name"],
            "influence": self.influence(f.get("influence")),
            "count": len(paths),
            "path": self.path(best, f["contact_name"]),
        }

    def _path_none(self, f: Mapping[str, Any]) -> str:
        return _(
            "Nobody on the team knows %(name)s (influence %(influence)s), and no chain of "
            "links leads to them from anyone we know well."
        ) % {"name": f["contact_name"], "influence": self.influence(f.get("influence"))}

    def _change(self, f: Mapping[str, Any], text: str, kind: str, before: str, after: str) -> str:
        return text % {
            "name": f["contact_name"],
            "from": label(kind, f.get(before)) if kind else f.get(before),
            "to": label(kind, f.get(after)) if kind else f.get(after),
        }

    def _drift_attitude_improved(self, f: Mapping[str, Any]) -> str:
        return self._change(
            f,
            _("%(name)s: attitude to us improved from %(from)s to %(to)s."),
            "attitude",
            "attitude_from",
            "attitude_to",
        )

    def _drift_attitude_worsened(self, f: Mapping[str, Any]) -> str:
        return self._change(
            f,
            _("%(name)s: attitude to us worsened from %(from)s to %(to)s."),
            "attitude",
            "attitude_from",
            "attitude_to",
        )

    def _drift_influence_rose(self, f: Mapping[str, Any]) -> str:
        return self._change(
            f,
            _("%(name)s: influence rose from %(from)s to %(to)s of 5."),
            "",
            "influence_from",
            "influence_to",
        )

    def _drift_influence_fell(self, f: Mapping[str, Any]) -> str:
        return self._change(
            f,
            _("%(name)s: influence fell from %(from)s to %(to)s of 5."),
            "",
            "influence_from",
            "influence_to",
        )

    def _drift_influencer_rising(self, f: Mapping[str, Any]) -> str:
        return _("%(name)s: influence now rising (it was %(trend)s), at %(influence)s.") % {
            "name": f["contact_name"],
            "trend": label("trend", f.get("trend_from")).lower(),
            "influence": self.influence(f.get("influence")),
        }

    def _drift_influencer_fading(self, f: Mapping[str, Any]) -> str:
        return _("%(name)s: influence now falling (it was %(trend)s), at %(influence)s.") % {
            "name": f["contact_name"],
            "trend": label("trend", f.get("trend_from")).lower(),
            "influence": self.influence(f.get("influence")),
        }

    def _drift_gone_quiet(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(name)s has gone quiet: no interaction for %(days)s days, the last on %(date)s."
        ) % {
            "name": f["contact_name"],
            "days": fmt_number(f.get("days_silent")),
            "date": fmt_date(f.get("last_interaction_on")),
        }

    def _drift_departed(self, f: Mapping[str, Any]) -> str:
        parts = [
            _("%(name)s left on %(date)s.")
            % {"name": f["contact_name"], "date": fmt_date(f.get("left_on"))},
            self.successor(f),
        ]
        deals = f.get("opportunities", ())
        if deals:
            parts.append(_("Open opportunities it touches: %(deals)s.") % {"deals": names(deals)})
        return " ".join(parts)

    def _drift_interest_emerged(self, f: Mapping[str, Any]) -> str:
        return _(
            "New entrenched interest of %(name)s, raised on %(date)s: %(kind)s (threat "
            "%(threat)s of 5)."
        ) % {**self._interest(f), "date": fmt_date(f.get("raised_on"))}

    def _drift_interest_defused(self, f: Mapping[str, Any]) -> str:
        return _("The entrenched interest of %(name)s (%(kind)s) was defused on %(date)s.") % {
            **self._interest(f),
            "date": fmt_date(f.get("defused_on")),
        }

    def department(self, name: str) -> str:
        return name or _("(no department)")

    def _department_not_reached(self, f: Mapping[str, Any]) -> str:
        out = ngettext(
            "Nobody on the team reaches %(department)s (%(count)s person).",
            "Nobody on the team reaches %(department)s (%(count)s people).",
            f.get("contact_count", 0),
        ) % {"department": self.department(f["department"]), "count": f.get("contact_count", 0)}
        if f.get("influential"):
            out += " " + _("Influential there: %(names)s.") % {"names": names(f["influential"])}
        return out

    def _department_influential_not_reached(self, f: Mapping[str, Any]) -> str:
        return _("In %(department)s we reach some people, but not the influential %(names)s.") % {
            "department": self.department(f["department"]),
            "names": names(f["influential"]),
        }

    def _centrality_hidden_influencer(self, f: Mapping[str, Any]) -> str:
        return _(
            "%(name)s may be a hidden influencer: assessed at influence %(influence)s, yet "
            "they rank %(rank)s for the links between people that run through them."
        ) % {
            "name": f["contact_name"],
            "influence": self.influence(f.get("assessed_influence")),
            "rank": f.get("rank"),
        }


def every_code_worded() -> set[str]:
    """The codes this module words (a test compares it with ``Code``)."""
    return {c.value for c in Code if hasattr(Explainer, "_" + c.value.replace(".", "_"))}
