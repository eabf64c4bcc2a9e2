"""Opening a database: `open()` validates the target, makes the engine and migrates.

Engines are made on demand, never at import time. SQLite gets WAL, foreign
keys, a busy timeout and `BEGIN IMMEDIATE` for write transactions, so two
processes moving deals at once serialise instead of racing the WIP count.
PostgreSQL uses row locks (see uow.py).

Every failure to open or use a database becomes a `DatabaseError` of one
sentence here (`database_error`, which the unit of work calls too): never a
password (in the user part of a URL or a `?password=` query alike), never the
data of a statement (engines hide SQL parameters).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from leankanban.domain.errors import Conflict, DatabaseError, LeanKanbanError
from leankanban.text import one_line

#: Execution option that asks SQLite for a write lock at BEGIN.
WRITE_OPTION = "leankanban_write"
#: Engine execution option on a database opened read-only: the sentence a write gets.
READ_ONLY_OPTION = "leankanban_read_only"
#: Engine execution option: the database as its messages name it (as written, no password).
WHERE_OPTION = "leankanban_where"

_SUPPORTED = "use a file path, sqlite:///PATH or postgresql://..."


class NewerSchema(DatabaseError):
    """The database was written by a newer leankanban: read it, never change or migrate it."""

    def __init__(self, where: str, unknown: list[str]) -> None:
        self.unknown = unknown
        super().__init__(
            f"The database {where} was changed by a newer leankanban (schema {unknown[-1]}), "
            "so it is open read-only: upgrade leankanban (pip install -U leankanban) to change it."
        )


class WriteConflict(Conflict):
    """A change clashed with the data (in practice: with a change saved at the same moment)."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The change clashes with data in the database {where} (perhaps saved at the same moment); "
            "nothing was saved, try again."
        )


# -- targets -------------------------------------------------------------------------


def hide_secrets(text: str) -> str:
    """`text` (a path or URL as written, or a message quoting one) with every password as `***`.

    Works on text no URL parser accepts: the password in the user part runs to
    the last `@`, so one holding `@`, `:` or `/` unencoded is hidden whole.
    """
    text = re.sub(r"(?i)\b(password|passwd|pwd)=[^&;\s'\"]*", r"\1=***", text)
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest:
        userinfo, _, host = rest.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        text = f"{scheme}://{user}{':***' if colon else ''}@{host}"
    return text


def public_target(target: str | Path) -> str:
    """A database target as the user wrote it, with any password hidden."""
    return hide_secrets(str(target))


