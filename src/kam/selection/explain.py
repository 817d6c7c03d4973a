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
