"""What every command shares: settings from the global options and a lazy connection.

The database is opened only when a command needs it, and the services (with
them SQLAlchemy and SQLModel) are imported only then: `--help`, `--version`
and shell completion load neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import typer

from leankanban.config import Settings

if TYPE_CHECKING:
    from leankanban.domain.model import Board, Deal
    from leankanban.services import LeanKanban


@dataclass
class State:
    settings: Settings
    #: Registers cleanup to run when the command ends (the root context's call_on_close).
    on_close: Callable[[Callable[[], Any]], Any] = lambda _callback: None
    _services: LeanKanban | None = field(default=None, repr=False)
    _board_ensured: bool = field(default=False, repr=False)

    def services(self, *, ensure_board: bool = True, create_folders: bool = False) -> LeanKanban:
        """Services over the configured database; on first use, the default board is made.

        A new database file's folders are made only for the default database or
        when asked (`init`); a path given in a folder that does not exist is refused.
        """
        if self._services is None:
            from leankanban.services import open_database, person

            engine = open_database(self.settings.db, create_folders=create_folders or self.settings.db_is_default)
            self.on_close(engine.dispose)
            # On PostgreSQL the person is the role they connected as, whatever LEANKANBAN_USER says.
            self._services = _services_class()(engine, actor=person(engine, self.settings.actor))
        if ensure_board and not self._board_ensured:
            self._services.ensure_default_board()
            self._board_ensured = True
        return self._services

    def read_deals(self) -> tuple[Board, list[Deal]] | None:
        """The board and its deals, read without opening the services (store/first_read.py:
        no SQLAlchemy), or None where the services must open the database (a new file, a
        migration to run, an unknown board, PostgreSQL ...) or a test put its own services
        class (with its clock) in their place."""
        if self._services is not None or _services_replaced():
            return None
        from leankanban.store.first_read import read_deals

        return read_deals(self.settings.db, self.settings.board)

    @property
    def board(self) -> str | None:
        return self.settings.board


def state(ctx: typer.Context) -> State:
    """The State the root callback stored on the context."""
    return ctx.find_root().obj


def _services_replaced() -> bool:
    """Whether a test put something in place of `LeanKanban` (see `_services_class`)."""
    found = globals().get("LeanKanban")
    return found is not None and getattr(found, "__module__", None) != "leankanban.services"


def _services_class() -> type[LeanKanban]:
    """`LeanKanban`, or what a test put in its place (`state.LeanKanban = ...`)."""
    return globals().get("LeanKanban") or __getattr__("LeanKanban")


def __getattr__(name: str) -> Any:
    """`state.LeanKanban`, imported on first use (tests replace it to fix the clock)."""
    if name == "LeanKanban":
        from leankanban.services import LeanKanban

        return LeanKanban
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
