"""Full export and restore: never hold a user's data hostage.

`export_data` dumps boards with their stages, policies (criteria and the
stages they gate, discard reasons, lane limits, settings), deals with every
column, contacts, qualification answers and the complete event history, as
plain JSON-ready dicts. `restore` loads such a dump into a database that
holds no deals yet, keeping every id, in one transaction. Export, restore
into a fresh database and export again gives the same content.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, func, insert, select, update
from sqlmodel import Session, SQLModel

from leankanban import __version__
from leankanban.domain.errors import Conflict, InvalidInput
from leankanban.services import LeanKanban
from leankanban.store import repository as repo
from leankanban.store.tables import (
    BoardRow,
    ContactRow,
    CriterionRow,
    CriterionStageRow,
    DealCriterionRow,
    DealRow,
    DiscardReasonRow,
    EventRow,
    LaneLimitRow,
    ObjectiveRow,
    RetroItemRow,
    RetroRow,
    SprintDealRow,
    SprintRow,
    StageRow,
    TimeLogRow,
    UTCDateTime,
)

FORMAT = "leankanban-backup"
VERSION = 1

#: Per board, in insert order: (key in the dump, table, how rows belong to the board).
SECTIONS: tuple[tuple[str, type[SQLModel]], ...] = (
    ("stages", StageRow),
    ("criteria", CriterionRow),
    ("criterion_stages", CriterionStageRow),
    ("discard_reasons", DiscardReasonRow),
    ("lane_limits", LaneLimitRow),
    ("deals", DealRow),
    ("contacts", ContactRow),
    ("qualification", DealCriterionRow),
    ("events", EventRow),
    ("sprints", SprintRow),
    ("objectives", ObjectiveRow),
    ("sprint_deals", SprintDealRow),
    ("retros", RetroRow),
    ("retro_items", RetroItemRow),
    ("time_logs", TimeLogRow),
)

#: Columns that only say when the dump was made or how often a board changed.
VOLATILE = {("board", "revision")}


def _columns(table: type[SQLModel]) -> list:
    return list(table.__table__.columns)


def _dump_row(table: type[SQLModel], row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in _columns(table):
        if (table.__tablename__, column.name) in VOLATILE:
            continue
        value = getattr(row, column.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.name] = value
    return out


def _load_row(table: type[SQLModel], data: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in _columns(table):
        if column.name not in data:
            if (table.__tablename__, column.name) in VOLATILE:
                continue
            if column.nullable or column.default is not None or column.server_default is not None:
                continue
            raise InvalidInput(f"The backup is missing '{column.name}' in {where}.")
        value = data[column.name]
        try:
            if value is not None and isinstance(column.type, UTCDateTime):
                value = datetime.fromisoformat(value)
            elif value is not None and isinstance(column.type, Date):
                value = date.fromisoformat(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"'{value}' is not a valid time for '{column.name}' in {where}.") from None
        out[column.name] = value
    return out


def _board_rows(session: Session, table: type[SQLModel], board_id: int) -> list[Any]:
    if table in (StageRow, CriterionRow, DiscardReasonRow, LaneLimitRow, DealRow, EventRow, SprintRow, RetroRow, TimeLogRow):
        query = select(table).where(table.board_id == board_id)
    elif table in (ObjectiveRow, SprintDealRow):
        query = select(table).join(SprintRow, SprintRow.id == table.sprint_id).where(SprintRow.board_id == board_id)
    elif table is RetroItemRow:
        query = select(table).join(RetroRow, RetroRow.id == table.retro_id).where(RetroRow.board_id == board_id)
    elif table is CriterionStageRow:
        query = select(table).join(CriterionRow, CriterionRow.id == table.criterion_id).where(
            CriterionRow.board_id == board_id
        )
    else:  # contacts, qualification: through their deal
        query = select(table).join(DealRow, DealRow.id == table.deal_id).where(DealRow.board_id == board_id)
    keys = [c for c in table.__table__.primary_key.columns]
    return list(session.scalars(query.order_by(*keys)))


def export_data(lk: LeanKanban, *, board: str | None = None) -> dict[str, Any]:
    """Every board (or just `board`) with everything on it."""
    with lk.read() as session:
        if board is not None:
            boards = [repo.board_row(session=session, name=board)]
        else:
            boards = list(session.scalars(select(BoardRow).order_by(BoardRow.id)))
        dumped = []
        for row in boards:
            entry = _dump_row(BoardRow, row)
            for key, table in SECTIONS:
                entry[key] = [_dump_row(table, r) for r in _board_rows(session, table, row.id)]
            dumped.append(entry)
    return {
        "format": FORMAT,
        "version": VERSION,
        "app_version": __version__,
        "exported_at": lk.now().isoformat(),
        "boards": dumped,
    }


def is_backup(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def restore(lk: LeanKanban, data: dict[str, Any]) -> dict[str, int]:
    """Load an export into a database with no deals. Returns counts per section."""
    if not is_backup(data):
        raise InvalidInput("This is not a leankanban backup (no \"format\": \"leankanban-backup\").")
    if data.get("version") != VERSION:
        raise InvalidInput(f"This backup has version {data.get('version')}; this leankanban reads version {VERSION}.")
    boards = data.get("boards")
    if not isinstance(boards, list):
        raise InvalidInput("The backup has no list of boards.")
    counts = {"boards": 0, **{key: 0 for key, _ in SECTIONS}}
    with lk.write() as session:
        if session.scalar(select(func.count()).select_from(DealRow)):
            raise Conflict("This database already holds deals; restore a backup into a new, empty database (--db).")
        _clear_empty_boards(session)
        for index, board in enumerate(boards, 1):
            if not isinstance(board, dict):
                raise InvalidInput(f"Board {index} in the backup is not an object.")
        # Boards first (their links to each other after), then each section
        # for every board, so rows that point across boards find their target.
        links = {}
        for index, board in enumerate(boards, 1):
            row = dict(_load_row(BoardRow, board, f"board {index}"), revision=1)
            links[row["id"]] = row.pop("improvements_board_id", None)
            session.execute(insert(BoardRow), [dict(row, improvements_board_id=None)])
            counts["boards"] += 1
        for key, table in SECTIONS:
            for index, board in enumerate(boards, 1):
                where = f"board {index}"
                rows = board.get(key, [])
                if not isinstance(rows, list):
                    raise InvalidInput(f"'{key}' in {where} is not a list.")
                loaded = [_load_row(table, r, f"{key} of {where}") for r in rows if isinstance(r, dict)]
                if len(loaded) != len(rows):
                    raise InvalidInput(f"'{key}' in {where} holds something that is not an object.")
                if loaded:
                    session.execute(insert(table), loaded)
                counts[key] += len(loaded)
        for board_id, target in links.items():
            if target is not None:
                session.execute(update(BoardRow).where(BoardRow.id == board_id).values(improvements_board_id=target))
        session.flush()
        _reset_sequences(session)
    return counts


def _clear_empty_boards(session: Session) -> None:
    """A fresh database has its default board already; a restore replaces it."""
    for table in (CriterionStageRow,):
        for row in session.scalars(select(table)):
            session.delete(row)
    session.flush()
    for table in (CriterionRow, DiscardReasonRow, LaneLimitRow, EventRow, StageRow):
        for row in session.scalars(select(table)):
            session.delete(row)
        session.flush()
    session.execute(update(BoardRow).values(improvements_board_id=None))
    for row in session.scalars(select(BoardRow)):
        session.delete(row)
    session.flush()


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: after inserts with explicit ids, move each id sequence past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (
        BoardRow, StageRow, CriterionRow, DiscardReasonRow, LaneLimitRow, DealRow, ContactRow, EventRow,
        SprintRow, ObjectiveRow, RetroRow, RetroItemRow, TimeLogRow,
    ):
        following = select(func.coalesce(func.max(table.id), 0) + 1).scalar_subquery()
        session.execute(
            select(func.setval(func.pg_get_serial_sequence(table.__tablename__, "id"), following, False))
        )
