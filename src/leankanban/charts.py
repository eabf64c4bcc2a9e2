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
import math
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

#: The fewest cycle times the p50/p85/p95 lines are drawn from; with fewer, a
#: chart says "not enough history" instead: the report's own minimum, so that a
#: chart never shows a line the report withholds.
MIN_CYCLE_TIMES = flow.MIN_CYCLE_TIMES

#: The units a time axis can be drawn in, with how many of them make a day. The
#: axis takes the largest unit in which the longest time drawn is at least one
#: (minutes on a board made an hour ago, hours on one made today, else days),
#: so its ticks are whole numbers of a unit a person reads at a glance.
TIME_UNITS = {"days": 1, "hours": 24, "minutes": 24 * 60}
_UNIT_MARK = {"days": "d", "hours": "h", "minutes": "min"}


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

    Both time charts also have `unit` (see TIME_UNITS: what their y axis is
    drawn in; `days` and the percentiles stay in days), `closed` (cycle times
    in the window) and `note`: None, or why the percentiles are None (fewer
    than MIN_CYCLE_TIMES cycle times).
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
    centiles = flow.percentiles([c.days for c in cycle]) if len(cycle) >= MIN_CYCLE_TIMES else None
    marks: dict[str, Any] = {
        "p50": None if centiles is None else centiles.p50,
        "p85": None if centiles is None else centiles.p85,
        "p95": None if centiles is None else centiles.p95,
        "closed": len(cycle),
        "note": flow.Sample(len(cycle), MIN_CYCLE_TIMES).reason,
    }
    if kind == "cycle-time":
        points = [
            {"deal_id": c.deal.id, "title": c.deal.title, "closed": flow.day_of(c.closed_at),
             "days": c.days, "outcome": c.outcome.value}
            for c in sorted(cycle, key=lambda c: c.closed_at)
        ]
        return _with_unit({**base, **marks, "points": points})
    active = [s.name for s in stages if s.kind is StageKind.OPEN and not s.upstream]
    ages = [a for a in flow.work_item_ages(lines, now, centiles) if a.started]
    active += sorted({a.stage for a in ages} - set(active))
    place = {name: number for number, name in enumerate(active)}  # a lookup, not a list search per deal
    points = [
        {"deal_id": a.deal.id, "title": a.deal.title, "stage": a.stage, "days": a.days}
        for a in sorted(ages, key=lambda a: (place[a.stage], -a.days))
    ]
    return _with_unit({**base, **marks, "stages": active, "points": points})


_MARKS = ("p50", "p85", "p95")


def _longest(series: Mapping[str, Any]) -> float:
    """The longest time (in days) a time chart draws: a point or a percentile line."""
    marks = [series[m] for m in _MARKS if series.get(m) is not None]
    return max([p["days"] for p in series["points"]] + marks, default=0.0)


def _with_unit(series: dict[str, Any]) -> dict[str, Any]:
    """`series` with the unit (TIME_UNITS) its y axis is drawn in."""
    longest = _longest(series)
    unit = next((u for u, per_day in TIME_UNITS.items() if longest * per_day >= 1), None)
    series["unit"] = unit or ("minutes" if longest > 0 else "days")
    return series


