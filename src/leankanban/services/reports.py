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
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    any_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)

from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, UnknownSprint
from leankanban.domain.model import (
    Activity,
    Board,
    Deal,
    DealStatus,
    DealType,
    Event,
    EventKind,
    Stage,
)
from leankanban.metrics import forecast as forecast_metrics
from leankanban.metrics import sales
from leankanban.reports import model as reports
from leankanban.services import LeanKanban
from leankanban.store import repository as repo
from leankanban.store.tables import DealRow, EventRow

DEFAULT_SINCE = "7d"
#: From this many deals on a board, a report's forecast will most likely draw its
#: picks with NumPy (see `metrics.forecast`): the import starts while the database is read.
PRELOAD_NUMPY_DEALS = 20_000

_DEAL = DealRow.__table__.c  # type: ignore[attr-defined]
_EVENT = EventRow.__table__.c  # type: ignore[attr-defined]
_KINDS = {kind.value: kind for kind in EventKind}
_STATUSES = {status.value: status for status in DealStatus}
_ACTIVITIES = {activity.value: activity for activity in Activity}
_DEAL_TYPES = {deal_type.value: deal_type for deal_type in DealType}
_CENT = Decimal("0.01")


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


def _time(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite gives text, PostgreSQL datetimes."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps UTC without an offset; parsing one in is the fastest way
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _raw(column: Any) -> Any:
    """A time column read as it is stored (no type decorator at all)."""
    return type_coerce(column, String)


def _owner_matches(owner: str | None):  # noqa: ANN202 - tiny predicate factory
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
) -> ReportInputs:
    """Read, in one unit of work, what a report or chart over [start, now] needs.

    With `everything`, every deal and event of the board is loaded (the
    reference the efficient path is tested against).
    """
    now = (now or lk.clock()).astimezone(UTC)
    start = start.astimezone(UTC)
    wants = _owner_matches(owner)
    with lk.read() as session:  # noqa: SLF001 - a read use case over the service's engine
        row = repo.board_row(session=session, name=board)
        loaded = repo.load_board(session=session, row=row)
        names = {s.id: s.name for s in loaded.stages}

        counts: Counter[str] = Counter()
        board_deals = 0
        for name, currency, count in session.execute(
            select(_DEAL.owner, _DEAL.currency, func.count())
            .where(_DEAL.board_id == row.id)
            .group_by(_DEAL.owner, _DEAL.currency)
        ):
            board_deals += count
            if wants(name):
                counts[currency] += count
        if board_deals >= PRELOAD_NUMPY_DEALS and not everything:
            forecast_metrics.preload_numpy()  # on another core, while SQLite reads the deals and events

        deal_query = select(
            _DEAL.id, _DEAL.stage_id, _DEAL.title, _DEAL.account, _DEAL.value_cents, _DEAL.currency,
            _DEAL.owner, _DEAL.status, _raw(_DEAL.created_at), _raw(_DEAL.stage_entered_at),
            _raw(_DEAL.closed_at), _DEAL.lost_reason, _DEAL.next_step, _DEAL.blocked_reason,
            _raw(_DEAL.blocked_since), _raw(_DEAL.last_activity_at), _DEAL.activity, _raw(_DEAL.next_step_due),
            _DEAL.deal_type, _DEAL.external_source, _DEAL.probability,
        ).where(_on_board(session, row.id))
        if not everything:
            # Each deal's first event of any kind, one index seek each (ix_event_deal_at); its last
            # only where the deal has no last_activity_at (which is at or after it otherwise, and
            # which its timeline takes as its last activity when later).
            latest = case((_DEAL.last_activity_at.is_(None), _bound(func.max)))
            deal_query = deal_query.add_columns(_raw(_bound(func.min)), _raw(latest)).where(_recent(start))
        rows = session.execute(deal_query.order_by(_DEAL.stage_entered_at, _DEAL.id)).all()
        if owner is not None:
            rows = [r for r in rows if wants(r[6])]
        if everything:
            deals = _deals(rows, names)
            events = _all_events(session, row.id, {d.id for d in deals})
            tipped = False
        else:
            # The deal objects are made on another thread while the database reads their
            # events here (SQLite and psycopg let go of the GIL while they work).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="leankanban-deals") as pool:
                made = pool.submit(_deals, rows, names)
                events = _state_events(session, row.id, start, rows)
                deals = made.result()
            tipped = sales.main_currency(deals) != _main(counts)
    if tipped:
        # The old closed deals tip the main currency: read everything, as the reference does.
        return load_inputs(lk, board=board, start=start, owner=owner, now=now, everything=True)
    return ReportInputs(
        board=loaded,
        stages=loaded.stages,
        deals=tuple(deals),
        events=tuple(events),
        now=now,
        start=start,
        owner=owner,
        currency_counts=dict(counts),
        complete=everything,
    )


