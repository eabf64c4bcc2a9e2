"""Flow metrics: cumulative flow, throughput, cycle time, age, blocks, Little's law.

They are read over deal timelines (metrics/timelines.py, whose names are
importable from here too).

Everything here is a pure function of timelines, periods and an explicit
`now`; the conventions (when a deal starts and finishes, reopened deals,
nearest-rank percentiles, calendar days in `tz`) are in timelines.py and
DEFINITIONS.md.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from operator import attrgetter

from leankanban.domain.model import Deal, DealStatus, Stage
from leankanban.metrics.timelines import (  # flow is read over timelines; importable from here too
    DAY_SECONDS,
    UNSPECIFIED,
    BlockSpan,
    Percentiles,
    Period,
    StageVisit,
    Timeline,
    _ordered,
    aware,
    day_of,
    days_between,
    end_of_day,
    is_active,
    percentile,
    percentiles,
    stage_counts,
    timelines,
)

__all__ = [
    "AgeBand",
    "BlockSpan",
    "BlockedTime",
    "BlockedTotals",
    "CycleTime",
    "DAY_SECONDS",
    "DayThroughput",
    "FlowDay",
    "LittlesLaw",
    "MIN_CLOSES",
    "MIN_CYCLE_TIMES",
    "Percentiles",
    "Period",
    "Sample",
    "StageVisit",
    "Throughput",
    "Timeline",
    "UNSPECIFIED",
    "WeekThroughput",
    "WorkItemAge",
    "active_by_name",
    "age_band",
    "aware",
    "blocked_now",
    "blocked_time",
    "blocked_totals",
    "by_key",
    "closed_in",
    "committed_close",
    "cumulative_flow",
    "cycle_time_percentiles",
    "cycle_times",
    "daily_counts",
    "day_of",
    "days_between",
    "end_of_day",
    "is_active",
    "littles_law",
    "percentile",
    "percentiles",
    "stage_time_percentiles",
    "throughput_per_day",
    "throughput_per_week",
    "time_in_stages",
    "timelines",
    "wip_per_day",
    "work_item_ages",
]


# -- how much history a statistic needs --------------------------------------

#: The fewest outcomes a rate, an average or a forecast is computed from: the win rate
#: (committed closes), the qualify-out rate (deals that left the upstream or a stage),
#: the median days to discard (qualified out), sales velocity (committed closes) and
#: the Monte Carlo forecasts (closes sampled). With 5, one more outcome moves a rate by
#: at most a sixth; with fewer, one deal swings it by 25 points or more.
MIN_CLOSES = 5
#: The fewest cycle times the p50/p85/p95 and the age bands are read from: below 10,
#: the nearest-rank p85 and p95 are both the single longest cycle.
MIN_CYCLE_TIMES = 10


@dataclass(frozen=True, slots=True)
class Sample:
    """How many observations (`n`, of what: `noun`) a statistic is read from, against the
    fewest it needs (`need`). `reason` says why it is undefined, or None when it is not."""

    n: int
    need: int
    noun: str = "closed"

    @property
    def enough(self) -> bool:
        return self.n >= self.need and self.n > 0

    @property
    def reason(self) -> str | None:
        return None if self.enough else f"not enough history ({self.n:,} {self.noun}, need {self.need:,})"


# -- cumulative flow -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowDay:
    """How many deals were in each stage at the end of `day`."""

    day: date
    counts: dict[str, int]


def cumulative_flow(
    stages: Iterable[Stage],
    lines: Iterable[Timeline],
    days: Iterable[date],
    *,
    now: datetime,
    tz: tzinfo = UTC,
) -> list[FlowDay]:
    """Deals per stage at the end of each day (or at `now` for today).

    Every board stage appears in every row, in board order, zeros included;
    a stage the board no longer has (renamed or removed) is added after them
    when a deal was in it. Deals not yet created on a day are not counted.
    """
    lines, days = list(lines), list(days)
    names = [s.name for s in _ordered(stages)]
    known = set(names)
    # The snapshot is taken just before `moment`: an event at midnight belongs to the next day.
    moments = [min(end_of_day(day, tz), now) - timedelta(microseconds=1) for day in days]
    gone = [line for line in lines if any(v.stage not in known for v in line.visits)]
    rows = []
    for day, moment, found in zip(days, moments, stage_counts(lines, moments), strict=True):
        counts = dict.fromkeys(names, 0)
        counts.update((name, count) for name, count in found.items() if name in known)
        if any(name not in known for name in found):
            # Stages the board no longer has, in the order the deals meet them (as the chart lists them).
            for line in gone:
                stage = line.stage_at(moment)
                if stage is not None and stage not in counts:
                    counts[stage] = found[stage]
        rows.append(FlowDay(day, counts))
    return rows


# -- throughput ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Throughput:
    """Deals closed in a bucket: won plus lost (discarded). `qualified_out`: how many of
    the `lost` were discarded before they ever started (see committed_close)."""

    won: int = 0
    lost: int = 0
    qualified_out: int = 0

    @property
    def closed(self) -> int:
        return self.won + self.lost


@dataclass(frozen=True, slots=True)
class DayThroughput(Throughput):
    day: date = date.min


@dataclass(frozen=True, slots=True)
class WeekThroughput(Throughput):
    """An ISO week; `days` says how many of its days the period covered."""

    year: int = 0
    week: int = 0
    start: date = date.min
    days: int = 7

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def closed_in(lines: Iterable[Timeline], period: Period) -> list[Timeline]:
    """Deals whose final close falls in `period`."""
    start, end = period.start, period.end  # `in period`, written out: this runs a few dozen times a report
    return [line for line in lines if line.closed_at is not None and start <= line.closed_at < end]


def committed_close(line: Timeline) -> bool:
    """A final close that counts in the win rate: a win, or a loss after the deal started
    (crossed the commitment point). A loss before it started is a qualify-out."""
    return line.status is DealStatus.WON or (line.status is DealStatus.LOST and line.started)


def throughput_per_day(
    lines: Iterable[Timeline],
    period: Period,
    *,
    tz: tzinfo = UTC,
    only_started: bool = False,
    only_committed: bool = False,
) -> list[DayThroughput]:
    """Closes per calendar day of `period`, zero days included.

    With `only_started`, deals that closed without ever entering an active
    stage (e.g. discarded straight from Leads) are left out: the throughput
    of the work in progress, as Little's law reads it. With `only_committed`,
    only the committed closes (`committed_close`: wins, and losses after the
    start) are counted: the qualify-outs are left out, as the forecast of
    committed deals samples them.
    """
    won: dict[date, int] = {}
    lost: dict[date, int] = {}
    out: dict[date, int] = {}
    for line in closed_in(lines, period):
        committed = committed_close(line)
        if (only_started and not line.started) or (only_committed and not committed):
            continue
        bucket = won if line.status is DealStatus.WON else lost
        day = day_of(line.closed_at, tz)  # type: ignore[arg-type]
        bucket[day] = bucket.get(day, 0) + 1
        if not committed:
            out[day] = out.get(day, 0) + 1
    return [DayThroughput(won=won.get(d, 0), lost=lost.get(d, 0), qualified_out=out.get(d, 0), day=d)
            for d in period.days(tz)]


def throughput_per_week(
    lines: Iterable[Timeline], period: Period, *, tz: tzinfo = UTC
) -> list[WeekThroughput]:
    """Closes per ISO week (Monday to Sunday) of `period`, zero weeks included."""
    weeks: dict[tuple[int, int], list[DayThroughput]] = {}
    for row in throughput_per_day(lines, period, tz=tz):
        iso = row.day.isocalendar()
        weeks.setdefault((iso.year, iso.week), []).append(row)
    return [
        WeekThroughput(
            won=sum(r.won for r in rows),
            lost=sum(r.lost for r in rows),
            qualified_out=sum(r.qualified_out for r in rows),
            year=year,
            week=week,
            start=date.fromisocalendar(year, week, 1),
            days=len(rows),
        )
        for (year, week), rows in weeks.items()
    ]


def daily_counts(
    lines: Iterable[Timeline],
    period: Period,
    *,
    tz: tzinfo = UTC,
    outcome: DealStatus | None = None,
    only_committed: bool = False,
) -> list[int]:
    """Closed (or only won/lost) deals per day of `period`: a forecast's history.
    `only_committed` leaves out the qualify-outs (see throughput_per_day)."""
    rows = throughput_per_day(lines, period, tz=tz, only_committed=only_committed)
    if outcome is DealStatus.WON:
        return [r.won for r in rows]
    if outcome is DealStatus.LOST:
        return [r.lost for r in rows]
    return [r.closed for r in rows]


# -- cycle time ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CycleTime:
    deal: Deal
    started_at: datetime
    closed_at: datetime
    outcome: DealStatus
    days: float


def cycle_times(
    lines: Iterable[Timeline], period: Period, *, outcome: DealStatus | None = None
) -> list[CycleTime]:
    """Start-to-final-close time of deals that closed in `period`.

    Deals that closed without ever starting (never in an active stage) have
    no cycle time and are left out. `outcome` keeps only won or only lost.
    """
    result = []
    for line in closed_in(lines, period):
        if line.started_at is None or (outcome is not None and line.status is not outcome):
            continue
        assert line.closed_at is not None
        result.append(
            CycleTime(
                deal=line.deal,
                started_at=line.started_at,
                closed_at=line.closed_at,
                outcome=line.status,
                days=days_between(line.started_at, line.closed_at),
            )
        )
    return result


def cycle_time_percentiles(
    lines: Iterable[Timeline], period: Period, *, outcome: DealStatus | None = None
) -> Percentiles | None:
    """p50/p85/p95 (nearest rank) of cycle times in days; None with no closes."""
    return percentiles([c.days for c in cycle_times(lines, period, outcome=outcome)])


def time_in_stages(line: Timeline, now: datetime) -> dict[str, float]:
    """Days the deal spent in each stage, summed over repeat visits.

    The current visit of an open deal runs until `now`; time sitting in a
    closed outcome after the final close is not counted.
    """
    spent: dict[str, float] = {}
    visits = line.visits if line.is_open else line.visits[:-1]
    for visit in visits:
        spent[visit.stage] = spent.get(visit.stage, 0.0) + visit.days(now)
    return spent


def stage_time_percentiles(lines: Iterable[Timeline], now: datetime) -> dict[str, Percentiles]:
    """Per stage, percentiles of the total days each visiting deal spent there."""
    per_stage: dict[str, list[float]] = {}
    for line in lines:
        for stage, days in time_in_stages(line, now).items():
            per_stage.setdefault(stage, []).append(days)
    return {stage: p for stage, values in per_stage.items() if (p := percentiles(values)) is not None}


# -- work item age ---------------------------------------------------------


class AgeBand(str, enum.Enum):
    """Where an open deal's age sits against the cycle-time percentiles."""

    BELOW_P50 = "below_p50"
    P50_P85 = "p50_p85"
    P85_P95 = "p85_p95"
    ABOVE_P95 = "above_p95"
    UNKNOWN = "unknown"


