"""The stand-up report use case: load what `build_report` needs, and only that.

`report(lk, ...)` returns the same `StandupReport` as feeding
`reports.model.build_report` every deal and every event of the board, but on
a board with 100,000 deals and a million events it reads a fifth of them:

* every open deal, and every deal that changed at or after the start of the
  window (the history window, or `since` if earlier): created, moved, closed,
  edited or touched by any event then. The store keeps `last_activity_at` at
  or after a deal's latest event (every event is recorded through
  `repository.add_events`, which only ever moves it forward; imports keep the
  maximum), so a closed deal whose timestamps are all older than the window
  has no event in it: its final close is before the window and it adds
  nothing to any figure;
* the events of those deals only, old ones included, since a timeline is
  rebuilt from a deal's whole history: every event that changes a stage, a
  status or a block, and of the other kinds (notes, edits ...) just the
  earliest time, which a timeline reads (the latest is `last_activity_at`);
* the older closed deals only as counts per owner and currency, for the one
  number they still change: the report's main currency and how many deals
  are in other currencies. If leaving them out would change the main
  currency, everything is loaded instead.

Rows are read with Core `select`s of the needed columns, and times are parsed
from SQLite's text directly (no ORM objects, no per-row type decorators).
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, UnknownSprint
from leankanban.domain.model import (
    Board,
    Deal,
    DealStatus,
    Event,
    Stage,
    StageKind,
)
from leankanban.metrics import forecast as forecast_metrics
from leankanban.metrics import sales
from leankanban.metrics.timelines import Summary, Timeline, from_summary, timelines
from leankanban.reports import model as reports
from leankanban.services import LeanKanban
from leankanban.store import readers
from leankanban.store import repository as repo

DEFAULT_SINCE = "7d"
#: From this many deals on a board, a report's forecast will most likely draw its
#: picks with NumPy (see `metrics.forecast`): the import starts while the database is read.
PRELOAD_NUMPY_DEALS = 20_000



# -- since -----------------------------------------------------------------------

_RELATIVE = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def _span_or_date(raw: str) -> timedelta | date | None:
    """`7d`, `2w`, `36h` as a timedelta, `YYYY-MM-DD` as a date; None for anything else."""
    found = _RELATIVE.match(raw)
    if found:
        return timedelta(**{_UNITS[found.group(2).lower()]: int(found.group(1))})
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse_since(text: str | None, now: datetime) -> datetime:
    """`7d`, `2w`, `36h` before `now`, or a date `YYYY-MM-DD` (its midnight, UTC).

    Raises InvalidInput with one sentence for anything else.
    """
    found = _span_or_date((text or DEFAULT_SINCE).strip())
    if found is None:
        raise InvalidInput(
            f"'{text}' is not a time to report since; use a number of days or weeks like 7d or 2w, "
            "or a date like 2026-11-01."
        )
    if isinstance(found, timedelta):
        return now - found
    since = datetime.combine(found, time(), tzinfo=UTC)
    if since > now:
        raise InvalidInput(f"{found.isoformat()} is in the future; give a date up to today.")
    return since


def parse_until(text: str | None, now: datetime, *, default_days: int) -> date:
    """`14d`, `2w`, `36h` after `now` (its day, UTC), or a date `YYYY-MM-DD`.

    Raises InvalidInput with one sentence for anything else (a date in the past is
    refused where the forecast is built).
    """
    found = _span_or_date((text or "").strip() or f"{default_days}d")
    if found is None:
        raise InvalidInput(
            f"'{text}' is not a date to forecast to; use a number of days or weeks like 14d or 4w, "
            "or a date like 2027-01-31."
        )
    return (now + found).astimezone(UTC).date() if isinstance(found, timedelta) else found


# -- what the report (and the charts) are computed from ----------------------------


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """What `build_report` and the chart builders take: a board's stages, the
    deals that matter for a window starting at `start`, their events, and `now`.

    `currency_counts` counts every deal of the board by currency (owner
    filter applied), including the closed ones that were not loaded.
    `lines` are the deals' timelines, built once here and shared by the
    report, the forecast and the charts (the one read model they all use).
    """

    board: Board
    stages: tuple[Stage, ...]
    deals: tuple[Deal, ...]
    events: tuple[Event, ...]
    now: datetime
    start: datetime
    owner: str | None
    currency_counts: dict[str, int]
    complete: bool
    lines: tuple[Timeline, ...] | None = None
    #: When the board's history begins: its creation, or its oldest deal's (imports
    #: bring older ones). No window reaches back before it (days before the board
    #: existed are not days that closed nothing).
    first_activity: datetime | None = None
    #: A forecast's inputs (`load_inputs(forecast_stages=)`): the open deals it counts, read
    #: apart (`deals` then holds only the closed deals whose closes are sampled).
    counted: tuple[reports.CountedDeal, ...] | None = None


def _owner_matches(owner: str | None):
    if owner is None:
        return lambda _name: True
    wanted = owner.strip().casefold()
    return lambda name: name.casefold() == wanted


def load_inputs(
    lk: LeanKanban,
    *,
    board: str | None = None,
    start: datetime,
    owner: str | None = None,
    now: datetime | None = None,
    everything: bool = False,
    forecast_stages: Iterable[str] | None = None,
    read_from: datetime | None = None,
) -> ReportInputs:
    """Read, in one unit of work, what a report or chart over [start, now] needs.

    With `everything`, every deal and event of the board is loaded (the
    reference the efficient path is tested against). With `forecast_stages`
    (stage names; empty: the active stages), only what a forecast reads: the
    open deals in those stages as `counted` (no history: a forecast counts
    them, sums their value and names them) and, as `deals`, the closed deals
    with their history (their final closes are the throughput sampled).
    `read_from` (at or before `start`) reads the deals changed since then too:
    the report's insights count the closes from the midnight of `since`'s day.
    """
    now = (now or lk.clock()).astimezone(UTC)
    start = start.astimezone(UTC)
    counted_deals: tuple[reports.CountedDeal, ...] | None = None
    since_read = min(start, read_from.astimezone(UTC)) if read_from is not None else start
    wants = _owner_matches(owner)
    with lk.read() as session:
        row = repo.board_row(session=session, name=board)
        loaded = repo.load_board(session=session, row=row)
        # With their renames: the histories name stages as they were called then.
        loaded = replace(loaded, stages=repo.with_renames(session=session, board_id=row.id, stages=loaded.stages))
        names = {s.id: s.name for s in loaded.stages}
        first = repo.first_activity(session=session, row=row)

        counts: Counter[str] = Counter()
        board_deals = 0
        for name, currency, count in readers.deal_counts(session, row.id):
            board_deals += count
            if wants(name):
                counts[currency] += count
        if board_deals >= PRELOAD_NUMPY_DEALS and not everything:
            forecast_metrics.preload_numpy()  # on another core, while SQLite reads the deals and events

        if forecast_stages is not None and not everything:
            wanted = {s.casefold() for s in forecast_stages}
            counted = {
                s.id for s in loaded.stages
                if s.kind is StageKind.OPEN and (s.name.casefold() in wanted if wanted else s.is_active)
            }
            # The open deals counted, without their history, and the closed ones with theirs.
            open_rows, rows = readers.forecast_deals(session, row.id, since_read, counted)
            if owner is not None:
                open_rows = [r for r in open_rows if wants(r[-1])]
                rows = [r for r in rows if wants(r[readers.OWNER])]
            counted_deals = tuple(reports.CountedDeal(*c) for c in readers.counted_deals(open_rows, names))
            # A forecast reads of a closed deal its final close, outcome and start: a summary will do.
            deals, lines, events = _read_timelines(session, row.id, loaded, rows, since_read, now)
            tipped = False  # the forecast is given the board's main currency (`_main(counts)`)
        else:
            rows = readers.report_deals(session, row.id, since_read, everything=everything)
            if owner is not None:
                rows = [r for r in rows if wants(r[readers.OWNER])]
            if everything:
                deals = readers.deals(rows, names)
                events = readers.all_events(session, row.id, {d.id for d in deals})
                lines = timelines(loaded.stages, deals, events, now=now)
                tipped = False
            else:
                # The deal objects are made on another thread while the database reads their
                # events here (SQLite and psycopg let go of the GIL while they work).
                deals, lines, events = _read_timelines(session, row.id, loaded, rows, since_read, now)
                tipped = sales.main_currency(deals) != _main(counts)
    if tipped:
        # The old closed deals tip the main currency: read everything, as the reference does.
        return load_inputs(lk, board=board, start=start, owner=owner, now=now, everything=True)
    deals, events = tuple(deals), tuple(events)
    return ReportInputs(
        board=loaded,
        stages=loaded.stages,
        deals=deals,
        events=events,
        now=now,
        start=start,
        owner=owner,
        currency_counts=dict(counts),
        complete=everything,
        lines=tuple(lines),
        counted=counted_deals,
        first_activity=first,
    )


def _read_timelines(
    session: Any, board_id: int, board: Board, rows: list[Any], since: datetime, now: datetime
) -> tuple[list[Deal], list[Timeline], list[Event]]:
    """The deals of `rows` (`readers.report_deals` or `forecast_deals` rows), their timelines
    in the same order, and the events read for them. Empties `rows`: on a big board they
    are the largest thing a report holds, and are not needed once read.

    A deal whose flow summary stands for its history (`readers.summary`: an open deal
    whose stage, status and blocks last changed before `since`, and in a forecast's read
    every closed deal with a summary, which a forecast and the closed-deals charts read
    only for its close, outcome and start) is told from its summary, with no event read;
    every other deal's history is read and replayed.
    """
    names = {s.id: s.name for s in board.stages}
    summaries: dict[int, Summary] = {}
    replayed_ends: list[tuple[Any, Any, Any]] = []  # what `state_events` reads of a row
    for at, row in enumerate(rows):
        found = readers.summary(row)
        if found is None:
            replayed_ends.append((row[0], row[-2], row[-1]))
        else:
            summaries[at] = found
    # The deal objects are made on another thread while the database reads the events here
    # (SQLite and psycopg let go of the GIL while they work).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="leankanban-deals") as pool:
        made = pool.submit(_deals_of, rows, names)
        events = readers.state_events(session, board_id, since, replayed_ends) if replayed_ends else []
        deals = made.result()
    del replayed_ends
    replayed = [deal for at, deal in enumerate(deals) if at not in summaries]
    rest = iter(timelines(board.stages, replayed, events, now=now))
    lines = [from_summary(deal, summaries[at]) if at in summaries else next(rest) for at, deal in enumerate(deals)]
    return deals, lines, events


def _deals_of(rows: list[Any], names: dict[int | None, str]) -> list[Deal]:
    """`readers.deals(rows)`, a part at a time, each part's rows let go once made (their
    texts of times and lists are a third of what a big report holds at its peak); empties
    `rows`."""
    deals: list[Deal] = []
    for at in range(0, len(rows), _DEALS_AT_ONCE):
        part = rows[at : at + _DEALS_AT_ONCE]
        deals += readers.deals(part, names)
        rows[at : at + len(part)] = [None] * len(part)
    rows.clear()
    return deals


#: Deal rows made into Deals at a time (see `_deals_of`).
_DEALS_AT_ONCE = 5_000


def _main(counts: Counter[str]) -> str:
    """`sales.main_currency` over counts."""
    if not counts:
        return sales.main_currency(())
    return min(counts, key=lambda code: (-counts[code], code))


# -- the report ---------------------------------------------------------------------


def window_start(now: datetime, since: datetime, history_days: int) -> datetime:
    """Where the report's data starts: the history window, or `since` if earlier."""
    return min(since, now - timedelta(days=history_days))


