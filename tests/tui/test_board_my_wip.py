"""The board's title shows my work in progress on every board: deals and work cards."""

from __future__ import annotations

from leankanban.services import LeanKanban
from tests.conftest import seed_pipeline
from tests.tui.tui_helpers import board_screen, loaded, make_app, wait_for


async def test_the_title_counts_my_deals_and_work_cards_against_my_limit(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)  # ann: two deals in active stages
    lk_sqlite.init_board("Work", "activities")
    card = lk_sqlite.add_deal("Renewal plan", board="Work")
    lk_sqlite.move_deal(card.id, "Doing")
    lk_sqlite.set_lane_limit("owner", "ann", 4, board="Work")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        await wait_for(pilot, lambda: "my WIP" in board_screen(pilot).sub_title)
        assert screen.sub_title.endswith(" · my WIP 3/4 (2 deals, 1 work card)")
        lk_sqlite.add_deal("Quick fix", board="Work", stage="Doing")
        screen.load()  # the board changed (as a poll would find): read again
        await wait_for(pilot, lambda: "my WIP 4/4" in board_screen(pilot).sub_title)
        assert screen.sub_title.endswith(" · my WIP 4/4 (2 deals, 2 work cards)")


async def test_without_a_limit_the_title_says_nothing_of_my_wip(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        await pilot.pause(0.1)
        assert "my WIP" not in screen.sub_title


async def test_an_owner_lane_counts_the_persons_wip_on_every_board(lk_sqlite: LeanKanban) -> None:
    """The lane header says what a move into the lane is checked against: ann's limit
    (set on the Work board) over her deals here and her work card there."""
    from tests.tui.tui_helpers import column_text

    seed_pipeline(lk_sqlite)  # ann: two deals in active stages
    lk_sqlite.init_board("Work", "activities")
    card = lk_sqlite.add_deal("Renewal plan", board="Work", owner="ann")
    lk_sqlite.move_deal(card.id, "Doing")
    lk_sqlite.set_lane_limit("owner", "ann", 4, board="Work")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("s")  # lanes by owner
        await wait_for(pilot, lambda: "WIP 3/4" in column_text(pilot, 0))
        assert "WIP 2/4" not in column_text(pilot, 2)
