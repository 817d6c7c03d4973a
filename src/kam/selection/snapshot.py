"""The AccountScore rows of a scoring run, built column by column from the pure modules'
arrays, in blocks the database stores while the next one is built."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kam.core.fields import dumps
from kam.selection import breakdown
from kam.selection.features import AccountFeatures
from kam.selection.flags import FlagReport
from kam.selection.scoring import ScoreResult
from kam.selection.tiering import NO_TIER, TierAssignment

BLOCK_ROWS = 10_000  # accounts per block of the write
FIRST_BLOCK_ROWS = 1_000  # smaller, so that the database starts storing sooner

# Stored to 4 places, as the pages show them at most.
FIGURES = (
    "margin_pct", "revenue_trend_pct", "growing_quarters_pct", "yoy_growth_pct",
    "sales_share_pct", "avg_days_late", "worst_days_late", "on_time_pct", "discount_pct",
    "discount_trend", "margin_trend",
)  # fmt: skip
# Money, rounded to the cent by the write (decimal columns, never floats).
AMOUNTS = ("revenue", "revenue_previous", "units", "cost_to_serve", "profit")


@dataclass(frozen=True)
class Scored:
    """Everything one run computed, position by position (account i is ``account_ids[i]``)."""

    run_id: int
    account_ids: NDArray[np.int64]
    features: AccountFeatures
    discounts: NDArray[np.float64]  # discounts and rebates over the current window
    share_of_wallet_pct: NDArray[np.float64]
    result: ScoreResult
    tiers: TierAssignment
    flags: FlagReport


def snapshot_blocks(
    scored: Scored, *, size: int = BLOCK_ROWS, first: int = FIRST_BLOCK_ROWS
) -> Iterator[dict]:
    """The run's AccountScore rows as column blocks of ``size`` accounts, the first one of
    ``first`` (see kam.core.bulk.insert_arrays for what each column holds)."""
    n = len(scored.account_ids)
    flagged = np.sort(np.fromiter(scored.flags.flags, dtype=np.int64))
    start = 0
    while start < n:
        stop = min(start + (first if start == 0 else size), n)
        yield _block(scored, slice(start, stop), flagged)
        start = stop


def _block(scored: Scored, part: slice, flagged: NDArray[np.int64]) -> dict:
    features, result, tiers = scored.features, scored.result, scored.tiers
    n = part.stop - part.start
    scheme_tiers = tiers.scheme.tiers
    tier = np.asarray(tiers.tier[part], dtype=np.int64)
    pick = np.where(tier != NO_TIER, tier, len(scheme_tiers))  # the last entry: no tier
    # Text as numpy arrays of UTF-8 bytes: looked up, not built, account by account.
    codes = np.array([t.code.encode() for t in scheme_tiers] + [b""])
    names = np.array([t.name.encode() for t in scheme_tiers] + [b""])
    keyed = np.array([bool(t.key) for t in scheme_tiers] + [False])
    rank = np.asarray(tiers.rank[part], dtype=np.float64)
    columns: dict = {
        "run_id": np.full(n, scored.run_id, dtype=np.int64),
        "account_id": scored.account_ids[part],
    }
    columns.update({name: getattr(features, name)[part] for name in AMOUNTS})
    columns.update({name: np.round(getattr(features, name)[part], 4) for name in FIGURES})
    columns.update(
        discounts=scored.discounts[part],
        share_of_wallet_pct=np.round(scored.share_of_wallet_pct[part], 4),
        score=np.round(result.score[part], 2),
        rank=np.where(rank == 0, np.nan, rank),  # 0: not ranked (knocked out, no score)
        tier_code=codes[pick],
        tier_name=names[pick],
        is_key=keyed[pick],
        tier_reason=np.char.encode(np.asarray(tiers.reason[part], dtype=str)),
        cumulative_share_pct=(
            np.full(n, np.nan)
            if tiers.cumulative_share_pct is None
            else np.round(tiers.cumulative_share_pct[part], 4)
        ),
        knocked_out=np.asarray(result.knocked_out[part], dtype=bool),
        breakdown=breakdown.pack(
            values=result.values[part],
            normalised=result.normalised[part],
            points=result.contributions[part],
        ),
        flags=_flags(scored.flags, part, flagged),
    )
    return columns


def _flags(flags: FlagReport, part: slice, flagged: NDArray[np.int64]) -> NDArray[np.bytes_]:
    """The block's flags as JSON text (UTF-8); only the flagged accounts need a json.dumps."""
    first, last = np.searchsorted(flagged, [part.start, part.stop])
    accounts = flagged[first:last].tolist()
    texts = [
        dumps(
            [
                {"code": str(f.code), "reasons": list(f.reasons), "facts": dict(f.facts)}
                for f in flags.for_account(i)
            ]
        ).encode()
        for i in accounts
    ]
    width = max(map(len, texts), default=2)
    column = np.full(part.stop - part.start, b"[]", dtype=f"S{width}")
    column[np.asarray(accounts, dtype=np.int64) - part.start] = texts
    return column