# WorkItemAge and BlockedTime are not frozen, for speed alone (as Timeline): a report makes one
# per open deal, some 70,000 on a big board, and a frozen dataclass's __init__ costs four times a
# plain one. Treat them as immutable all the same: nothing assigns to their fields.
@dataclass(slots=True, unsafe_hash=True)
class WorkItemAge:
    deal: Deal
    stage: str
    #: False for a deal that has only been upstream: its age runs from creation.
    started: bool
    since: datetime
    days: float
    band: AgeBand


def age_band(days: float, cycle: Percentiles | None) -> AgeBand:
    """ABOVE_P95 older than p95; P85_P95 older than p85; P50_P85 older than p50; else
    BELOW_P50. UNKNOWN without cycle times or with fewer than MIN_CYCLE_TIMES of them.

    "Older than" is strict, so a deal 0 days old is never past a percentile (even one of
    0 days, from deals closed the moment they started).
    """
    if cycle is None or cycle.count < MIN_CYCLE_TIMES:
        return AgeBand.UNKNOWN
    if days > cycle.p95:
        return AgeBand.ABOVE_P95
    if days > cycle.p85:
        return AgeBand.P85_P95
    if days > cycle.p50:
        return AgeBand.P50_P85
    return AgeBand.BELOW_P50


