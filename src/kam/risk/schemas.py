from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema

from kam.api.fields import Text


class HealthSignalOut(Schema):
    key: str
    name: str
    value: float | None = Field(description="None: unknown, left out of the health")
    points: float | None
    weight_pct: float
    contribution: float
    sentence: str


class HealthOut(Schema):
    account: UUID
    computed_at: datetime | None
    score: float | None = Field(description="0-100; None when no signal is known")
    band: str = Field(description="healthy, watch, at_risk or unknown")
    trend: str = Field(description="rising, steady, falling or unknown")
    change: float | None
    signals: list[HealthSignalOut]
    unknown: list[str]
    history: list[dict]


class LossInputOut(Schema):
    key: str
    name: str
    value: float | None
    log_odds: float
    odds_factor: float
    sentence: str


class LossOverrideOut(Schema):
    probability: float | None
    reason: str
    cleared: bool
    by: str | None
    at: datetime


class LossOut(Schema):
    account: UUID
    probability: float = Field(description="In force: the override's when set, else the model's")
    model_probability: float
    base_rate: float
    inputs: list[LossInputOut]
    override: LossOverrideOut | None
    history: list[LossOverrideOut]


class LossOverrideIn(Schema):
    probability: float | None = Field(
        None, ge=0, le=1, description="0-1; leave out with clear=true to go back to the model"
    )
    reason: Text = Field(..., min_length=1, max_length=2000)
    clear: bool = False


class ScenarioIn(Schema):
    accounts: list[Text] = Field(default_factory=list, max_length=1000, description="codes")
    groups: list[Text] = Field(
        default_factory=list, max_length=1000, description="codes of any member of the group"
    )
    top: int | None = Field(None, ge=1, le=1000)
    share: float | None = Field(
        None, gt=0, le=1, description="lose this share of the named accounts' volume"
    )
    recovery: float = Field(0, ge=0, le=1)


class ScenarioQuarterOut(Schema):
    quarter: int
    revenue: float
    revenue_after: float
    margin: float
    margin_after: float
    contribution: float
    contribution_after: float
    fixed_costs: float
    result_after: float
    fixed_share_after_pct: float | None


class ScenarioLostOut(Schema):
    code: str
    name: str
    share: float
    revenue: float


class ScenarioReplacementOut(Schema):
    code: str
    name: str
    headroom: float
    growth: float


class ScenarioOut(Schema):
    revenue_lost: float
    margin_lost: float
    contribution_lost: float
    revenue_lost_pct: float
    quarters: list[ScenarioQuarterOut]
    lost: list[ScenarioLostOut]
    replacements: list[ScenarioReplacementOut]
    years_to_replace: float | None


class SavedScenarioIn(ScenarioIn):
    name: Text = Field(..., min_length=1, max_length=120)


class SavedScenarioOut(Schema):
    id: UUID
    name: str
    created_at: datetime
    by: str | None
    params: dict = Field(description="accounts, groups, top, share, recovery, fixed_costs")
    result: ScenarioOut


class ScenarioCompareRowOut(Schema):
    quarter: int
    measure: str = Field(
        description="revenue_after, margin_after, contribution_after or result_after"
    )
    values: list[float | None] = Field(description="one per scenario, in the order asked")


class ScenarioCompareQuery(Schema):
    ids: list[UUID] = Field(..., min_length=2, max_length=4, description="saved scenarios")


class ScenarioCompareOut(Schema):
    scenarios: list[SavedScenarioOut]
    rows: list[ScenarioCompareRowOut]


class SimulationIn(Schema):
    scenarios: int = Field(10_000, ge=100, le=1_000_000)
    seed: int = Field(0, ge=0, le=2**32 - 1)


class SimulationOut(Schema):
    id: UUID
    created_at: datetime
    scenarios: int
    seed: int
    correlation: float
    correlate_by: str
    accounts: int
    total_revenue: float
    result: dict

    @staticmethod
    def resolve_id(run) -> UUID:
        return run.public_id


class PowerQuarterOut(Schema):
    quarter: str
    sales_share_pct: float = Field(description="its share of our sales, %")
    wallet_share_pct: float | None = Field(
        description="our share of its wallet, % (the quarter a year); None: wallet unknown"
    )


class PowerOut(Schema):
    account: UUID
    code: str
    name: str
    quarters: list[PowerQuarterOut]
    sales_change: float | None = Field(description="points, first quarter to last")
    wallet_change: float | None = Field(description="points; None when unknown at either end")
    holder: str = Field(description="them, us or unknown: who holds the big stick")
    backdated: bool = Field(description="earlier quarters use the first wallet estimate")


class RiskSettingsOut(Schema):
    version: int
    values: dict[str, float | str] = Field(
        description="watch_below, at_risk_below, base_rate, correlation, correlate_by, "
        "fixed_costs, contingency_above, weight_<signal> per health signal, coef_<input> per "
        "loss model input"
    )


class RiskSettingsChange(Schema):
    values: dict[str, float | str] = Field(
        ..., description="the settings to change, named as in RiskSettingsOut.values"
    )
    version: int | None = Field(None, description="the version read; None: last write wins")
