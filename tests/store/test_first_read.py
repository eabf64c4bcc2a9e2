"""The board screen's first read without the ORM (store/first_read.py) reads what the
services read, and steps aside wherever the usual path must open the database."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from leankanban.domain.model import Answer, ContactRole, Stance
from leankanban.services import LeanKanban
from leankanban.store import migrations
from leankanban.store.first_read import migration_names, read_board
from tests.hostile import HOSTILE, OSC_TITLE


def _every_field(lk: LeanKanban) -> None:
    """A board using every part the board screen shows: deals with every field set
    (a hostile title too), blocked, with contacts and answers; WIP and lane limits,
    gates, policies, reason definitions, targets; won and lost deals; an open sprint."""
    board = lk.get_board()
    stages = [s.name for s in board.stages]
    full = lk.add_deal(
        OSC_TITLE, stage=stages[1], account="Acme\u202eCorp", value="12345.67", currency="USD", owner="bob",
        next_step="call \x1b[2J", next_step_due="2026-11-20", expected_close="2026-12-24", deal_type="renewal",
        priority="expedite", activity="origination", tags=["big", "q4"], helpers=["cy", "dee"], probability=40,
    )  # fmt: skip
    lk.block(full.id, "legal review")
    lk.add_contact(full.id, "Pat", role=ContactRole.CHAMPION, stance=Stance.SUPPORTIVE, email="pat@example.com")
    lk.add_contact(full.id, "Lee", role=ContactRole.DETRACTOR, stance=Stance.OPPOSED)
    for title in HOSTILE[1:]:
        lk.add_deal(title, value="10", owner="ann")
    won = lk.add_deal("Won one", value="500", currency="GBP")
    lk.win(won.id, value="650")
    lost = lk.add_deal("Lost one")
    lk.discard(lost.id, board.discard_reasons[0], competitor="Initrode")
    lk.add_criterion("Champion known")
    lk.define_criterion("Champion known", "Someone inside sells it")
    lk.require_criterion("Champion known", stages[3])
    lk.qualify(full.id, "Champion known", Answer.YES, note="signed off")
    lk.define_reason(board.discard_reasons[0], "No money,\n\tnot this year")
    lk.set_stage_limits(stages[2], wip_min=1, wip_max=4, stale_after_days=9)
    lk.set_stage_policy(stages[1], entry="A real **need**", exit="Budget known")
    lk.set_lane_limit("owner", "bob", 3)
    lk.set_lane_limit("priority", "expedite", 1)
    lk.set_board_settings(review_days=21, stall_days=10, pipeline_target="250000", capacity_per_week=4)
    lk.start_sprint(goal="Close [bold]Q4[/]", target_value="9000")
    lk.add_objective("Two demos", target=2, deal_id=full.id)
    lk.commit_deal(full.id)
    lk.commit_deal(won.id)


def test_the_first_read_is_what_the_services_read(lk_sqlite: LeanKanban, sqlite_url: str):
    _every_field(lk_sqlite)
    view, sprint = read_board(sqlite_url, None)  # type: ignore[misc]
    assert view == lk_sqlite.board_view()
    assert sprint == lk_sqlite.current_sprint(board=view.board.name)
    assert sprint is not None and sprint.committed and sprint.objectives
    deal = next(d for c in view.columns for d in c.deals if d.title == OSC_TITLE)
    assert deal.contacts and deal.blocked_reason == "legal review" and deal.tags == ("big", "q4")
    assert view.board.lane_limits and view.board.criteria[-1].required_for and view.board.reason_definitions
    # The same objects field by field, as a board screen compares them (types included).
    assert repr(view) == repr(lk_sqlite.board_view())


def test_the_first_read_of_a_board_by_name_and_of_another_board(lk_sqlite: LeanKanban, sqlite_url: str):
    lk_sqlite.init_board("Partners")
    lk_sqlite.add_deal("Reseller", board="Partners", value="7")
    view, sprint = read_board(sqlite_url, " partners ")  # type: ignore[misc]
    assert view == lk_sqlite.board_view(" partners ") and sprint is None
    assert read_board(sqlite_url, None)[0] == lk_sqlite.board_view()  # type: ignore[index]


def test_migration_names_are_the_migrations_this_version_knows():
    assert migration_names() == {m.name for m in migrations.all_migrations()}


def test_no_first_read_where_the_usual_path_must_open_the_database(lk_sqlite: LeanKanban, sqlite_url: str, tmp_path: Path):
    assert read_board(sqlite_url, "No such board") is None  # the usual path says it is unknown
    assert read_board(str(tmp_path / "new.db"), None) is None  # created (with the default board) there
    assert read_board(f"sqlite:///{sqlite_url}", None) is None  # URLs: the engine's
    assert read_board("postgresql://u:pw@localhost/db", None) is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert read_board(str(empty), None) is None  # no schema yet: migrations run there
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all" * 100)
    assert read_board(str(damaged), None) is None  # the usual path's sentence


def _migration_rows(path: str, sql: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql)
    db.close()


def test_no_first_read_of_a_schema_that_is_not_this_versions(lk_sqlite: LeanKanban, sqlite_url: str):
    assert read_board(sqlite_url, None) is not None
    _migration_rows(sqlite_url, "INSERT INTO schema_migrations VALUES ('9999_from_the_future', '2030-01-01')")
    assert read_board(sqlite_url, None) is None  # newer: read-only with its sentence, the usual way
    _migration_rows(sqlite_url, "DELETE FROM schema_migrations WHERE name LIKE '9999%'")
    last = max(migration_names())
    _migration_rows(sqlite_url, f"DELETE FROM schema_migrations WHERE name = '{last}'")
    assert read_board(sqlite_url, None) is None  # a migration to run


def test_the_schema_check_follows_the_migration_files(tmp_path: Path):
    """New migrations are seen as files are added (no list to keep up to date)."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name in ("__init__.py", "0001_a.py", "0002_b.py", "helpers.py"):
        (folder / name).write_text("")
    assert migration_names(folder) == {"0001_a", "0002_b"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_no_first_read_of_a_file_the_user_cannot_write(lk_sqlite: LeanKanban, sqlite_url: str):
    os.chmod(sqlite_url, 0o400)
    try:
        assert read_board(sqlite_url, None) is None  # the usual path's read-only sentence
    finally:
        os.chmod(sqlite_url, 0o600)


def test_the_first_read_sees_a_change_committed_meanwhile_in_wal(lk_sqlite: LeanKanban, sqlite_url: str):
    """Read-only, next to a writer: what is committed is read, whatever sits in the WAL."""
    lk_sqlite.add_deal("Fresh")
    view, _ = read_board(sqlite_url, None)  # type: ignore[misc]
    assert "Fresh" in [d.title for c in view.columns for d in c.deals]
    assert view.revision == lk_sqlite.board_view().revision
