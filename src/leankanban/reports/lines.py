"""The stand-up report's shape: every line and section `build_report` fills in.

Plain frozen data, no logic: the renderers in `reports.render` read these, and
SCHEMA.md documents them as JSON.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from leankanban.domain import sprints as sp
from leankanban.domain.model import (
    Activity,
    DealStatus,
    StageKind,
)
from leankanban.metrics import flow
from leankanban.metrics.flow import MIN_CLOSES, MIN_CYCLE_TIMES, AgeBand, Period, Sample
from leankanban.reports.policies import PolicySummary

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listing(Generic[T]):
    """One of the report's lists, capped: the `items` shown (most important first, at most
    the report's `limit`), and the whole list's size: `total` entries, worth `value` in the
    report's currency (each deal once; deals in other currencies left out).

    Iterating, `len()` and indexing see the shown items only; say `total` for the count.
    """

    items: tuple[T, ...] = ()
    total: int = 0
    value: Decimal = Decimal("0")

    @property
    def shown(self) -> int:
        return len(self.items)

    @property
    def capped(self) -> bool:
        """True when entries were left out (`shown` < `total`)."""
        return len(self.items) < self.total

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0

    def __getitem__(self, index: int) -> T:
        return self.items[index]


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
    #: The deal's value now (the moves are listed biggest first).
    value: Decimal
    currency: str
    #: What the deal is worth to the customer, in their terms, and as an amount if estimated.
    customer_value: str = ""
    customer_impact: Decimal | None = None


@dataclass(frozen=True, slots=True)
class NewDeal:
    deal_id: int | None
    title: str
    owner: str
    stage: str
    value: Decimal
    currency: str
    at: datetime
    #: What the deal is worth to the customer, in their terms, and as an amount if estimated.
    customer_value: str = ""
    customer_impact: Decimal | None = None


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
    #: What the deal is worth to the customer, in their terms, and as an amount if estimated.
    customer_value: str = ""
    customer_impact: Decimal | None = None


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
    """Deals finally closed in one ISO week: `lost` after commitment, `qualified_out` before."""

    week: str
    start: date
    days: int
    won: int
    lost: int
    qualified_out: int = 0

    @property
    def closed(self) -> int:
        return self.won + self.lost + self.qualified_out


@dataclass(frozen=True, slots=True)
class CycleTimeDays:
    """Nearest-rank percentiles in days of `count` cycle times; all None with fewer
    than `need` (`reason` says so)."""

    count: int
    p50: float | None = None
    p85: float | None = None
    p95: float | None = None
    mean: float | None = None
    need: int = MIN_CYCLE_TIMES

    @property
    def sample(self) -> Sample:
        return Sample(self.count, self.need)

    @property
    def reason(self) -> str | None:
        return self.sample.reason


@dataclass(frozen=True, slots=True)
class WinRateLine:
    """won / (won + lost after commitment) over the history; `rate` None (with `reason`)
    below `need` committed closes. Qualify-outs are counted apart, not in the rate."""

    won: int
    lost: int
    rate: float | None
    need: int = MIN_CLOSES

    @property
    def sample(self) -> Sample:
        return Sample(self.won + self.lost, self.need)

    @property
    def reason(self) -> str | None:
        return self.sample.reason


@dataclass(frozen=True, slots=True)
class StageQualifyOutLine:
    """One upstream stage over the history: of the `left` deals that left it, the
    `qualified_out` discarded from it; `rate` None (with `sample.reason`) below its need."""

    stage: str
    qualified_out: int
    left: int
    rate: float | None
    sample: Sample
    reasons: dict[str, int]


@dataclass(frozen=True, slots=True)
class QualifiedOutLine:
    """Deals discarded before they were ever committed (a good outcome, apart from `lost`).

    Over the history: `count`, `value`, `rate` (of the deals decided at the commitment
    point: these and the deals that started), `reasons`, the nearest-rank median days from
    creation to discard, and `by_stage` (upstream stages, board order). `period_count` and
    `period_value`: the ones since the last stand-up. Each undefined figure has its sample.
    """

    count: int
    value: Decimal
    rate: float | None
    rate_sample: Sample
    reasons: dict[str, int]
    median_days_to_discard: float | None
    median_sample: Sample
    by_stage: tuple[StageQualifyOutLine, ...]
    period_count: int = 0
    period_value: Decimal = Decimal("0")


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
    `wip_max` is their personal WIP limit, if a board sets one; `work` their work
    cards in progress on the other (work) boards, which count in that limit."""

    owner: str
    open: int
    active: int
    value: Decimal
    blocked: int
    stalled: int
    wip_max: int | None = None
    work: int = 0

    @property
    def over_limit(self) -> bool:
        return self.wip_max is not None and self.active + self.work > self.wip_max


