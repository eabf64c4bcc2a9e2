"""The embedded SQLite file: WAL, owner-only permissions, where it lives."""

import os
import stat

import pytest
from sqlalchemy import text

from leankanban import config
from leankanban.domain.errors import DatabaseError
from leankanban.services import open_database
from leankanban.store.engine import make_engine, normalise_url


def test_sqlite_file_is_created_owner_only_in_wal_mode(tmp_path):
    path = tmp_path / "nested" / "leankanban.db"
    engine = open_database(str(path), create_folders=True)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    engine.dispose()


def test_foreign_keys_are_enforced(tmp_path):
    engine = open_database(str(tmp_path / "x.db"))
    with pytest.raises(Exception, match="FOREIGN KEY"), engine.begin() as conn:
        conn.execute(text("INSERT INTO stage (board_id, name, position, kind, upstream) VALUES (42, 'x', 0, 'open', 0)"))
    engine.dispose()


def test_no_engine_is_made_at_import_time():
    import leankanban.services
    import leankanban.store.engine

    assert not [v for v in vars(leankanban.store.engine).values() if type(v).__name__ == "Engine"]
    assert not [v for v in vars(leankanban.services).values() if type(v).__name__ == "Engine"]


def test_urls_and_paths(tmp_path):
    assert normalise_url(tmp_path / "a.db").get_backend_name() == "sqlite"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").database == "x.db"


def test_unopenable_database_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseError, match="Cannot create the database file"):
        make_engine(str(blocker / "sub" / "x.db"))


def test_database_location_precedence(tmp_path):
    env = {config.DB_ENV: "/from/env.db"}
    assert config.resolve_db("/from/flag.db", env) == "/from/flag.db"
    assert config.resolve_db(None, env) == "/from/env.db"
    default = config.resolve_db(None, {})
    assert default.endswith("leankanban.db")
    assert "leankanban" in os.path.dirname(default)


def test_actor_comes_from_env():
    assert config.current_actor({config.USER_ENV: "dana"}) == "dana"
    assert config.current_actor({})


def test_database_errors_hide_passwords_and_stay_one_line():
    from leankanban.services import open_database

    with pytest.raises(DatabaseError) as caught:
        open_database("postgresql://lk:s3cret@127.0.0.1:1/nowhere")
    message = str(caught.value)
    assert "s3cret" not in message
    assert "\n" not in message
    assert message.startswith("Cannot open the database postgresql://lk:***@127.0.0.1:1/nowhere")