#: Events that change a deal's stage, status or blocks. Every other kind (notes,
#: edits, qualification, overrides, undo marks) only moves the first and last
#: moment of a deal's history, so those are read as two numbers per deal.
STATE_KINDS = tuple(
    kind.value
    for kind in (EventKind.CREATED, EventKind.MOVED, EventKind.WON, EventKind.LOST, EventKind.REOPENED,
                 EventKind.BLOCKED, EventKind.UNBLOCKED)
)


def _all_events(session: Any, board_id: int, ids: set[int | None]) -> list[Event]:
    """Every event of the deals in `ids`, by time then id (as `events_for_board` orders them)."""
    event_query = select(*_EVENT_COLUMNS).where(_EVENT.board_id == board_id).order_by(_EVENT.at, _EVENT.id)
    return [e for e in _events(session.execute(event_query).all()) if e.deal_id in ids]


def _state_events(session: Any, board_id: int, start: datetime, deals: list[Any]) -> list[Event]:
    """The STATE_KINDS events of `deals` (rows of the deal query, ending in each deal's
    first event time and, for a deal without last_activity_at, its last): deal by deal,
    each deal's by time then id (across deals in no particular order: every reader of a
    report's events orders them itself).

    Events of other kinds are not read one by one: where a deal's first or
    last event is of such a kind, a NOTE at that moment stands in for it
    (timelines read nothing else from them).
    """
    ids = [deal[0] for deal in deals]
    wanted = _one_of(session, _EVENT.deal_id, ids)
    if wanted is None:  # the deal query's condition picks them again (and maybe other owners' deals)
        wanted = _EVENT.deal_id.in_(select(_DEAL.id).where(_DEAL.board_id == board_id, _recent(start)))
    rows = session.execute(
        select(*_EVENT_COLUMNS)
        .where(wanted, _EVENT.kind.in_(STATE_KINDS))
        .order_by(_EVENT.deal_id, _EVENT.at, _EVENT.id)  # the order of ix_event_deal_at: no sort
    ).all()
    kept = set(ids)
    events = _events([r for r in rows if r[0] in kept])
    first: dict[int | None, datetime] = {}
    last: dict[int | None, datetime] = {}
    for event in events:
        first.setdefault(event.deal_id, event.at)
        last[event.deal_id] = event.at
    note = EventKind.NOTE
    for deal in deals:
        deal_id, earliest, latest = deal[0], deal[-2], deal[-1]
        if earliest is None:
            continue
        earliest, latest = _time(earliest), _time(latest)
        if deal_id not in first or earliest < first[deal_id]:  # type: ignore[operator]
            events.append(Event(note, earliest, deal_id))  # type: ignore[arg-type]
        if latest is not None and latest != earliest and (deal_id not in last or latest > last[deal_id]):  # type: ignore[operator]
            events.append(Event(note, latest, deal_id))  # type: ignore[arg-type]
    return events


def _one_of(session: Any, column: Any, ids: list[int]) -> Any:
    """`column IN ids` with the ids as one bound value, where the database takes one:
    a JSON array on SQLite (json_each), an array on PostgreSQL (= ANY); else None.
    (Thousands of bound values, one per id, would be slower, and SQLite caps their number.)"""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    if dialect.name == "sqlite" and getattr(dialect.dbapi, "sqlite_version_info", (0,)) >= (3, 38):  # JSON built in
        return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(ids))))
    return None


