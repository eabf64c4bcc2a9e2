"""A database written by a newer leankanban: read it, never change it, never migrate it."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from leankanban.domain.errors import DatabaseError
from leankanban.services import LeanKanban, open_database
from leankanban.store.engine import make_engine
from leankanban.store.migrations import all_migrations, applied_table, upgrade

FUTURE = "9999_from_a_newer_version"
UPGRADE = "upgrade leankanban (pip install -U leankanban) to change it."


def _from_the_future(db_url: str, *, up_to: str | None = None) -> None:
    """A database as a newer version leaves it: one migration row this version does not know."""
    engine = make_engine(db_url)
    upgrade(engine, target=up_to)
    with engine.begin() as conn:
        conn.execute(applied_table.insert().values(name=FUTURE, applied_at=datetime.now(UTC)))
    engine.dispose()


def _migration_rows(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = sorted(conn.execute(sa.select(applied_table.c.name)).scalars())
    engine.dispose()
    return rows


def test_a_newer_database_reads_and_refuses_writes_in_one_sentence(db_url):
    lk = LeanKanban(open_database(db_url), actor="ann")
    lk.ensure_default_board()
    lk.add_deal("Acme", stage="Leads")
    lk.engine.dispose()
    _from_the_future(db_url)

    lk = LeanKanban(open_database(db_url), actor="ann")
    assert lk.ensure_default_board().name == "pipeline"  # reads work
    assert [d.title for d in lk.list_deals()] == ["Acme"]
    with pytest.raises(DatabaseError) as caught:
        lk.add_deal("Globex", stage="Leads")
    message = str(caught.value)
    assert f"was changed by a newer leankanban (schema {FUTURE})" in message
    assert message.endswith(UPGRADE) and "\n" not in message
    assert [d.title for d in lk.list_deals()] == ["Acme"]
    lk.engine.dispose()


def test_a_newer_database_refuses_writes_on_the_connection_too(db_url):
    _from_the_future(db_url)
    engine = open_database(db_url)
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:  # a path that skips the unit of work
        conn.execute(sa.text("DELETE FROM board"))
    engine.dispose()


def test_a_newer_database_is_never_migrated(db_url):
    older = [m.name for m in all_migrations()][-2]
    _from_the_future(db_url, up_to=older)
    before = _migration_rows(db_url)
    open_database(db_url).dispose()
    assert _migration_rows(db_url) == before
    with pytest.raises(DatabaseError, match="newer leankanban"):
        upgrade(make_engine(db_url))
    assert _migration_rows(db_url) == before
