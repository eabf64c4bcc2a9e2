"""The metrics screen (`m`): the stand-up numbers and the four flow charts.

The report and chart series are computed in a thread (the same read use
case as `leankanban report`); the charts are drawn by plotext as text.
The screen opens on the throughput chart, which (with the cycle-time one)
is drawn first, from the closed deals alone (`services.charts`): on a big
board, in a fraction of the time the whole report takes to read. The
other charts follow from the report's inputs, then the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from leankanban.domain.errors import LeanKanbanError
from leankanban.services import LeanKanban
from leankanban.tui.format import visible
from leankanban.tui.widgets.plot import PlotView

#: From this many deal lines on, the summary is laid out in the worker (Rich takes about a
#: millisecond a line; on the event loop that held up the screen for minutes at 40,000 deals).
LAY_OUT_DEALS = 500
CHARTS = ("cfd", "throughput", "cycle-time", "ageing")
#: The chart the screen opens on: one of those drawn first (services.charts.CLOSED_ONLY).
FIRST_CHART = "throughput"
CHART_TITLES = {
    "cfd": "Cumulative flow",
    "throughput": "Throughput",
    "cycle-time": "Cycle time",
    "ageing": "Ageing WIP",
}


def plain_chart(drawn: str) -> Text:
    """A plotext drawing as plain Text: its colour codes dropped, and any other
    control character (from a stage name, say) shown as an escape, never obeyed."""
    from leankanban.charts import plotext

    plt = plotext()

    lines = [visible(line) for line in plt.uncolorize(drawn).splitlines()]
    return Text("\n".join(lines), no_wrap=True, overflow="crop")


@dataclass
class ChartsLoaded(Message):
    """Chart series (some or all four), sent before the report is built: the first chart
    shows at once, the others as they come."""

    series: dict[str, dict[str, Any]]


@dataclass
class MetricsLoaded(Message):
    report: Any
    series: dict[str, dict[str, Any]]
    #: The report laid out at the summary's width (in the worker, not on the event loop).
    summary: Any = None


def lay_out(renderable: Any, width: int) -> Text:
    """`renderable` as Rich would print it `width` cells wide, as one Text: laid out once,
    in the worker, so a report of thousands of lines does not hold up the screen."""
    import io

    from rich.console import Console

    console = Console(width=max(width, 20), file=io.StringIO(), color_system="truecolor", legacy_windows=False)
    text = Text(no_wrap=True, overflow="crop", end="")
    for number, line in enumerate(console.render_lines(renderable, pad=False, new_lines=False)):
        if number:
            text.append("\n")
        for segment in line:
            if not segment.control:
                text.append(segment.text, segment.style)
    return text


@dataclass
class MetricsFailed(Message):
    reason: str


#: From this width on, the summary (its tables want about 72 columns) and the chart sit side by
#: side; narrower, the chart takes the whole width and the summary scrolls under it.
SIDE_BY_SIDE = 140


class MetricsScreen(Screen[None]):
    """Flow metrics of one board; `1`-`4` pick a chart, `r` recomputes."""

    HORIZONTAL_BREAKPOINTS = [(0, "-stacked"), (SIDE_BY_SIDE, "-side-by-side")]

    BINDINGS = [
        Binding("escape,q,m", "close", "Board", id="metrics-close", tooltip="Back to the board"),
        Binding("1", "chart('cfd')", "CFD", id="chart-cfd", tooltip="Cumulative flow diagram"),
        Binding("2", "chart('throughput')", "Throughput", id="chart-throughput", tooltip="Throughput run chart"),
        Binding("3", "chart('cycle-time')", "Cycle time", id="chart-cycle-time",
                tooltip="Cycle-time scatter with percentile lines"),
        Binding("4", "chart('ageing')", "Ageing", id="chart-ageing", tooltip="Ageing work in progress"),
        Binding("tab", "next_chart", "Next chart", show=False, id="chart-next"),
        Binding("r", "refresh", "Refresh", id="metrics-refresh", tooltip="Compute the metrics again"),
    ]

    def __init__(self, services: LeanKanban, *, board: str | None, days: int = 90, seed: int | None = 1) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.days = days
        self.seed = seed
        self.kind = FIRST_CHART
        self.series: dict[str, dict[str, Any]] = {}
        #: The series drawn while the report is still being built (some of them, then all four).
        self.early: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="metrics"):
            with VerticalScroll(id="metrics-report"):
                yield Static(Text("Computing the metrics..."), id="metrics-summary")
            yield PlotView(id="metrics-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.board or 'board'} · metrics over {self.days} days"
        self.load()

    @work(thread=True, exclusive=True, group="metrics")
    def load(self) -> None:
        from leankanban import charts
        from leankanban.services import charts as chart_reads
        from leankanban.services import reports

        try:
            if self.kind in chart_reads.CLOSED_ONLY:  # the chart on screen, from the closed deals alone
                self.post_message(ChartsLoaded(chart_reads.closed_series(self.services, board=self.board,
                                                                         days=self.days)))
            with reports.paused_gc():
                inputs, since = reports.report_inputs(
                    self.services, board=self.board, since=f"{self.days}d", history_days=self.days
                )
                series = {kind: charts.chart_series(kind, inputs, days=self.days) for kind in CHARTS}
                self.post_message(ChartsLoaded(series))
                report = reports.report_from(
                    self.services, inputs, since, board=self.board, seed=self.seed, history_days=self.days
                )
                del inputs
            from leankanban.reports.render import to_renderable

            width = self.query_one("#metrics-summary", Static).content_size.width
            big = len(report.deals) >= LAY_OUT_DEALS and width > 0
            summary = lay_out(to_renderable(report), width) if big else None
        except LeanKanbanError as err:
            self.post_message(MetricsFailed(str(err)))
            return
        self.post_message(MetricsLoaded(report, series, summary))

    def on_charts_loaded(self, message: ChartsLoaded) -> None:
        self.early = {**self.early, **message.series}
        self.draw_chart()

    def on_metrics_loaded(self, message: MetricsLoaded) -> None:
        from leankanban.reports.render import to_renderable

        self.series = message.series
        summary = message.summary if message.summary is not None else to_renderable(message.report)
        self.query_one("#metrics-summary", Static).update(summary)
        self.draw_chart()

    def on_metrics_failed(self, message: MetricsFailed) -> None:
        self.query_one("#metrics-summary", Static).update(Text(visible(message.reason)))

    def draw_chart(self) -> None:
        shown = self.series or self.early
        if not shown:
            return
        from leankanban import charts

        kind = self.kind
        chart = self.query_one("#metrics-chart", PlotView)
        chart.border_title = f"{CHART_TITLES[kind]}  (1-4 to switch)"
        series = shown.get(kind)
        if series is None:  # still being computed: drawn when it comes
            chart.show(lambda _width, _height: Text(f"{CHART_TITLES[kind]}: computing..."))
            return

        def draw(width: int, height: int) -> Text:
            if width < charts.MIN_WIDTH or height < charts.MIN_HEIGHT:  # plotext would draw past the edges
                return Text(charts.too_small(width, height))
            return plain_chart(charts.terminal_chart(kind, series, width=width, height=height, color=False))

        chart.show(draw)

    def action_chart(self, kind: str) -> None:
        self.kind = kind
        self.draw_chart()

    def action_next_chart(self) -> None:
        self.kind = CHARTS[(CHARTS.index(self.kind) + 1) % len(CHARTS)]
        self.draw_chart()

    def action_refresh(self) -> None:
        self.query_one("#metrics-summary", Static).update(Text("Computing the metrics..."))
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
