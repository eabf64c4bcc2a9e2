"""The four flow charts on any data: series with hand-computed numbers, and sane axes when drawn.

Boards are built by hand (stages, deals and the events the services would
record), so each case is exactly the odd board it names: empty, one deal,
made today, same-day wins, reopened deals, history older than the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban import charts
from leankanban.domain.model import Deal, DealStatus, Event, EventKind, Stage, StageKind

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
STAGES = (
    Stage("Leads", 0, upstream=True),
    Stage("Qualifying", 1, upstream=True),
    Stage("Discovery", 2),
    Stage("Proposal", 3),
    Stage("Negotiation", 4),
    Stage("Won", 5, kind=StageKind.WON),
    Stage("Lost", 6, kind=StageKind.LOST),
)
KIND_OF = {s.name: s.kind for s in STAGES}
STATUS = {StageKind.OPEN: DealStatus.OPEN, StageKind.WON: DealStatus.WON, StageKind.LOST: DealStatus.LOST}
OUTCOME_EVENT = {DealStatus.OPEN: EventKind.REOPENED, DealStatus.WON: EventKind.WON, DealStatus.LOST: EventKind.LOST}


@dataclass
class Inputs:
    stages: tuple[Stage, ...]
    deals: list[Deal]
    events: list[Event]
    now: datetime


def board(*paths: list[tuple[datetime, str]]) -> Inputs:
    """One deal per path of (time, stage entered), with the events a move records."""
    deals, events = [], []
    for deal_id, path in enumerate(paths, start=1):
        (created, first), *moves = path
        events.append(Event(EventKind.CREATED, created, deal_id, to_stage=first))
        stage = first
        for at, to in moves:
            events.append(Event(EventKind.MOVED, at, deal_id, from_stage=stage, to_stage=to))
            before, after = STATUS[KIND_OF[stage]], STATUS[KIND_OF[to]]
            if before is not after:
                events.append(Event(OUTCOME_EVENT[after], at, deal_id, from_stage=stage, to_stage=to))
            stage = to
        deals.append(Deal(f"Deal {deal_id}", stage, id=deal_id, created_at=created, status=STATUS[KIND_OF[stage]]))
    return Inputs(STAGES, deals, events, NOW)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def won_after(hours: float, *, start: datetime) -> list[tuple[datetime, str]]:
    return [(start, "Discovery"), (start + timedelta(hours=hours), "Won")]


def y_ticks(text: str) -> list[str]:
    """The labels on a plotext chart's y axis, top to bottom."""
    return [m.group(1) for line in text.splitlines() if (m := re.match(r"^\s*(\S+)\s*[┤├]", line))]


def drawn(kind: str, inputs: Inputs, days: int = 90) -> dict[int, str]:
    series = charts.chart_series(kind, inputs, days=days)
    return {width: charts.terminal_chart(kind, series, width=width, height=25) for width in (100, 160)}


def assert_sane(text: str, width: int) -> None:
    assert max(len(line) for line in text.splitlines()) <= width
    ticks = y_ticks(text)
    assert ticks and all(t.isdigit() for t in ticks), ticks  # whole units, no 0.00235
    assert ticks[-1] == "0"


# -- the time unit and the ticks -------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(0, [0, 1]), (0.4, [0, 1]), (4, [0, 1, 2, 3, 4]), (7, [0, 2, 4, 6, 8]), (13, [0, 5, 10, 15]),
     (89, [0, 20, 40, 60, 80, 100]), (1000, [0, 200, 400, 600, 800, 1000])],
)
def test_axis_ticks_are_whole_steps_of_one_two_or_five(top: float, ticks: list[int]) -> None:
    assert charts.axis_ticks(top) == ticks


# -- empty board -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", charts.KINDS)
def test_an_empty_board_draws_every_chart_from_zero_to_one(kind: str) -> None:
    empty = board()
    series = charts.chart_series(kind, empty, days=90)
    assert (series["start"], series["end"]) == (TODAY - timedelta(days=90), TODAY)
    for width, text in drawn(kind, empty).items():
        assert_sane(text, width)
        assert y_ticks(text) == ["1", "0"]


def test_an_empty_board_has_no_percentiles_and_says_why() -> None:
    series = charts.chart_series("cycle-time", board(), days=90)
    assert (series["points"], series["p50"], series["p85"], series["p95"]) == ([], None, None, None)
    assert series["note"] == "not enough history (0 closed, need 10)"
    assert series["unit"] == "days"
    assert "not enough history (0 closed, need 10)" in drawn("cycle-time", board())[100]


# -- one deal ----------------------------------------------------------------------------


