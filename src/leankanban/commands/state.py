"""What every command shares: settings from the global options and a lazy connection.

The database is opened only when a command needs it, so `--help` and
`--version` never touch it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import typer

from leankanban.config import Settings
from leankanban.services import LeanKanban, open_database


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
            engine = open_database(self.settings.db, create_folders=create_folders or self.settings.db_is_default)
            self.on_close(engine.dispose)
            self._services = LeanKanban(engine, actor=self.settings.actor)
        if ensure_board and not self._board_ensured:
            self._services.ensure_default_board()
            self._board_ensured = True
        return self._services

    @property
    def board(self) -> str | None:
        return self.settings.board


def state(ctx: typer.Context) -> State:
    """The State the root callback stored on the context."""
    return ctx.find_root().obj
