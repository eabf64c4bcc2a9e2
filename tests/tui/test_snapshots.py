"""Snapshots of what a person sees (pytest-textual-snapshot).

The clock is a FakeClock, so days-in-stage are fixed; accept changes only after
looking at the SVG (`pytest tests/tui --snapshot-update`, then open the files
under __snapshots__ or snapshot_report.html).
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from leankanban.services import LeanKanban
from leankanban.tui.screens.wip_override import WipOverrideDialog
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for

SIZE = (160, 45)


async def board_ready(pilot: Pilot) -> None:
    await loaded(pilot)


def test_seeded_board(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    seed_pipeline(lk_sqlite)
    clock.advance(days=3)
    lk_sqlite.add_deal("Soylent trial", stage="Leads", account="Soylent", value="2000", owner="bob")
    clock.advance(days=2)
    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=board_ready)


def test_wip_override_dialog(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    seed_pipeline(lk_sqlite)
    lk_sqlite.add_deal("Stark deal", stage="Negotiation", account="Stark", value="5000")
    lk_sqlite.add_deal("Wayne deal", stage="Negotiation", account="Wayne", value="7000")
    clock.advance(days=1)

    async def refused_move(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "greater_than_sign")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WipOverrideDialog))
        pilot.app.screen.query_one(Input).cursor_blink = False

    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=refused_move)


def test_literal_markup_title(snap_compare, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.add_deal("[bold red]x[/] not red", stage="Leads", account="[i]acme[/i]", value="10")
    lk_sqlite.add_deal("pwn\x1b[31mred", stage="Qualifying", account="Evil", owner="\u202eeve")
    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=board_ready)