def normalise_url(target: str | Path) -> URL:
    """A file path or an SQLAlchemy URL, as a URL (parsing errors are SQLAlchemy's).

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


def parse_target(target: str | Path) -> URL:
    """`normalise_url`, refusing (one sentence, no password) what no supported database reads."""
    where = public_target(target)
    try:
        url = normalise_url(target)
    except ArgumentError:
        raise DatabaseError(f"'{where}' is neither a file path nor a database URL.") from None
    except ValueError:  # SQLAlchemy reads the port with int()
        raise DatabaseError(
            f"'{where}' is not a valid database URL: its port is not a number "
            "(write @, :, / or ? in a user name or password as %40, %3A, %2F or %3F)."
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"'{where}' is not a supported database; {_SUPPORTED}")
    return url


def describe(engine: Engine) -> str:
    """Where the data lives, for humans (no password): as the user wrote it if `open()` made it."""
    written = engine.get_execution_options().get(WHERE_OPTION)
    if written:
        return written
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return hide_secrets(url.render_as_string(hide_password=True))


# -- opening -------------------------------------------------------------------------


def open(target: str | Path, *, create_folders: bool = False, migrate: bool = True) -> Engine:
    """The engine for `target` (a file path or a URL), its schema brought up to date.

    A SQLite file that does not exist yet is created, in a folder that must
    exist unless `create_folders` (the default database, `leankanban init`):
    a typo in a path must not look like an empty board. A database written by
    a newer leankanban opens read-only (its engine refuses writes with
    `NewerSchema`'s sentence) and is never migrated. Every failure is a
    `DatabaseError` of one sentence.
    """
    from leankanban.store import migrations  # here, not at the top: it imports WRITE_OPTION from this module

    where = public_target(target)
    url = parse_target(target)
    engine = make_engine(url, create_folders=create_folders, where=where)
    try:
        with engine.connect() as conn:
            todo, unknown = migrations.status(conn)
        if unknown:
            engine.dispose()
            return make_engine(url, where=where, read_only=str(NewerSchema(where, unknown)))
        if migrate and todo:
            migrations.upgrade(engine)
    except LeanKanbanError:
        engine.dispose()
        raise
    except Exception as err:
        engine.dispose()
        translated = database_error(err, where=where, opening=True, path=url.database)
        if translated is None:
            raise
        raise translated from None
    return engine


def make_engine(
    target: str | Path | URL,
    *,
    echo: bool = False,
    create_folders: bool = False,
    read_only: str | None = None,
    where: str | None = None,
) -> Engine:
    """An engine (no schema check: `open()` is the front door).

    `read_only`: the sentence a write gets (see uow.py); the connections refuse writes too.
    """
    url = target if isinstance(target, URL) else parse_target(target)
    where = where or public_target(target)  # str() of a URL hides its password
    execution_options = {WHERE_OPTION: where, READ_ONLY_OPTION: read_only}
    options: dict[str, Any] = {"echo": echo, "hide_parameters": True, "execution_options": execution_options}
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url, options, create_folders=create_folders, read_only=bool(read_only), where=where)
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = 5  # a silent host must not hang the CLI
        # No JIT: a report's deal read is costed high enough for PostgreSQL to compile it, which
        # took 1.3 s of a 0.8 s query on a board of 100,000 deals; nothing here runs long enough to repay it.
        # Times in UTC, as every stored time is: the driver then gives them with `datetime.UTC`
        # (no conversion per value read) and SQL sees the days SQLite does.
        settings = ["-cjit=off", "-ctimezone=UTC"]
        schema = url.query.get("schema")
        if schema:
            # `?schema=name` picks a PostgreSQL schema (tests use one per test).
            url = url.difference_update_query(["schema"])
            settings.append(f"-csearch_path={schema}")
        if read_only:
            settings.append("-cdefault_transaction_read_only=on")
        connect_args["options"] = " ".join(settings)
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
    except NoSuchModuleError:
        raise DatabaseError(f"'{where}' is not a supported database; {_SUPPORTED}") from None
    except ModuleNotFoundError as err:
        raise DatabaseError(
            f"The database driver for {where} is not installed ({err.name}); "
            "for PostgreSQL run: pip install 'leankanban[postgres]'."
        ) from None


def _prepare_sqlite_file(url: URL, *, create_folders: bool, where: str) -> None:
    """Create the database file readable by its owner only (and its folders if asked)."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    folder = path.parent
    if not folder.is_dir():
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir():
            raise DatabaseError(f"Cannot create the database file {path}: {existing} is a file, not a folder.")
        if not create_folders:
            raise DatabaseError(
                f"There is no folder {folder} for the database {where}; if the path is right, "
                f"run `leankanban init --db {shlex.quote(str(path))}` to create it."
            )
    try:
        # Every folder made for the database is yours only, not just the last one
        # (mkdir's mode applies to the last alone).
        for made in reversed([folder, *folder.parents]):
            if not made.exists():
                made.mkdir(mode=0o700, exist_ok=True)  # another process may make it meanwhile
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise DatabaseError(f"Cannot create the database file {path}: {exc.strerror}.") from None


def _sqlite_engine(
    url: URL, options: dict[str, Any], *, create_folders: bool, read_only: bool, where: str
) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if memory:
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool, **options)
    else:
        _prepare_sqlite_file(url, create_folders=create_folders, where=where)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


# -- the driver's errors as sentences -------------------------------------------------

