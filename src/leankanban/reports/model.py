"""The stand-up report: what changed since the last stand-up, and how work flows.

`build_report(...)` is a pure function of the board, its stages, deals and
events, `now` and `since`: no database, no clock, no UI. Renderers in
`reports.render` turn the result into JSON, Markdown, CSV or terminal text;
SCHEMA.md documents the JSON. The report's shape (its lines and sections) is
in `reports.lines`; the later sections are computed in `reports.sections`.

Why about 750 lines: `build_report` makes every figure of the stand-up page
from one pass over the shared read model, and the helpers here are its steps
(one per section of the page), each a few dozen lines that only it calls; the
shape and the later sections are already modules of their own.

Two windows:

* the *period* [since, now] is what happened since the last stand-up:
  moves, new deals, wins, losses, and closed-stage counts;
* the *history* (the `history_days` before now, and at least the period)
  feeds the statistics that need more than a day of data: win rate,
  throughput per week, cycle time percentiles, ageing bands, forecasts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from operator import attrgetter

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
    EffectivenessLine,
    Forecast,
    InsightsLine,
    Listing,
    LittlesLawLine,
    Load,
    Lost,
    Move,
    NewDeal,
    NextStep,
    QualifiedOutLine,
    ReportContext,
    SalesMetrics,
    SprintLine,
    StageDaysLine,
    StageDiscardLine,
    StageLine,
    StageQualifyOutLine,
    StalledDeal,
    StalledShare,
    StandupReport,
    VelocityLine,
    WeekLine,
    WinRateLine,
    WipAlert,
    Won,
)
from leankanban.reports.policies import policy_summary

__all__ = [
    "ActivityLine",
    "AgeingDeal",
    "BlockedDeal",
    "BurnUpLine",
    "CapacityLine",
    "Closed",
    "CountedDeal",
    "CycleTimeDays",
    "DEFAULT_HISTORY_DAYS",
    "DEFAULT_HORIZON_DAYS",
    "DEFAULT_LIMIT",
    "DEFAULT_STALL_DAYS",
    "DealLine",
    "DiscardLine",
    "Effectiveness",
    "EffectivenessLine",
    "Forecast",
    "ForecastReport",
    "InsightsLine",
    "Listing",
    "LittlesLawLine",
    "Load",
    "Lost",
    "Move",
    "NewDeal",
    "NextStep",
    "QualifiedOutLine",
    "ReportContext",
    "SalesMetrics",
    "SprintLine",
    "StageDaysLine",
    "StageDiscardLine",
    "StageLine",
    "StageQualifyOutLine",
    "StalledDeal",
    "StalledShare",
    "StandupReport",
    "VelocityLine",
    "WeekLine",
    "WinRateLine",
    "WipAlert",
    "Won",
    "ZERO",
    "build_forecast",
    "build_report",
    "parse_limit",
]

DEFAULT_HISTORY_DAYS = 90
DEFAULT_HORIZON_DAYS = 14
DEFAULT_STALL_DAYS = defaults.STALL_DAYS
ZERO = Decimal("0")
#: Entries each list of the report shows by default (`--limit`); the rest are counted.
DEFAULT_LIMIT = 10
_ALL = "all"


def parse_limit(text: str | int | None) -> int | None:
    """`--limit N|all`: a whole number from 1, or `all` (None: every entry).

    Raises InvalidInput for anything else (0, a negative number, text)."""
    if text is None:
        return DEFAULT_LIMIT
    raw = str(text).strip()
    if raw.casefold() == _ALL:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) >= 1:
        return int(raw)
    raise InvalidInput(f"--limit takes a whole number from 1, or 'all', not '{raw}'.")


def check_limit(limit: int | None) -> None:
    """A report's `limit`: None (every entry) or a whole number from 1."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput(f"A report shows at least 1 entry per list, or all of them, not {limit!r}.")


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
    limit: int | None = DEFAULT_LIMIT,
    lines: Sequence[flow.Timeline] | None = None,
    history_floor: datetime | None = None,
) -> StandupReport:
    """The stand-up report for `board` over [since, now].

    Every list (moves, new deals, blocked, stalled, ageing, next steps, deals, and the
    period's won and lost deals) shows its `limit` most important entries (None: all), with
    the whole list's count and value; each list's order is in SCHEMA.md ("Lists").

    `owner` narrows every number to that person's deals (case-insensitive).
    `stall_days` defaults to the board's setting (14 for a bare name).
    `context` carries what the services read besides deals and events: the
    target allocation, logged time, the sprint and its burn-up, insights.
    `lines`, when given, are the timelines of `deals` and `events` already built
    (services.reports.ReportInputs.lines), so they are not built again.
    `history_floor`: when the board's history begins; the history window starts no
    earlier (on a young board the days before it existed are not days that closed nothing).
    """
    check_limit(limit)
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
    currency = sales.main_currency(mine)
    # The period includes `now` itself: a change made this instant is in the report.
    end = now + timedelta(microseconds=1)
    period = Period(since, end)
    history_start = min(since, now - timedelta(days=history_days))
    if history_floor is not None and history_start < aware(history_floor) < now:
        history_start = aware(history_floor).astimezone(UTC)
    history = Period(history_start, end)
    # Given the timelines, the events are read only for the period's moves and new deals: those
    # of `mine` are picked from the period's, not from every event (240,000 on a big board).
    events = events if isinstance(events, (list, tuple)) else list(events)
    if lines is None:
        lines = flow.timelines(stages, mine, [e for e in events if e.deal_id in ids], now=now)
    else:
        lines = _lines_of(lines, mine)
    by_id = {line.deal.id: line for line in lines}

    closed_now = flow.closed_in(lines, period)
    # The deals finally closed in the history, for the figures read from those closes alone: each
    # of them filters them out of every line again, so they get these few thousand, not 70,000.
    closed = flow.closed_in(lines, history)
    won_lines = [l for l in closed_now if l.status is DealStatus.WON]
    lost_lines = [l for l in closed_now if l.status is DealStatus.LOST and flow.committed_close(l)]
    out_lines = [l for l in closed_now if l.status is DealStatus.LOST and not flow.committed_close(l)]
    cycle = flow.cycle_time_percentiles(closed, history)
    # In the lines' order, as the ages below: the stalled list takes the most idle itself.
    stalled = sales.stalled(lines, now, stall_days=stall_days, currency=currency, most_idle_first=False)
    stalled_ids = {s.deal.id for s in stalled.deals}
    blocked = flow.blocked_now(lines, now)
    blocked_ids = {b.deal.id for b in blocked}
    # In the lines' order: the ageing list takes the oldest itself (ties, of equal age, stay in
    # that order either way: the sort is stable), and the passes over them follow memory.
    ages = {a.deal.id: a for a in flow.work_item_ages(lines, now, cycle, oldest_first=False)}

    # How many deals left each stage in the history: the discard and the qualify-out rates both divide by it.
    exits = sales.stage_exits(lines, history)
    stage_lines = _stage_lines(stages, mine, closed_now, currency, probabilities)
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
        moved=_moves(events, ids, by_id, period, limit, currency),
        new_deals=_new_deals(events, ids, by_id, period, limit, currency),
        won=_won(won_lines, currency, limit),
        lost=_lost(lost_lines, currency, limit),
        win_rate=_win_rate(sales.win_rate(closed, history)),
        win_rate_by_owner=_win_rates(sales.win_rate_by(closed, history, key=lambda d: d.owner)),
        throughput_per_week=tuple(
            WeekLine(w.label, w.start, w.days, w.won, w.lost - w.qualified_out, w.qualified_out)
            for w in flow.throughput_per_week(closed, history, tz=tz)
        ),
        cycle_time_days=_cycle(cycle),
        # Longest blocked first, then the biggest deal, then the lower id.
        blocked=sections.listing(
            blocked, limit, currency=currency, deal=lambda b: b.deal,
            key=lambda b: (_days(b.since, now), b.deal.value, sections.lower_id(b.deal)),
            make=lambda b: BlockedDeal(b.deal.id, b.deal.title, b.deal.owner, by_id[b.deal.id].stage, b.since,
                                       _days(b.since, now), b.reason),
        ),
        # Longest idle first, then the biggest deal, then the lower id.
        stalled=sections.listing(
            stalled.deals, limit, currency=currency, deal=lambda s: s.deal,
            key=lambda s: (s.idle_days, s.deal.value, sections.lower_id(s.deal)), first=attrgetter("idle_days"),
            make=lambda s: StalledDeal(s.deal.id, s.deal.title, s.deal.owner, s.stage, s.deal.value,
                                       s.deal.currency, s.last_activity, s.idle_days),
        ),
        stall_days=stall_days,
        # Started open deals, oldest first, then the biggest deal, then the lower id.
        ageing=sections.listing(
            [a for a in ages.values() if a.started], limit, currency=currency, deal=lambda a: a.deal,
            key=lambda a: (a.days, a.deal.value, sections.lower_id(a.deal)), first=attrgetter("days"),
            make=lambda a: AgeingDeal(a.deal.id, a.deal.title, a.deal.owner, a.stage, a.days, a.band),
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
        load=_load(lines, by_name, currency, blocked_ids, stalled_ids,
                   lane_limits if context.person_limits is None else context.person_limits, context.work_cards or {}),
        forecast=_forecast(lines, closed, by_name, history, now, currency, horizon_days, trials, forecast_seed, tz),
        deals=_deal_lines(lines, period, now, ages, blocked_ids, limit, currency),
        next_steps=sections.next_steps(mine, day_of(now, tz), limit=limit, currency=currency),
        sales=sections.sales_metrics(lines, stages, history, stage_lines, stalled, currency, target, exits),
        littles_law=sections.littles_law(lines, history, tz),
        stage_days=sections.stage_days(closed, stages, history, now),
        blocked_time=flow.blocked_totals(closed, history, now),
        win_rate_by_type=_win_rates(sales.win_rate_by(closed, history, key=sections.deal_type)),
        win_rate_by_source=_win_rates(sales.win_rate_by(closed, history, key=sections.deal_source)),
        qualified_out=_qualified_out(sales.qualified_out(lines, history, stages, currency=currency, exits=exits),
                                     out_lines, currency),
        effectiveness=sections.effectiveness(lines, stages, history, currency, context, owner),
        capacity=None if capacity is None else sections.capacity(closed, history, now, capacity, trials, forecast_seed, tz),
        sprint=sections.sprint(context),
        insights=sections.insights(context.insights),
        policies=None if isinstance(board, str) else policy_summary(board),
    )


