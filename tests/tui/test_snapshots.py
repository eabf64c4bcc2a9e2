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


def test_board_at_100_by_30(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    """The five open stages side by side (Won and Lost, folded, just off the right edge); a long title on two lines."""
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.add_deal("Acme Corporation global CRM rollout for three regions", stage="Leads",
                       account="Acme Corporation International", value="120000", owner="annabelle")
    lk_sqlite.win(ids["Hooli platform"])
    lk_sqlite.discard(ids["Globex pilot"], "No budget")
    clock.advance(days=2)
    assert snap_compare(make_app(lk_sqlite), terminal_size=(100, 30), run_before=board_ready)


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


def _flagged_board(lk: LeanKanban, clock: FakeClock) -> dict[str, int]:
    """Blocked, stale, stalled and review-due cards on a frozen clock."""
    ids = seed_pipeline(lk)
    lk.add_contact(ids["Initech renewal"], "Bill Lumbergh", role="decision_maker", stance="opposed")
    clock.advance(days=6)
    lk.add_deal("Wonka sweets", stage="Discovery", account="Wonka", value="9000", owner="dee",
                deal_type="expansion", priority="expedite")
    lk.block(ids["Umbrella expansion"], "waiting for legal")
    clock.advance(days=25)
    lk.add_note(ids["Hooli platform"], "still talking")
    return ids


def test_board_with_blocked_stale_and_stalled_cards(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    _flagged_board(lk_sqlite, clock)
    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=board_ready)


def test_filtered_board_in_owner_lanes(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    _flagged_board(lk_sqlite, clock)
    lk_sqlite.set_lane_limit("owner", "ann", 2)

    async def filtered(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("s", "B")  # owner lanes; blocked deals only
        await pilot.press("B", "slash", *"ann", "enter")  # then: ann's words instead
        await pilot.pause()

    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=filtered)


def test_owner_lanes_through_every_column_one_folded(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    _flagged_board(lk_sqlite, clock)
    lk_sqlite.set_lane_limit("owner", "ann", 3)

    async def lanes(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("s", "right", "j", "z")  # owner lanes; bob's lane (Globex, Qualifying) folded
        await pilot.pause()

    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=lanes)


def test_deal_screen(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    ids = _flagged_board(lk_sqlite, clock)
    initech = ids["Initech renewal"]
    lk_sqlite.edit_deal(initech, tags="renewal, q4", helpers="bob", next_step="Send quote",
                        next_step_due="2026-12-10", expected_close="2026-12-20")
    lk_sqlite.qualify(initech, "Budget", "yes", note="CFO signed off")
    lk_sqlite.qualify(initech, "Authority", "unknown")
    lk_sqlite.add_note(initech, "[b]not markup[/b]: call went well")

    async def opened(pilot: Pilot) -> None:
        from leankanban.tui.screens.deal import DealScreen

        await loaded(pilot)
        await pilot.press("right", "right", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DealScreen) and pilot.app.screen.deal is not None)
        await pilot.pause()

    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=opened)
