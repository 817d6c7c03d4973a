"""Probability of losing each account in the next 12 months (issue 13 item 5): a logistic model.

    log-odds = intercept + sum over inputs of coefficient x (value - centre)

with each value clipped to its range first. Defaults (``DEFAULT_MODEL``), all configurable:

=============== ======== ======= ========= ==================================================
input           centre   range   coeff.    reading
=============== ======== ======= ========= ==================================================
health          50       0-100   -0.05     10 points below 50 multiply the odds by 1.65
exit barriers   50       0-100   -0.02     no barriers (0) multiply the odds by 2.7
days late       0        0-90    +0.03     30 days late multiply the odds by 2.5
revenue trend   0        -20-20  -0.08     -10% a quarter multiplies the odds by 2.2
=============== ======== ======= ========= ==================================================

The intercept is the log-odds of the base rate (8% a year: an account at every centre).

**An unknown input contributes nothing**: it is taken at its centre (so neither raises nor
lowers the odds) and reported as unknown. Each input's contribution is its term of the
log-odds; the pages say it as "multiplies the odds by exp(term)".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Input:
    key: str
    coefficient: float
    centre: float
    low: float
    high: float


@dataclass(frozen=True)
class LossModel:
    base_rate: float
    inputs: tuple[Input, ...]

    def __post_init__(self) -> None:
        if not 0 < self.base_rate < 1:
            raise ValueError("the base rate must be between 0 and 1, both excluded")
        for i in self.inputs:
            if not i.low <= i.centre <= i.high or not math.isfinite(i.coefficient):
                raise ValueError(f"{i.key}: the centre must lie in the range")

    @property
    def intercept(self) -> float:
        return math.log(self.base_rate / (1 - self.base_rate))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.inputs)


DEFAULT_MODEL = LossModel(
    base_rate=0.08,
    inputs=(
        Input("health", -0.05, 50.0, 0.0, 100.0),
        Input("barriers", -0.02, 50.0, 0.0, 100.0),
        Input("days_late", 0.03, 0.0, 0.0, 90.0),
        Input("revenue_trend", -0.08, 0.0, -20.0, 20.0),
    ),
)


@dataclass(frozen=True)
class LossResult:
    model: LossModel
    values: FloatArray  # (n, k) raw, NaN unknown
    terms: FloatArray  # (n, k) log-odds contributions, 0 when unknown
    probability: FloatArray  # (n,)

    def account(self, i: int) -> dict:
        return {
            "probability": float(self.probability[i]),
            "base_rate": self.model.base_rate,
            "inputs": [
                {
                    "key": inp.key,
                    "value": None if np.isnan(self.values[i, j]) else float(self.values[i, j]),
                    "log_odds": float(self.terms[i, j]),
                    "odds_factor": float(np.exp(self.terms[i, j])),
                }
                for j, inp in enumerate(self.model.inputs)
            ],
        }


def loss_probability(
    values: Mapping[str, ArrayLike], *, model: LossModel = DEFAULT_MODEL
) -> LossResult:
    """Each account's probability of being lost in 12 months; ``values`` by input key."""
    matrix = np.column_stack(
        [np.asarray(values[i.key], dtype=np.float64).reshape(-1) for i in model.inputs]
    )
    low = np.array([i.low for i in model.inputs])
    high = np.array([i.high for i in model.inputs])
    centre = np.array([i.centre for i in model.inputs])
    coeff = np.array([i.coefficient for i in model.inputs])
    clipped = np.where(np.isnan(matrix), centre, np.clip(matrix, low, high))
    terms = (clipped - centre) * coeff
    log_odds = model.intercept + terms.sum(axis=1)
    return LossResult(
        model=model, values=matrix, terms=terms, probability=1.0 / (1.0 + np.exp(-log_odds))
    )