def _cycle(cycle: flow.Percentiles | None) -> CycleTimeDays:
    """The cycle-time line: the percentiles only from MIN_CYCLE_TIMES cycle times on."""
    if cycle is None:
        return CycleTimeDays(0)
    if cycle.count < flow.MIN_CYCLE_TIMES:
        return CycleTimeDays(cycle.count)
    return CycleTimeDays(cycle.count, cycle.p50, cycle.p85, cycle.p95, cycle.mean)


def _win_rate(rate: sales.WinRate) -> WinRateLine:
    return WinRateLine(rate.won, rate.lost, rate.rate, rate.need)


def _win_rates(rates: Mapping[str, sales.WinRate]) -> dict[str, WinRateLine]:
    return {name: _win_rate(rate) for name, rate in rates.items()}


def _qualified_out(found: sales.QualifiedOut, in_period: list[flow.Timeline], currency: str) -> QualifiedOutLine:
    return QualifiedOutLine(
        count=found.count,
        value=found.value,
        rate=found.rate,
        rate_sample=found.rate_sample,
        reasons=found.reasons,
        median_days_to_discard=found.median_days_to_discard,
        median_sample=found.median_sample,
        by_stage=tuple(
            StageQualifyOutLine(x.stage, x.qualified_out, x.left, x.rate, x.sample, x.reasons) for x in found.by_stage
        ),
        period_count=len(in_period),
        period_value=_total(in_period, currency),
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


def _in_period(events: Iterable[Event], kind: EventKind, period: Period, ids: set[int]) -> list[Event]:
    """The events of `kind` in `period` of the deals `ids`, by time then id (events come in any
    order across deals)."""
    start, end = period.start, period.end
    found = []
    for e in events:
        if e.kind is kind:
            at = e.at if e.at.tzinfo is not None else aware(e.at)
            if start <= at < end and e.deal_id in ids:
                found.append(e)
    found.sort(key=_time_then_id)
    return found


def _time_then_id(event: Event) -> tuple[datetime, int]:
    return aware(event.at), event.id or 0


def _biggest_then_newest(by_id: Mapping[int | None, flow.Timeline]) -> Callable[[Event], tuple]:
    """The order of the period's moves and new deals: the biggest deal first, then the
    newest event (by time, then id)."""
    return lambda e: (by_id[e.deal_id].deal.value, aware(e.at), e.id or 0)


def _moves(
    events: Iterable[Event],
    ids: set[int],
    by_id: Mapping[int | None, flow.Timeline],
    period: Period,
    limit: int | None,
    currency: str,
) -> Listing[Move]:
    return sections.listing(
        [e for e in _in_period(events, EventKind.MOVED, period, ids) if e.to_stage and e.deal_id in by_id],
        limit, currency=currency, deal=lambda e: by_id[e.deal_id].deal, key=_biggest_then_newest(by_id),
        make=lambda e: _move(e, by_id[e.deal_id].deal),
    )


def _move(event: Event, deal: Deal) -> Move:
    return Move(event.deal_id, deal.title, deal.owner, event.from_stage, event.to_stage or "",
                aware(event.at), deal.value, deal.currency, deal.customer_value, deal.customer_impact)


def _new_deals(
    events: Iterable[Event],
    ids: set[int],
    by_id: Mapping[int | None, flow.Timeline],
    period: Period,
    limit: int | None,
    currency: str,
) -> Listing[NewDeal]:
    def make(event: Event) -> NewDeal:
        deal = by_id[event.deal_id].deal
        return NewDeal(deal.id, deal.title, deal.owner, event.to_stage or deal.stage, deal.value, deal.currency,
                       aware(event.at), deal.customer_value, deal.customer_impact)

    return sections.listing(
        [e for e in _in_period(events, EventKind.CREATED, period, ids) if e.deal_id in by_id],
        limit, currency=currency, deal=lambda e: by_id[e.deal_id].deal, key=_biggest_then_newest(by_id), make=make,
    )


def _closed(line: flow.Timeline) -> Closed:
    deal = line.deal
    return Closed(deal.id, deal.title, deal.owner, deal.value, deal.currency, line.closed_at,  # type: ignore[arg-type]
                  line.lost_reason, line.lost_from, deal.customer_value, deal.customer_impact)


def _total(lines: list[flow.Timeline], currency: str) -> Decimal:
    return sales.money(sum((l.deal.value for l in lines if l.deal.currency == currency), ZERO))


def _shown_closes(lines: list[flow.Timeline], currency: str, limit: int | None) -> tuple[Closed, ...]:
    """The period's wins (or losses) shown: the biggest deal first, then the latest close."""
    return sections.listing(
        lines, limit, currency=currency, deal=lambda l: l.deal, make=_closed,
        key=lambda l: (l.deal.value, l.closed_at, sections.lower_id(l.deal)),
    ).items


def _won(lines: list[flow.Timeline], currency: str, limit: int | None) -> Won:
    return Won(len(lines), _total(lines, currency), _shown_closes(lines, currency, limit))


def _lost(lines: list[flow.Timeline], currency: str, limit: int | None) -> Lost:
    reasons: dict[str, int] = {}
    for line in lines:
        reason = line.lost_reason or flow.UNSPECIFIED
        reasons[reason] = reasons.get(reason, 0) + 1
    ordered = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    return Lost(len(lines), _total(lines, currency), ordered, _shown_closes(lines, currency, limit))


def _load(
    lines: list[flow.Timeline],
    by_name: Mapping[str, Stage],
    currency: str,
    blocked_ids: set[int | None],
    stalled_ids: set[int | None],
    lane_limits: Mapping[str, int],
    work_cards: Mapping[str, int],
) -> tuple[Load, ...]:
    """Each owner's open deals: how many, in active stages, their value (as `_total`),
    blocked and stalled. One pass over the lines, each owner's deals summed in their order."""
    active = flow.active_by_name(by_name)
    tally: dict[str, list] = {}  # owner -> [open, active, value, blocked, stalled]
    for line in lines:
        if not line.is_open:
            continue
        deal = line.deal
        row = tally.get(deal.owner)
        if row is None:
            row = tally[deal.owner] = [0, 0, ZERO, 0, 0]
        row[0] += 1
        if active[line.stage]:
            row[1] += 1
        if deal.currency == currency:
            row[2] += deal.value
        if deal.id in blocked_ids:
            row[3] += 1
        if deal.id in stalled_ids:
            row[4] += 1
    return tuple(
        Load(
            owner=owner,
            open=count,
            active=in_active,
            value=sales.money(value),
            blocked=blocked,
            stalled=stalled,
            wip_max=lane_limits.get(owner.casefold()),
            work=work_cards.get(owner.casefold(), 0),
        )
        for owner, (count, in_active, value, blocked, stalled) in sorted(tally.items())
    )


def _forecast(
    lines: list[flow.Timeline],
    closed: list[flow.Timeline],
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
    in the next `horizon_days`, from the committed closes of the history (`closed`: the lines
    finally closed in it)."""
    today = day_of(now, tz)
    active = flow.active_by_name(by_name)
    counted = [l.deal for l in lines if l.is_open and active[l.stage]]
    return _draw(closed, _values(counted, currency), len(counted), history, today, today + timedelta(days=horizon_days),
                 currency, trials, seed, tz, committed=True)


def _values(deals: Iterable[Deal | CountedDeal], currency: str) -> list[Decimal]:
    """The values of `deals` in `currency` (a forecast counts the others as 0)."""
    return [d.value for d in deals if d.currency == currency]


def _draw(
    lines: Sequence[flow.Timeline],
    values: list[Decimal],
    items: int,
    history: Period,
    today: date,
    horizon: date,
    currency: str,
    trials: int,
    seed: int | None,
    tz: tzinfo,
    *,
    committed: bool,
) -> Forecast:
    """Monte Carlo over the daily closes (and wins) of `lines` in `history`, zero days included:
    when the `items` deals counted (worth `values` in `currency`) will all be closed, and how
    many of them close (and how much of their value is won) by `horizon`. `committed`: sample
    the committed closes only (wins and losses after commitment), as for deals in active
    stages; else every close, qualify-outs too."""
    closes = flow.daily_counts(lines, history, tz=tz, only_committed=committed)
    wins = flow.daily_counts(lines, history, tz=tz, outcome=DealStatus.WON)
    found = forecast.forecast_deals(values, items, closes, wins, trials, seed, start=today, target=horizon)
    done, many, value = found.done, found.closes, found.won_value
    return Forecast(
        trials=trials,
        seed=seed,
        no_throughput=not any(closes),
        items=found.items,
        done_p50=done.p50 if done else None,
        done_p85=done.p85 if done else None,
        done_p95=done.p95 if done else None,
        horizon=horizon,
        closes_p50=many.p50 if many else None,
        closes_p85=many.p85 if many else None,
        closes_p95=many.p95 if many else None,
        won_value_p50=value.p50 if value else None,
        won_value_p85=value.p85 if value else None,
        won_value_p95=value.p95 if value else None,
        beyond_horizon=done.beyond_horizon if done else 0.0,
        value=sales.money(found.value),
        sample=found.sample,
        sampled="committed" if committed else "all",
    )


# -- `leankanban forecast`: the forecast on its own -----------------------------------

#: Trials a forecast may be asked for.
MIN_TRIALS, MAX_TRIALS = 100, 1_000_000


@dataclass(frozen=True, slots=True)
class CountedDeal:
    """What a forecast reads of an open deal it counts (`build_forecast(counted=)`): a
    forecast sums values and lists the deals, it reads no history of theirs."""

    id: int | None
    title: str
    stage: str
    value: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ForecastReport:
    """The Monte Carlo forecast for chosen stages, a chosen date and a chosen
    throughput window (`leankanban forecast`).

    `stages`: whose open deals `forecast.items` counts (by default the active
    stages: the work in progress); `window`: the days whose closes are sampled,
    zero days included; `closed` and `won`: how many of the sampled closes there
    were in it, and how many of them were wins; `qualified_out`: the deals
    discarded before commitment in it (sampled only when an upstream stage is
    forecast: `forecast.sampled` is then `all`).
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
    qualified_out: int = 0

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
    currency: str | None = None,
    counted: Sequence[CountedDeal] | None = None,
) -> ForecastReport:
    """When will the open deals in `stage_names` (default: every active stage) be done,
    and how many deals and how much won value will close by `target`, sampling the daily
    closes of [window_start, now]. `owner` narrows the deals counted and the throughput.
    `counted`, when given, are the open deals to count, read apart (of `owner` already, in
    their order; those outside the stages forecast are left out): `deals` (and `lines`)
    are then only what the throughput is sampled from, and their open deals are not counted.

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
    if counted is None:
        counted = [CountedDeal(l.deal.id, l.deal.title, l.stage, l.deal.value, l.deal.currency)
                   for l in lines if l.is_open]
    if chosen:
        counted = [c for c in counted if c.stage in chosen]
    else:
        counted = [c for c in counted if flow.is_active(by_name.get(c.stage))]
    window = Period(window_start, now + timedelta(microseconds=1))
    currency = currency or sales.main_currency(mine)
    # Deals in active stages end in a committed close; an upstream deal may also be qualified out.
    committed = not any(s.upstream for s in wanted)
    every = flow.closed_in(lines, window)
    closed = [l for l in every if flow.committed_close(l)] if committed else every
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
        forecast=_draw(lines, _values(counted, currency), len(counted), window, today, target, currency, trials, seed,
                       tz, committed=committed),
        deals=tuple((c.id, c.title, c.stage) for c in counted),
        qualified_out=sum(1 for l in every if not flow.committed_close(l)),
    )


def _deal_lines(
    lines: list[flow.Timeline],
    period: Period,
    now: datetime,
    ages: Mapping[int | None, flow.WorkItemAge],
    blocked_ids: set[int | None],
    limit: int | None,
    currency: str,
) -> Listing[DealLine]:
    """Every open deal and every deal closed in the period: the biggest first, then the lower id."""
    return sections.listing(
        [l for l in lines if l.is_open or (l.closed_at is not None and l.closed_at in period)],
        limit, currency=currency, deal=lambda l: l.deal,
        key=lambda l: (l.deal.value, sections.lower_id(l.deal)), first=attrgetter("deal.value"),
        make=lambda l: _deal_line(l, now, ages, blocked_ids),
    )


def _deal_line(
    line: flow.Timeline,
    now: datetime,
    ages: Mapping[int | None, flow.WorkItemAge],
    blocked_ids: set[int | None],
) -> DealLine:
    deal = line.deal
    age = ages.get(deal.id)
    if age is not None:
        age_days, band = age.days, age.band
    else:
        since = line.started_at or line.created_at
        age_days, band = _days(since, line.closed_at or now), AgeBand.UNKNOWN
    return DealLine(
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
        customer_value=deal.customer_value,
        customer_impact=deal.customer_impact,
    )
