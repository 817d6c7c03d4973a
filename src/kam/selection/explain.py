"""Flags and scores in words, in the reader's language (the pure modules give codes and facts)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kam.selection import criteria


def _n(value, digits: int = 1) -> str:
    return "?" if value is None else number_format(round(value, digits), digits, use_l10n=True)


def flag_title(code: str) -> str:
    return {
        "big_but_bad": _("Big but bad buyer"),
        "efficiencies_given_back": _("Efficiencies given back"),
        "single_criterion": _("Key on one criterion only"),
        "fast_grower": _("Fast grower"),
    }.get(code, code)


def flag_reason(flag: dict) -> str:
    """One sentence a sales director understands, with the numbers behind the flag."""
    facts, code = flag.get("facts", {}), flag.get("code")
    if code == "big_but_bad":
        parts = []
        reasons = set(flag.get("reasons", ()))
        if "below_cost" in reasons:
            parts.append(
                _("sells to them below cost (margin %(margin)s%%)")
                % {"margin": _n(facts.get("margin_pct"))}
            )
        if "low_margin" in reasons:
            parts.append(
                _("margin %(margin)s%% is under the %(limit)s%% floor")
                % {
                    "margin": _n(facts.get("margin_pct")),
                    "limit": _n(facts.get("margin_threshold_pct"), 0),
                }
            )
        if "pays_late" in reasons:
            parts.append(
                _("pays %(days)s days late on average (worst %(worst)s)")
                % {
                    "days": _n(facts.get("avg_days_late"), 0),
                    "worst": _n(facts.get("worst_days_late"), 0),
                }
            )
        return _(
            "Number %(rank)s of our buyers by volume (%(share)s%% of sales), but %(problems)s."
        ) % {
            "rank": facts.get("rank"),
            "share": _n(facts.get("sales_share_pct")),
            "problems": _("; ").join(parts),
        }
    if code == "efficiencies_given_back":
        return _(
            "Over the last %(quarters)s quarters discounts and rebates rose by %(discount)s points "
            "a quarter (now %(discount_pct)s%% of list value) while margin fell by %(margin)s "
            "points a quarter (now %(margin_pct)s%%)."
        ) % {
            "quarters": facts.get("quarters"),
            "discount": _n(facts.get("discount_trend_pp"), 2),
            "discount_pct": _n(facts.get("discount_pct")),
            "margin": _n(abs(facts.get("margin_trend_pp") or 0), 2),
            "margin_pct": _n(facts.get("margin_pct")),
        }
    if code == "fast_grower":
        return _(
            "Still small (number %(rank)s by volume), but sales grew in %(growing)s%% of the "
            "last quarters, by %(trend)s%% of a quarter's sales each quarter (%(yoy)s%% on the "
            "year before): a key account of tomorrow?"
        ) % {
            "rank": facts.get("rank"),
            "growing": _n(facts.get("growing_quarters_pct"), 0),
            "trend": _n(facts.get("revenue_trend_pct"), 0),
            "yoy": _n(facts.get("yoy_growth_pct"), 0),
        }
    if code == "single_criterion":
        return _(
            "%(share)s%% of its score comes from one criterion, %(criterion)s: its case for "
            "being a key account rests on that alone."
        ) % {
            "share": _n(facts.get("share_pct"), 0),
            "criterion": criteria.label(facts.get("criterion", "")),
        }
    return code or ""


def why(contributions: list[dict], *, top: int = 3) -> str:
    """The main contributions in words: "Volume 22 pts, Margin 15 pts"."""
    best = [c for c in contributions if c.get("points", 0) > 0][:top]
    if not best:
        return _("No criterion scores yet.")
    # Translators: separates the criteria in the "why" column (Chinese uses 、).
    return _(", ").join(
        _("%(criterion)s %(points)s pts")
        % {"criterion": criteria.short_label(c["key"]), "points": _n(c["points"], 0)}
        for c in best
    )


def _plain(cut: str | None) -> str | None:
    """A stored cut-off ("80.00") as people write it ("80")."""
    if cut is None or "." not in cut:
        return cut
    return cut.rstrip("0").rstrip(".")


def tier_reason(score, run) -> str:
    """Why the account has its tier, in words: the rule of the scheme in use and its figures.

    ``score`` is an AccountScore, ``run`` its ScoringRun (whose settings say how the cut-offs
    read; runs from before they were recorded get the short reasons only)."""
    used = run.settings_used or {}
    kind = used.get("cut_off")
    cuts = dict(used.get("tiers") or [])
    tier = criteria.tier_label(score.tier_name) if score.tier_name else ""
    cut = _plain(cuts.get(score.tier_code))
    reason = score.tier_reason
    if reason == "override":
        return _("Set by a person.")
    if reason == "knocked_out":
        return _("A knock-out rule keeps it out of every tier.")
    if reason == "no_score":
        return _("No score yet, so no tier.")
    if reason == "over_capacity":
        return _(
            "It reached a key tier's cut-off, but the programme's %(capacity)s key account "
            "places went to accounts ranked higher."
        ) % {"capacity": used.get("capacity")}
    if kind == "revenue_share":
        return _abc_reason(score, tier, cut, used.get("abc_crossing"))
    if reason == "cut_off" and cut is not None:
        if kind == "score":
            return _("Score %(score)s reaches the minimum of %(cut)s for %(tier)s.") % {
                "score": _n(score.score, 0),
                "cut": cut,
                "tier": tier,
            }
        return _("Number %(rank)s by score, within the cut-off of %(tier)s (%(cut)s).") % {
            "rank": score.rank,
            "tier": tier,
            "cut": cut,
        }
    if reason == "below_cut_offs":
        return _("Below every tier's cut-off.")
    return ""


def _abc_reason(score, tier: str, cut, crossing: str | None) -> str:
    if score.cumulative_share_pct is None or not score.revenue or score.revenue <= 0:
        return _(
            "No net revenue in the window, so no ABC class: such accounts are ranked last and "
            "left out of the total that shares are taken of."
        )
    if tier and cut is not None:
        fact = _(
            "Number %(rank)s by revenue: with the accounts before it, %(share)s%% of revenue "
            "(the cut-off of %(tier)s is %(cut)s%%)."
        ) % {"rank": score.rank, "share": _n(score.cumulative_share_pct), "tier": tier, "cut": cut}
    else:
        fact = _(
            "Number %(rank)s by revenue: with the accounts before it, %(share)s%% of revenue, "
            "past every cut-off."
        ) % {"rank": score.rank, "share": _n(score.cumulative_share_pct)}
    if crossing == "upper":
        rule = _(
            "Rule in use: the account whose revenue crosses a cut-off stays in the upper tier."
        )
    else:
        rule = _(
            "Rule in use (the textbook one): an account stays in a tier while the cumulative "
            "share including it is within the cut-off; the one that crosses goes to the next "
            "tier."
        )
    return f"{fact} {rule}"
