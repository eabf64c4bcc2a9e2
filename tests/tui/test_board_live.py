"""Pilot tests: a board open beside another person's applies their changes deal by deal (issue 12)."""

from __future__ import annotations

import time

import pytest

from leankanban.services import LeanKanban, open_database
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import column_text, focused_title, loaded, make_app, wait_for

SIZE = (160, 45)


async def test_two_boards_on_one_database_see_each_others_moves_without_a_full_read(
    lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock
) -> None:
    ids = seed_pipeline(lk_sqlite)
    other_engine = open_database(sqlite_url)
    bob = LeanKanban(other_engine, actor="bob", clock=clock)
    mine, theirs = make_app(lk_sqlite, poll=0.2), make_app(bob, poll=0.2)
    try:
        async with mine.run_test(size=SIZE) as me, theirs.run_test(size=SIZE) as them:
            screen = await loaded(me)
            await loaded(them)
            await me.press("right", "right")
            assert focused_title(me) == "Initech renewal"
            loads = screen.loads
            await them.press("greater_than_sign")  # bob moves Acme from Leads to Qualifying
            await wait_for(them, lambda: lk_sqlite.get_deal(ids["Acme rollout"]).stage == "Qualifying")
            started = time.monotonic()
            await wait_for(me, lambda: "Acme rollout" in column_text(me, 1))
            assert time.monotonic() - started < 1.0
            assert "Acme rollout" not in column_text(me, 0)
            assert screen.loads == loads, "applied deal by deal, not by reading the whole board"
            assert focused_title(me) == "Initech renewal", "the focus stays where it was"
            assert screen.revision == lk_sqlite.revision(screen.view.board.id)
            bob.edit_deal(ids["Globex pilot"], title="Globex platform")  # an edit, not a move
            await wait_for(me, lambda: "Globex platform" in column_text(me, 1))
            assert screen.loads == loads
    finally:
        other_engine.dispose()


async def test_a_policy_change_elsewhere_reads_the_board_anew(
    lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock
) -> None:
    seed_pipeline(lk_sqlite)
    other_engine = open_database(sqlite_url)
    manager = LeanKanban(other_engine, actor="boss", clock=clock)
    app = make_app(lk_sqlite, poll=0.2)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            loads = screen.loads
            manager.set_stage_limits("Proposal", wip_max=2)
            await wait_for(pilot, lambda: screen.loads == loads + 1 and not screen._loading)
            await wait_for(pilot, lambda: screen.view.column("Proposal").stage.wip_max == 2)
    finally:
        other_engine.dispose()


@pytest.mark.postgres
async def test_on_postgresql_a_change_arrives_within_a_second_without_polling(pg_url: str, clock: FakeClock) -> None:
    engines = [open_database(pg_url), open_database(pg_url)]
    ann, bob = (LeanKanban(engine, actor=name, clock=clock) for engine, name in zip(engines, ("ann", "bob"), strict=True))
    ann.ensure_default_board()
    ids = seed_pipeline(ann)
    app = make_app(ann, poll=3600)  # no polling: only LISTEN/NOTIFY can tell it
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            loads = screen.loads
            await pilot.pause(0.3)  # the listener is connected
            bob.move_deal(ids["Acme rollout"], "Qualifying", from_stage="Leads")
            started = time.monotonic()
            await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 1))
            assert time.monotonic() - started < 1.0
            assert screen.loads == loads
    finally:
        for engine in engines:
            engine.dispose()
