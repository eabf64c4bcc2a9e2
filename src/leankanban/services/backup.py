"""Full export and restore: never hold a user's data hostage.

`export_data` dumps boards with their stages, policies (criteria and the
stages they gate, discard reasons, lane limits, settings), deals with every
column, contacts, qualification answers and the complete event history, as
plain JSON-ready dicts. `restore` loads such a dump into a database that
holds no deals yet, keeping every id, in one transaction. Export, restore
into a fresh database and export again gives the same content.

A backup may have been edited by hand: `restore` first runs `check_backup`
(services/backup_format.py), which names every problem with its JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, func, insert, select, update
from sqlmodel import Session, SQLModel

from leankanban import __version__
from leankanban.domain.errors import Conflict, InvalidInput
from leankanban.services import LeanKanban
from leankanban.services.backup_format import (
    FORMAT,
    MAX_BACKUP_BYTES,
    MAX_NUMBER_DIGITS,
    SECTIONS,
    VERSION,
    VOLATILE,
    InvalidBackup,
    check_backup,
    columns,
    is_backup,
)
from leankanban.store import flow
from leankanban.store import repository as repo
from leankanban.store.tables import (
    BoardRow,
    ContactRow,
    CriterionRow,
    CriterionStageRow,
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


def _dump_row(table: type[SQLModel], row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in columns(table):
        if (table.__tablename__, column.name) in VOLATILE:
            continue
        value = getattr(row, column.name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.name] = value
    return out


def _load_row(table: type[SQLModel], data: dict[str, Any]) -> dict[str, Any]:
    """A checked record (see check_backup) as the values to insert."""
    out: dict[str, Any] = {}
    for column in columns(table):
        if column.name not in data or (table.__tablename__, column.name) in VOLATILE:
            continue
        value = data[column.name]
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
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
    keys = list(table.__table__.primary_key.columns)
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


def parse_json(data: bytes, name: str) -> Any:
    """JSON text (UTF-8, with or without a byte order mark) as Python values.

    ValueError when it is not JSON at all; InvalidInput, one sentence, when it is
    JSON no backup can be: nested too deeply to read, or with a number of more
    than MAX_NUMBER_DIGITS digits (Python refuses to convert 4,300 or more).
    """

    def number(text: str, convert: Callable[[str], Any]) -> Any:
        if len(text.lstrip("-").replace(".", "")) > MAX_NUMBER_DIGITS:
            raise InvalidInput(
                f"{name} holds a number with more than {MAX_NUMBER_DIGITS} digits ({text[:12]}...); "
                "no backup has one."
            )
        return convert(text)

    try:
        return json.loads(
            data.decode("utf-8-sig"),
            parse_int=lambda text: number(text, int),
            parse_float=lambda text: number(text, float),
        )
    except RecursionError:
        raise InvalidInput(f"{name} is JSON nested too deeply to read; no backup is.") from None


def restore(lk: LeanKanban, data: dict[str, Any]) -> dict[str, int]:
    """Load an export into a database with no deals, sprints, retros or time logs.
    Returns counts per section.

    The whole backup is checked first (check_backup): a backup with any problem
    writes nothing. Then one transaction loads it.
    """
    check_backup(data)
    boards = data["boards"]
    counts = {"boards": 0, **{key: 0 for key, _ in SECTIONS}}
    with lk.write() as session:
        held = [what for what, table in _WORK if session.scalar(select(func.count()).select_from(table))]
        if held:
            raise Conflict(
                f"This database already holds {' and '.join(held)}; "
                "restore a backup into a new, empty database (--db)."
            )
        _clear_empty_boards(session)
        # Boards first (their links to each other after), then each section
        # for every board, so rows that point across boards find their target.
        links = {}
        for board in boards:
            row = dict(_load_row(BoardRow, board), revision=1)
            links[row["id"]] = row.pop("improvements_board_id", None)
            session.execute(insert(BoardRow), [dict(row, improvements_board_id=None)])
            counts["boards"] += 1
        linked = {}  # a work card's deal may come after it: linked once every deal is in
        for key, table in SECTIONS:
            for board in boards:
                loaded = [_load_row(table, r) for r in board.get(key, [])]
                if table is DealRow:
                    for r in loaded:
                        if r.get("linked_deal_id"):
                            linked[r["id"]], r["linked_deal_id"] = r["linked_deal_id"], None
                if loaded:
                    session.execute(insert(table), loaded)
                counts[key] += len(loaded)
        for card_id, deal_id in linked.items():
            session.execute(update(DealRow).where(DealRow.id == card_id).values(linked_deal_id=deal_id))
        for board_id, target in links.items():
            if target is not None:
                session.execute(update(BoardRow).where(BoardRow.id == board_id).values(improvements_board_id=target))
        session.flush()
        for board in boards:  # the deals' flow summaries, from the history just restored
            flow.refresh(session, board_id=board["id"])
        _reset_sequences(session)
    return counts


#: What a database must not hold for a restore to replace its boards (their policies it may).
_WORK = (
    ("deals", DealRow), ("sprints", SprintRow), ("retros", RetroRow), ("time logs", TimeLogRow),
    ("history (policy changes)", EventRow),  # history is append-only: a restore cannot clear it
)


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


__all__ = [
    "FORMAT",
    "MAX_BACKUP_BYTES",
    "MAX_NUMBER_DIGITS",
    "VERSION",
    "InvalidBackup",
    "check_backup",
    "export_data",
    "is_backup",
    "parse_json",
    "restore",
]
