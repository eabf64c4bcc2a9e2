"""The stand-up report's shape: every line and section `build_report` fills in.

Plain frozen data, no logic: the renderers in `reports.render` read these, and
SCHEMA.md documents them as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from leankanban.domain import sprints as sp
from leankanban.domain.model import (
    Activity,
    DealStatus,
    StageKind,
)
from leankanban.metrics import flow
from leankanban.metrics.flow import AgeBand, Period


@dataclass(frozen=True, slots=True)
class StageLine:
    """One column. `count`/`value` are the open deals in it now; for a won or
    lost stage, the deals that reached it during the period."""

    name: str
    kind: StageKind
    upstream: bool
    count: int
    value: Decimal
    weighted_value: Decimal
    probability: Decimal
    wip_min: int | None
    wip_max: int | None
    wip_state: str


@dataclass(frozen=True, slots=True)
class Move:
    deal_id: int | None
    title: str
    owner: str
    from_stage: str | None
    to_stage: str
    at: datetime


@dataclass(frozen=True, slots=True)
class NewDeal:
    deal_id: int | None
    title: str
    owner: str
    stage: str
    value: Decimal
    currency: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Closed:
    deal_id: int | None
    title: str
    owner: str
    value: Decimal
    currency: str
    at: datetime
    reason: str | None = None
    from_stage: str | None = None


@dataclass(frozen=True, slots=True)
class Won:
    count: int
    value: Decimal
    deals: tuple[Closed, ...]


@dataclass(frozen=True, slots=True)
class Lost:
    count: int
    value: Decimal
    reasons: dict[str, int]
    deals: tuple[Closed, ...]


@dataclass(frozen=True, slots=True)
class WeekLine:
    week: str
    start: date
    days: int
    won: int
    lost: int

    @property
    def closed(self) -> int:
        return self.won + self.lost


@dataclass(frozen=True, slots=True)
class CycleTimeDays:
    """Nearest-rank percentiles in days; all None with no closes."""

    count: int
    p50: float | None = None
    p85: float | None = None
    p95: float | None = None
    mean: float | None = None


@dataclass(frozen=True, slots=True)
class BlockedDeal:
    deal_id: int | None
    title: str
    owner: str
    stage: str
    since: datetime | None
    days: float
    reason: str | None


@dataclass(frozen=True, slots=True)
class StalledDeal:
    deal_id: int | None
    title: str
    owner: str
    stage: str
    value: Decimal
    currency: str
    last_activity: datetime
    idle_days: float


@dataclass(frozen=True, slots=True)
class AgeingDeal:
    deal_id: int | None
    title: str
    owner: str
    stage: str
    age_days: float
    band: AgeBand


@dataclass(frozen=True, slots=True)
class WipAlert:
    stage: str
    count: int
    limit: int


@dataclass(frozen=True, slots=True)
class Load:
    """One person's open work. `active` counts deals past the upstream stages;
    `wip_max` is their personal WIP limit, if the board sets one."""

    owner: str
    open: int
    active: int
    value: Decimal
    blocked: int
    stalled: int
    wip_max: int | None = None

    @property
    def over_limit(self) -> bool:
        return self.wip_max is not None and self.active > self.wip_max


@dataclass(frozen=True, slots=True)
class Forecast:
    """Monte Carlo over the history's daily closes (see metrics.forecast).

    `done_*`: when the `items` deals in progress will all be closed;
    `closes_*` and `won_value_*`: by `horizon` (85% = at least this much in
    85% of trials).
    """

    trials: int
    seed: int | None
    no_throughput: bool
    items: int
    done_p50: date | None
    done_p85: date | None
    done_p95: date | None
    horizon: date
    closes_p50: int | None
    closes_p85: int | None
    closes_p95: int | None
    won_value_p50: Decimal | None
    won_value_p85: Decimal | None
    won_value_p95: Decimal | None
    #: Share of trials in which the `items` were not all done within the forecast's horizon.
    beyond_horizon: float = 0.0


@dataclass(frozen=True, slots=True)
class DealLine:
    """One row of the per-deal table: every open deal, and deals closed in the period."""

    deal_id: int | None
    title: str
    account: str
    owner: str
    stage: str
    status: DealStatus
    value: Decimal
    currency: str
    age_days: float
    age_band: AgeBand
    blocked: bool
    idle_days: float
    next_step: str
    closed_at: datetime | None
    #: The deal's own win probability in percent; None: its stage's.
    probability: int | None = None


@dataclass(frozen=True, slots=True)
class NextStep:
    """An open deal whose next step is due today (`days_overdue` 0) or earlier."""

    deal_id: int | None
    title: str
    owner: str
    stage: str
    next_step: str
    due: date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class VelocityLine:
    """Sales velocity over the history: open_deals x avg_won_value x win_rate / avg_cycle_days."""

    per_day: Decimal | None
    open_deals: int
    avg_won_value: Decimal | None
    win_rate: float | None
    avg_cycle_days: float | None


@dataclass(frozen=True, slots=True)
class StageDiscardLine:
    stage: str
    lost: int
    left: int
    rate: float | None
    reasons: dict[str, int]


@dataclass(frozen=True, slots=True)
class DiscardLine:
    """Where deals are qualified out over the history."""

    total: int
    by_stage: tuple[StageDiscardLine, ...]
    reasons: dict[str, int]


@dataclass(frozen=True, slots=True)
class StalledShare:
    count: int
    open_count: int
    value: Decimal
    open_value: Decimal
    share_count: float | None
    share_value: float | None


@dataclass(frozen=True, slots=True)
class SalesMetrics:
    """Key sales numbers over the history window (see metrics/DEFINITIONS.md)."""

    velocity: VelocityLine
    pipeline_value: Decimal
    weighted_pipeline: Decimal
    pipeline_target: Decimal | None
    coverage: float | None
    weighted_coverage: float | None
    discards: DiscardLine
    stalled: StalledShare


@dataclass(frozen=True, slots=True)
class LittlesLawLine:
    avg_wip: float
    avg_throughput_per_day: float
    predicted_days: float | None
    observed_days: float | None
    ratio: float | None


@dataclass(frozen=True, slots=True)
class StageDaysLine:
    """Days the deals closed in the history spent in one stage (summed over repeat visits):
    nearest-rank percentiles over the `count` deals that were ever in it."""

    stage: str
    count: int
    p50: float
    p85: float
    p95: float
    mean: float


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One category of one person (or the team): logged time and pipeline value, each
    a share (0..1, None when undefined) beside its target (metrics.effectiveness).
    Support is time only: its `value`, `deals`, `value_share` and `value_target` are None."""

    activity: Activity
    minutes: int
    time_share: float | None
    time_target: float | None
    value: Decimal | None
    deals: int | None
    value_share: float | None
    value_target: float | None


