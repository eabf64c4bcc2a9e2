"""Where the database lives and who is acting.

Database: the `--db` flag, else env `LEANKANBAN_DB`, else
`<user data dir>/leankanban.db` (platformdirs; only this one is created with
its folders on first use, a path given is not: a typo must not look like a new
board). Actor recorded on events: env `LEANKANBAN_USER`, else the login name.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

DB_ENV = "LEANKANBAN_DB"
USER_ENV = "LEANKANBAN_USER"
BOARD_ENV = "LEANKANBAN_BOARD"
APP_NAME = "leankanban"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "leankanban.db"


def resolve_db(flag: str | None = None, env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if flag:
        return flag
    if env.get(DB_ENV):
        return env[DB_ENV]
    return str(default_db_path())


def current_actor(env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get(USER_ENV):
        return env[USER_ENV]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "me"


@dataclass(frozen=True)
class Settings:
    db: str
    actor: str
    board: str | None = None
    #: `db` is the default file in the user data folder (made with its folders on first use).
    db_is_default: bool = False

    @classmethod
    def load(cls, *, db: str | None = None, board: str | None = None) -> Settings:
        return cls(
            db=resolve_db(db),
            actor=current_actor(),
            board=board or os.environ.get(BOARD_ENV) or None,
            db_is_default=not (db or os.environ.get(DB_ENV)),
        )
