"""Deal timelines, the periods and days they are measured in, and percentiles.

The flow metrics (metrics/flow.py) and the sales metrics are functions over
these timelines.

Everything here is a pure function of the board's stages, its deals and
their events, plus an explicit `now`. Read DEFINITIONS.md for what each
number means; the short version:

* A deal *starts* when it first enters an active stage (open and not
  upstream). Upstream stages (Leads, Qualifying) are the backlog.
* A deal *finishes* at its final close (won or lost). A deal reopened after
  a close *continues* its cycle: the earlier close is withdrawn and its
  clock keeps running from the original start (Vacanti's convention).
* Percentiles use the nearest-rank method, so every percentile is a cycle
  time that actually happened.
* Days are calendar days in `tz` (UTC unless given).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import attrgetter

from leankanban.domain.model import STATUS_FOR_KIND, Deal, DealStatus, Event, EventKind, Stage, StageKind

DAY_SECONDS = 86_400.0

#: Reason used when a loss was recorded without one.
UNSPECIFIED = "unspecified"


# -- periods and days ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The half-open interval [start, end) of aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"A period cannot end ({self.end}) before it starts ({self.start}).")

    @classmethod
    def last_days(cls, days: int, now: datetime) -> Period:
        """The `days` x 24 hours up to `now`."""
        return cls(now - timedelta(days=days), now)

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end

    @property
    def length_days(self) -> float:
        return (self.end - self.start).total_seconds() / DAY_SECONDS

    def days(self, tz: tzinfo = UTC) -> list[date]:
        """Every calendar day (in `tz`) the period touches, in order."""
        if self.end <= self.start:
            return []
        first = day_of(self.start, tz)
        last = day_of(self.end - timedelta(microseconds=1), tz)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def aware(moment: datetime) -> datetime:
    """`moment` as an aware datetime; naive values are taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def day_of(moment: datetime, tz: tzinfo = UTC) -> date:
    if moment.tzinfo is tz:  # already there (every stored time is UTC): no conversion
        return moment.date()
    return aware(moment).astimezone(tz).date()


def end_of_day(day: date, tz: tzinfo = UTC) -> datetime:
    """The first instant of the next day in `tz`: a day's snapshot time."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY_SECONDS


# -- percentiles ------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank `p`th percentile of `values` (0 < p <= 100).

    The smallest value such that at least p% of the values are at or below
    it: `sorted(values)[ceil(p / 100 * n) - 1]`. Always an observed value.
    """
    if not values:
        raise ValueError("No values to take a percentile of.")
    if not 0 < p <= 100:
        raise ValueError(f"A percentile must be in (0, 100], got {p}.")
    return _nearest_rank(sorted(values), p)


def _nearest_rank(ordered: Sequence[float], p: float) -> float:
    """The nearest-rank `p`th percentile of values already in ascending order."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered) - 1e-9)) - 1]


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Nearest-rank 50th/85th/95th percentiles of `count` values, and their mean."""

    p50: float
    p85: float
    p95: float
    count: int
    mean: float