def _on_board(session: Any, board_id: int) -> Any:
    """The board's deals. On SQLite as a condition its planner cannot answer with
    ix_deal_board_stage_status: a report reads a fifth of a board's deals, and with
    no table statistics SQLite would seek every deal row through the index (a third
    slower than reading the table, as every board's deals are then mostly this board's)."""
    if session.get_bind().dialect.name == "sqlite":
        return _DEAL.board_id + 0 == board_id
    return _DEAL.board_id == board_id


def _bound(aggregate: Any) -> Any:
    """min or max of a deal's event times, as a correlated scalar subquery."""
    return select(aggregate(_EVENT.at)).where(_EVENT.deal_id == _DEAL.id).scalar_subquery()


def _recent(start: datetime):  # noqa: ANN202 - an SQL condition
    """Deals that are open, or have any timestamp at or after `start`."""
    return or_(
        _DEAL.status == DealStatus.OPEN.value,
        _DEAL.closed_at.is_(None),
        _DEAL.closed_at >= start,
        _DEAL.last_activity_at >= start,
        _DEAL.updated_at >= start,
        _DEAL.stage_entered_at >= start,
        _DEAL.created_at >= start,
    )


def _main(counts: Counter[str]) -> str:
    """`sales.main_currency` over counts."""
    if not counts:
        return sales.main_currency(())
    return min(counts, key=lambda code: (-counts[code], code))


def _deals(rows: Iterable[Any], names: dict[int | None, str]) -> list[Deal]:
    statuses, time_of, cent = _STATUSES, _time, _CENT
    activities, default_activity = _ACTIVITIES, Activity.ORIGINATION
    deal_types, default_type = _DEAL_TYPES, DealType.NEW_LOGO
    return [
        Deal(
            title=title,
            stage=names[stage_id],
            account=account,
            value=(Decimal(value_cents or 0) / 100).quantize(cent),
            currency=currency,
            owner=owner,
            status=statuses[status],
            created_at=time_of(created),
            stage_entered_at=time_of(entered),
            closed_at=time_of(closed),
            lost_reason=lost_reason,
            next_step=next_step,
            id=deal_id,
            blocked_reason=blocked_reason,
            blocked_since=time_of(blocked_since),
            last_activity_at=time_of(last_activity),
            activity=activities.get(activity, default_activity),
            next_step_due=None if due is None else _day(due),
            deal_type=deal_types.get(deal_type, default_type),
            external_source=source,
            probability=probability,
        )
        for (deal_id, stage_id, title, account, value_cents, currency, owner, status, created, entered, closed,
             lost_reason, next_step, blocked_reason, blocked_since, last_activity, activity, due, deal_type, source,
             probability, *_bounds) in rows
    ]