def report(
    lk: LeanKanban,
    *,
    board: str | None = None,
    since: datetime | str | None = None,
    owner: str | None = None,
    seed: int | None = None,
    history_days: int = reports.DEFAULT_HISTORY_DAYS,
    everything: bool = False,
    limit: int | None = reports.DEFAULT_LIMIT,
) -> reports.StandupReport:
    """The stand-up report of `board` since `since` (a datetime, or text like `7d`; default 7 days).

    `everything` reads every deal and event (slow on a big board; the reference for tests).
    `limit`: entries shown per list (None: all), see `build_report`.
    """
    built, _inputs = report_and_inputs(
        lk, board=board, since=since, owner=owner, seed=seed, history_days=history_days, everything=everything,
        limit=limit,
    )
    return built


def report_and_inputs(
    lk: LeanKanban,
    *,
    board: str | None = None,
    since: datetime | str | None = None,
    owner: str | None = None,
    seed: int | None = None,
    history_days: int = reports.DEFAULT_HISTORY_DAYS,
    everything: bool = False,
    limit: int | None = reports.DEFAULT_LIMIT,
) -> tuple[reports.StandupReport, ReportInputs]:
    """The report and what it was computed from (the charts of an HTML report reuse the inputs)."""
    with paused_gc():
        inputs, since = report_inputs(
            lk, board=board, since=since, owner=owner, history_days=history_days, everything=everything
        )
        return report_from(lk, inputs, since, board=board, seed=seed, history_days=history_days, limit=limit), inputs