def percentiles(values: Sequence[float]) -> Percentiles | None:
    """p50/p85/p95 of `values`, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)  # once, for the three
    return Percentiles(
        p50=_nearest_rank(ordered, 50),
        p85=_nearest_rank(ordered, 85),
        p95=_nearest_rank(ordered, 95),
        count=len(values),
        mean=sum(values) / len(values),
    )


# -- timelines ---------------------------------------------------------------


# StageVisit and Timeline are not frozen, for speed alone (as domain.model.Event): a report
# on a big board builds some 100,000 visits and 20,000 timelines, and a frozen dataclass's
# __init__ costs three times a plain one. Treat them as immutable all the same: nothing
# assigns to their fields (dataclasses.replace makes a changed copy).
@dataclass(slots=True, unsafe_hash=True)
class StageVisit:
    """One stay of a deal in a stage. `left` is None while it is still there."""

    stage: str
    entered: datetime
    left: datetime | None = None

    def days(self, now: datetime) -> float:
        return days_between(self.entered, self.left if self.left is not None else now)


@dataclass(frozen=True, slots=True)
class BlockSpan:
    """One BLOCKED..UNBLOCKED pair. `end` is None while the block is open."""

    start: datetime
    end: datetime | None = None
    reason: str | None = None


@dataclass(slots=True, unsafe_hash=True)
class Timeline:
    """A deal's history, reconstructed from its events."""

    deal: Deal
    created_at: datetime
    visits: tuple[StageVisit, ...]
    status: DealStatus
    #: First entry into an active (open, non-upstream) stage; None if never.
    started_at: datetime | None
    #: The final close (won or lost); None while the deal is open.
    closed_at: datetime | None
    #: For a lost deal: the stage it was in when it was lost.
    lost_from: str | None = None
    lost_reason: str | None = None
    reopens: int = 0
    last_activity: datetime | None = None
    blocks: tuple[BlockSpan, ...] = ()
    #: False when the deal had no events and was rebuilt from its own fields.
    from_events: bool = True
    _entered: tuple[datetime, ...] = field(default=(), repr=False, compare=False)
    # Worked out once, on construction: every metric reads them of every timeline.
    #: The stage the deal is in now (its last visit's).
    stage: str = field(init=False, repr=False, compare=False)
    #: Not (finally) closed.
    is_open: bool = field(init=False, repr=False, compare=False)
    #: Ever entered an active stage (`started_at` is set).
    started: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.stage = self.visits[-1].stage if self.visits else self.deal.stage
        self.is_open = self.status is DealStatus.OPEN
        self.started = self.started_at is not None

    @property
    def deal_id(self) -> int | None:
        return self.deal.id

    def stage_at(self, moment: datetime) -> str | None:
        """The stage the deal was in at `moment`, or None before it existed."""
        entered = self._entered or tuple(v.entered for v in self.visits)
        index = bisect.bisect_right(entered, moment) - 1
        return None if index < 0 else self.visits[index].stage

    def in_progress_at(self, moment: datetime) -> bool:
        """Started by `moment` and not yet finally closed: work in progress."""
        if self.started_at is None or self.started_at > moment:
            return False
        return self.closed_at is None or moment < self.closed_at

    @property
    def blocked_now(self) -> bool:
        return bool(self.blocks) and self.blocks[-1].end is None


def stage_counts(lines: Iterable[Timeline], moments: Sequence[datetime]) -> list[dict[str, int]]:
    """For each of `moments`, how many of `lines` were in each stage then: the counts of
    `line.stage_at(moment)` (deals not yet created are not counted; a stage appears only
    where some deal was in it).

    One sweep over the visits, not a bisection per deal and moment: each visit adds one
    to its stage over the (sorted) moments from its entry to the next visit's entry, as
    a difference array, so the cost is visits x log(moments) + moments x stages, where
    asking every deal at every moment was deals x moments (1.35 M bisections for a
    90-day chart of 15,000 deals).
    """
    order = sorted(range(len(moments)), key=moments.__getitem__)
    ordered = [moments[i] for i in order]
    size = len(ordered)
    steps: dict[str, list[int]] = {}
    left = bisect.bisect_left
    for line in lines:
        entered = line._entered or tuple(v.entered for v in line.visits)
        visits = line.visits
        last = len(visits) - 1
        # Visit i answers stage_at(m) for entered[i] <= m < entered[i + 1] (bisect_right's rule).
        lo = left(ordered, entered[0]) if entered else size
        for i in range(last + 1):
            hi = size if i == last else left(ordered, entered[i + 1])
            if hi > lo:
                step = steps.get(visits[i].stage)
                if step is None:
                    step = steps[visits[i].stage] = [0] * (size + 1)
                step[lo] += 1
                step[hi] -= 1
            lo = max(lo, hi)
    counted: list[dict[str, int]] = [{} for _ in range(size)]
    for stage, step in steps.items():
        running = 0
        for k in range(size):
            running += step[k]
            if running:
                counted[k][stage] = running
    result: list[dict[str, int]] = [{}] * size
    for k, i in enumerate(order):
        result[i] = counted[k]
    return result


