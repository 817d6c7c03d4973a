"""Each account's score breakdown, packed into a few bytes per criterion for the snapshot.

A scoring run stores the breakdown of 100,000 accounts at once. As JSON (``{"key": ...,
"value": ..., "normalised": ..., "points": ...}`` per criterion) it was 700 bytes a row and
most of the run's time in the database. Packed, each criterion takes 17 bytes, best first:

- ``key``: the criterion's position in the run's list of keys (``ScoringRun.criterion_keys``);
- ``value``: the raw value (float64, as computed; NaN when missing);
- ``normalised`` and ``points``: rounded to 2 decimals, as the pages show them, and kept as
  float32, which holds such 0-100 figures exactly enough to round back to the same decimals.

:func:`unpack` gives back the list of dicts the pages, exports and API have always read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where it is used: every command loads this module
    import numpy as np
    from numpy.typing import NDArray

MAX_CRITERIA = 255  # the key position is one byte


@cache
def record() -> np.dtype:
    """One criterion's 17 bytes: key, value, normalised, points."""
    import numpy as np

    return np.dtype([("key", "u1"), ("value", "<f8"), ("normalised", "<f4"), ("points", "<f4")])


def pack(
    *, values: NDArray[np.float64], normalised: NDArray[np.float64], points: NDArray[np.float64]
) -> NDArray[np.uint8]:
    """One packed breakdown per account: ``(n_accounts, n_criteria)`` arrays in, a
    ``(n_accounts, 17 * n_criteria)`` byte matrix out, each row's criteria best first (ties to
    the criterion listed first, as ``ScoreResult.top_contributions`` orders them)."""
    import numpy as np

    layout = record()
    points = np.asarray(points, dtype=np.float64)
    n, k = points.shape
    if k > MAX_CRITERIA:
        raise ValueError(f"a breakdown holds at most {MAX_CRITERIA} criteria")
    order = np.argsort(-points, axis=1, kind="stable")

    def best_first(array: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.take_along_axis(np.asarray(array, dtype=np.float64), order, axis=1)

    records = np.empty((n, k), dtype=layout)
    records["key"] = order
    records["value"] = best_first(values)
    rounded = np.round(best_first(normalised), 2)
    records["normalised"] = np.where(rounded < 0, np.nan, rounded)  # below 0: not scored
    records["points"] = np.round(best_first(points), 2)
    return records.view(np.uint8).reshape(n, k * layout.itemsize)


def unpack(packed: bytes | memoryview, keys: Sequence[str]) -> list[dict]:
    """The breakdown as the pages read it: ``[{"key", "value", "normalised", "points"}]``,
    best first; a missing value or normalised value is ``None``."""
    import numpy as np

    return [
        {
            "key": keys[key],
            "value": value if math.isfinite(value) else None,
            "normalised": round(normalised, 2) if math.isfinite(normalised) else None,
            "points": round(points, 2),
        }
        for key, value, normalised, points in np.frombuffer(packed, dtype=record()).tolist()
    ]