@dataclass(frozen=True, slots=True)
class Forecast:
    """Monte Carlo over the history's daily closes (see metrics.forecast.forecast_deals):
    the committed closes for deals in active stages, every close when upstream ones count.

    `done_*`: when the `items` deals will all be closed; `closes_*` and
    `won_value_*`: how many of them close, and how much of their `value` is won,
    by `horizon` (85% = at least this much in 85% of trials); all None when
    `reason` says there is not enough history.
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
    #: The value of the `items` deals (in the report's currency): `won_value_*` never exceed it.
    value: Decimal = Decimal("0")
    #: The closes drawn from, against the fewest a forecast needs; below it every figure is None.
    sample: Sample = field(default_factory=lambda: Sample(0, MIN_CLOSES))
    #: Which closes are sampled: `committed` (wins and losses after commitment: the default,
    #: for active stages) or `all` (qualify-outs too: when an upstream stage is forecast).
    sampled: str = "committed"

    @property
    def reason(self) -> str | None:
        return self.sample.reason


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
    #: What the deal is worth to the customer, in their terms, and as an amount if estimated.
    customer_value: str = ""
    customer_impact: Decimal | None = None


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
    """Sales velocity over the history: open_deals x avg_won_value x win_rate / avg_cycle_days.
    `per_day` is None when `reason` is set (too few committed closes, no win)."""

    per_day: Decimal | None
    open_deals: int
    avg_won_value: Decimal | None
    win_rate: float | None
    avg_cycle_days: float | None
    sample: Sample = field(default_factory=lambda: Sample(0, MIN_CLOSES))
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class StageDiscardLine:
    """Every loss from one stage over the history; `rate` = lost / left, None (with the
    sample's reason) below its need of deals that left the stage."""

    stage: str
    lost: int
    left: int
    rate: float | None
    reasons: dict[str, int]
    sample: Sample = field(default_factory=lambda: Sample(0, MIN_CLOSES))


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
    sample: Sample = Sample(0, MIN_CLOSES)


@dataclass(frozen=True, slots=True)
class StageDaysLine:
    """Days the deals closed in the history spent in one stage (summed over repeat visits):
    nearest-rank percentiles over the `count` deals that were ever in it; None (and
    `sample.reason` set) below MIN_CYCLE_TIMES of them, as for the cycle time."""

    stage: str
    count: int
    p50: float | None
    p85: float | None
    p95: float | None
    mean: float | None
    sample: Sample = Sample(0, MIN_CYCLE_TIMES)


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
    #: `2 of 3 months met the goal` (domain.sprints.Insights.cadence).
    cadence: str = ""


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What the report needs besides deals and events, read by the services and passed
    in as plain values so `build_report` stays pure (all optional)."""

    target_allocation: Mapping[Activity, int] | None = None
    time_allocation: tuple[sp.Allocation, ...] = ()
    sprint: sp.Sprint | None = None
    burn_up: tuple[sp.BurnUpPoint, ...] = ()
    insights: sp.Insights | None = None
    #: People's WIP limits on every board and their work cards in progress on the other
    #: boards, by name casefolded (domain/work.py); None: the board's own limits only.
    person_limits: Mapping[str, int] | None = None
    work_cards: Mapping[str, int] | None = None


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
    moved: Listing[Move]
    new_deals: Listing[NewDeal]
    won: Won
    #: Lost after commitment (the qualify-outs are in `qualified_out`).
    lost: Lost
    win_rate: WinRateLine
    win_rate_by_owner: dict[str, WinRateLine]
    throughput_per_week: tuple[WeekLine, ...]
    cycle_time_days: CycleTimeDays
    blocked: Listing[BlockedDeal]
    stalled: Listing[StalledDeal]
    stall_days: int
    ageing: Listing[AgeingDeal]
    wip_breaches: tuple[WipAlert, ...]
    under_minimum: tuple[WipAlert, ...]
    load: tuple[Load, ...]
    forecast: Forecast
    deals: Listing[DealLine]
    next_steps: Listing[NextStep] = Listing()
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
    win_rate_by_type: dict[str, WinRateLine] = field(default_factory=dict)
    win_rate_by_source: dict[str, WinRateLine] = field(default_factory=dict)
    #: Deals discarded before they were committed, over the history (and since the stand-up).
    qualified_out: QualifiedOutLine | None = None
    #: The board's policies, briefly (None for a report built from a board's bare name).
    policies: PolicySummary | None = None
