"""`store.engine.open`: one front door that validates the target and says what is wrong in one sentence."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from leankanban.domain.errors import DatabaseError
from leankanban.store import engine as store

BAD_TARGETS = [
    # (target, its password, what the sentence says)
    ("postgresql://u:pw@h:abc/db", "pw", "its port is not a number"),
    ("postgresql://u:pw@[::1/db", "pw", "its port is not a number"),
    ("postgresql://u:p@ss:pw@h/db", "p@ss", "its port is not a number"),  # an unencoded @ in the password
    ("://u:pw@h", "pw", "neither a file path nor a database URL"),
    ("mongodb://u:pw@h/db", "pw", "not a supported database"),
    ("mongodb://h/db?password=pw", "pw", "not a supported database"),
    ("mysql://h/db?user=u&password=pw&x=1", "pw", "not a supported database"),
    ("postgresql+nodriver://u:pw@h/db", "pw", "not a supported database"),
]


@pytest.mark.parametrize(("target", "password", "reason"), BAD_TARGETS)
def test_a_bad_target_is_one_sentence_without_its_password(target, password, reason):
    with pytest.raises(DatabaseError) as caught:
        store.open(target)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message and message.endswith(".")
    assert password not in message
    assert "***" in message


def test_a_password_in_a_query_is_hidden_when_the_server_does_not_answer():
    with pytest.raises(DatabaseError) as caught:
        store.open("postgresql://lk@127.0.0.1:1/nowhere?password=s3cret&application_name=x")
    message = str(caught.value)
    assert message.startswith("Cannot open the database postgresql://lk@127.0.0.1:1/nowhere?password=***")
    assert "s3cret" not in message and "\n" not in message


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p@s/s:w@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
        ("postgresql://u@h/db?PASSWORD=pw", "postgresql://u@h/db?PASSWORD=***"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("/home/ann/leankanban.db", "/home/ann/leankanban.db"),
    ],
)
def test_public_target_hides_every_password(written, shown):
    assert store.public_target(written) == shown


def test_sql_parameters_never_reach_an_error_message(tmp_path):
    engine = store.open(str(tmp_path / "x.db"))
    insert = text("INSERT INTO board (name, template, created_at, revision, review_days, stall_days) "
                  "VALUES (:name, 'blank', '2026-01-01', 0, 30, 14)")
    with engine.begin() as conn:
        conn.execute(insert, {"name": "Secret Corp"})
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(insert, {"name": "Secret Corp"})
    assert "Secret Corp" not in str(caught.value)
    engine.dispose()


def test_open_gives_a_migrated_engine(db_url):
    from leankanban.store.migrations import pending

    engine = store.open(db_url)
    assert pending(engine) == []
    engine.dispose()


def test_a_missing_folder_is_refused_unless_asked_for(tmp_path):
    path = tmp_path / "a" / "b" / "x.db"
    with pytest.raises(DatabaseError, match=r"There is no folder .* `leankanban init --db "):
        store.open(str(path))
    assert not (tmp_path / "a").exists()
    store.open(str(path), create_folders=True).dispose()
    assert path.exists()
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700  # the folders above it too


def test_a_file_where_the_folder_should_be_is_one_sentence(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DatabaseError, match=r"^Cannot create the database file .*notes.txt is a file, not a folder\.$"):
        store.open(str(tmp_path / "notes.txt" / "x.db"))


def test_the_default_database_is_made_with_its_folders(tmp_path, monkeypatch):
    from leankanban.config import Settings

    monkeypatch.delenv("LEANKANBAN_DB", raising=False)
    assert Settings.load().db_is_default
    assert not Settings.load(db=str(tmp_path / "x.db")).db_is_default
    monkeypatch.setenv("LEANKANBAN_DB", str(tmp_path / "y.db"))
    assert not Settings.load().db_is_default
