"""Engines are made on demand, never at import time.

SQLite gets WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE` for write
transactions, so two processes moving deals at once serialise instead of
racing the WIP count. PostgreSQL uses row locks (see uow.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from leankanban.domain.errors import DatabaseError

#: Execution option that asks SQLite for a write lock at BEGIN.
WRITE_OPTION = "leankanban_write"


def normalise_url(target: str | Path) -> URL:
    """A file path or an SQLAlchemy URL, as a URL.

    `postgresql://` and `postgres://` use the psycopg (3) driver.
    """
    text = str(target)
    if "://" not in text:
        path = Path(text).expanduser()
        return make_url(f"sqlite:///{path}")
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    url = make_url(text)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def _prepare_sqlite_file(url: URL) -> None:
    """Create the database file (and its folder) readable by its owner only."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise DatabaseError(f"Cannot create the database file {path}: {exc.strerror}.") from None


def make_engine(target: str | Path, *, echo: bool = False) -> Engine:
    url = normalise_url(target)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    connect_args: dict = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 5  # a silent host must not hang the CLI
    schema = url.query.get("schema")
    if schema:
        # `?schema=name` picks a PostgreSQL schema (tests use one per test).
        url = url.difference_update_query(["schema"])
        connect_args["options"] = f"-csearch_path={schema}"
    kwargs: dict = {"echo": echo, "pool_pre_ping": True, "connect_args": connect_args}
    return create_engine(url, **kwargs)


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if memory:
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    else:
        _prepare_sqlite_file(url)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def public_target(target: str | Path) -> str:
    """A database target as the user wrote it, with any password hidden."""
    text = str(target)
    if "://" not in text:
        return text
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say nothing that could hold a secret
        return text.split("://", 1)[0] + "://..."


def describe(engine: Engine) -> str:
    """Where the data lives, for humans (no password)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)