def _ordered(stages: Iterable[Stage]) -> list[Stage]:
    return sorted(stages, key=lambda s: s.position)


def is_active(stage: Stage | None) -> bool:
    """Open and not upstream. A stage the board no longer has counts as active."""
    return stage is None or (stage.kind is StageKind.OPEN and not stage.upstream)


def timelines(
    stages: Iterable[Stage], deals: Iterable[Deal], events: Iterable[Event], *, now: datetime
) -> list[Timeline]:
    """One timeline per deal, in the order the deals are given.

    Events are read in the order given (the repository returns them by time,
    then id) after a stable sort by time, so imported history with old
    timestamps lands where it belongs. Events for deals not in `deals` are
    ignored. A deal without any event is rebuilt from its own fields.
    """
    stages = list(stages)
    by_name = {s.name: s for s in stages}
    facts = {name: _StageFacts.of(stage) for name, stage in by_name.items()}
    by_deal: defaultdict[int | None, list[Event]] = defaultdict(list)
    renamed = _renamer(stages)
    for event in events:
        by_deal[event.deal_id].append(renamed(event) if renamed is not None else event)
    result = []
    for deal in deals:
        history = by_deal.get(deal.id) if deal.id is not None else None
        if history:
            result.append(_from_events(deal, _by_time(history), by_name, facts, now))
        else:
            result.append(_from_fields(deal, by_name, now))
    return result


def _renamer(stages: Sequence[Stage]) -> Callable[[Event], Event] | None:
    """What gives an event with the stages it names called as they are now (`Stage.renames`):
    an event names a stage as it was called when it was recorded, so the renames recorded
    after it (by id: the order things were recorded in, whatever time an import gives an
    event) apply; None without renames. An event not yet recorded (no id) is the newest."""
    renames = sorted(rename for stage in stages for rename in stage.renames)
    if not renames:
        return None

    def now_called(name: str | None, event_id: int) -> str | None:
        for rename_id, old, new in renames:
            if rename_id > event_id and name == old:
                name = new
        return name

    def renamed(event: Event) -> Event:
        if event.id is None:
            return event
        to_stage, from_stage = now_called(event.to_stage, event.id), now_called(event.from_stage, event.id)
        if to_stage == event.to_stage and from_stage == event.from_stage:
            return event
        return replace(event, to_stage=to_stage, from_stage=from_stage)

    return renamed


def _by_time(history: list[Event]) -> list[Event]:
    """`history` stably sorted by (aware) time."""
    try:
        # All naive or all aware: the same order as by `aware(at)`, without a call per event.
        return sorted(history, key=_AT)
    except TypeError:  # naive and aware times mixed
        return sorted(history, key=lambda e: aware(e.at))


_AT = attrgetter("at")


@dataclass(frozen=True, slots=True)
class _StageFacts:
    """What a timeline asks of a stage, worked out once per report, not once per event."""

    stage: Stage
    status: DealStatus
    active: bool
    #: Open and upstream: where an undone start returns to.
    backlog: bool

    @classmethod
    def of(cls, stage: Stage) -> _StageFacts:
        return cls(
            stage, STATUS_FOR_KIND[stage.kind], is_active(stage), stage.kind is StageKind.OPEN and stage.upstream
        )