def test_one_deal_three_hours_in_discovery_is_aged_in_hours() -> None:
    one = board([(ago(hours=5), "Leads"), (ago(hours=3), "Discovery")])
    series = charts.chart_series("ageing", one, days=90)
    [point] = series["points"]
    assert (point["stage"], point["days"]) == ("Discovery", pytest.approx(3 / 24))
    assert series["unit"] == "hours"
    assert (series["p50"], series["p85"], series["p95"], series["closed"]) == (None, None, None, 0)
    for width, text in drawn("ageing", one).items():
        assert_sane(text, width)
        assert y_ticks(text) == ["3", "2", "1", "0"]
        assert "age (hours)" in text and "p95" not in text


# -- a board made today: everything within minutes ------------------------------------------


def test_a_board_made_today_is_drawn_in_minutes_without_percentile_lines() -> None:
    today = board(
        [(ago(minutes=30), "Discovery"), (ago(minutes=26), "Won")],
        [(ago(minutes=20), "Leads"), (ago(minutes=19), "Discovery"), (ago(minutes=10), "Lost")],
        [(ago(minutes=15), "Proposal")],
        [(ago(minutes=2), "Negotiation")],
    )
    cycle = charts.chart_series("cycle-time", today, days=90)
    assert [(p["deal_id"], p["closed"], p["outcome"]) for p in cycle["points"]] == [
        (1, TODAY, "won"), (2, TODAY, "lost")
    ]
    assert [p["days"] * 24 * 60 for p in cycle["points"]] == pytest.approx([4, 9])
    assert cycle["unit"] == "minutes" and cycle["p95"] is None
    assert cycle["note"] == "not enough history (2 closed, need 10)"
    ageing = charts.chart_series("ageing", today, days=90)
    assert [(p["stage"], round(p["days"] * 24 * 60)) for p in ageing["points"]] == [("Proposal", 15), ("Negotiation", 2)]
    assert ageing["unit"] == "minutes" and ageing["p95"] is None
    for kind in ("cycle-time", "ageing"):
        for width, text in drawn(kind, today).items():
            assert_sane(text, width)
            assert "minutes" in text and "p50" not in text and "p95" not in text
    assert y_ticks(drawn("cycle-time", today)[100]) == ["10", "8", "6", "4", "2", "0"]
    assert y_ticks(drawn("ageing", today)[160]) == ["15", "10", "5", "0"]
    cfd = charts.chart_series("cfd", today, days=90)
    assert len(cfd["days"]) == 91 and cfd["days"][-1] == TODAY
    assert {n: c[-1] for n, c in cfd["counts"].items() if c[-1]} == {"Proposal": 1, "Negotiation": 1, "Won": 1, "Lost": 1}
    assert all(c[-2] == 0 for c in cfd["counts"].values())
    for kind in ("cfd", "throughput"):
        for width, text in drawn(kind, today).items():
            assert_sane(text, width)
            assert y_ticks(text)[0] == ("4" if kind == "cfd" else "2")


# -- same-day wins: enough of them for percentiles, all under a day -------------------------


def test_twelve_same_day_wins_give_percentiles_in_hours() -> None:
    # Won 1 to 12 hours after starting, all on 2 Nov.
    same_day = board(*[won_after(h, start=datetime(2026, 11, 2, 1, 0, tzinfo=UTC)) for h in range(1, 13)])
    series = charts.chart_series("cycle-time", same_day, days=90)
    assert series["closed"] == 12 and series["note"] is None and series["unit"] == "hours"
    # Nearest rank of 12: p50 the 6th, p85 the 11th (ceil 10.2), p95 the 12th (ceil 11.4).
    assert [series[m] * 24 for m in ("p50", "p85", "p95")] == pytest.approx([6, 11, 12])
    for width, text in drawn("cycle-time", same_day).items():
        assert_sane(text, width)
        assert y_ticks(text) == ["12", "10", "8", "6", "4", "2", "0"]
        assert "p50 6.0h" in text and "p85 11.0h" in text and "p95 12.0h" in text


def test_nine_closes_are_too_few_for_percentiles() -> None:
    nine = board(*[won_after(24 * d, start=ago(days=30)) for d in range(1, 10)])
    for kind in ("cycle-time", "ageing"):
        series = charts.chart_series(kind, nine, days=90)
        assert (series["p50"], series["p85"], series["p95"]) == (None, None, None)
        assert series["note"] == "not enough history (9 closed, need 10)"
    assert charts.chart_series("cycle-time", nine, days=90)["unit"] == "days"


# -- ageing: a deal 0 days old is not beyond p95 ------------------------------------------------


def test_a_new_deal_on_a_young_board_is_not_drawn_above_a_percentile_line() -> None:
    young = board(
        [(ago(hours=2), "Discovery"), (ago(hours=2) + timedelta(seconds=1), "Won")],
        [(ago(minutes=1), "Discovery")],
    )
    series = charts.chart_series("ageing", young, days=90)
    assert series["p95"] is None and series["unit"] == "minutes"
    for width, text in drawn("ageing", young).items():
        assert_sane(text, width)
        assert "p95" not in text and "not enough history (1 closed, need 10)" in text