def _day(value: Any) -> date:
    """A stored date: SQLite gives text, PostgreSQL dates."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


_EVENT_COLUMNS = (
    _EVENT.deal_id, _EVENT.kind, _raw(_EVENT.at), _EVENT.from_stage, _EVENT.to_stage, _EVENT.reason, _EVENT.id,
    type_coerce(_EVENT.data, String),
)


def _events(rows: Iterable[Any]) -> list[Event]:
    """Rows of `_EVENT_COLUMNS` as Events (the hot loop of a big report)."""
    kinds, time_of, parse, data_of = _KINDS, _time, datetime.fromisoformat, _data
    # Positional, in Event's field order: kind, at, deal_id, actor, from_stage, to_stage,
    # field, old_value, new_value, reason, id, data.
    return [
        Event(
            kinds[kind],
            parse(at + "+00:00") if at.__class__ is str else time_of(at),
            deal_id,
            "",
            from_stage,
            to_stage,
            None,
            None,
            None,
            reason,
            event_id,
            None if data is None or data == "null" else data_of(data),
        )
        for deal_id, kind, at, from_stage, to_stage, reason, event_id, data in rows
    ]


def _data(raw: Any) -> dict | None:
    if raw is None or raw == "null":
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


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
) -> reports.StandupReport:
    """The stand-up report of `board` since `since` (a datetime, or text like `7d`; default 7 days).

    `everything` reads every deal and event (slow on a big board; the reference for tests).
    """
    built, _inputs = report_and_inputs(
        lk, board=board, since=since, owner=owner, seed=seed, history_days=history_days, everything=everything
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
) -> tuple[reports.StandupReport, ReportInputs]:
    """The report and what it was computed from (the charts of an HTML report reuse the inputs)."""
    now = lk.clock().astimezone(UTC)
    if not isinstance(since, datetime):
        since = parse_since(since, now)
    if history_days < 1:
        raise InvalidInput("The history window must be at least one day.")
    with paused_gc():
        start = window_start(now, since, history_days)
        inputs = load_inputs(lk, board=board, start=start, owner=owner, now=now, everything=everything)
        # Without an owner the inputs hold every deal closed since `start` (see load_insights).
        context = load_context(lk, board=board, since=since, start=start,
                               deals=inputs.deals if owner is None else None)
        return from_inputs(inputs, since, seed=seed, history_days=history_days, context=context), inputs


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
        inputs = load_inputs(lk, board=board, start=start, owner=owner, now=now)
        return reports.build_forecast(
            inputs.board, inputs.stages, inputs.deals, inputs.events, now, window_start=start, target=target,
            stage_names=tuple(stages), owner=owner, trials=trials, seed=seed,
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
    return reports.ReportContext(
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
    closed_statuses = (DealStatus.WON.value, DealStatus.LOST.value)
    with lk.read() as session:  # noqa: SLF001 - a read use case over the service's engine
        row = repo.board_row(session=session, name=board)
        if deals is None:
            closed = _DEAL.board_id == row.id, _DEAL.status.in_(closed_statuses), _DEAL.closed_at >= begin
        else:
            ids = [d.id for d in deals if d.status is not DealStatus.OPEN and d.closed_at is not None
                   and d.closed_at >= begin]
            closed = (_DEAL.id.in_(ids),)
        lost = session.execute(
            select(_EVENT.reason, _EVENT.from_stage)
            .select_from(DealRow.__table__.join(EventRow.__table__, _EVENT.deal_id == _DEAL.id))  # type: ignore[attr-defined]
            .where(*closed, _DEAL.status == DealStatus.LOST.value)
            .where(_EVENT.kind == EventKind.LOST.value, _EVENT.at >= begin)
            .order_by(_EVENT.at, _EVENT.id)
        ).all()
        by_tag: dict[str, tuple[int, int]] = {}
        for tags, status in session.execute(select(_DEAL.tags, _DEAL.status).where(*closed).order_by(_DEAL.id)):
            for tag in tags or ():
                won, lost_n = by_tag.get(tag, (0, 0))
                by_tag[tag] = (won + (status == "won"), lost_n + (status == "lost"))
        done: list[datetime] = []
        if row.improvements_board_id is not None:
            done = [
                repo.from_db_time(at)
                for (at,) in session.execute(
                    select(_DEAL.closed_at).where(
                        _DEAL.board_id == row.improvements_board_id,
                        _DEAL.status == DealStatus.WON.value,
                        _DEAL.closed_at >= begin,
                    )
                )
            ]
    retros = [r for r in lk.list_retros(board=board) if r.created_at >= begin]
    return sp.insights(
        lost=[(reason, stage) for reason, stage in lost], retros=retros, closed_by_tag=by_tag,
        improvements_done=done, start=since, end=today,
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
) -> reports.StandupReport:
    """`build_report` over loaded inputs, with the currency count of the deals left out put back."""
    built = reports.build_report(
        inputs.board, inputs.stages, inputs.deals, inputs.events, inputs.now, since, inputs.owner, seed,
        history_days=history_days, context=context,
    )
    total = sum(inputs.currency_counts.values())
    other = total - inputs.currency_counts.get(built.currency, 0)
    return built if other == built.other_currency_deals else replace(built, other_currency_deals=other)