def _from_events(
    deal: Deal,
    history: list[Event],
    by_name: Mapping[str, Stage],
    facts: Mapping[str, _StageFacts],
    now: datetime,
) -> Timeline:
    names: list[str] = []  # the stage of each visit
    entered: list[datetime] = []  # when each visit began (and the previous one ended)
    blocks: list[BlockSpan] = []
    status = DealStatus.OPEN
    closed_at: datetime | None = None
    started_at: datetime | None = None
    lost_from: str | None = None
    lost_reason: str | None = None
    reopens = 0
    start_event: int | None = None
    OPEN, LOST, WON = DealStatus.OPEN, DealStatus.LOST, DealStatus.WON
    CREATED, MOVED, WON_EVENT, LOST_EVENT = EventKind.CREATED, EventKind.MOVED, EventKind.WON, EventKind.LOST

    for event in history:
        kind = event.kind
        at = event.at
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        # What the event settles the deal's status to, and the stage it came from.
        if kind is CREATED or kind is MOVED:
            to_stage = event.to_stage
            if not to_stage or (names and names[-1] == to_stage):
                continue
            names.append(to_stage)
            entered.append(at)
            fact = facts.get(to_stage)
            if started_at is None and (fact.active if fact is not None else status is OPEN):
                started_at, start_event = at, event.id
            elif (
                start_event is not None
                and fact is not None
                and fact.backlog
                and (event.data or {}).get("undoes") == str(start_event)
            ):
                # The move that started the deal was undone: it never really started.
                started_at = start_event = None
            if fact is None:
                continue
            new, reason = fact.status, event.reason
        elif kind is WON_EVENT:
            new, reason = WON, None
        elif kind is LOST_EVENT:
            new, reason = LOST, event.reason
        elif kind is EventKind.REOPENED:
            new, reason = OPEN, None
        elif kind is EventKind.BLOCKED:
            if not blocks or blocks[-1].end is not None:
                blocks.append(BlockSpan(at, None, event.reason))
            continue
        elif kind is EventKind.UNBLOCKED:
            if blocks and blocks[-1].end is None:
                blocks[-1] = BlockSpan(blocks[-1].start, at, blocks[-1].reason)
            continue
        else:
            continue
        # Settle the status: a loss keeps its latest reason; a change of status closes or reopens.
        if new is LOST and reason:
            lost_reason = reason
        if new is status:
            continue
        if new is OPEN:
            reopens += 1
            closed_at = None
            lost_from = lost_reason = None
        else:
            closed_at = at
            if new is LOST:
                lost_from = event.from_stage or _stage_before_loss(names, by_name)
                lost_reason = reason
            else:
                lost_from = lost_reason = None
        status = new

    created_at = aware(history[0].at)
    last_activity = aware(history[-1].at)
    if deal.last_activity_at is not None:
        last_activity = max(last_activity, aware(deal.last_activity_at))
    if not names:
        # Only notes, edits or blocks were recorded: the stage history comes from the deal.
        base = _from_fields(deal, by_name, now)
        return replace(
            base,
            created_at=min(base.created_at, created_at),
            blocks=tuple(blocks) or base.blocks,
            last_activity=max(last_activity, base.last_activity or last_activity),
        )
    if status is LOST and lost_reason is None and deal.status is LOST:
        lost_reason = deal.lost_reason
    left: list[datetime | None] = [*entered[1:], None]
    return Timeline(
        deal=deal,
        created_at=created_at,
        visits=tuple(map(StageVisit, names, entered, left)),
        status=status,
        started_at=started_at,
        closed_at=closed_at,
        lost_from=lost_from,
        lost_reason=lost_reason,
        reopens=reopens,
        last_activity=last_activity,
        blocks=tuple(blocks),
        from_events=True,
        _entered=tuple(entered),
    )


# -- a settled deal's timeline, from its summary --------------------------------
#
# A deal whose stage, status and blocks last changed long ago needs none of its history
# for a report over a later window: its summary, kept on write (store/flow.py), holds
# when it started and when its state last changed, and its own fields hold the rest.
# `summary_of` says whether a deal's timeline can be told from its summary, and what
# the summary is; `from_summary` tells it. They are one rule in two halves: for a deal
# `summary_of` accepts, `from_summary` gives every field a report, forecast or chart
# reads at or after the last state change as the timeline from its events does (its
# earlier visits, block spans and reopen count are left out: nothing reads them for an
# open deal in a window after them, nor for a closed one in a forecast or chart).


@dataclass(frozen=True, slots=True)
class Summary:
    """What a timeline keeps of a deal's history when it is summarised: the first
    entry into an active stage (None: never started) and the latest event that
    changed its stage, status or blocks."""

    started_at: datetime | None
    state_changed_at: datetime