def report_inputs(
    lk: LeanKanban,
    *,
    board: str | None = None,
    since: datetime | str | None = None,
    owner: str | None = None,
    history_days: int = reports.DEFAULT_HISTORY_DAYS,
    everything: bool = False,
) -> tuple[ReportInputs, datetime]:
    """The first half of `report_and_inputs`: the inputs, and `since` as a datetime (the
    metrics screen draws its charts from the inputs before the report is built)."""
    now = lk.clock().astimezone(UTC)
    if not isinstance(since, datetime):
        since = parse_since(since, now)
    if history_days < 1:
        raise InvalidInput("The history window must be at least one day.")
    start = window_start(now, since, history_days)
    # Insights count the closes from the midnight of `since`'s day (load_insights): read those deals too.
    midnight = datetime.combine(since.astimezone(UTC).date(), time(), tzinfo=UTC)
    inputs = load_inputs(lk, board=board, start=start, owner=owner, now=now, everything=everything, read_from=midnight)
    return inputs, since


def report_from(
    lk: LeanKanban,
    inputs: ReportInputs,
    since: datetime,
    *,
    board: str | None = None,
    seed: int | None = None,
    history_days: int = reports.DEFAULT_HISTORY_DAYS,
    limit: int | None = reports.DEFAULT_LIMIT,
) -> reports.StandupReport:
    """The second half of `report_and_inputs`: the report over inputs from `report_inputs`."""
    # Without an owner the inputs hold every deal closed since `start` (see load_insights).
    context = load_context(lk, board=board, since=since, start=inputs.start,
                           deals=inputs.deals if inputs.owner is None else None)
    return from_inputs(inputs, since, seed=seed, history_days=history_days, context=context, limit=limit)


