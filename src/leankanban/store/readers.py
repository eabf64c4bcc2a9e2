"""Fast read paths for the report, the forecast and the charts.

Rows are read with Core `select`s of the needed columns, and times are parsed
from SQLite's text directly (no ORM objects, no per-row type decorators);
deals are made by the repository's one conversion (`deals_from_values`), so a
deal read here is the deal the rest of the app reads. What is read, and why
that is enough for the report, is in services/reports.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Date,
    Integer,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)

from leankanban.domain.model import Deal, DealStatus, Event, EventKind
from leankanban.metrics import timelines as tl
from leankanban.store import repository as repo
from leankanban.store import rows as conversions
from leankanban.store.tables import BoardRow, DealRow, EventRow, UTCDateTime

_DEAL = DealRow.__table__.c  # type: ignore[attr-defined]
_EVENT = EventRow.__table__.c  # type: ignore[attr-defined]
_KINDS = {kind.value: kind for kind in EventKind}

def _as_stored(column: Any) -> Any:
    """`column` read as the database keeps it, no type decorator at all: times and dates
    as SQLite's text (PostgreSQL's driver gives datetimes), JSON as text on both (cast, or
    PostgreSQL's driver would parse every row's, 0.8 s for 74,000 deals' two lists)."""
    if isinstance(column.type, JSON):
        return type_coerce(cast(column, Text), String)
    return type_coerce(column, String)


#: The deal columns a report reads: the repository's, times and lists (JSON) as stored.
_DEAL_QUERY_COLUMNS = tuple(
    _as_stored(_DEAL[name]) if isinstance(_DEAL[name].type, UTCDateTime | Date | JSON) else _DEAL[name]
    for name in repo.DEAL_COLUMNS
)
#: The lists (tags, helpers) are read as stored and parsed by `conversions.deals_from_stored`.
_LISTS = tuple(name for name in repo.DEAL_COLUMNS if isinstance(_DEAL[name].type, JSON))
if _LISTS != conversions.DEAL_LIST_COLUMNS:
    raise RuntimeError(f"conversions.DEAL_LIST_COLUMNS must name the deal's list columns, {_LISTS}")
#: Where a report deal row holds the owner.
OWNER = repo.DEAL_COLUMNS.index("owner")
STATUS = repo.DEAL_COLUMNS.index("status")
STAGE = repo.DEAL_COLUMNS.index("stage_id")


_time = conversions.stored_time


def _raw(column: Any) -> Any:
    """A time column read as it is stored (no type decorator at all)."""
    return type_coerce(column, String)


def deal_counts(session: Any, board_id: int) -> list[tuple[str, str, int]]:
    """(owner, currency, number of deals) over every deal of the board."""
    return [
        tuple(r)  # type: ignore[misc]
        for r in session.execute(
            select(_DEAL.owner, _DEAL.currency, func.count())
            .where(_DEAL.board_id == board_id)
            .group_by(_DEAL.owner, _DEAL.currency)
        )
    ]


def report_deals(session: Any, board_id: int, start: datetime, *, everything: bool = False) -> list[Any]:
    """The board's deals that matter for a window from `start` (every deal with `everything`),
    as rows of the repository's DEAL_COLUMNS, oldest in stage first; without `everything`
    each row ends with the deal's flow summary, its first event time and, where it has no
    last_activity_at, its last one (see `_ends`); `summary(row)` is the summary of the open
    deals it stands for (those not changed since `start`)."""
    deal_query = select(*_DEAL_QUERY_COLUMNS).where(_on_board(session, board_id))
    if not everything:
        told = and_(_DEAL.state_changed_at.is_not(None), _DEAL.status == DealStatus.OPEN.value,
                    _DEAL.state_changed_at < start)
        deal_query = deal_query.add_columns(*_ends(told)).where(_recent(start))
    return session.execute(deal_query.order_by(_DEAL.stage_entered_at, _DEAL.id)).all()


def _ends(told: Any) -> tuple[Any, ...]:
    """What a report row ends with: the deal's flow summary (store/flow.py), as stored; its
    first event time, one index seek each (ix_event_deal_at), except where `told` (its
    summary stands for its history, which is not read: NULL marks those rows); its last only
    where it has no last_activity_at (which is at or after it otherwise, and which its
    timeline takes as its last activity when later)."""
    first = case((told, None), else_=_bound(func.min))
    latest = case((_DEAL.last_activity_at.is_(None), _bound(func.max)))
    return _raw(_DEAL.started_at), _raw(_DEAL.state_changed_at), _raw(first), _raw(latest)


def summary(row: Any) -> tl.Summary | None:
    """The flow summary at the end of a `report_deals` or `forecast_deals` row where it stands
    for the deal's history (which is then not read), else None."""
    changed = row[-3]
    if changed is None or row[-2] is not None:
        return None
    return tl.Summary(_time(row[-4]), _time(changed))  # type: ignore[arg-type]


def summary_rows(ids: list[int]) -> Any:
    """The select of the deals `ids` as `report_deals` rows, every one with its first event
    time (its history is read), for store/flow.py to replay."""
    return select(*_DEAL_QUERY_COLUMNS, *_ends(false())).where(_DEAL.id.in_(ids))


#: What a forecast reads of an open deal it counts (reports.model.CountedDeal, and the owner).
COUNTED_COLUMNS = (_DEAL.id, _DEAL.title, _DEAL.stage_id, _DEAL.value_cents, _DEAL.currency, _DEAL.owner)


def counted_deals(rows: Iterable[Any], names: dict[int | None, str]) -> list[tuple]:
    """Rows of COUNTED_COLUMNS as (id, title, stage, value, currency), the value and
    stage converted as the repository converts them."""
    money = repo.from_cents
    return [
        (deal_id, title, names[stage_id], money(value_cents), currency)
        for deal_id, title, stage_id, value_cents, currency, _owner in rows
    ]


def forecast_deals(session: Any, board_id: int, start: datetime, stage_ids: Iterable[int | None]) -> tuple[list[Any], list[Any]]:
    """What a forecast over a window from `start` reads of the deals, in `report_deals`'
    order: the open deals in the stages `stage_ids` as rows of COUNTED_COLUMNS (a
    forecast counts them and sums their value, it reads no history of theirs), and the
    closed deals that matter for the window as `report_deals` rows (their closes are what
    is sampled; a summary stands for the history of every one that has a summary)."""
    board = _on_board(session, board_id)
    order = (_DEAL.stage_entered_at, _DEAL.id)
    counted = session.execute(
        select(*COUNTED_COLUMNS)
        .where(board, _DEAL.status == DealStatus.OPEN.value, _DEAL.stage_id.in_(list(stage_ids)))
        .order_by(*order)
    ).all()
    closed = session.execute(  # a summary stands for the history of every closed deal that has one
        select(*_DEAL_QUERY_COLUMNS, *_ends(_DEAL.state_changed_at.is_not(None)))
        .where(board, _DEAL.status != DealStatus.OPEN.value, _recent(start))
        .order_by(*order)
    ).all()
    return counted, closed


def deals(rows: Iterable[Any], names: dict[int | None, str]) -> list[Deal]:
    """Rows of `report_deals` as Deals (`conversions.deals_from_stored`: each distinct list text
    parsed once, times parsed from the text SQLite stores)."""
    return conversions.deals_from_stored(rows, names)


#: Events that change a deal's stage, status or blocks. Every other kind (notes,
#: edits, qualification, overrides, undo marks) only moves the first and last
#: moment of a deal's history, so those are read as two numbers per deal.
STATE_KINDS = tuple(sorted(kind.value for kind in tl.STATE_KINDS))


def all_events(session: Any, board_id: int, ids: set[int | None]) -> list[Event]:
    """Every event of the deals in `ids`, by time then id (as `events_for_board` orders them)."""
    event_query = select(*_EVENT_COLUMNS).where(_EVENT.board_id == board_id).order_by(_EVENT.at, _EVENT.id)
    return [e for e in _events(session.execute(event_query).all()) if e.deal_id in ids]


def state_events(session: Any, board_id: int, start: datetime, rows: list[Any]) -> list[Event]:
    """The STATE_KINDS events of the deals in `rows` (each starting with the deal's id and ending
    with its first event time and, for a deal without last_activity_at, its last, as
    `report_deals` rows do): deal by deal,
    each deal's by time then id (across deals in no particular order: every reader of a
    report's events orders them itself).

    Events of other kinds are not read one by one: where a deal's first or
    last event is of such a kind, a NOTE at that moment stands in for it
    (timelines read nothing else from them).
    """
    ids = [deal[0] for deal in rows]
    wanted = _one_of(session, _EVENT.deal_id, ids)
    if wanted is None:  # the deal query's condition picks them again (and maybe other owners' deals)
        wanted = _EVENT.deal_id.in_(select(_DEAL.id).where(_DEAL.board_id == board_id, _recent(start)))
    found = session.execute(
        select(*_EVENT_COLUMNS)
        .where(wanted, _EVENT.kind.in_(STATE_KINDS))
        .order_by(_EVENT.deal_id, _EVENT.at, _EVENT.id)  # the order of ix_event_deal_at: no sort
    )
    kept = set(ids)
    events: list[Event] = []
    for part in found.partitions(_EVENTS_AT_ONCE):  # the raw rows of one part at a time in memory
        events += _events([r for r in part if r[0] in kept])
    first: dict[int | None, datetime] = {}
    last: dict[int | None, datetime] = {}
    for event in events:
        first.setdefault(event.deal_id, event.at)
        last[event.deal_id] = event.at
    note = EventKind.NOTE
    for deal in rows:
        deal_id, earliest, latest = deal[0], deal[-2], deal[-1]
        if earliest is None:
            continue
        earliest, latest = _time(earliest), _time(latest)
        if deal_id not in first or earliest < first[deal_id]:  # type: ignore[operator]
            events.append(Event(note, earliest, deal_id))  # type: ignore[arg-type]
        if latest is not None and latest != earliest and (deal_id not in last or latest > last[deal_id]):  # type: ignore[operator]
            events.append(Event(note, latest, deal_id))  # type: ignore[arg-type]
    return events


#: Event rows read and made into Events at a time (the rows of 100,000 would be 30 MB more at the peak).
_EVENTS_AT_ONCE = 10_000


def _one_of(session: Any, column: Any, ids: list[int]) -> Any:
    """`column IN ids` with the ids as one bound value, where the database takes one:
    a JSON array on SQLite (json_each), an array on PostgreSQL (= ANY), bound values where
    there are few; else None.
    (Thousands of bound values, one per id, would be slower, and SQLite caps their number.)"""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    if dialect.name == "sqlite" and getattr(dialect.dbapi, "sqlite_version_info", (0,)) >= (3, 38):  # JSON built in
        return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(ids))))
    if len(ids) <= _FEW_IDS:  # a deal's summary refreshed after a move: not the whole board's events
        return column.in_(ids)
    return None


