"""Hearing of changes as they commit: PostgreSQL LISTEN/NOTIFY.

`repository.bump_revision` sends `board_id:revision` on CHANNEL with every
change; `listen` yields them to an open board, which then catches up (the
changed deals only). SQLite has no such thing: boards poll the revision.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from sqlalchemy.engine import Engine

from leankanban.store.repository import CHANNEL

#: How often `listen` looks up from waiting to see whether it should stop.
WAKE_SECONDS = 0.5


def can_listen(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def listen(engine: Engine, stop: threading.Event) -> Iterator[tuple[int, int]]:
    """(board_id, revision) of each change committed by anyone, until `stop` is set.

    Holds one connection of its own (autocommit, so it sees notifications as
    they come). Ends quietly when the connection is lost: the caller's polling
    carries on.
    """
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANNEL}")
        while not stop.is_set():
            for note in conn.notifies(timeout=WAKE_SECONDS):
                board, _, revision = note.payload.partition(":")
                if board.isdigit() and revision.isdigit():
                    yield int(board), int(revision)
                if stop.is_set():
                    break
    except Exception:  # a lost connection: polling goes on without us
        return
    finally:
        with contextlib.suppress(Exception):
            raw.invalidate()  # never hand a LISTENing autocommit connection back to the pool