def forecast(
    lk: LeanKanban,
    *,
    board: str | None = None,
    stages: Iterable[str] = (),
    until: date | str | None = None,
    window: datetime | str | None = None,
    owner: str | None = None,
    trials: int = forecast_metrics.DEFAULT_TRIALS,
    seed: int | None = None,
) -> reports.ForecastReport:
    """`leankanban forecast`: when the open deals in `stages` (default: the active ones) will
    be done, and what will close by `until` (default: in 14 days), from the daily closes since
    `window` (a datetime, or text like `90d`, `12w` or a date; default: 90 days)."""
    now = lk.clock().astimezone(UTC)
    start = window if isinstance(window, datetime) else parse_since(
        window or f"{reports.DEFAULT_HISTORY_DAYS}d", now
    )
    target = until if isinstance(until, date) else parse_until(until, now, default_days=reports.DEFAULT_HORIZON_DAYS)
    with paused_gc():
        inputs = load_inputs(lk, board=board, start=start, owner=owner, now=now, forecast_stages=tuple(stages))
        if inputs.first_activity is not None and start < inputs.first_activity < now:
            start = inputs.first_activity  # a young board's window: since it began
        return reports.build_forecast(
            inputs.board, inputs.stages, inputs.deals, inputs.events, now, window_start=start, target=target,
            stage_names=tuple(stages), owner=owner, trials=trials, seed=seed, lines=inputs.lines,
            currency=_main(Counter(inputs.currency_counts)), counted=inputs.counted,
        )