# -- reopened deals ------------------------------------------------------------------------------


def test_a_reopened_deal_counts_its_cycle_from_its_first_start_to_its_last_close() -> None:
    reopened = board(
        [(ago(days=10), "Discovery"), (ago(days=8), "Won"), (ago(days=5), "Negotiation"), (ago(days=2), "Won")],
        [(ago(days=6), "Proposal"), (ago(days=4), "Lost"), (ago(days=1), "Proposal")],
    )
    cycle = charts.chart_series("cycle-time", reopened, days=90)
    assert [(p["deal_id"], p["closed"], p["days"]) for p in cycle["points"]] == [(1, TODAY - timedelta(days=2), 8.0)]
    assert cycle["unit"] == "days"
    ageing = charts.chart_series("ageing", reopened, days=90)
    assert [(p["deal_id"], p["stage"], p["days"]) for p in ageing["points"]] == [(2, "Proposal", 6.0)]
    for kind in ("cycle-time", "ageing"):
        for width, text in drawn(kind, reopened).items():
            assert_sane(text, width)
    assert y_ticks(drawn("cycle-time", reopened)[100]) == ["8", "6", "4", "2", "0"]


# -- the x axis stays in the window ------------------------------------------------------------------


def test_cycle_times_are_those_closed_in_the_window_and_drawn_inside_it() -> None:
    old_and_new = board(
        [(ago(days=300), "Discovery"), (ago(days=200), "Won")],  # closed before the window
        [(ago(days=200), "Discovery"), (ago(days=10), "Won")],  # started before it, closed in it
    )
    series = charts.chart_series("cycle-time", old_and_new, days=90)
    assert [(p["deal_id"], p["closed"], p["days"]) for p in series["points"]] == [(2, TODAY - timedelta(days=10), 190.0)]
    assert series["unit"] == "days"
    for width, text in drawn("cycle-time", old_and_new).items():
        assert_sane(text, width)
        dates = re.findall(r"\d{4}-\d{2}-\d{2}", text.splitlines()[-2])
        assert dates == ["2026-08-04", "2026-09-18", "2026-11-02"]
        assert y_ticks(text) == ["200", "150", "100", "50", "0"]


@pytest.mark.parametrize("kind", ["cfd", "cycle-time"])
def test_image_charts_span_the_window_even_with_one_point(kind: str) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.dates import date2num

    one = board([(ago(days=3), "Discovery"), (ago(days=1), "Won")])
    series = charts.chart_series(kind, one, days=90)
    ax = charts._figure(kind, series).axes[0]
    # The cycle-time points sit at noon of the day they closed: its axis runs to the end of today.
    last = TODAY + timedelta(days=1) if kind == "cycle-time" else TODAY
    assert ax.get_xlim() == pytest.approx((date2num(date(2026, 8, 4)), date2num(last)))
    ticks = list(ax.get_yticks())
    assert ticks[0] == 0 and all(float(t).is_integer() for t in ticks)
    bottom, top = ax.get_ylim()
    assert bottom < 0 < ticks[-1] < top  # room for points on 0 and lines on the top tick


# -- any board: generated histories ------------------------------------------------------------------

_NAMES = [s.name for s in STAGES]
_PATH = st.lists(
    st.tuples(st.floats(min_value=0, max_value=200 * 24 * 60, allow_nan=False), st.sampled_from(_NAMES)),
    min_size=1, max_size=6,
)


def _path(steps: list[tuple[float, str]]) -> list[tuple[datetime, str]]:
    """Times (minutes before NOW) in order, repeated stages dropped, as the services record them."""
    out: list[tuple[datetime, str]] = []
    for minutes, stage in sorted(steps, key=lambda s: -s[0]):
        if not out or out[-1][1] != stage:
            out.append((NOW - timedelta(minutes=minutes), stage))
    return out


@settings(max_examples=40, deadline=None)
@given(paths=st.lists(_PATH, max_size=14), days=st.sampled_from([1, 7, 30, 90]))
def test_every_chart_is_sane_on_any_board(paths, days) -> None:
    inputs = board(*[_path(p) for p in paths])
    for kind in charts.KINDS:
        series = charts.chart_series(kind, inputs, days=days)
        assert (series["end"] - series["start"]).days == days
        if kind in ("cycle-time", "ageing"):
            assert series["unit"] in charts.TIME_UNITS
            marks = [series[m] for m in ("p50", "p85", "p95")]
            if series["closed"] >= charts.MIN_CYCLE_TIMES:
                assert series["note"] is None and marks == sorted(marks) and marks[0] >= 0
            else:
                assert marks == [None, None, None] and "not enough history" in series["note"]
            assert all(p["days"] >= 0 for p in series["points"])
        if kind == "cycle-time":
            assert all(series["start"] <= p["closed"] <= series["end"] for p in series["points"])
        for width in (100, 160):
            assert_sane(charts.terminal_chart(kind, series, width=width, height=25), width)
