"""The board shows the open sprint, filters to its deals, and opens the retro screen."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

from leankanban.services import LeanKanban
from leankanban.tui.screens.retros import RetrosScreen
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for

SIZE = (160, 45)


def shown(pilot, selector: str) -> str:
    widget = pilot.app.screen.query_one(selector, Static)
    console = Console(width=max(widget.size.width, 40), record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def test_header_names_the_sprint_and_C_filters_to_its_deals(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.start_sprint(length="2w")
    lk_sqlite.commit_deal(ids["Hooli platform"])
    lk_sqlite.commit_deal(ids["Acme rollout"])
    clock.advance(days=2)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await wait_for(pilot, lambda: "Sprint 1, day 3 of 14" in screen.sub_title)
        await pilot.press("C")
        await wait_for(pilot, lambda: screen.hidden_count() == 3)
        assert "in the sprint" in screen.sub_title
        await pilot.press("C")
        await wait_for(pilot, lambda: screen.hidden_count() == 0)


async def test_C_without_a_sprint_says_so(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("C")
        await pilot.pause()
        assert not screen.board_filter.active


async def test_i_opens_retros_with_their_items_and_insights(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.discard(ids["Globex pilot"], "No budget")
    lk_sqlite.create_retro("deal", deal_id=ids["Globex pilot"], not_well=["[b]Budget[/b] came late"],
                           improve=["Ask for budget early"], tags=["late-qualification"])
    lk_sqlite.retro_why("Deals stall", ["No champion", "We never asked"], tags=["champion"])
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RetrosScreen) and bool(pilot.app.screen.retros))
        await pilot.pause()
        detail = shown(pilot, "#retro-detail")
        assert "Root cause" in detail and "We never asked" in detail  # newest first: the 5-whys
        insights = shown(pilot, "#retro-insights")
        assert "No budget: 1" in insights and "late-qualification: 1" in insights
        assert "Most discards from: Qualifying (1)" in insights
        await pilot.press("down")
        await pilot.pause()
        detail = shown(pilot, "#retro-detail")
        assert "[b]Budget[/b] came late" in detail and "card #" in detail
