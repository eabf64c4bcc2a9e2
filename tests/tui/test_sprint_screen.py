"""The sprint screen: start, objectives, burn-up, close with a retro."""

from __future__ import annotations

import io

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from leankanban.domain import sprints as sp
from leankanban.services import LeanKanban
from leankanban.tui.screens.retro import RetroDialog
from leankanban.tui.screens.sprint import ObjectiveDialog, SprintScreen, StartSprintDialog
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for

SIZE = (160, 45)


def shown(pilot: Pilot, selector: str) -> str:
    widget = pilot.app.screen.query_one(selector)
    content = widget.content if isinstance(widget, Static) else widget.render()
    console = Console(width=max(widget.size.width, 40), record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def open_sprint(pilot: Pilot) -> SprintScreen:
    await loaded(pilot)
    await pilot.press("p")
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, SprintScreen) and bool(pilot.app.screen.query("#sprint-summary"))
    )
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]


def running_sprint(lk: LeanKanban, clock: FakeClock) -> None:
    ids = seed_pipeline(lk)
    lk.start_sprint(length="1w", goal="Close Hooli", target_value="200000")
    lk.add_objective("Book 3 demos", target=3)
    lk.commit_deal(ids["Hooli platform"])
    clock.advance(days=2)
    lk.win(ids["Hooli platform"])
    clock.advance(days=2)


async def test_start_a_sprint_from_the_screen(lk_sqlite: LeanKanban) -> None:
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await open_sprint(pilot)
        assert "No sprint yet" in shown(pilot, "#sprint-summary")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StartSprintDialog))
        pilot.app.screen.query_one("#goal", Input).value = "Book demos"
        pilot.app.screen.query_one("#target", Input).value = "50000"
        await pilot.click("#start")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SprintScreen))
        sprint = lk_sqlite.current_sprint()
        assert (sprint.number, sprint.goal, sprint.days) == (1, "Book demos", 14)
        assert "Book demos" in shown(pilot, "#sprint-summary")


async def test_objectives_are_added_and_ticked(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    running_sprint(lk_sqlite, clock)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        screen = await open_sprint(pilot)
        assert "day 5 of 7" in shown(pilot, "#sprint-summary")
        assert "Hooli platform" in shown(pilot, "#sprint-deals")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ObjectiveDialog))
        pilot.app.screen.query_one("#text", Input).value = "Signed order form"
        await pilot.click("#add")
        await wait_for(pilot, lambda: len(lk_sqlite.current_sprint().objectives) == 2)
        await wait_for(pilot, lambda: pilot.app.screen is screen and screen.query_one(DataTable).row_count == 2)
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("t")
        assert lk_sqlite.current_sprint().objectives[0].progress == 1
        assert "won" in shown(pilot, "#burn-up")


async def test_close_with_a_retro_makes_improvement_cards(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    running_sprint(lk_sqlite, clock)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await open_sprint(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RetroDialog))
        dialog = pilot.app.screen
        dialog.query_one("#well", TextArea).text = "Hooli signed"
        dialog.query_one("#improve", TextArea).text = "Prospect daily\nAsk for budget early"
        dialog.query_one("#tags", Input).value = "pipeline"
        await pilot.click("#save")
        await wait_for(pilot, lambda: lk_sqlite.current_sprint() is None)
    closed = lk_sqlite.get_sprint(1)
    assert closed.status is sp.SprintStatus.CLOSED and closed.velocity.won_count == 1
    [retro] = lk_sqlite.list_retros()
    assert [i.text for i in retro.items] == ["Hooli signed", "Prospect daily", "Ask for budget early"]
    assert [d.title for d in lk_sqlite.open_improvements()] == ["Prospect daily", "Ask for budget early"]


async def test_cancelling_the_close_keeps_the_sprint_open(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    running_sprint(lk_sqlite, clock)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await open_sprint(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RetroDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SprintScreen))
    assert lk_sqlite.current_sprint() is not None


def test_burn_up_snapshot(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    running_sprint(lk_sqlite, clock)
    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=open_sprint)