def work_item_ages(
    lines: Iterable[Timeline], now: datetime, cycle: Percentiles | None, *, oldest_first: bool = True
) -> list[WorkItemAge]:
    """Age of every open deal, oldest first, banded against `cycle`.

    Age is `now` minus the first entry into an active stage, or minus the
    creation time for a deal that has only been upstream (those are banded
    UNKNOWN: cycle times say nothing about the backlog). Every deal is UNKNOWN
    while `cycle` has fewer than MIN_CYCLE_TIMES cycle times.

    With `oldest_first` False they are in the order of `lines`, for a caller that orders
    them itself (a report's list shows its oldest few): passes over them then meet the
    deals in the order they sit in memory, not in an order of age that scatters them.
    """
    result = []
    append, unknown = result.append, AgeBand.UNKNOWN
    for line in lines:
        if not line.is_open:
            continue
        since = line.started_at or line.created_at
        days = max(0.0, days_between(since, now))
        started = line.started
        append(WorkItemAge(line.deal, line.stage, started, since, days, age_band(days, cycle) if started else unknown))
    if oldest_first:
        result.sort(key=_DAYS, reverse=True)
    return result


_DAYS = attrgetter("days")


# -- blocked time ---------------------------------------------------------


@dataclass(slots=True, unsafe_hash=True)  # not frozen, for speed (see WorkItemAge)
class BlockedTime:
    deal: Deal
    days: float
    blocks: int
    blocked_now: bool
    since: datetime | None = None
    reason: str | None = None


