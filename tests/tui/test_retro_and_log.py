"""A retro is offered right after a win or a loss; `L` logs time on a deal."""

from __future__ import annotations

from textual.widgets import Input, Select, TextArea

from leankanban.domain.model import Activity, EventKind
from leankanban.services import LeanKanban
from leankanban.tui.screens.discard import DiscardDialog
from leankanban.tui.screens.prompts import WinDialog
from leankanban.tui.screens.retro import RetroDialog
from leankanban.tui.screens.timelog import LogTimeDialog
from tests.conftest import seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for

SIZE = (160, 45)


async def focus_negotiation(pilot) -> None:
    await loaded(pilot)
    await pilot.press("right", "right", "right", "right")  # Leads -> Negotiation


async def test_a_win_offers_a_retro_whose_improvements_become_cards(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await focus_negotiation(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WinDialog))
        await pilot.click("#ok")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RetroDialog))
        dialog = pilot.app.screen
        dialog.query_one("#well", TextArea).text = "Champion from day one"
        dialog.query_one("#improve", TextArea).text = "Find a champion in discovery"
        dialog.query_one("#tags", Input).value = "champion"
        await pilot.click("#save")
        await wait_for(pilot, lambda: bool(lk_sqlite.list_retros()))
    [retro] = lk_sqlite.list_retros()
    assert (retro.kind.value, retro.deal_id, retro.tags) == ("deal", ids["Hooli platform"], ("champion",))
    assert [d.title for d in lk_sqlite.open_improvements()] == ["Find a champion in discovery"]


async def test_the_retro_after_a_loss_can_be_skipped(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await focus_negotiation(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DiscardDialog))
        await pilot.click("#reason-4")  # Timing
        await pilot.pause()
        await pilot.click("#ok")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RetroDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, RetroDialog))
    assert lk_sqlite.get_deal(ids["Hooli platform"]).lost_reason == "Timing"
    assert lk_sqlite.list_retros() == []


async def test_shift_l_logs_time_on_the_focused_deal(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await focus_negotiation(pilot)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogTimeDialog))
        dialog = pilot.app.screen
        dialog.query_one("#duration", Input).value = "1h30m"
        dialog.query_one("#category", Select).value = "influence"
        await pilot.click("#log")
        await wait_for(pilot, lambda: bool(lk_sqlite.time_logs()))
        [log] = lk_sqlite.time_logs()
        assert (log.minutes, log.category, log.deal_id) == (90, Activity.INFLUENCE, ids["Hooli platform"])
        assert lk_sqlite.timeline(ids["Hooli platform"])[0].kind is EventKind.NOTE


async def test_a_bad_duration_is_refused_and_nothing_is_logged(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await focus_negotiation(pilot)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LogTimeDialog))
        pilot.app.screen.query_one("#duration", Input).value = "-5m"
        await pilot.click("#log")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, LogTimeDialog))
        await pilot.pause()
    assert lk_sqlite.time_logs() == []
