"""What every command shares: settings from the global options and a lazy connection.

The database is opened only when a command needs it, so `--help` and
`--version` never touch it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import typer
from sqlalchemy.engine import Engine

from leankanban.config import Settings
from leankanban.domain.errors import DatabaseError
from leankanban.services import LeanKanban, open_database


@dataclass
class State:
    settings: Settings
    #: Registers cleanup to run when the command ends (the root context's call_on_close).
    on_close: Callable[[Callable[[], Any]], Any] = lambda _callback: None
    _services: LeanKanban | None = field(default=None, repr=False)
    _board_ensured: bool = field(default=False, repr=False)

    def services(self, *, ensure_board: bool = True) -> LeanKanban:
        """Services over the configured database; on first use, the default board is made."""
        if self._services is None:
            engine = _open(self.settings.db)
            self.on_close(engine.dispose)
            self._services = LeanKanban(engine, actor=self.settings.actor)
        if ensure_board and not self._board_ensured:
            self._services.ensure_default_board()
            self._board_ensured = True
        return self._services

    @property
    def board(self) -> str | None:
        return self.settings.board


def _open(target: str) -> Engine:
    """`open_database`, with driver failures as one-sentence DatabaseErrors without passwords."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    where = target
    if "://" in target:
        try:
            where = make_url(target).render_as_string(hide_password=True)
        except ArgumentError:
            raise DatabaseError(f"'{target}' is neither a file path nor a database URL.") from None
    try:
        return open_database(target)
    except DatabaseError as err:
        raise DatabaseError(_first_sentence(str(err).replace(target, where))) from None
    except NoSuchModuleError:
        raise DatabaseError(
            f"'{where}' is not a supported database; use a file path, sqlite:///PATH or postgresql://..."
        ) from None
    except ModuleNotFoundError as err:
        raise DatabaseError(
            f"The database driver for {where} is not installed ({err.name}); "
            "for PostgreSQL run: pip install 'leankanban[postgres]'."
        ) from None
    except SQLAlchemyError as err:
        reason = str(getattr(err, "orig", None) or err)
        raise DatabaseError(_first_sentence(f"Cannot open the database {where}: {reason}")) from None


def _first_sentence(message: str) -> str:
    """The first line of a driver's message, ending in a full stop."""
    line = message.strip().splitlines()[0].strip().rstrip(".") if message.strip() else "Database error"
    return line + "."


def state(ctx: typer.Context) -> State:
    """The State the root callback stored on the context."""
    return ctx.find_root().obj
