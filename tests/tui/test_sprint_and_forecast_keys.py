"""From the board: + commits the focused deal to the open sprint, f forecasts the focused stage."""

from __future__ import annotations

from textual.widgets import Static

from leankanban.services import LeanKanban
from leankanban.tui.screens.forecast import ForecastDialog
from leankanban.tui.screens.help import HelpScreen
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import focused_title, loaded, make_app, wait_for

SIZE = (160, 45)


def said(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_plus_commits_the_focused_deal_to_the_open_sprint(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.start_sprint(length="2w")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("plus")
        await wait_for(pilot, lambda: any("Committed 'Acme rollout' to Sprint 1." in s for s in said(app)))
        assert lk_sqlite.current_sprint().committed == (ids["Acme rollout"],)
        await pilot.press("plus")
        await wait_for(pilot, lambda: any("'Acme rollout' is committed to Sprint 1 already." in s for s in said(app)))
        assert lk_sqlite.current_sprint().committed == (ids["Acme rollout"],)


async def test_plus_without_an_open_sprint_says_so_and_commits_nothing(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("plus")
        await wait_for(pilot, lambda: any("No sprint is open on this board" in s for s in said(app)))
        assert lk_sqlite.current_sprint() is None


async def test_the_in_sprint_filter_shows_a_deal_just_committed(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.start_sprint(length="2w")
    lk_sqlite.commit_deal(ids["Hooli platform"])
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await wait_for(pilot, lambda: screen.sprint is not None)
        await pilot.press("right", "right")
        assert focused_title(pilot) == "Initech renewal"
        await pilot.press("plus")
        await wait_for(pilot, lambda: ids["Initech renewal"] in screen.sprint.committed)
        await pilot.press("C")
        await wait_for(pilot, lambda: screen.hidden_count() == 3)  # Hooli and Initech shown


async def test_f_forecasts_the_focused_stage_in_a_dialog(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    clock.advance(days=-60)
    for n in range(8):
        deal = lk_sqlite.add_deal(f"Closed {n}", stage="Negotiation", value="1000")
        clock.advance(days=5)
        lk_sqlite.win(deal.id) if n % 2 == 0 else lk_sqlite.discard(deal.id, "Timing")
    lk_sqlite.add_deal("Open one", stage="Negotiation", value="5000")
    lk_sqlite.add_deal("[b]Open two[/b] \x1b[2J", stage="Negotiation", value="7000")
    clock.advance(days=20)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "right")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForecastDialog))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.result is not None)
        text = str(dialog.query_one("#forecast-text", Static).render())
        assert "Forecast for pipeline: 2 open deals in Negotiation, worth EUR 12,000.00." in text
        assert "All 2 closed by" in text and "value won (EUR)" in text
        assert "Forecast for Negotiation" in str(dialog.query_one("#dialog-title", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ForecastDialog))


async def test_f_on_a_stage_with_no_history_says_why(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForecastDialog) and app.screen.result is not None)
        text = str(app.screen.query_one("#forecast-text", Static).render())
        assert "No forecast:" in text


async def test_help_lists_the_commit_and_forecast_keys(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        rows = dict(screen.active_bindings_for_help())
        assert rows["+"] == "Commit the focused deal to the open sprint"
        assert rows["f"].startswith("Forecast the focused stage")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
