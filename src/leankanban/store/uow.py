"""Unit of work: one transaction per use case, committed or rolled back whole."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from leankanban.domain.errors import DatabaseError
from leankanban.store.engine import WRITE_OPTION


class UnitOfWork:
    """`with UnitOfWork(engine, write=True) as uow: ...` commits on success.

    A write unit of work takes SQLite's write lock at BEGIN (so a count and
    the change it allows cannot interleave with another process); on
    PostgreSQL services lock the board row with SELECT ... FOR UPDATE.
    """

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
        self.write = write
        self.session: Session | None = None

    def __enter__(self) -> Session:
        self.session = Session(self._engine, expire_on_commit=False)
        return self.session

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        try:
            if exc_type is None and self.write:
                self.session.commit()
            else:
                self.session.rollback()
        except OperationalError as err:
            raise DatabaseError(f"The database refused the change: {err.orig}.") from err
        finally:
            self.session.close()
            self.session = None