# SQLite's primary result codes (https://sqlite.org/rescode.html).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def database_error(
    err: BaseException, *, where: str, opening: bool = False, path: str | None = None
) -> LeanKanbanError | None:
    """The one sentence for a driver error (SQLAlchemy's wrapper or the DB-API's own), or None
    if `err` does not come from the database.

    Only messages that cannot hold deal data are quoted: SQLite's (they name
    tables and columns, never values) and, while opening, the first line of
    the driver's error (connection errors name a host, a port, a user). A
    unique or foreign key clash is a `WriteConflict` (exit 5), everything
    else a `DatabaseError` (exit 6). `path`: the SQLite file, to tell a full
    disk behind an I/O error.
    """
    if isinstance(err, DBAPIError):
        orig: BaseException = err.orig if err.orig is not None else err
        lost = bool(err.connection_invalidated)
    elif _is_dbapi_error(err) or (opening and isinstance(err, SQLAlchemyError)):
        orig, lost = err, False
    else:
        return None
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if isinstance(err, IntegrityError) or type(orig).__name__ == "IntegrityError" or sqlstate.startswith("23"):
        return WriteConflict(where)
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        code &= 0xFF
        if code == _SQLITE_IOERR and path and _disk_full(path):
            code = _SQLITE_FULL  # SQLite reports a full disk as an I/O error when it cannot grow its -shm file
        return DatabaseError(_sqlite_sentence(code, _first_line(orig), where, opening=opening))
    if opening:
        return DatabaseError(f"Cannot open the database {where}: {_first_line(orig)}.")
    lost = lost or sqlstate.startswith(("08", "57P")) or (
        not sqlstate and type(orig).__name__ in ("OperationalError", "InterfaceError")
    )
    return DatabaseError(_postgres_sentence(sqlstate, orig, where, lost=lost))


def _is_dbapi_error(err: BaseException) -> bool:
    """An exception raised by sqlite3 or psycopg directly (outside SQLAlchemy)."""
    module = type(err).__module__
    return module.startswith(("sqlite3", "psycopg")) and isinstance(err, Exception)


def _disk_full(path: str) -> bool:
    try:
        return shutil.disk_usage(Path(path).parent).free < 64 * 1024
    except OSError:
        return False


def _first_line(err: BaseException) -> str:
    """The first line of a driver's message, visible, secrets hidden, without its full stop."""
    return hide_secrets(one_line(str(err), first_line=True, fallback=type(err).__name__).rstrip("."))


def _sqlite_sentence(code: int, reason: str, where: str, *, opening: bool) -> str:
    if code == _SQLITE_FULL:
        return f"The disk holding the database {where} is full; nothing was saved (free some space and try again)."
    if code == _SQLITE_READONLY:
        return (
            f"The database {where} is read-only (check the permissions of the file and its folder); "
            + ("it cannot be opened." if opening else "nothing was saved.")
        )
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return (
            f"The database {where} is damaged ({reason}); nothing was changed: "
            "restore it from a backup (leankanban export makes one) or a copy of the file."
        )
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return f"The database {where} stayed locked by another program; nothing was saved, try again."
    if code == _SQLITE_IOERR:
        return f"The database {where} could not be read or written (disk I/O error); nothing was saved."
    if opening or code == _SQLITE_CANTOPEN:
        return f"Cannot open the database {where}: {reason}."
    return f"The database {where} refused the request ({reason}); nothing was saved."


def _postgres_sentence(sqlstate: str, orig: BaseException, where: str, *, lost: bool) -> str:
    if lost:
        return (
            f"The connection to the database {where} was lost (server restarted or network down); "
            "a change in progress was not saved, try again."
        )
    if sqlstate.startswith("53"):
        return f"The database server of {where} is out of disk space, memory or connections; nothing was saved."
    if sqlstate == "25006":
        return f"The database {where} is read-only; nothing was saved."
    if sqlstate in ("40001", "40P01"):
        return f"The database {where} was busy with a clashing change; nothing was saved, try again."
    if sqlstate == "42501":
        return f"The database user of {where} lacks a permission this needs; nothing was saved."
    # PostgreSQL's messages can quote values (deal data): name the error, not its text.
    state = f", SQLSTATE {sqlstate}" if sqlstate else ""
    return f"The database {where} refused the request ({type(orig).__name__}{state}); nothing was saved."
