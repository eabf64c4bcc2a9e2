"""Files leankanban writes (backups, exports, reports, charts): readable by their owner only.

The database is created 0600 (store/engine.py); what is copied out of it is as
private. Every command that writes a file goes through `open_private` or
`write_private`: a new file is created 0600 (whatever the umask), and an existing
one is tightened to 0600 before a byte of it changes, so overwriting a 0644 file
leaves a 0600 one. If it cannot be tightened (another user's file), it is left as
it was and the OSError says why.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

#: Read and write for the owner, nothing for anyone else.
PRIVATE_MODE = 0o600


def open_private(
    path: str | Path, mode: str = "wb", *, encoding: str | None = None, newline: str | None = None
) -> IO[Any]:
    """`path` opened for writing (`wb` or `w`), emptied, readable by its owner only."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes files ('w' or 'wb'), not {mode!r}")
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_MODE)  # an existing file keeps its mode through os.open
        else:  # pragma: no cover - Windows has no fchmod (nor these modes)
            os.chmod(path, PRIVATE_MODE)
        os.ftruncate(fd, 0)  # only once it is private: a file we cannot tighten stays untouched
        if mode == "wb":
            return os.fdopen(fd, "wb")
        return os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        raise


def write_private(
    path: str | Path, data: bytes | str, *, encoding: str = "utf-8", newline: str | None = None
) -> None:
    """`Path.write_bytes` / `write_text`, with the file readable by its owner only."""
    if isinstance(data, bytes):
        with open_private(path, "wb") as handle:
            handle.write(data)
    else:
        with open_private(path, "w", encoding=encoding, newline=newline) as handle:
            handle.write(data)
