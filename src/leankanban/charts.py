"""Flow charts: cumulative flow, throughput run chart, cycle-time scatter, ageing WIP.

Three layers, so each user takes only what it needs:

* `chart_series(kind, inputs, days=...)` is pure: report inputs (stages,
  deals, events, now; see `reports.load_inputs`) in, plain data out
  (lists of dates, counts, days). The TUI's metrics screen can call it from a
  worker and hand the result to `terminal_chart`.
* `terminal_chart(kind, series, width=, height=)` draws the series as text
  with plotext (imported inside, only when a chart is drawn) and returns it;
  a Textual widget can show it with `Text.from_ansi(...)`.
* `save_chart(kind, series, path)` / `svg_chart(kind, series)` draw it with
  matplotlib's Agg backend (imported inside, only then) as PNG or SVG.

User text (stage names) reaches matplotlib and plotext as data, never as
markup: matplotlib escapes it in SVG, and mathtext is switched off. Where a
stage name is drawn (a legend, a tick), its control, bidi and zero-width
characters show as escapes (`leankanban.text.visible`), so a name cannot
drive the terminal, break plotext's colour handling or hide in an image.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from leankanban.domain.model import DealStatus, Event, Stage, StageKind
from leankanban.metrics import flow
from leankanban.metrics.flow import Period
from leankanban.text import visible

#: The charts, by the name the CLI takes.
KINDS = ("cfd", "throughput", "cycle-time", "ageing")
TITLES = {
    "cfd": "Cumulative flow",
    "throughput": "Throughput per week",
    "cycle-time": "Cycle time of closed deals",
    "ageing": "Age of work in progress",
}
DEFAULT_DAYS = 90


class ChartInputs(Protocol):
    """What the builders read (reports.ReportInputs has it)."""

    stages: Sequence[Stage]
    deals: Sequence[Any]
    events: Sequence[Event]
    now: datetime


def chart_series(kind: str, inputs: ChartInputs, *, days: int = DEFAULT_DAYS) -> dict[str, Any]:
    """The data of chart `kind` over the `days` before `inputs.now`.

    Every result has `kind`, `title`, `start`, `end` (dates); then:

    * cfd: `days` (dates), `stages` (board order), `counts` {stage: [deals at each day's end]};
    * throughput: `weeks` (labels), `won`, `lost`, `closed` (per ISO week), `median` (closed);
    * cycle-time: `points` [{deal_id, title, closed (date), days, outcome}], `p50`, `p85`, `p95`;
    * ageing: `stages` (active, board order), `points` [{deal_id, title, stage, days}], `p50`, `p85`, `p95`.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown chart '{kind}'; choose one of {', '.join(KINDS)}.")
    if days < 1:
        raise ValueError("A chart needs at least one day.")
    now = inputs.now.astimezone(UTC)
    period = Period(now - timedelta(days=days), now + timedelta(microseconds=1))
    stages = sorted(inputs.stages, key=lambda s: s.position)
    # The inputs' timelines where they carry them (services.reports.ReportInputs.lines), else built here.
    lines = getattr(inputs, "lines", None)
    if lines is None:
        lines = flow.timelines(stages, inputs.deals, inputs.events, now=now)
    base: dict[str, Any] = {
        "kind": kind,
        "title": TITLES[kind],
        "start": flow.day_of(period.start),
        "end": flow.day_of(now),
    }
    if kind == "cfd":
        rows = flow.cumulative_flow(stages, lines, period.days(), now=now)
        names = [s.name for s in stages]
        for row in rows:
            names += [n for n in row.counts if n not in names]
        return {
            **base,
            "days": [r.day for r in rows],
            "stages": names,
            "counts": {n: [r.counts.get(n, 0) for r in rows] for n in names},
        }
    if kind == "throughput":
        weeks = flow.throughput_per_week(lines, period)
        closed = [w.closed for w in weeks]
        return {
            **base,
            "weeks": [w.label for w in weeks],
            "won": [w.won for w in weeks],
            "lost": [w.lost for w in weeks],
            "closed": closed,
            "median": _median(closed),
        }
    cycle = flow.cycle_times(lines, period)
    centiles = flow.percentiles([c.days for c in cycle])
    marks = {
        "p50": None if centiles is None else centiles.p50,
        "p85": None if centiles is None else centiles.p85,
        "p95": None if centiles is None else centiles.p95,
    }
    if kind == "cycle-time":
        points = [
            {"deal_id": c.deal.id, "title": c.deal.title, "closed": flow.day_of(c.closed_at),
             "days": c.days, "outcome": c.outcome.value}
            for c in sorted(cycle, key=lambda c: c.closed_at)
        ]
        return {**base, **marks, "points": points}
    active = [s.name for s in stages if s.kind is StageKind.OPEN and not s.upstream]
    ages = [a for a in flow.work_item_ages(lines, now, centiles) if a.started]
    active += sorted({a.stage for a in ages} - set(active))
    points = [
        {"deal_id": a.deal.id, "title": a.deal.title, "stage": a.stage, "days": a.days}
        for a in sorted(ages, key=lambda a: (active.index(a.stage), -a.days))
    ]
    return {**base, **marks, "stages": active, "points": points}


def _median(values: Sequence[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _subtitle(series: Mapping[str, Any]) -> str:
    return f"{series['start'].isoformat()} to {series['end'].isoformat()}"


# -- terminal (plotext) ---------------------------------------------------------


def plotext():
    """plotext, made deterministic.

    plotext 5 removes duplicate points with `list(set(...))`, so the order in
    which overlapping markers and tick labels are drawn depends on the
    process's hash seed: the same data drew differently from run to run. An
    order-keeping de-duplication gives the same drawing every time.
    """
    import plotext as plt
    from plotext import _utility

    if getattr(_utility.no_duplicates, "__name__", "") != "_ordered_unique":

        def _ordered_unique(data):
            return list(dict.fromkeys(data))

        _utility.no_duplicates = _ordered_unique
    return plt


def terminal_chart(
    kind: str, series: Mapping[str, Any], *, width: int = 100, height: int = 25, color: bool = False
) -> str:
    """The chart drawn as text by plotext's `build()`; ANSI colours only with `color`."""
    plt = plotext()

    plt.clear_figure()
    plt.plotsize(max(width, 30), max(height, 10))
    plt.theme("pro" if color else "clear")
    plt.title(f"{series['title']}, {_subtitle(series)}")
    if kind == "cfd":
        ticks = _ticks(series["days"])
        x = list(range(len(series["days"])))
        stacked = [0] * len(x)
        # Cumulative: the last stage (Lost) at the bottom, each stage on top of those after it.
        for name in reversed(series["stages"]):
            stacked = [a + b for a, b in zip(stacked, series["counts"][name], strict=False)]
            plt.plot(x, stacked, label=visible(name))
        plt.xticks(*ticks)
        plt.ylabel("deals")
    elif kind == "throughput":
        x = list(range(len(series["weeks"])))
        plt.plot(x, series["closed"], label="closed", marker="dot")
        plt.plot(x, series["won"], label="won", marker="dot")
        if series["median"] is not None:
            plt.hline(series["median"])
            plt.text(f"median {series['median']:g}", x=0, y=series["median"])
        step = max(1, len(x) // 8)
        plt.xticks(x[::step], series["weeks"][::step])
        plt.ylabel("deals closed")
    elif kind == "cycle-time":
        points = series["points"]
        if points:
            first = series["start"]
            for outcome in (DealStatus.WON.value, DealStatus.LOST.value):
                mine = [p for p in points if p["outcome"] == outcome]
                if mine:
                    plt.scatter([(p["closed"] - first).days for p in mine], [p["days"] for p in mine], label=outcome,
                                marker="dot")
            span = (series["end"] - first).days
            _percentile_lines(plt, series, [span * 0.08, span * 0.4, span * 0.72])
            plt.xlim(0, span)
            ticks = [0, span // 2, span]
            plt.xticks(ticks, [(first + timedelta(days=t)).isoformat() for t in ticks])
        plt.ylabel("days")
    else:
        names = series["stages"]
        points = series["points"]
        if points:
            x = [names.index(p["stage"]) + 1 for p in points]
            plt.scatter(x, [p["days"] for p in points], label="open deals", marker="dot")
            _percentile_lines(plt, series, [0.5 + len(names) * f for f in (0.08, 0.4, 0.72)])
        plt.xticks(list(range(1, len(names) + 1)), [visible(name) for name in names])
        plt.xlim(0.5, len(names) + 0.5)
        plt.ylabel("age (days)")
    text = plt.build()
    plt.clear_figure()
    return text if color else plt.uncolorize(text)


def _percentile_lines(plt: Any, series: Mapping[str, Any], xs: Sequence[float]) -> None:
    """p50/p85/p95 as horizontal lines, labelled at different x so equal values stay readable."""
    for mark, x in zip(("p50", "p85", "p95"), xs, strict=False):
        if series.get(mark) is not None:
            plt.hline(series[mark])
            plt.text(f"{mark} {series[mark]:.1f}d", x=x, y=series[mark])


def _ticks(days: Sequence[date]) -> tuple[list[int], list[str]]:
    if not days:
        return [], []
    step = max(1, len(days) // 6)
    index = list(range(0, len(days), step))
    return index, [days[i].isoformat() for i in index]


# -- images (matplotlib) -------------------------------------------------------------


def _figure(kind: str, series: Mapping[str, Any]) -> Any:
    """A matplotlib Figure of the chart (Agg canvas; no pyplot, no global state)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "leankanban"  # stable ids in SVG output
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 5.5), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.set_title(f"{series['title']}\n{_subtitle(series)}", fontsize=12)
    if kind == "cfd":
        days = series["days"]
        names = list(reversed(series["stages"]))
        if days:
            ax.stackplot(days, [series["counts"][n] for n in names], labels=[visible(n) for n in names], alpha=0.85)
            handles, labels = ax.get_legend_handles_labels()
            ax.legend(handles[::-1], labels[::-1], loc="upper left", fontsize=8)
        ax.set_ylabel("deals")
        fig.autofmt_xdate()
    elif kind == "throughput":
        weeks = series["weeks"]
        x = list(range(len(weeks)))
        ax.bar(x, series["won"], label="won", color="#2e7d32")
        ax.bar(x, series["lost"], bottom=series["won"], label="lost", color="#c62828", alpha=0.8)
        ax.plot(x, series["closed"], color="#222222", marker="o", linewidth=1.2, label="closed")
        if series["median"] is not None:
            ax.axhline(series["median"], color="#555555", linestyle="--", linewidth=1,
                       label=f"median {series['median']:g}")
        step = max(1, len(x) // 10)
        ax.set_xticks(x[::step], weeks[::step], rotation=30, ha="right")
        ax.set_ylabel("deals closed")
        ax.legend(loc="upper left", fontsize=8)
    elif kind == "cycle-time":
        colours = {"won": "#2e7d32", "lost": "#c62828"}
        for outcome in ("won", "lost"):
            mine = [p for p in series["points"] if p["outcome"] == outcome]
            if mine:
                ax.scatter([p["closed"] for p in mine], [p["days"] for p in mine], s=12, alpha=0.6,
                           color=colours[outcome], label=outcome)
        _percentile_axlines(ax, series)
        ax.set_ylabel("cycle time (days)")
        ax.legend(loc="upper left", fontsize=8)
        fig.autofmt_xdate()
    else:
        names = series["stages"]
        points = series["points"]
        if points:
            ax.scatter([names.index(p["stage"]) for p in points], [p["days"] for p in points], s=14, alpha=0.6,
                       color="#1565c0", label="open deals")
        _percentile_axlines(ax, series)
        ax.set_xticks(range(len(names)), [visible(name) for name in names])
        ax.set_xlim(-0.5, max(len(names) - 0.5, 0.5))
        ax.set_ylabel("age since start (days)")
        ax.legend(loc="upper left", fontsize=8)
    return fig


def _percentile_axlines(ax: Any, series: Mapping[str, Any]) -> None:
    styles = {"p50": ("#2e7d32", ":"), "p85": ("#ef6c00", "--"), "p95": ("#c62828", "-.")}
    for mark, (colour, style) in styles.items():
        if series.get(mark) is not None:
            ax.axhline(series[mark], color=colour, linestyle=style, linewidth=1,
                       label=f"{mark} {series[mark]:.1f} days")


def _no_mathtext(fig: Any) -> None:
    """Dollar signs in stage names stay dollar signs."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)


def save_chart(kind: str, series: Mapping[str, Any], path: str | Path) -> Path:
    """Write the chart to `path`; the suffix (.png or .svg) picks the format."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise ValueError(f"Charts are written as .png or .svg, not '{path.suffix or path.name}'.")
    fig = _figure(kind, series)
    _no_mathtext(fig)
    from leankanban.files import open_private

    with open_private(path, "wb") as handle:  # private before the first byte of the image
        fig.savefig(handle, format=suffix, metadata={"Date": None} if suffix == "svg" else None)
    return path


def svg_chart(kind: str, series: Mapping[str, Any]) -> str:
    """The chart as an SVG document (text), e.g. to inline in an HTML report."""
    fig = _figure(kind, series)
    _no_mathtext(fig)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