def axis_ticks(top: float, *, most: int = 6) -> list[int]:
    """Whole-number ticks from 0 up to at least `top`, in steps of 1, 2 or 5 times a power of ten.

    At most `most` steps; an axis with nothing on it (top <= 0) goes from 0 to 1.
    """
    top = max(float(top), 0.0)
    step = 1
    while math.ceil(top / step) > most:
        step = _next_step(step)
    last = max(1, math.ceil(top / step)) * step
    return list(range(0, last + 1, step))


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, ..."""
    digits = str(step)
    lead, zeros = int(digits[0]), len(digits) - 1
    return {1: 2, 2: 5, 5: 10}[lead] * 10**zeros


def in_unit(days: float, unit: str) -> float:
    return days * TIME_UNITS[unit]


def _time_label(days: float, unit: str) -> str:
    return f"{in_unit(days, unit):.1f}{_UNIT_MARK[unit]}"


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


#: The smallest chart plotext draws readably; a smaller space gets `too_small(...)` instead.
MIN_WIDTH, MIN_HEIGHT = 30, 10
#: Columns the y axis (its labels and line) and the margins take from a chart's width.
_Y_AXIS = 8


def too_small(width: int, height: int) -> str:
    """What stands in for a chart in a space smaller than MIN_WIDTH x MIN_HEIGHT."""
    return f"Too small for a chart ({width}x{height}; it needs {MIN_WIDTH}x{MIN_HEIGHT})."


def labelled(count: int, label: int, width: int, *, least: int = 1) -> list[int]:
    """Which of `count` evenly spaced x positions get a label `label` characters long, so
    that no two labels touch on a chart `width` columns wide: every `least`-th at most
    (fewer where they would not fit), and the first always.

    plotext centres a label under its tick and pulls one that would stick out of the
    chart at either end back inside: the labels near the ends need more room.
    """
    if count <= 0:
        return []
    left = _Y_AXIS // 2  # where the x axis starts (after the y labels), roughly
    per = max(width - left - 2, 1) / max(count - 1, 1)  # columns from one x position to the next

    def start(i: int) -> float:
        return min(max(left + i * per - label / 2, 0.0), max(width - label, 0))

    def apart(a: int, b: int) -> bool:  # two spaces at least between them, whatever plotext rounds
        return start(b) - (start(a) + label) >= 3

    step = max(least, 1, math.ceil((label + 3) / per))
    while True:  # evenly spaced; the last may be left out (pulled in, it would touch the one before)
        index = list(range(0, count, step))
        if all(apart(a, b) for a, b in zip(index[:-2], index[1:-1], strict=True)):
            return index if len(index) < 2 or apart(index[-2], index[-1]) else index[:-1]
        step += 1


def _fitted(names: Sequence[str], width: int) -> list[str]:
    """Stage names as x labels of the ageing chart, each cut (with an ellipsis) to fit its
    slot; where slots are too narrow for six characters, every second (third ...) stage is
    labelled, the others left blank."""
    count = max(len(names), 1)
    slot = max(width - _Y_AXIS, 1) / count
    longest = max((len(name) for name in names), default=0)
    every = 1
    while every < count and int(slot * every) - 3 < min(6, longest):
        every += 1
    most = max(int(slot * every) - 3, 2)
    return [
        ("" if number % every else name if len(name) <= most else name[: most - 1] + "…")
        for number, name in enumerate(names)
    ]


def terminal_chart(
    kind: str, series: Mapping[str, Any], *, width: int = 100, height: int = 25, color: bool = False
) -> str:
    """The chart drawn as text by plotext's `build()`, `width` x `height` (at least
    MIN_WIDTH x MIN_HEIGHT); ANSI colours only with `color`."""
    plt = plotext()

    width, height = max(width, MIN_WIDTH), max(height, MIN_HEIGHT)
    plt.clear_figure()
    plt.limitsize(False, False)  # the size asked for, whatever plotext thinks the terminal is
    plt.theme("pro" if color else "clear")
    plt.title(f"{series['title']}, {_subtitle(series)}")
    below: list[str] = []  # lines under the chart
    if kind == "cfd":
        names = series["stages"]
        # Without colours every line of the legend has the same marker: it only gives the
        # order of the bands, and where it would cover a good part of a short chart (over a
        # quarter of its rows) that order is said in lines under it instead.
        inside = color or len(names) * 4 <= height - 6
        if not inside:
            below = _wrapped("Bands, top to bottom: " + ", ".join(visible(n) for n in names), width)
        ticks = _ticks(series["days"], width)
        x = list(range(len(series["days"])))
        stacked = [0] * len(x)
        # Cumulative: the last stage (Lost) at the bottom, each stage on top of those after it.
        for name in reversed(names):
            stacked = [a + b for a, b in zip(stacked, series["counts"][name], strict=False)]
            plt.plot(x, stacked, label=visible(name) if inside else None)
        plt.xticks(*ticks)
        plt.xlim(0, max(len(x) - 1, 1))
        _count_axis(plt, max(stacked, default=0))
        plt.ylabel("deals")
    elif kind == "throughput":
        x = list(range(len(series["weeks"])))
        plt.plot(x, series["closed"], label="closed", marker="dot")
        plt.plot(x, series["won"], label="won", marker="dot")
        if series["median"] is not None:
            plt.hline(series["median"])
            plt.text(f"median {series['median']:g}", x=0, y=series["median"], alignment="left")
        shown = labelled(len(x), max((len(w) for w in series["weeks"]), default=1), width, least=len(x) // 8)
        plt.xticks(shown, [series["weeks"][i] for i in shown])
        plt.xlim(0, max(len(x) - 1, 1))
        _count_axis(plt, max(series["closed"], default=0))
        plt.ylabel("deals closed")
    elif kind == "cycle-time":
        unit = series["unit"]
        points = series["points"]
        first = series["start"]
        _blank_point(plt, 0)
        for outcome in (DealStatus.WON.value, DealStatus.LOST.value):
            mine = [p for p in points if p["outcome"] == outcome]
            if mine:
                plt.scatter([(p["closed"] - first).days for p in mine], [in_unit(p["days"], unit) for p in mine],
                            label=outcome, marker="dot")
        span = max((series["end"] - first).days, 1)
        _percentile_lines(plt, series, [span * 0.08, span * 0.4, span * 0.72])
        plt.xlim(0, span)
        ticks = [0, span // 2, span]
        plt.xticks(ticks, [(first + timedelta(days=t)).isoformat() for t in ticks])
        _time_axis(plt, series, label="cycle time")
    else:
        names = series["stages"]
        points = series["points"]
        _blank_point(plt, 0.5)
        if points:
            place = {name: number for number, name in enumerate(names, start=1)}
            x = [place[p["stage"]] for p in points]
            plt.scatter(x, [in_unit(p["days"], series["unit"]) for p in points], label="open deals", marker="dot")
        _percentile_lines(plt, series, [0.5 + len(names) * f for f in (0.08, 0.4, 0.72)])
        plt.xticks(list(range(1, len(names) + 1)), _fitted([visible(name) for name in names], width))
        plt.xlim(0.5, max(len(names), 1) + 0.5)
        _time_axis(plt, series, label="age")
    plt.plotsize(width, height - len(below))
    text = plt.build()
    plt.clear_figure()
    text = text if color else plt.uncolorize(text)
    return "\n".join([text.rstrip("\n"), *below]) if below else text


def _wrapped(line: str, width: int) -> list[str]:
    """`line` in lines of at most `width` characters, broken at spaces (a word too long is cut)."""
    import textwrap

    return textwrap.wrap(line, width=max(width - 1, 1), break_long_words=True) or [""]


def _blank_point(plt: Any, x: float) -> None:
    """An invisible point, drawn first: plotext draws no axes for a chart with no data."""
    plt.scatter([x], [0], marker=" ")


def _count_axis(plt: Any, top: float) -> None:
    """A y axis of whole deals from zero."""
    ticks = axis_ticks(top)
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks, [str(t) for t in ticks])


def _time_axis(plt: Any, series: Mapping[str, Any], *, label: str) -> None:
    """A y axis of whole units (series['unit']) from zero; the note, if any, under the x axis."""
    unit = series["unit"]
    ticks = axis_ticks(in_unit(_longest(series), unit))
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks, [str(t) for t in ticks])
    plt.ylabel(f"{label} ({unit})")
    if series.get("note"):
        plt.xlabel(f"percentiles: {series['note']}")


def _percentile_lines(plt: Any, series: Mapping[str, Any], xs: Sequence[float]) -> None:
    """p50/p85/p95 as horizontal lines, labelled at different x so equal values stay readable."""
    for mark, x in zip(_MARKS, xs, strict=False):
        if series.get(mark) is not None:
            y = in_unit(series[mark], series["unit"])
            plt.hline(y)
            plt.text(f"{mark} {_time_label(series[mark], series['unit'])}", x=x, y=y)


def _ticks(days: Sequence[date], width: int) -> tuple[list[int], list[str]]:
    if not days:
        return [], []
    index = labelled(len(days), len(days[0].isoformat()), width, least=len(days) // 6)
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
        _window(ax, series)
        top = max((sum(column) for column in zip(*series["counts"].values(), strict=False)), default=0)
        _whole_axis(ax, top)
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
        _whole_axis(ax, max(series["closed"], default=0))
        ax.set_ylabel("deals closed")
        ax.legend(loc="upper left", fontsize=8)
    elif kind == "cycle-time":
        unit = series["unit"]
        colours = {"won": "#2e7d32", "lost": "#c62828"}
        for outcome in ("won", "lost"):
            mine = [p for p in series["points"] if p["outcome"] == outcome]
            if mine:
                ax.scatter([_noon(p["closed"]) for p in mine], [in_unit(p["days"], unit) for p in mine], s=12,
                           alpha=0.6, color=colours[outcome], label=outcome)
        _percentile_axlines(ax, series)
        _window(ax, series, whole_days=True)
        _time_scale(ax, series, "cycle time")
        fig.autofmt_xdate()
    else:
        names = series["stages"]
        points = series["points"]
        if points:
            place = {name: number for number, name in enumerate(names)}
            ax.scatter([place[p["stage"]] for p in points], [in_unit(p["days"], series["unit"]) for p in points],
                       s=14, alpha=0.6, color="#1565c0", label="open deals")
        _percentile_axlines(ax, series)
        ax.set_xticks(range(len(names)), [visible(name) for name in names])
        ax.set_xlim(-0.5, max(len(names) - 0.5, 0.5))
        _time_scale(ax, series, "age since start")
    return fig


def _window(ax: Any, series: Mapping[str, Any], *, whole_days: bool = False) -> None:
    """The x axis is the chart's window (matplotlib would widen one date to years each way).

    With `whole_days` it runs to the end of the last day, for points drawn at noon of their day.
    """
    start, end = series["start"], series["end"]
    ax.set_xlim(start, end + timedelta(days=1) if whole_days or end <= start else end)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _whole_axis(ax: Any, top: float) -> None:
    """Whole-unit ticks from 0, with a little room so points and lines on 0 or the top stay in sight."""
    ticks = axis_ticks(top)
    ax.set_yticks(ticks)
    ax.set_ylim(-0.03 * ticks[-1], 1.05 * ticks[-1])


def _time_scale(ax: Any, series: Mapping[str, Any], what: str) -> None:
    unit = series["unit"]
    _whole_axis(ax, in_unit(_longest(series), unit))
    ax.set_ylabel(f"{what} ({unit})")
    if series.get("note"):
        ax.set_xlabel(f"percentiles: {series['note']}")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8)


def _percentile_axlines(ax: Any, series: Mapping[str, Any]) -> None:
    styles = {"p50": ("#2e7d32", ":"), "p85": ("#ef6c00", "--"), "p95": ("#c62828", "-.")}
    for mark, (colour, style) in styles.items():
        if series.get(mark) is not None:
            ax.axhline(in_unit(series[mark], series["unit"]), color=colour, linestyle=style, linewidth=1,
                       label=f"{mark} {_time_label(series[mark], series['unit'])}")


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