#: The events whose kinds change a deal's stage, status or blocks (the rest only move
#: its first and last moments of activity).
STATE_KINDS = frozenset(
    {EventKind.CREATED, EventKind.MOVED, EventKind.WON, EventKind.LOST, EventKind.REOPENED,
     EventKind.BLOCKED, EventKind.UNBLOCKED}
)


def summary_of(line: Timeline, state_changed_at: datetime | None) -> Summary | None:
    """The deal's summary, if `from_summary` tells its timeline `line` as its events do; else
    None. `state_changed_at`: the time of its latest STATE_KINDS event (None: it has none).

    Its history must have told its stage and status (not only notes or blocks), agree
    with its own fields (creation, stage, status, entry into the stage, final close) and
    leave it unblocked: a block still open is read from the history, with the earlier ones.
    """
    deal = line.deal
    if state_changed_at is None or not line.from_events or line.stage != deal.stage or line.status is not deal.status:
        return None
    if deal.created_at is None or line.created_at != aware(deal.created_at):  # imports may start a history earlier
        return None
    if deal.last_activity_at is None:  # its latest activity would have to be read from the history
        return None
    if line.is_open:
        if line.blocked_now or deal.stage_entered_at is None or line.visits[-1].entered != aware(deal.stage_entered_at):
            return None
    elif deal.closed_at is None or line.closed_at != aware(deal.closed_at) or line.lost_reason != (
        deal.lost_reason if deal.status is DealStatus.LOST else None
    ):
        return None
    return Summary(line.started_at, aware(state_changed_at))


def from_summary(deal: Deal, summary: Summary) -> Timeline:
    """The timeline of `deal` from its summary (see `summary_of`)."""
    entered = aware(deal.stage_entered_at)  # type: ignore[arg-type]  # summary_of checked them
    last = summary.state_changed_at
    if deal.last_activity_at is not None and deal.last_activity_at > last:
        last = aware(deal.last_activity_at)
    status = deal.status
    return Timeline(
        deal,
        aware(deal.created_at),  # type: ignore[arg-type]
        (StageVisit(deal.stage, entered),),
        status,
        summary.started_at,
        None if status is DealStatus.OPEN else aware(deal.closed_at),  # type: ignore[arg-type]
        None,
        deal.lost_reason if status is DealStatus.LOST else None,
        0,
        last,
        (),
        True,
        (entered,),
    )


def _stage_before_loss(names: Sequence[str], by_name: Mapping[str, Stage]) -> str | None:
    """The stage a deal was in just before it entered a lost outcome (`names`: its visits' stages)."""
    if not names:
        return None
    here = by_name.get(names[-1])
    if here is not None and here.kind is StageKind.LOST:
        return names[-2] if len(names) >= 2 else None
    return names[-1]


def _from_fields(deal: Deal, by_name: Mapping[str, Stage], now: datetime) -> Timeline:
    """A deal with no events (e.g. imported without history): trust its fields.

    It entered its current stage at `stage_entered_at` (else `created_at`,
    else `now`). A closed deal is taken to have started when it was created;
    an open one when it entered its stage, if that stage is active.
    """
    created = aware(deal.created_at or deal.stage_entered_at or now)
    entered = aware(deal.stage_entered_at or created)
    closed = deal.status is not DealStatus.OPEN
    started = created if closed else (entered if is_active(by_name.get(deal.stage)) else None)
    blocks = ()
    if deal.blocked_reason is not None and deal.blocked_since is not None and not closed:
        blocks = (BlockSpan(aware(deal.blocked_since), None, deal.blocked_reason),)
    activity = [created, entered] + ([aware(deal.last_activity_at)] if deal.last_activity_at else [])
    return Timeline(
        deal=deal,
        created_at=created,
        visits=(StageVisit(deal.stage, entered),),
        status=deal.status,
        started_at=started,
        closed_at=aware(deal.closed_at or entered) if closed else None,
        lost_from=None,
        lost_reason=deal.lost_reason if deal.status is DealStatus.LOST else None,
        last_activity=max(activity),
        blocks=blocks,
        from_events=False,
        _entered=(entered,),
    )