#: As many ids as any SQLite takes as bound values in one statement (older ones cap them at 999).
_FEW_IDS = 500


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


def _recent(start: datetime):
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


_EVENT_COLUMNS = (
    _EVENT.deal_id, _EVENT.kind, _raw(_EVENT.at), _EVENT.from_stage, _EVENT.to_stage, _EVENT.reason, _EVENT.id,
    _as_stored(_EVENT.data),
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


def insight_reads(
    session: Any, board: BoardRow, begin: datetime, closed_ids: list[int] | None
) -> tuple[list[tuple[str | None, str | None]], dict[str, tuple[int, int]], list[datetime]]:
    """What insights read since `begin`: the losses (reason, stage they left), won/lost
    counts by tag, and when improvement cards were done. `closed_ids`, when given, are
    the board's deals closed since `begin` (read by id instead of by a scan)."""
    closed_statuses = (DealStatus.WON.value, DealStatus.LOST.value)
    if closed_ids is None:
        closed = _DEAL.board_id == board.id, _DEAL.status.in_(closed_statuses), _DEAL.closed_at >= begin
    else:
        closed = (_DEAL.id.in_(closed_ids),)
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
    if board.improvements_board_id is not None:
        done = [
            repo.from_db_time(at)
            for (at,) in session.execute(
                select(_DEAL.closed_at).where(
                    _DEAL.board_id == board.improvements_board_id,
                    _DEAL.status == DealStatus.WON.value,
                    _DEAL.closed_at >= begin,
                )
            )
        ]
    return [(reason, stage) for reason, stage in lost], by_tag, done
