"""A database failing in use: the unit of work turns the driver's error into one sentence, data intact."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from leankanban.domain.errors import Conflict, DatabaseError
from leankanban.services import LeanKanban, open_database
from leankanban.store.engine import WriteConflict
from leankanban.store.tables import BoardRow
from tests.store.broken import SmallDisk, damage_table, integrity, kill_backend


def _sentence(err: BaseException) -> str:
    message = str(err)
    assert "\n" not in message and message.endswith(".")
    return message


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path / "disk")
    yield disk
    disk.close()


def test_a_full_disk_is_one_sentence_and_keeps_every_saved_deal(small_disk):
    path = small_disk.folder / "x.db"
    lk = LeanKanban(open_database(str(path)), actor="ann")
    lk.ensure_default_board()
    saved = [lk.add_deal("Before", stage="Leads").id]
    small_disk.fill()
    lk.engine.dispose()  # the cap of the max_page_count way applies to new connections
    with pytest.raises(DatabaseError) as caught:
        for i in range(2000):
            saved.append(lk.add_deal(f"Secret Corp {i}", stage="Leads", next_step="call " * 30).id)
    message = _sentence(caught.value)
    assert message == f"The disk holding the database {path} is full; nothing was saved (free some space and try again)."
    assert "Secret" not in message
    small_disk.free()
    lk.engine.dispose()
    assert integrity(path) == "ok"
    assert [d.id for d in lk.list_deals()] == saved
    lk.add_deal("After", stage="Leads")
    lk.engine.dispose()


def test_a_damaged_page_found_by_a_query_is_one_sentence_and_nothing_is_written(tmp_path):
    path = tmp_path / "x.db"
    lk = LeanKanban(open_database(str(path)), actor="ann")
    lk.ensure_default_board()
    lk.add_deal("Secret Corp", stage="Leads")
    lk.engine.dispose()
    damage_table(path, "deal")
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        lk.list_deals()
    message = _sentence(caught.value)
    assert message.startswith(f"The database {path} is damaged (database disk image is malformed); nothing was changed")
    assert "Secret" not in message
    lk.engine.dispose()
    assert path.read_bytes() == before


def test_a_clash_with_existing_data_is_a_conflict_without_the_data(db_url):
    lk = LeanKanban(open_database(db_url), actor="ann")
    lk.ensure_default_board()
    with pytest.raises(WriteConflict) as caught, lk.write() as session:
        session.add(BoardRow(name="pipeline", template="blank", created_at=lk.now(), revision=0))
    assert isinstance(caught.value, Conflict) and caught.value.exit_code == 5
    assert "pipeline" not in _sentence(caught.value)
    assert [b.name for b in lk.list_boards()] == ["pipeline"]
    lk.engine.dispose()


@pytest.mark.postgres
def test_a_lost_postgresql_connection_is_one_sentence_and_the_next_use_reconnects(pg_url):
    url = pg_url.replace("postgres@", "postgres:s3cret@")  # trust auth: the password only has to stay hidden
    lk = LeanKanban(open_database(url), actor="ann")
    lk.ensure_default_board()
    lk.add_deal("Before", stage="Leads")
    with pytest.raises(DatabaseError) as caught, lk.write() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        session.add(BoardRow(name="Secret Corp", template="blank", created_at=lk.now(), revision=0))
        session.flush()
        kill_backend(pg_url, pid)
        session.execute(text("SELECT 1"))
    message = _sentence(caught.value)
    assert message.startswith("The connection to the database postgresql://postgres:***@127.0.0.1:5432/test")
    assert "was lost" in message and "s3cret" not in message and "Secret" not in message
    assert [b.name for b in lk.list_boards()] == ["pipeline"]  # the change in progress was rolled back
    assert [d.title for d in lk.list_deals()] == ["Before"]
    lk.engine.dispose()


@pytest.mark.postgres
def test_two_first_uses_at_once_make_one_board(pg_url, monkeypatch):
    """Both find no board and both insert one: the loser of the unique name takes the winner's."""
    both_looked = threading.Barrier(2, timeout=30)
    create = LeanKanban.create_board

    def create_after_both_looked(self, session, *args, **kwargs):  # type: ignore[no-untyped-def]
        both_looked.wait()
        return create(self, session, *args, **kwargs)

    monkeypatch.setattr(LeanKanban, "create_board", create_after_both_looked)
    open_database(pg_url).dispose()  # migrated once, so the race is the board's, not the schema's
    boards: list[object] = []

    def first_use() -> None:
        engine = open_database(pg_url)
        try:
            boards.append(LeanKanban(engine, actor="ann").ensure_default_board())
        except Exception as err:
            boards.append(err)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=first_use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [getattr(b, "name", b) for b in boards] == ["pipeline", "pipeline"]
    assert boards[0].id == boards[1].id  # type: ignore[union-attr]
    lk = LeanKanban(open_database(pg_url))
    assert [b.name for b in lk.list_boards()] == ["pipeline"]
    lk.engine.dispose()