@dataclass(frozen=True, slots=True)
class EffectivenessLine:
    """One person's (`person` '' = the team's) time and pipeline mix over the history window.

    `time_reason` / `value_reason` say why the shares are undefined (no time logged;
    no pipeline value created or advanced), else None."""

    person: str
    total_minutes: int
    time_reason: str | None
    pipeline_value: Decimal
    won_value: Decimal
    value_reason: str | None
    activities: tuple[ActivityLine, ...]


@dataclass(frozen=True, slots=True)
class Effectiveness:
    """Time (per who logged it) and pipeline value (per owner, in `currency`) by category,
    per person and for the team, against the board's target allocation (fractions 0..1;
    `value_target` is the target renormalised over origination and influence)."""

    currency: str
    target: dict[Activity, float] | None
    value_target: dict[Activity, float] | None
    people: tuple[EffectivenessLine, ...]
    team: EffectivenessLine


@dataclass(frozen=True, slots=True)
class CapacityLine:
    """Expected wins per week (next `weeks`) against delivery capacity (metrics.forecast.Capacity)."""

    capacity_per_week: int
    weeks: int
    no_throughput: bool
    wins_per_week_p50: float | None
    wins_per_week_p85: float | None
    verdict: str


@dataclass(frozen=True, slots=True)
class BurnUpLine:
    day: date
    won_value: Decimal
    ideal_value: Decimal | None
    objectives_done: int


@dataclass(frozen=True, slots=True)
class SprintLine:
    number: int
    status: str
    goal: str
    start: date
    end: date
    target_value: Decimal | None
    objectives_met: int
    objectives_total: int
    objectives: tuple[tuple[str, bool], ...]
    burn_up: tuple[BurnUpLine, ...]


@dataclass(frozen=True, slots=True)
class InsightsLine:
    """lk.insights over the period (domain.sprints.Insights)."""

    loss_reasons: tuple[tuple[str, int], ...]
    retro_tags: tuple[tuple[str, int], ...]
    top_discard_stage: tuple[str, int] | None
    win_rate_by_tag: dict[str, float]
    improvements_per_month: tuple[tuple[str, int], ...]
    months_meeting_goal: int
    months: int
    goal_per_month: int = 1


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What the report needs besides deals and events, read by the services and passed
    in as plain values so `build_report` stays pure (all optional)."""

    target_allocation: Mapping[Activity, int] | None = None
    time_allocation: tuple[sp.Allocation, ...] = ()
    sprint: sp.Sprint | None = None
    burn_up: tuple[sp.BurnUpPoint, ...] = ()
    insights: sp.Insights | None = None


@dataclass(frozen=True, slots=True)
class StandupReport:
    generated_at: datetime
    board: str
    owner: str | None
    currency: str
    #: Deals in other currencies: counted, but left out of every money total.
    other_currency_deals: int
    period: Period
    history: Period
    stages: tuple[StageLine, ...]
    moved: tuple[Move, ...]
    new_deals: tuple[NewDeal, ...]
    won: Won
    lost: Lost
    win_rate: float | None
    win_rate_by_owner: dict[str, float | None]
    throughput_per_week: tuple[WeekLine, ...]
    cycle_time_days: CycleTimeDays
    blocked: tuple[BlockedDeal, ...]
    stalled: tuple[StalledDeal, ...]
    stall_days: int
    ageing: tuple[AgeingDeal, ...]
    wip_breaches: tuple[WipAlert, ...]
    under_minimum: tuple[WipAlert, ...]
    load: tuple[Load, ...]
    forecast: Forecast
    deals: tuple[DealLine, ...]
    next_steps: tuple[NextStep, ...] = ()
    sales: SalesMetrics | None = None
    littles_law: LittlesLawLine | None = None
    effectiveness: Effectiveness | None = None
    capacity: CapacityLine | None = None
    sprint: SprintLine | None = None
    insights: InsightsLine | None = None
    #: Time in each stage (board order) of the deals closed in the history.
    stage_days: tuple[StageDaysLine, ...] = ()
    blocked_time: flow.BlockedTotals | None = None
    #: Win rate over the history by deal type, and by where the deal came from (the system it
    #: was imported from, or "leankanban" for a deal added here).
    win_rate_by_type: dict[str, float | None] = field(default_factory=dict)
    win_rate_by_source: dict[str, float | None] = field(default_factory=dict)
