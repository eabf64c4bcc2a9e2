"""Use cases on boards: list, open, create, the board view.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from sqlmodel import select

from leankanban.domain import rules
from leankanban.domain.errors import Conflict
from leankanban.domain.model import (
    Board,
    BoardView,
)
from leankanban.services.base import (
    BoardChanges,
    ServiceBase,
)
from leankanban.store import engine as store_engine
from leankanban.store import notify
from leankanban.store import repository as repo
from leankanban.store.rows import board_view_from
from leankanban.store.tables import (
    BoardRow,
)

#: More changed deals than this and a screen reads the whole board instead (cheaper then).
MAX_CHANGES = 200


class BoardsMixin(ServiceBase):
    # -- boards -----------------------------------------------------------

    def list_boards(self) -> list[Board]:
        with self.read() as session:
            rows = session.exec(select(BoardRow).order_by(BoardRow.id)).all()
            return [repo.load_board(session=session, row=row) for row in rows]

    def get_board(self, name: str | None = None) -> Board:
        with self.read() as session:
            return repo.load_board(session=session, row=repo.board_row(session=session, name=name))

    def ensure_default_board(self) -> Board:
        """On first run, create the lean sales board; otherwise the first board.

        It only reads when there is a board (so a database open read-only
        works). Two first commands at once both try to create it; the one
        whose board name clashes (WriteConflict) takes the board the other made.
        """
        with self.read() as session:
            existing = session.exec(select(BoardRow).order_by(BoardRow.id).limit(1)).first()
            if existing is not None:
                return repo.load_board(session=session, row=existing)
        try:
            with self.write() as session:
                existing = session.exec(select(BoardRow).order_by(BoardRow.id).limit(1)).first()
                if existing is not None:
                    return repo.load_board(session=session, row=existing)
                return self.create_board(session, rules.DEFAULT_BOARD, rules.DEFAULT_TEMPLATE)
        except store_engine.WriteConflict:
            return self.get_board()

    def init_board(self, name: str, template: str = rules.DEFAULT_TEMPLATE) -> Board:
        name = rules.validate_board_name(name)
        stages = rules.template(template)
        with self.write() as session:
            self.require_manager(session, "Making a board")
            if name.lower() in (n.lower() for n in repo.board_names(session=session)):
                raise Conflict(f"A board called '{name}' already exists.")
            return self.create_board(session, name, template, stages)

    def revision(self, board_id: int) -> int:
        """A number that changes whenever anything on the board changes."""
        with self.read() as session:
            return repo.revision(session=session, board_id=board_id)

    def watch(self, stop: threading.Event) -> Iterator[tuple[int, int]]:
        """(board_id, revision) as changes commit, until `stop` is set; nothing on SQLite
        (whose boards poll `revision`)."""
        if not notify.can_listen(self.engine):
            return iter(())
        return notify.listen(self.engine, stop)

    def board_changes(self, board_id: int, since: int) -> BoardChanges:
        """The deals changed on board `board_id` after revision `since` (see BoardChanges)."""
        with self.read() as session:
            current = repo.revision(session=session, board_id=board_id)
            if current == since:
                return BoardChanges(current)
            stamped = set(repo.deal_revisions(session=session, board_id=board_id, since=since))
            # Every revision in between must be a deal change still visible; else read it all.
            if current < since or len(stamped) > MAX_CHANGES or stamped != set(range(since + 1, current + 1)):
                return BoardChanges(current, complete=False)
            board = repo.load_board(session=session, row=repo.board_row_by_id(session=session, board_id=board_id))
            return BoardChanges(current, tuple(repo.changed_deals(session=session, board=board, since=since)))

    def board_view(self, name: str | None = None) -> BoardView:
        """The board with every deal in its column, oldest in stage first."""
        with self.read() as session:
            row = repo.board_row(session=session, name=name)
            board = repo.load_board(session=session, row=row)
            deals = repo.deals(session=session, board=board)
            totals = repo.stage_totals(session=session, board_id=board.id)
            current_revision = row.revision
        return board_view_from(board, deals, totals, current_revision)
