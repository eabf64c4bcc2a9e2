"""The metrics screen: the report's numbers and the four flow charts."""

from __future__ import annotations

import io
import re
import threading

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from leankanban.services import LeanKanban, reports
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
        assert screen.kind == "throughput" and "Throughput" in chart_text(pilot)  # the chart it opens on
        await pilot.press("1")
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


async def open_cfd(pilot: Pilot) -> None:
    await open_metrics(pilot)
    await pilot.press("1")
    await pilot.pause()


def test_metrics_screen_snapshot(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    history(lk_sqlite, clock)
    assert snap_compare(make_app(lk_sqlite), terminal_size=SIZE, run_before=open_cfd)


async def test_the_first_chart_is_drawn_before_the_report_is_read(
    lk_sqlite: LeanKanban, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Throughput reads only the closed deals: it is on screen while the report's inputs
    (every open deal's history) are still being read; the other charts come with them."""
    history(lk_sqlite, clock)
    release = threading.Event()
    read = reports.report_inputs

    def slow_read(*args, **kwargs):
        assert release.wait(10)
        return read(*args, **kwargs)

    monkeypatch.setattr(reports, "report_inputs", slow_read)
    async with make_app(lk_sqlite).run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MetricsScreen) and bool(pilot.app.screen.early))
        await pilot.pause()
        screen: MetricsScreen = pilot.app.screen  # type: ignore[assignment]
        first = dict(screen.early)
        assert set(first) == {"throughput", "cycle-time"} and not screen.series
        throughput = chart_text(pilot)
        assert "Throughput per week" in throughput and "median" in throughput
        assert "Computing the metrics" in summary_text(pilot)
        await pilot.press("1")
        assert "Cumulative flow: computing..." in chart_text(pilot)
        await pilot.press("3")
        assert "Cycle time of closed deals" in chart_text(pilot)
        await pilot.press("1")
        release.set()
        await wait_for(pilot, lambda: bool(screen.series))
        await pilot.pause()
        assert "Cumulative flow, " in chart_text(pilot) and "Won 2" in summary_text(pilot)
        assert {kind: screen.series[kind] for kind in first} == first  # drawn first: what the whole read draws


NARROW = (100, 30)


def screen_rows(widget) -> list[str]:
    """The rows a widget shows on screen (borders and padding left out)."""
    from textual.geometry import Region

    width, height = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, width, height))]


async def test_at_100x30_the_chart_has_the_width_and_the_summary_scrolls(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    """Issue 13: at 100x30 the summary kept 72 columns and the chart got 24, in which plotext
    drew 30 (its least), wrapped into a garble. Now the chart has the whole width, each of
    the four is drawn at the size it is given, and the summary scrolls under it."""
    from leankanban import charts
    from leankanban.tui.widgets.plot import PlotView

    history(lk_sqlite, clock)
    async with make_app(lk_sqlite).run_test(size=NARROW) as pilot:
        screen = await open_metrics(pilot)
        chart = screen.query_one("#metrics-chart", PlotView)
        width, height = chart.content_size
        assert width >= 90 and height >= charts.MIN_HEIGHT
        titles = {"1": "Cumulative flow, ", "2": "Throughput per week, ", "3": "Cycle time of closed deals, ",
                  "4": "Age of work in progress, "}
        for key, title in titles.items():
            await pilot.press(key)
            await pilot.pause()
            drawn = chart.render().plain.splitlines()
            assert len(drawn) <= height and max(len(line) for line in drawn) <= width, key
            rows = screen_rows(chart)
            assert any(title in row for row in rows), key
            axis = next(i for i, row in enumerate(rows) if "└" in row)
            labels = rows[axis + 1].strip()
            assert labels and not re.search(r"\S \S", labels), f"x labels touching: {labels!r}"
        report = screen.query_one("#metrics-report")
        assert report.outer_size.width == NARROW[0] and report.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert report.scroll_y > 0


async def test_a_chart_too_small_to_draw_says_so(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    history(lk_sqlite, clock)
    async with make_app(lk_sqlite).run_test(size=(60, 16)) as pilot:
        await open_metrics(pilot)
        assert "Too small for a chart" in chart_text(pilot)


def test_metrics_screen_snapshot_at_100x30(snap_compare, lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    history(lk_sqlite, clock)
    assert snap_compare(make_app(lk_sqlite), terminal_size=NARROW, run_before=open_metrics)
