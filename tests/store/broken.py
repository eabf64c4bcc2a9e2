"""Ways to break a real database for tests: a full disk, a damaged page, a read-only file, a killed connection."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so the file alone holds every page."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def damage_table(path: Path, table: str) -> None:
    """Overwrite the page header of `table`'s root page: SQLite finds it when a query reads the table."""
    checkpoint(path)
    conn = sqlite3.connect(path)
    root, size = conn.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size()) FROM sqlite_master WHERE name = ?", (table,)
    ).fetchone()
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * 16)


class SmallDisk:
    """A folder whose disk fills up on demand: `fill()`, then `free()`.

    As root where `mount -t tmpfs` works, the folder is a 1 MB tmpfs and `fill()`
    writes a file until ENOSPC (a real full disk). Elsewhere (CI without root) the
    folder is ordinary and `fill()` caps every SQLite connection opened from then
    on with `PRAGMA max_page_count` at the file's current size. Either way SQLite
    reports SQLITE_FULL; `method` says which.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.method = "max_page_count"
        if os.environ.get("LEANKANBAN_TEST_DISK") != "max_page_count" and hasattr(os, "geteuid") and os.geteuid() == 0:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)], capture_output=True
            )
            if done.returncode == 0:
                self.method = "tmpfs"
        self._filler = folder / "filler"

    def fill(self) -> None:
        if self.method == "tmpfs":
            fd = os.open(self._filler, os.O_CREAT | os.O_WRONLY, 0o600)
            try:
                while True:
                    os.write(fd, b"\0" * 4096)
            except OSError:
                pass
            finally:
                os.close(fd)
        else:
            event.listen(Engine, "connect", _cap_pages)

    def free(self) -> None:
        if self.method == "tmpfs":
            self._filler.unlink(missing_ok=True)
        elif event.contains(Engine, "connect", _cap_pages):
            event.remove(Engine, "connect", _cap_pages)

    def close(self) -> None:
        self.free()
        if self.method == "tmpfs":
            subprocess.run(["umount", "--lazy", str(self.folder)], check=True)  # even with a file left open


def _cap_pages(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    if isinstance(dbapi_connection, sqlite3.Connection):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages)}")


def as_a_user() -> dict:
    """subprocess.run() arguments for a child bound by file permissions even when we are root.

    Root ignores them through two capabilities; the child drops both from its
    bounding set before it starts, so it stays root (it can still reach the
    interpreter under /root) but a 0400 file or a 0500 folder binds it.
    """
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        return {}

    def drop() -> None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return {"preexec_fn": drop}


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    """`leankanban ARGS` in a child process, without the host's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEANKANBAN_")}
    env.update(LEANKANBAN_USER="ann", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "leankanban", *args], capture_output=True, text=True, timeout=60, env=env, **kwargs
    )


def kill_backend(url: str, pid: int) -> None:
    """Terminate a PostgreSQL backend from another connection, as a server restart would."""
    import psycopg

    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