def blocked_time(line: Timeline, now: datetime) -> BlockedTime:
    """Total blocked days from BLOCKED/UNBLOCKED pairs.

    A block still open counts until `now` (until the close, for a deal that
    closed while blocked). A second BLOCKED while blocked, or an UNBLOCKED
    while not blocked, is ignored.
    """
    total = 0.0
    for span in line.blocks:
        end = span.end
        if end is None:
            end = line.closed_at if line.closed_at is not None else now
        total += max(0.0, days_between(span.start, end))
    current = line.blocks[-1] if line.blocked_now and line.is_open else None
    return BlockedTime(
        deal=line.deal,
        days=total,
        blocks=len(line.blocks),
        blocked_now=current is not None,
        since=current.start if current else None,
        reason=current.reason if current else None,
    )


@dataclass(frozen=True, slots=True)
class BlockedTotals:
    """Blocked time of the deals finally closed in a period: `blocked` of `closed` were
    ever blocked, for `days` days in all (a block still open at the close ends there);
    `share_of_cycle`: of the cycle time of the started ones (start to close), the share
    spent blocked (None without a started deal)."""

    closed: int
    blocked: int
    days: float
    share_of_cycle: float | None


def blocked_totals(lines: Iterable[Timeline], period: Period, now: datetime) -> BlockedTotals:
    """BlockedTotals of the deals finally closed in `period`."""
    closed = closed_in(lines, period)
    blocked = [line for line in closed if line.blocks]
    cycle = in_cycle = 0.0
    for line in closed:
        if line.started_at is None:
            continue
        started, finished = line.started_at, line.closed_at
        cycle += days_between(started, finished)  # type: ignore[arg-type]
        for span in line.blocks:  # the part of each block between the start and the close
            begin, end = max(span.start, started), min(span.end or finished, finished)  # type: ignore[type-var]
            if end > begin:
                in_cycle += days_between(begin, end)
    return BlockedTotals(
        closed=len(closed),
        blocked=len(blocked),
        days=sum(blocked_time(line, now).days for line in blocked),
        share_of_cycle=in_cycle / cycle if cycle else None,
    )


