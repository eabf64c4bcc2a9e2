"""The terminal charts at the sizes a terminal gives them: every line within the width,
x labels that never touch, stage names cut to their slot, and a cumulative-flow legend
that does not cover a short chart (issue 13: the metrics charts were garbled at 100x30)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from leankanban import charts

FIRST = date(2026, 9, 3)
STAGES = ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost"]


def cfd(days: int = 91, stages: list[str] = STAGES) -> dict:
    dates = [FIRST + timedelta(days=n) for n in range(days)]
    counts = {name: [(n * (i + 2)) % 7 for n in range(days)] for i, name in enumerate(stages)}
    return {"kind": "cfd", "title": charts.TITLES["cfd"], "start": dates[0], "end": dates[-1],
            "days": dates, "stages": stages, "counts": counts}


def throughput(weeks: int = 14) -> dict:
    labels = [f"2026-W{36 + n:02d}" for n in range(weeks)]
    closed = [n % 5 for n in range(weeks)]
    return {"kind": "throughput", "title": charts.TITLES["throughput"], "start": FIRST,
            "end": FIRST + timedelta(days=90), "weeks": labels, "won": closed, "lost": [0] * weeks,
            "closed": closed, "median": 2.0}


def ageing(stages: list[str]) -> dict:
    points = [{"deal_id": n, "title": f"Deal {n}", "stage": name, "days": float(n + 1)}
              for n, name in enumerate(stages)]
    return {"kind": "ageing", "title": charts.TITLES["ageing"], "start": FIRST,
            "end": FIRST + timedelta(days=90), "stages": stages, "points": points,
            "p50": None, "p85": None, "p95": None, "closed": 0, "note": "not enough history (0 closed, need 10)",
            "unit": "days"}


def x_labels(text: str) -> str:
    """The line of x labels: the one under the x axis (the line that starts with └)."""
    lines = text.splitlines()
    axis = next(i for i, line in enumerate(lines) if line.lstrip().startswith("└"))
    return lines[axis + 1]


def assert_apart(line: str, pattern: str, count: int | None = None) -> list[str]:
    """The labels in `line` match `pattern` whole, with at least two spaces between them."""
    words = line.split()
    assert words and all(re.fullmatch(pattern, w) for w in words), line
    assert re.search(r"\S \S", line) is None, f"labels touching: {line!r}"
    if count is not None:
        assert len(words) == count, line
    return words


@pytest.mark.parametrize("width", [40, 60, 76, 94, 100, 120, 160])
def test_the_dates_under_a_cumulative_flow_never_touch(width: int) -> None:
    text = charts.terminal_chart("cfd", cfd(), width=width, height=25)
    assert max(len(line) for line in text.splitlines()) <= width
    words = assert_apart(x_labels(text), r"\d{4}-\d{2}-\d{2}")
    assert words[0] == FIRST.isoformat() and len(words) >= 2


@pytest.mark.parametrize("width", [40, 60, 76, 94, 100, 120, 160])
def test_the_weeks_under_a_throughput_chart_never_touch(width: int) -> None:
    text = charts.terminal_chart("throughput", throughput(), width=width, height=20)
    assert max(len(line) for line in text.splitlines()) <= width
    words = assert_apart(x_labels(text), r"\d{4}-W\d{2}")
    assert words[0] == "2026-W36" and len(words) >= 2


def test_wide_charts_stay_well_labelled() -> None:
    """At 160 columns: a date every 15 days and every week, as before, but for the last
    week, whose label (pulled in from the end) touched the one before it."""
    assert len(x_labels(charts.terminal_chart("cfd", cfd(), width=160, height=25)).split()) == 7
    assert x_labels(charts.terminal_chart("throughput", throughput(), width=160, height=20)).split() == [
        f"2026-W{week}" for week in range(36, 49)
    ]


@pytest.mark.parametrize("width", [60, 96, 160])
def test_many_stage_names_are_cut_to_their_slot_under_the_ageing_chart(width: int) -> None:
    names = [f"Negotiation{n:02d}" for n in range(15)]  # the `wide` shape's 15 active stages, longer names
    text = charts.terminal_chart("ageing", ageing(names), width=width, height=20)
    assert max(len(line) for line in text.splitlines()) <= width
    every = {60: 3, 96: 2, 160: 1}[width]  # stages per label: each at least six characters
    words = assert_apart(x_labels(text), r"Negoti\w*…", count=len(range(0, 15, every)))
    assert all(6 <= len(w) <= every * (width - 8) / 15 for w in words)


def test_a_few_stage_names_are_shown_whole() -> None:
    names = ["Discovery", "Proposal", "Negotiation"]
    line = x_labels(charts.terminal_chart("ageing", ageing(names), width=96, height=14))
    assert line.split() == names


def test_a_short_plain_cumulative_flow_says_the_band_order_under_it() -> None:
    """Without colours the legend's markers are all alike; on 14 rows its 7 lines would cover half the plot."""
    text = charts.terminal_chart("cfd", cfd(), width=94, height=14)
    lines = text.splitlines()
    assert len(lines) == 14 and max(len(line) for line in lines) <= 94
    assert "▞▞" not in text
    assert lines[-1] == "Bands, top to bottom: Leads, Qualifying, Discovery, Proposal, Negotiation, Won, Lost"


def test_a_tall_or_coloured_cumulative_flow_keeps_its_legend_inside() -> None:
    tall = charts.terminal_chart("cfd", cfd(), width=94, height=40)
    assert "▞▞ Leads" in tall and "Bands" not in tall
    coloured = charts.terminal_chart("cfd", cfd(), width=94, height=14, color=True)
    assert "Bands" not in coloured


def test_the_band_order_wraps_on_a_narrow_chart() -> None:
    names = [f"Stage number {n}" for n in range(12)]
    text = charts.terminal_chart("cfd", cfd(stages=names), width=40, height=20)
    lines = text.splitlines()
    assert len(lines) == 20 and max(len(line) for line in lines) <= 40
    assert "Stage number 11" in " ".join(lines[-4:])


def test_too_small_says_what_it_needs() -> None:
    assert charts.too_small(24, 8) == "Too small for a chart (24x8; it needs 30x10)."
