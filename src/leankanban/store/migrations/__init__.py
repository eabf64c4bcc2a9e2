"""Ordered, named, transactional schema migrations.

Each step is a module `NNNN_name.py` with `upgrade(op)`, where `op` is an
Alembic `Operations` object (so steps are portable between SQLite and
PostgreSQL, with batch mode for SQLite). Applied steps are recorded in
`schema_migrations`; `upgrade(engine)` applies the missing ones, each in its
own transaction, and is safe to call from two processes at once.

A recorded name this version does not know means a newer leankanban wrote
the database: `status` reports it, and `upgrade` refuses to touch it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from leankanban.store.engine import WRITE_OPTION, NewerSchema, describe

_meta = MetaData()
applied_table = Table(
    "schema_migrations",
    _meta,
    Column("name", String(100), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    name: str
    upgrade: Callable


def all_migrations() -> list[Migration]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name[:4].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(info.name, module.upgrade))
    return sorted(found, key=lambda m: m.name)


def applied(conn: Connection) -> set[str]:
    if not inspect(conn).has_table("schema_migrations"):
        return set()
    return set(conn.execute(select(applied_table.c.name)).scalars())


def status(conn: Connection) -> tuple[list[str], list[str]]:
    """(migrations still to apply, applied ones this version does not know), each in order."""
    done = applied(conn)
    known = [m.name for m in all_migrations()]
    return [name for name in known if name not in done], sorted(done.difference(known))


def pending(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return status(conn)[0]


def upgrade(engine: Engine, *, target: str | None = None) -> list[str]:
    """Apply missing migrations up to `target` (all by default). Returns their names."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with engine.connect() as conn:
        unknown = status(conn)[1]
    if unknown:
        raise NewerSchema(describe(engine), unknown)
    ran: list[str] = []
    steps = all_migrations()
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    for step in steps:
        with write_engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds tables; SQLite can only switch foreign
                # keys off outside a transaction, so do it on the raw handle
                # and check them all before committing.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        # Serialise concurrent upgrades of one database.
                        conn.execute(text("SELECT pg_advisory_xact_lock(727272)"))
                    applied_table.create(conn, checkfirst=True)
                    if step.name not in applied(conn):
                        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
                        step.upgrade(Operations(context))
                        if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                            raise RuntimeError(f"migration {step.name} broke a foreign key")
                        conn.execute(applied_table.insert().values(name=step.name, applied_at=datetime.now(UTC)))
                        ran.append(step.name)
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
        if target is not None and step.name == target:
            break
    if ran and (target is None or "0009_history_append_only" in applied_names(write_engine)):
        # A later step may have rebuilt or added tables: their guards and grants again.
        from leankanban.store import roles

        with write_engine.begin() as conn:
            roles.install(conn)
    return ran


def applied_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return applied(conn)
