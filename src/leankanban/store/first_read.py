"""The board screen's first read, and `deals`', without the ORM (bench/README.md, "Start-up").

`leankanban` with no command shows the board. Reading it the usual way needs
the services, and with them SQLAlchemy, SQLModel and the table models (about
0.4 s of imports) before the first query. On an existing SQLite file whose
schema is current, this module reads the board with the standard library's
`sqlite3` instead, over a read-only connection in one read transaction (a
consistent snapshot, WAL or not), and builds the same BoardView and open
Sprint that `board_view()` and `current_sprint()` return, through the same
conversions (store/rows.py). The services load afterwards, while the first
frame shows. `leankanban deals` lists what `read_deals` reads (the order and
deals `list_deals` gives) and needs no services at all.

It answers None, and the caller takes the usual path, whenever it is not
sure to read what that path would: a URL (PostgreSQL, or an `sqlite://` URL),
a file that does not exist or that the user cannot write (the usual path
creates, migrates or refuses it with its own sentence), a schema that is not
exactly this version's (a migration to run, or one from a newer leankanban),
no board or no board of that name (the default board is made, or the
unknown-board sentence given, there), and any error at all.
"""

from __future__ import annotations

import os
import pkgutil
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from leankanban.domain.model import Board, BoardView, Deal
from leankanban.domain.sprints import Sprint
from leankanban.store import rows

_T = TypeVar("_T")

#: The folder of the migration steps (`NNNN_name.py`); read as files, not imported.
MIGRATIONS = Path(__file__).with_name("migrations")


def migration_names(folder: Path = MIGRATIONS) -> set[str]:
    """The names of this version's migration steps, as `migrations.all_migrations` finds them."""
    return {info.name for info in pkgutil.iter_modules([str(folder)]) if info.name[:4].isdigit()}


def read_board(target: str, board: str | None) -> tuple[BoardView, Sprint | None] | None:
    """The board `board` (the first one when None) of the SQLite file `target` and its open
    sprint, as the services read them (`board_view`, `current_sprint`); None where the
    usual path must open the database."""
    return _reading(target, lambda db: _read(db, board))


def read_deals(target: str, board: str | None) -> tuple[Board, list[Deal]] | None:
    """The board `board` (the first one when None) of the SQLite file `target` and every
    deal on it, oldest in stage first, as `list_deals` reads them; None as for `read_board`."""

    def deals(db: sqlite3.Connection) -> tuple[Board, list[Deal]] | None:
        found = _board_and_deals(db, board)
        return None if found is None else found[1:]

    return _reading(target, deals)


def _reading(target: str, read: Callable[[sqlite3.Connection], _T | None]) -> _T | None:
    """`read` over a read-only connection to the SQLite file `target`, in one read
    transaction; None where the usual path must open the database."""
    if "://" in target:
        return None
    path = Path(target).expanduser()
    try:
        if not path.is_file() or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            return None
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except (OSError, ValueError, sqlite3.Error):
        return None
    try:
        connection.isolation_level = None  # BEGIN below, so every read sees one snapshot
        connection.execute("BEGIN")
        return read(connection)
    except Exception:  # whatever it is, the usual path meets it and says it
        return None
    finally:
        connection.close()


def _columns(names: Sequence[str], table: str | None = None) -> str:
    prefix = f"{table}." if table else ""
    return ", ".join(f'{prefix}"{name}"' for name in names)


def _read(db: sqlite3.Connection, name: str | None) -> tuple[BoardView, Sprint | None] | None:
    found = _board_and_deals(db, name)
    if found is None:
        return None
    revision, board, deals = found
    totals = rows.stage_totals_from_values(
        db.execute(
            "SELECT stage.name, deal.currency, count(deal.id), sum(deal.value_cents) FROM stage"
            " JOIN deal ON deal.stage_id = stage.id WHERE stage.board_id = ? GROUP BY stage.name, deal.currency",
            (board.id,),
        )
    )
    return rows.board_view_from(board, deals, totals, revision), _open_sprint(db, board.id)


def _board_and_deals(db: sqlite3.Connection, name: str | None) -> tuple[int, Board, list[Deal]] | None:
    """(the board's revision, the board, its deals oldest in stage first, with their contacts),
    or None if the schema is not this version's or there is no such board."""
    applied = {applied for (applied,) in db.execute("SELECT name FROM schema_migrations")}
    if applied != migration_names():
        return None
    board_query = f"SELECT revision, {_columns(rows.BOARD_COLUMNS)} FROM board"
    if name is None:
        found = db.execute(f"{board_query} ORDER BY id LIMIT 1").fetchone()
    else:
        found = db.execute(f"{board_query} WHERE lower(name) = ?", (name.strip().lower(),)).fetchone()
    if found is None:
        return None
    revision, *board_values = found
    board_id = board_values[0]
    criteria = db.execute(
        f"SELECT {_columns(rows.CRITERION_COLUMNS)} FROM criterion WHERE board_id = ? ORDER BY position", (board_id,)
    ).fetchall()
    board = rows.board_from_values(
        board_values,
        stages=db.execute(
            f"SELECT {_columns(rows.STAGE_COLUMNS)} FROM stage WHERE board_id = ? ORDER BY position", (board_id,)
        ),
        criteria=criteria,
        gates=db.execute(
            "SELECT criterion_stage.criterion_id, criterion_stage.stage_id FROM criterion_stage"
            " JOIN criterion ON criterion.id = criterion_stage.criterion_id WHERE criterion.board_id = ?",
            (board_id,),
        ),
        reasons=db.execute(
            f"SELECT {_columns(rows.REASON_COLUMNS)} FROM discard_reason WHERE board_id = ? ORDER BY position",
            (board_id,),
        ),
        lane_limits=db.execute(
            f"SELECT {_columns(rows.LANE_LIMIT_COLUMNS)} FROM lane_limit WHERE board_id = ? ORDER BY id", (board_id,)
        ),
    )
    names = {stage.id: stage.name for stage in board.stages}
    deals = rows.deals_from_stored(
        db.execute(
            f"SELECT {_columns(rows.DEAL_COLUMNS)} FROM deal WHERE board_id = ? ORDER BY stage_entered_at, id",
            (board_id,),
        ),
        names,
    )
    contacts: dict[int, list] = {}
    for deal_id, *values in db.execute(
        f"SELECT contact.deal_id, {_columns(rows.CONTACT_COLUMNS, 'contact')} FROM contact"
        " JOIN deal ON deal.id = contact.deal_id WHERE deal.board_id = ? ORDER BY contact.id",
        (board_id,),
    ):
        contacts.setdefault(deal_id, []).append(rows.contact_from_values(values))
    for deal in deals:
        deal.contacts = tuple(contacts.get(deal.id, ()))  # type: ignore[arg-type]
    return revision, board, deals


def _open_sprint(db: sqlite3.Connection, board_id: int) -> Sprint | None:
    found = db.execute(
        f"SELECT {_columns(rows.SPRINT_COLUMNS)} FROM sprint WHERE board_id = ? AND status = 'open'", (board_id,)
    ).fetchone()
    if found is None:
        return None
    sprint_id = found[0]
    objectives = db.execute(
        f"SELECT {_columns(rows.OBJECTIVE_COLUMNS)} FROM objective WHERE sprint_id = ? ORDER BY position", (sprint_id,)
    )
    committed = [
        deal_id for (deal_id,) in db.execute("SELECT deal_id FROM sprint_deal WHERE sprint_id = ? ORDER BY deal_id", (sprint_id,))
    ]
    return rows.sprint_from_values(found, objectives, committed, time=rows.stored_time)
