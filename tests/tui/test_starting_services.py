"""The board screen over `StartingServices`: the first board read without the services,
which open in a thread once it is painted (tui/app.py, bench/README.md "Start-up")."""

from __future__ import annotations

import threading

from leankanban.services import LeanKanban
from leankanban.store.first_read import read_board
from leankanban.tui.app import LeanKanbanApp, StartingServices
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import POLL, column_text, focused_title, loaded, wait_for


def starting(lk: LeanKanban, db: str, *, board: str | None = None, gate: threading.Event | None = None) -> StartingServices:
    """StartingServices over `db` whose opening waits for `gate` (when given), as a slow
    import of SQLAlchemy would, and then hands over `lk`."""
    first = read_board(db, board)
    assert first is not None

    def open_() -> LeanKanban:
        if gate is not None:
            assert gate.wait(10)
        return lk

    return StartingServices(open_, first, board=board, actor=lk.actor, clock=lk.clock)


async def test_a_move_right_after_start_succeeds(lk_sqlite: LeanKanban, sqlite_url: str) -> None:
    """The first key, pressed while the services are still opening, moves the deal."""
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    gate = threading.Event()
    services = starting(lk_sqlite, sqlite_url, gate=gate)
    app = LeanKanbanApp(services, poll_interval=POLL)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        assert "Acme rollout" in column_text(pilot, 0)
        assert not services.opened
        await pilot.press("greater_than_sign")
        await pilot.pause(0.1)
        assert lk_sqlite.get_deal(acme).stage == "Leads"  # waiting for the services, not lost
        gate.set()
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Qualifying")
        await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 1))
        assert focused_title(pilot) == "Acme rollout", "the cursor follows the moved deal"
        assert services.opened


async def test_the_services_open_once_the_board_is_painted(lk_sqlite: LeanKanban, sqlite_url: str) -> None:
    seed_pipeline(lk_sqlite)
    services = starting(lk_sqlite, sqlite_url)
    app = LeanKanbanApp(services, poll_interval=POLL)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: services.opened)
        assert services.board_view() == lk_sqlite.board_view()  # the first read is served once, then theirs


async def test_a_board_changed_before_the_services_opened_catches_up(
    lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock
) -> None:
    """A change saved between the first read and the services' opening shows (the poll sees it)."""
    seed_pipeline(lk_sqlite)
    services = starting(lk_sqlite, sqlite_url)
    lk_sqlite.add_deal("Added meanwhile")
    app = LeanKanbanApp(services, poll_interval=0.05)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await wait_for(pilot, lambda: "Added meanwhile" in column_text(pilot, 0))


def test_a_failed_opening_is_the_error_of_whatever_asks(lk_sqlite: LeanKanban, sqlite_url: str) -> None:
    from leankanban.domain.errors import DatabaseError

    first = read_board(sqlite_url, None)
    assert first is not None

    def fails() -> LeanKanban:
        raise DatabaseError("The database x is damaged.")

    services = StartingServices(fails, first, board=None, actor="ann")
    assert services.board_view() is first[0] and services.actor == "ann"
    try:
        services.revision(1)
    except DatabaseError as err:
        assert str(err) == "The database x is damaged."
    else:
        raise AssertionError("the opening's error was not raised")
