"""The metrics screen: the report's numbers and the four flow charts."""

from __future__ import annotations

import io

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from leankanban.services import LeanKanban
from leankanban.tui.screens.metrics import MetricsScreen
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for

SIZE = (160, 45)


def history(lk: LeanKanban, clock: FakeClock) -> None:
    """Three weeks of flow: two wins, one loss, deals moving along."""
    ids = seed_pipeline(lk)
    clock.advance(days=3)
    lk.move_deal(ids["Initech renewal"], "Proposal")
    clock.advance(days=4)
    lk.win(ids["Hooli platform"])
    clock.advance(days=5)
    lk.discard(ids["Globex pilot"], "No budget")
    clock.advance(days=2)
    lk.move_deal(ids["Umbrella expansion"], "Negotiation")
    lk.win(ids["Umbrella expansion"], value="90000")
    clock.advance(days=6)


def shown(pilot: Pilot, selector: str) -> str:
    """The text a widget shows, as a terminal of its width would print it."""
    widget = pilot.app.screen.query_one(selector)
    content = widget.content if isinstance(widget, Static) else widget.render()
    console = Console(width=max(widget.size.width, 40), record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def chart_text(pilot: Pilot) -> str:
    return shown(pilot, "#metrics-chart")


def summary_text(pilot: Pilot) -> str:
    return shown(pilot, "#metrics-summary")


async def open_metrics(pilot: Pilot) -> MetricsScreen:
    await loaded(pilot)
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, MetricsScreen) and bool(pilot.app.screen.series))
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]


async def test_m_opens_the_numbers_and_charts(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    history(lk_sqlite, clock)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        summary = summary_text(pilot)
        # Globex was discarded from Qualifying, before commitment: qualified out, not lost.
        assert "Won 2" in summary and "Lost 0" in summary and "Qualified out 1" in summary
        assert "No budget" in summary
        assert "Cumulative flow" in chart_text(pilot)
        await pilot.press("2")
        assert screen.kind == "throughput" and "Throughput" in chart_text(pilot)
        await pilot.press("3")
        assert "Cycle time" in chart_text(pilot)
        await pilot.press("tab")
        assert screen.kind == "ageing"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, MetricsScreen))


async def test_an_empty_board_still_has_a_metrics_screen(lk_sqlite: LeanKanban) -> None:
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await open_metrics(pilot)
        assert "Won 0" in summary_text(pilot)


def test_metrics_screen_snapshot(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    history(lk_sqlite, clock)
    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=open_metrics)
