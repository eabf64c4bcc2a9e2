"""The stand-up report: what changed since the last stand-up, and how work flows.

`build_report(...)` is a pure function of the board, its stages, deals and
events, `now` and `since`: no database, no clock, no UI. Renderers in
`reports.render` turn the result into JSON, Markdown, CSV or terminal text;
SCHEMA.md documents the JSON. The report's shape (its lines and sections) is
in `reports.lines`; the later sections are computed in `reports.sections`.

Two windows:

* the *period* [since, now] is what happened since the last stand-up:
  moves, new deals, wins, losses, and closed-stage counts;
* the *history* (the `history_days` before now, and at least the period)
  feeds the statistics that need more than a day of data: win rate,
  throughput per week, cycle time percentiles, ageing bands, forecasts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from leankanban.domain import defaults
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import (
    Board,
    Deal,
    DealStatus,
    Event,
    EventKind,
    Lane,
    Stage,
    StageKind,
    wip_state,
)
from leankanban.metrics import flow, forecast, sales
from leankanban.metrics.flow import AgeBand, Period, aware, day_of
from leankanban.reports import sections
from leankanban.reports.lines import (  # the report's shape, importable from here too
    ActivityLine,
    AgeingDeal,
    BlockedDeal,
    BurnUpLine,
    CapacityLine,
    Closed,
    CycleTimeDays,
    DealLine,
    DiscardLine,
    Effectiveness,
    Forecast,
    InsightsLine,
    LittlesLawLine,
    Load,
    Lost,
    Move,
    NewDeal,
    NextStep,
    ReportContext,
    SalesMetrics,
    SprintLine,
    StageDaysLine,
    StageDiscardLine,
    StageLine,
    StalledDeal,
    StalledShare,
    StandupReport,
    TimeLine,
    VelocityLine,
    WeekLine,
    WipAlert,
    Won,
)

__all__ = [
    "ActivityLine",
    "AgeingDeal",
    "BlockedDeal",
    "BurnUpLine",
    "CapacityLine",
    "Closed",
    "CycleTimeDays",
    "DEFAULT_HISTORY_DAYS",
    "DEFAULT_HORIZON_DAYS",
    "DEFAULT_STALL_DAYS",
    "DealLine",
    "DiscardLine",
    "Effectiveness",
    "Forecast",
    "ForecastReport",
    "InsightsLine",
    "LittlesLawLine",
    "Load",
    "Lost",
    "Move",
    "NewDeal",
    "NextStep",
    "ReportContext",
    "SalesMetrics",
    "SprintLine",
    "StageDaysLine",
    "StageDiscardLine",
    "StageLine",
    "StalledDeal",
    "StalledShare",
    "StandupReport",
    "TimeLine",
    "VelocityLine",
    "WeekLine",
    "WipAlert",
    "Won",
    "ZERO",
    "build_forecast",
    "build_report",
]

DEFAULT_HISTORY_DAYS = 90
DEFAULT_HORIZON_DAYS = 14
DEFAULT_STALL_DAYS = defaults.STALL_DAYS
ZERO = Decimal("0")


def _for_owner(deals: Iterable[Deal], owner: str | None) -> list[Deal]:
    if owner is None:
        return list(deals)
    wanted = owner.strip().casefold()
    return [d for d in deals if d.owner.casefold() == wanted]


def build_report(
    board: Board | str,
    stages: Iterable[Stage],
    deals: Iterable[Deal],
    events: Iterable[Event],
    now: datetime,
    since: datetime,
    owner: str | None = None,
    forecast_seed: int | None = None,
    *,
    history_days: int = DEFAULT_HISTORY_DAYS,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    stall_days: int | None = None,
    probabilities: Mapping[str, Decimal | float | str] | None = None,
    trials: int = forecast.DEFAULT_TRIALS,
    tz: tzinfo = UTC,
    context: ReportContext | None = None,
    lines: Sequence[flow.Timeline] | None = None,
) -> StandupReport:
    """The stand-up report for `board` over [since, now].

    `owner` narrows every number to that person's deals (case-insensitive).
    `stall_days` defaults to the board's setting (14 for a bare name).
    `context` carries what the services read besides deals and events: the
    target allocation, logged time, the sprint and its burn-up, insights.
    `lines`, when given, are the timelines of `deals` and `events` already built
    (services.reports.ReportInputs.lines), so they are not built again.
    """
    context = context or ReportContext()
    now, since = aware(now).astimezone(UTC), aware(since).astimezone(UTC)
    board_name = board if isinstance(board, str) else board.name
    if stall_days is None:
        stall_days = DEFAULT_STALL_DAYS if isinstance(board, str) else board.stall_days
    lane_limits = {} if isinstance(board, str) else {
        limit.value.casefold(): limit.wip_max for limit in board.lane_limits if limit.dimension is Lane.OWNER
    }
    stages = sorted(stages, key=lambda s: s.position)
    by_name = {s.name: s for s in stages}
    mine = _for_owner(deals, owner)
    ids = {d.id for d in mine if d.id is not None}
    mine_events = [e for e in events if e.deal_id in ids]
    currency = sales.main_currency(mine)
    # The period includes `now` itself: a change made this instant is in the report.
    end = now + timedelta(microseconds=1)
    period = Period(since, end)
    history = Period(min(since, now - timedelta(days=history_days)), end)
    lines = flow.timelines(stages, mine, mine_events, now=now) if lines is None else _lines_of(lines, mine)
    by_id = {line.deal.id: line for line in lines}

    won_lines = [l for l in flow.closed_in(lines, period) if l.status is DealStatus.WON]
    lost_lines = [l for l in flow.closed_in(lines, period) if l.status is DealStatus.LOST]
    cycle = flow.cycle_time_percentiles(lines, history)
    stalled = sales.stalled(lines, now, stall_days=stall_days, currency=currency)
    stalled_ids = {s.deal.id for s in stalled.deals}
    blocked = flow.blocked_now(lines, now)
    blocked_ids = {b.deal.id for b in blocked}
    ages = {a.deal.id: a for a in flow.work_item_ages(lines, now, cycle)}

    stage_lines = _stage_lines(stages, mine, won_lines + lost_lines, currency, probabilities)
    target = None if isinstance(board, str) else board.pipeline_target
    capacity = None if isinstance(board, str) else board.capacity_per_week
    return StandupReport(
        generated_at=now,
        board=board_name,
        owner=owner,
        currency=currency,
        other_currency_deals=sum(1 for d in mine if d.currency != currency),
        period=Period(since, now),
        history=Period(history.start, now),
        stages=stage_lines,
        moved=_moves(mine_events, by_id, period),
        new_deals=_new_deals(mine_events, by_id, period),
        won=_won(won_lines, currency),
        lost=_lost(lost_lines, currency),
        win_rate=sales.win_rate(lines, history).rate,
        win_rate_by_owner={
            name: rate.rate for name, rate in sales.win_rate_by(lines, history, key=lambda d: d.owner).items()
        },
        throughput_per_week=tuple(
            WeekLine(w.label, w.start, w.days, w.won, w.lost)
            for w in flow.throughput_per_week(lines, history, tz=tz)
        ),
        cycle_time_days=(
            CycleTimeDays(0)
            if cycle is None
            else CycleTimeDays(cycle.count, cycle.p50, cycle.p85, cycle.p95, cycle.mean)
        ),
        blocked=tuple(
            BlockedDeal(b.deal.id, b.deal.title, b.deal.owner, by_id[b.deal.id].stage, b.since,
                        _days(b.since, now), b.reason)
            for b in blocked
        ),
        stalled=tuple(
            StalledDeal(s.deal.id, s.deal.title, s.deal.owner, s.stage, s.deal.value, s.deal.currency,
                        s.last_activity, s.idle_days)
            for s in stalled.deals
        ),
        stall_days=stall_days,
        ageing=tuple(
            AgeingDeal(a.deal.id, a.deal.title, a.deal.owner, a.stage, a.days, a.band)
            for a in ages.values()
            if a.started
        ),
        wip_breaches=tuple(
            WipAlert(s.name, s.count, s.wip_max)  # type: ignore[arg-type]
            for s in stage_lines
            if s.kind is StageKind.OPEN and s.wip_max is not None and s.count > s.wip_max
        ),
        under_minimum=tuple(
            WipAlert(s.name, s.count, s.wip_min)  # type: ignore[arg-type]
            for s in stage_lines
            if s.kind is StageKind.OPEN and s.wip_min is not None and s.count < s.wip_min
        ),
        load=_load(lines, by_name, currency, blocked_ids, stalled_ids, lane_limits),
        forecast=_forecast(lines, by_name, history, now, currency, horizon_days, trials, forecast_seed, tz),
        deals=_deal_lines(lines, period, now, ages, blocked_ids),
        next_steps=sections.next_steps(mine, day_of(now, tz)),
        sales=sections.sales_metrics(lines, stages, history, stage_lines, stalled, currency, target),
        littles_law=sections.littles_law(lines, history, tz),
        stage_days=sections.stage_days(lines, stages, history, now),
        blocked_time=flow.blocked_totals(lines, history, now),
        win_rate_by_type={
            name: rate.rate for name, rate in sales.win_rate_by(lines, history, key=sections.deal_type).items()
        },
        win_rate_by_source={
            name: rate.rate for name, rate in sales.win_rate_by(lines, history, key=sections.deal_source).items()
        },
        effectiveness=sections.effectiveness(lines, history, currency, context, owner),
        capacity=None if capacity is None else sections.capacity(lines, history, now, capacity, trials, forecast_seed, tz),
        sprint=sections.sprint(context),
        insights=sections.insights(context.insights),
    )


def _lines_of(lines: Sequence[flow.Timeline], deals: list[Deal]) -> list[flow.Timeline]:
    """The timelines of `deals` (a selection of the deals `lines` were built from), in their order."""
    if len(deals) == len(lines):
        return list(lines)
    mine = {id(deal) for deal in deals}
    return [line for line in lines if id(line.deal) in mine]


def _days(start: datetime | None, end: datetime) -> float:
    return 0.0 if start is None else max(0.0, flow.days_between(start, end))


def _stage_lines(
    stages: list[Stage],
    deals: list[Deal],
    closed: list[flow.Timeline],
    currency: str,
    probabilities: Mapping[str, Decimal | float | str] | None,
) -> tuple[StageLine, ...]:
    pipe = sales.pipeline(deals, stages, probabilities=probabilities, currency=currency)
    chance = sales.stage_probabilities(stages, probabilities)
    result = []
    for stage in stages:
        if stage.kind is StageKind.OPEN:
            row = pipe.by_stage[stage.name]
            count, value, weighted = row.count, row.value, row.weighted
        else:
            here = [l.deal for l in closed if l.stage == stage.name]
            count = len(here)
            value = sales.money(sum((d.value for d in here if d.currency == currency), ZERO))
            weighted = sales.money(value * chance[stage.name])
        result.append(
            StageLine(
                name=stage.name,
                kind=stage.kind,
                upstream=stage.upstream,
                count=count,
                value=value,
                weighted_value=weighted,
                probability=chance[stage.name],
                wip_min=stage.wip_min,
                wip_max=stage.wip_max,
                wip_state=wip_state(stage, count) if stage.kind is StageKind.OPEN else "ok",
            )
        )
    return tuple(result)


def _in_period(events: list[Event], kind: EventKind, period: Period) -> list[Event]:
    """The events of `kind` in `period`, by time then id (events come in any order across deals)."""
    start, end = period.start, period.end
    found = []
    for e in events:
        if e.kind is kind:
            at = e.at if e.at.tzinfo is not None else aware(e.at)
            if start <= at < end:
                found.append(e)
    found.sort(key=_time_then_id)
    return found


def _time_then_id(event: Event) -> tuple[datetime, int]:
    return aware(event.at), event.id or 0


def _moves(events: list[Event], by_id: Mapping[int | None, flow.Timeline], period: Period) -> tuple[Move, ...]:
    return tuple(
        Move(e.deal_id, by_id[e.deal_id].deal.title, by_id[e.deal_id].deal.owner, e.from_stage, e.to_stage, aware(e.at))
        for e in _in_period(events, EventKind.MOVED, period)
        if e.to_stage and e.deal_id in by_id
    )


def _new_deals(
    events: list[Event], by_id: Mapping[int | None, flow.Timeline], period: Period
) -> tuple[NewDeal, ...]:
    result = []
    for event in _in_period(events, EventKind.CREATED, period):
        if event.deal_id not in by_id:
            continue
        deal = by_id[event.deal_id].deal
        result.append(
            NewDeal(deal.id, deal.title, deal.owner, event.to_stage or deal.stage, deal.value, deal.currency,
                    aware(event.at))
        )
    return tuple(result)


def _closed(line: flow.Timeline) -> Closed:
    deal = line.deal
    return Closed(deal.id, deal.title, deal.owner, deal.value, deal.currency, line.closed_at,  # type: ignore[arg-type]
                  line.lost_reason, line.lost_from)


def _total(lines: list[flow.Timeline], currency: str) -> Decimal:
    return sales.money(sum((l.deal.value for l in lines if l.deal.currency == currency), ZERO))


def _won(lines: list[flow.Timeline], currency: str) -> Won:
    return Won(len(lines), _total(lines, currency), tuple(_closed(l) for l in lines))


def _lost(lines: list[flow.Timeline], currency: str) -> Lost:
    reasons: dict[str, int] = {}
    for line in lines:
        reason = line.lost_reason or flow.UNSPECIFIED
        reasons[reason] = reasons.get(reason, 0) + 1
    ordered = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return Lost(len(lines), _total(lines, currency), ordered, tuple(_closed(l) for l in lines))


def _load(
    lines: list[flow.Timeline],
    by_name: Mapping[str, Stage],
    currency: str,
    blocked_ids: set[int | None],
    stalled_ids: set[int | None],
    lane_limits: Mapping[str, int],
) -> tuple[Load, ...]:
    result = []
    for owner, group in sorted(flow.by_key((l for l in lines if l.is_open), lambda d: d.owner).items()):
        result.append(
            Load(
                owner=owner,
                open=len(group),
                active=sum(1 for l in group if flow.is_active(by_name.get(l.stage))),
                value=_total(group, currency),
                blocked=sum(1 for l in group if l.deal.id in blocked_ids),
                stalled=sum(1 for l in group if l.deal.id in stalled_ids),
                wip_max=lane_limits.get(owner.casefold()),
            )
        )
    return tuple(result)


def _forecast(
    lines: list[flow.Timeline],
    by_name: Mapping[str, Stage],
    history: Period,
    now: datetime,
    currency: str,
    horizon_days: int,
    trials: int,
    seed: int | None,
    tz: tzinfo,
) -> Forecast:
    """The report's forecast: the deals in progress (open, in an active stage), and what closes
    in the next `horizon_days`."""
    today = day_of(now, tz)
    counted = [l for l in lines if l.is_open and flow.is_active(by_name.get(l.stage))]
    return _draw(lines, counted, history, today, today + timedelta(days=horizon_days), currency, trials, seed, tz)


def _draw(
    lines: list[flow.Timeline],
    counted: list[flow.Timeline],
    history: Period,
    today: date,
    horizon: date,
    currency: str,
    trials: int,
    seed: int | None,
    tz: tzinfo,
) -> Forecast:
    """Monte Carlo over the daily closes (and wins) of `lines` in `history`, zero days included:
    when the `counted` deals will all be closed, and what closes (and is won) by `horizon`."""
    closes = flow.daily_counts(lines, history, tz=tz)
    wins = flow.daily_counts(lines, history, tz=tz, outcome=DealStatus.WON)
    won_values = [
        l.deal.value
        for l in flow.closed_in(lines, history)
        if l.status is DealStatus.WON and l.deal.currency == currency
    ]
    items = len(counted)
    done = forecast.when_done(items, closes, trials, seed, start=today)
    many = forecast.how_many_by(horizon, closes, trials, seed, start=today)
    value = forecast.value_by(horizon, wins, won_values, trials, seed, start=today)
    return Forecast(
        trials=trials,
        seed=seed,
        no_throughput=done.no_throughput,
        items=items,
        done_p50=done.p50,
        done_p85=done.p85,
        done_p95=done.p95,
        horizon=horizon,
        closes_p50=many.p50,
        closes_p85=many.p85,
        closes_p95=many.p95,
        won_value_p50=value.p50,
        won_value_p85=value.p85,
        won_value_p95=value.p95,
        beyond_horizon=done.beyond_horizon,
    )


# -- `leankanban forecast`: the forecast on its own -----------------------------------

#: Trials a forecast may be asked for.
MIN_TRIALS, MAX_TRIALS = 100, 1_000_000


@dataclass(frozen=True, slots=True)
class ForecastReport:
    """The Monte Carlo forecast for chosen stages, a chosen date and a chosen
    throughput window (`leankanban forecast`).

    `stages`: whose open deals `forecast.items` counts (by default the active
    stages: the work in progress); `window`: the days whose closes are sampled,
    zero days included; `closed` and `won`: how many closed and were won in it.
    """

    generated_at: datetime
    board: str
    owner: str | None
    currency: str
    stages: tuple[str, ...]
    window: Period
    window_days: int
    closed: int
    won: int
    forecast: Forecast
    deals: tuple[tuple[int | None, str, str], ...] = ()  # (id, title, stage) of the deals counted

    @property
    def closes_per_day(self) -> float:
        return self.closed / self.window_days if self.window_days else 0.0


def build_forecast(
    board: Board | str,
    stages: Iterable[Stage],
    deals: Iterable[Deal],
    events: Iterable[Event],
    now: datetime,
    *,
    window_start: datetime,
    target: date,
    stage_names: Iterable[str] = (),
    owner: str | None = None,
    trials: int = forecast.DEFAULT_TRIALS,
    seed: int | None = None,
    tz: tzinfo = UTC,
    lines: Sequence[flow.Timeline] | None = None,
) -> ForecastReport:
    """When will the open deals in `stage_names` (default: every active stage) be done,
    and how many deals and how much won value will close by `target`, sampling the daily
    closes of [window_start, now]. `owner` narrows the deals counted and the throughput.

    Raises UnknownStage for a stage the board does not have, InvalidInput for a closed
    (won or lost) stage, a target before today, an empty window or trials out of range.
    """
    if not MIN_TRIALS <= trials <= MAX_TRIALS:
        raise InvalidInput(f"{trials:,} trials is out of range; use {MIN_TRIALS:,} to {MAX_TRIALS:,}.")
    now = aware(now).astimezone(UTC)
    window_start = aware(window_start).astimezone(UTC)
    if window_start >= now:
        raise InvalidInput("The throughput window must end now and start before it; give a past date or a number of days.")
    stages = sorted(stages, key=lambda s: s.position)
    by_name = {s.name: s for s in stages}
    board_name = board if isinstance(board, str) else board.name
    lookup = Board(name=board_name, stages=tuple(stages))
    wanted: list[Stage] = []
    for name in stage_names:
        stage = lookup.stage(name)  # UnknownStage names the board's stages
        if stage.kind is not StageKind.OPEN:
            raise InvalidInput(f"{stage.name} holds closed deals; forecast an open stage.")
        if stage not in wanted:
            wanted.append(stage)
    today = day_of(now, tz)
    if target < today:
        raise InvalidInput(f"{target.isoformat()} is in the past; give a date from today on.")
    mine = _for_owner(deals, owner)
    ids = {d.id for d in mine if d.id is not None}
    if lines is None:
        lines = flow.timelines(stages, mine, [e for e in events if e.deal_id in ids], now=now)
    else:
        lines = _lines_of(lines, mine)
    chosen = {s.name for s in wanted}
    if chosen:
        counted = [l for l in lines if l.is_open and l.stage in chosen]
    else:
        counted = [l for l in lines if l.is_open and flow.is_active(by_name.get(l.stage))]
    window = Period(window_start, now + timedelta(microseconds=1))
    currency = sales.main_currency(mine)
    closed = flow.closed_in(lines, window)
    return ForecastReport(
        generated_at=now,
        board=board_name,
        owner=owner,
        currency=currency,
        stages=tuple(s.name for s in wanted) or tuple(s.name for s in stages if flow.is_active(s)),
        window=Period(window_start, now),
        window_days=len(window.days(tz)),
        closed=len(closed),
        won=sum(1 for l in closed if l.status is DealStatus.WON),
        forecast=_draw(lines, counted, window, today, target, currency, trials, seed, tz),
        deals=tuple((l.deal.id, l.deal.title, l.stage) for l in counted),
    )


def _deal_lines(
    lines: list[flow.Timeline],
    period: Period,
    now: datetime,
    ages: Mapping[int | None, flow.WorkItemAge],
    blocked_ids: set[int | None],
) -> tuple[DealLine, ...]:
    rows = []
    for line in lines:
        if not line.is_open and not (line.closed_at is not None and line.closed_at in period):
            continue
        deal = line.deal
        age = ages.get(deal.id)
        if age is not None:
            age_days, band = age.days, age.band
        else:
            since = line.started_at or line.created_at
            age_days, band = _days(since, line.closed_at or now), AgeBand.UNKNOWN
        rows.append(
            DealLine(
                deal_id=deal.id,
                title=deal.title,
                account=deal.account,
                owner=deal.owner,
                stage=line.stage,
                status=line.status,
                value=deal.value,
                currency=deal.currency,
                age_days=age_days,
                age_band=band,
                blocked=deal.id in blocked_ids,
                idle_days=_days(line.last_activity or line.created_at, now),
                next_step=deal.next_step,
                closed_at=line.closed_at,
                probability=deal.probability,
            )
        )
    return tuple(rows)