def load_context(
    lk: LeanKanban, *, board: str | None = None, since: datetime, start: datetime, deals: Iterable[Deal] | None = None
) -> reports.ReportContext:
    """What the report shows besides deals and events (small reads through the services):
    the target allocation, time logged since `start` (the history window), the open
    sprint (or the one closed since `since`) with its burn-up, and insights since `since`."""
    target = lk.target_allocation(board=board)
    logs = lk.time_logs(board=board, since=start)
    try:
        sprint: sp.Sprint | None = lk.get_sprint(board=board)
    except UnknownSprint:
        sprint = None
    if sprint is not None and sprint.status is not sp.SprintStatus.OPEN and (
        sprint.closed_at is None or sprint.closed_at < since
    ):
        sprint = None
    burn = tuple(lk.burn_up(sprint.number, board=board)) if sprint is not None else ()
    person_limits, work_cards = lk.load_beside(board=board)
    return reports.ReportContext(
        person_limits=person_limits,
        work_cards=work_cards,
        target_allocation=target,
        time_allocation=tuple(sp.allocation(logs, target)) if logs else (),
        sprint=sprint,
        burn_up=burn,
        insights=load_insights(lk, board=board, since=since.date(), deals=deals),
    )


def load_insights(
    lk: LeanKanban, *, board: str | None = None, since: date, deals: Iterable[Deal] | None = None
) -> sp.Insights:
    """`lk.insights(since=...)` read the fast way (the same result, tested against it).

    `deals`, when given, must hold every deal of the board closed since `since`
    (a report's inputs without an owner do): the closed deals are then picked
    from them and read by id, and their losses by an index seek each, instead
    of walking every deal and every event of the board.
    """
    today = lk.clock().astimezone(UTC).date()
    begin = datetime(since.year, since.month, since.day, tzinfo=UTC)
    closed_ids = None if deals is None else [
        d.id for d in deals if d.status is not DealStatus.OPEN and d.closed_at is not None and d.closed_at >= begin
    ]
    with lk.read() as session:
        row = repo.board_row(session=session, name=board)
        lost, by_tag, done = readers.insight_reads(session, row, begin, closed_ids)
        first = repo.first_activity(session=session, row=row)
    retros = [r for r in lk.list_retros(board=board) if r.created_at >= begin]
    return sp.insights(
        lost=[(reason, stage) for reason, stage in lost], retros=retros, closed_by_tag=by_tag,
        improvements_done=done, start=since, end=today, first_activity=first.date() if first is not None else None,
    )


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: a big report makes a few hundred thousand
    objects that all live until it is done, and collecting while they pile up
    only walks them again and again (a fifth of the time on 100,000 deals).
    Reference counting still frees everything else; collection resumes after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def from_inputs(
    inputs: ReportInputs,
    since: datetime,
    *,
    seed: int | None = None,
    history_days: int = reports.DEFAULT_HISTORY_DAYS,
    context: reports.ReportContext | None = None,
    limit: int | None = reports.DEFAULT_LIMIT,
) -> reports.StandupReport:
    """`build_report` over loaded inputs, with the currency count of the deals left out put back."""
    built = reports.build_report(
        inputs.board, inputs.stages, inputs.deals, inputs.events, inputs.now, since, inputs.owner, seed,
        history_days=history_days, context=context, limit=limit, lines=inputs.lines,
        history_floor=inputs.first_activity,
    )
    total = sum(inputs.currency_counts.values())
    other = total - inputs.currency_counts.get(built.currency, 0)
    return built if other == built.other_currency_deals else replace(built, other_currency_deals=other)
