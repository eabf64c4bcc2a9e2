"""Unit of work: one transaction per use case, committed or rolled back whole.

It is also where the driver's errors become sentences (store.engine.database_error):
a full disk, a read-only or damaged file, a lost server connection or a clash
with a change saved at the same moment, whichever statement of which use case
met it.
"""

from __future__ import annotations

import contextlib
from types import TracebackType

from sqlalchemy.engine import Engine
from sqlmodel import Session

from leankanban.domain.errors import DatabaseError
from leankanban.store.engine import READ_ONLY_OPTION, WRITE_OPTION, database_error, describe

#: Where a session keeps the deals whose flow summaries the commit refreshes (store/flow.py).
FLOW_MARKED = "leankanban.flow.marked"


class UnitOfWork:
    """`with UnitOfWork(engine, write=True) as uow: ...` commits on success.

    A write unit of work takes SQLite's write lock at BEGIN (so a count and
    the change it allows cannot interleave with another process); on
    PostgreSQL services lock the board row with SELECT ... FOR UPDATE. On a
    database open read-only (a newer schema) it is refused before it begins.
    """

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
        self.write = write
        self.session: Session | None = None

    def __enter__(self) -> Session:
        refusal = self._engine.get_execution_options().get(READ_ONLY_OPTION) if self.write else None
        if refusal:
            raise DatabaseError(refusal)
        self.session = Session(self._engine, expire_on_commit=False)
        return self.session

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        assert session is not None
        self.session = None
        try:
            if exc is None and self.write:
                if session.info.get(FLOW_MARKED):
                    from leankanban.store import flow  # the deals' summaries, after the use case set their fields

                    flow.refresh_marked(session)
                session.commit()
            elif exc is None:
                session.rollback()
            else:
                _quietly(session.rollback)  # the first error is the one to tell
        except Exception as err:
            _quietly(session.rollback)
            self._raise_translated(err)
            raise
        finally:
            _quietly(session.close)
        if exc is not None:
            self._raise_translated(exc)

    def _raise_translated(self, err: BaseException) -> None:
        """Raise the sentence for a database error; return for any other exception."""
        url = self._engine.url
        path = url.database if url.get_backend_name() == "sqlite" else None
        translated = database_error(err, where=describe(self._engine), path=path)
        if translated is not None:
            raise translated from err


def _quietly(step) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(Exception):
        step()