def blocked_now(lines: Iterable[Timeline], now: datetime) -> list[BlockedTime]:
    """Open deals blocked at `now`, longest block first."""
    # `line.blocks` first: most deals were never blocked, and `blocked_now` is a call per deal.
    result = [blocked_time(line, now) for line in lines if line.is_open and line.blocks and line.blocked_now]
    result.sort(key=lambda b: b.since or now)
    return result


# -- Little's law ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LittlesLaw:
    """Average WIP / average throughput against the observed mean cycle time.

    `predicted_days` and `observed_days` should be close in a stable system;
    `ratio` = observed / predicted. Any of them is None when undefined, and all
    three while fewer than MIN_CLOSES started deals closed in the period (`sample`).
    """

    avg_wip: float
    avg_throughput: float
    predicted_days: float | None
    observed_days: float | None
    ratio: float | None
    sample: Sample = Sample(0, MIN_CLOSES)


def wip_per_day(lines: Iterable[Timeline], period: Period, *, tz: tzinfo = UTC) -> list[tuple[date, int]]:
    """Deals in progress (started, not finally closed) at the end of each day."""
    # Each started deal is in progress over [started_at, final close): count the
    # starts and ends at or before each moment (one sort, then a bisect per day).
    starts: list[datetime] = []
    ends: list[datetime] = []
    for line in lines:
        if line.started_at is None:
            continue
        starts.append(line.started_at)
        if line.closed_at is not None:
            ends.append(max(line.closed_at, line.started_at))
    starts.sort()
    ends.sort()
    result = []
    for day in period.days(tz):
        moment = min(end_of_day(day, tz), period.end) - timedelta(microseconds=1)
        result.append((day, bisect.bisect_right(starts, moment) - bisect.bisect_right(ends, moment)))
    return result


def littles_law(lines: Iterable[Timeline], period: Period, *, tz: tzinfo = UTC) -> LittlesLaw:
    """Check Little's law over `period` using only deals that started.

    avg_wip: mean of end-of-day WIP; avg_throughput: started deals closed
    per day; observed: mean cycle time of those closes.
    """
    lines = list(lines)
    wip = [count for _, count in wip_per_day(lines, period, tz=tz)]
    days = len(wip)
    closes = throughput_per_day(lines, period, tz=tz, only_started=True)
    avg_wip = sum(wip) / days if days else 0.0
    avg_throughput = sum(r.closed for r in closes) / days if days else 0.0
    predicted = avg_wip / avg_throughput if avg_throughput else None
    cycle = cycle_times(lines, period)
    sample = Sample(sum(r.closed for r in closes), MIN_CLOSES)
    if not sample.enough:
        return LittlesLaw(avg_wip, avg_throughput, None, None, None, sample)
    observed = sum(c.days for c in cycle) / len(cycle) if cycle else None
    ratio = observed / predicted if observed is not None and predicted else None
    return LittlesLaw(avg_wip, avg_throughput, predicted, observed, ratio, sample)


class _ActiveByName(dict[str, bool]):
    """`is_active` of each stage name, worked out the first time it is asked (see active_by_name)."""

    __slots__ = ("_by_name",)

    def __init__(self, by_name: Mapping[str, Stage]) -> None:
        super().__init__()
        self._by_name = by_name

    def __missing__(self, name: str) -> bool:
        found = self[name] = is_active(self._by_name.get(name))
        return found


def active_by_name(by_name: Mapping[str, Stage]) -> Mapping[str, bool]:
    """`active[name]`: whether the stage `name` (of `by_name`, or one the board no longer has)
    is active, as `is_active(by_name.get(name))`, worked out once per name: a report asks
    it of every open deal, 70,000 on a big board, for a handful of stages."""
    return _ActiveByName(by_name)


def by_key(lines: Iterable[Timeline], key: Callable[[Deal], str]) -> dict[str, list[Timeline]]:
    """Timelines grouped by `key(deal)` (e.g. `lambda d: d.owner`)."""
    groups: dict[str, list[Timeline]] = {}
    for line in lines:
        groups.setdefault(key(line.deal), []).append(line)
    return groups
