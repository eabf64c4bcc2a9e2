"""The charts drawn from the closed deals alone (services.charts) are the charts of the
full report inputs: the same series, deal for deal, on a hand-made board and on small
boards of each benchmark shape."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from leankanban import charts
from leankanban.domain.model import DealStatus
from leankanban.services import LeanKanban, connect, reports
from leankanban.services import charts as chart_reads
from tests.conftest import FakeClock, seed_pipeline


def full_series(lk: LeanKanban, kind: str, days: int = 90) -> dict:
    inputs, _since = reports.report_inputs(lk, since=f"{days}d", history_days=days)
    return charts.chart_series(kind, inputs, days=days)


def test_closed_only_charts_equal_those_of_the_full_inputs(lk: LeanKanban, clock: FakeClock) -> None:
    ids = seed_pipeline(lk)
    # (the deals moved into Proposal say what they are worth to the customer: the gate of new boards)
    old = lk.add_deal("Old win", stage="Proposal", value="1000", customer_value="Saves a day a week").id
    lk.win(old)  # closed long before the window: in neither chart
    clock.advance(days=120)
    lk.edit_deal(ids["Initech renewal"], customer_value="Keeps the renewal risk away")
    lk.move_deal(ids["Initech renewal"], "Proposal")
    clock.advance(days=2)
    lk.win(ids["Hooli platform"])
    lk.discard(ids["Acme rollout"], "No budget")  # qualified out from Leads
    clock.advance(days=3)
    lk.win(ids["Umbrella expansion"])
    lk.reopen(ids["Umbrella expansion"])  # open again: its close no longer counts
    lk.discard(ids["Globex pilot"], "No budget")
    clock.advance(days=1)
    lk.reopen(ids["Globex pilot"])
    lk.discard(ids["Globex pilot"], "Timing")  # lost twice: the final close counts, once
    clock.advance(days=4)

    inputs = chart_reads.closed_inputs(lk, days=90)
    assert {d.status for d in inputs.deals} <= {DealStatus.WON, DealStatus.LOST}  # no open deal read
    assert old not in {d.id for d in inputs.deals}
    early = chart_reads.closed_series(lk, days=90)
    assert set(early) == set(chart_reads.CLOSED_ONLY)
    for kind in chart_reads.CLOSED_ONLY:
        assert early[kind] == full_series(lk, kind), kind
    assert sum(early["throughput"]["closed"]) == 3  # Hooli, Acme, Globex
    assert len(early["cycle-time"]["points"]) == 1  # Hooli; Acme and Globex never started (upstream)


def test_closed_only_charts_of_an_empty_board(lk: LeanKanban) -> None:
    early = chart_reads.closed_series(lk, days=30)
    for kind in chart_reads.CLOSED_ONLY:
        assert early[kind] == full_series(lk, kind, days=30), kind


_SPEC = importlib.util.spec_from_file_location("bench_shapes", Path(__file__).parents[2] / "bench" / "shapes.py")
assert _SPEC is not None and _SPEC.loader is not None
shapes = sys.modules.get("bench_shapes") or importlib.util.module_from_spec(_SPEC)
if "bench_shapes" not in sys.modules:
    sys.modules["bench_shapes"] = shapes
    _SPEC.loader.exec_module(shapes)


@pytest.mark.parametrize("shape", list(shapes.SHAPES))
def test_closed_only_charts_of_each_shape_equal_the_full_ones(shape: str, sqlite_url: str) -> None:
    now = shapes.build_board(sqlite_url, shapes.SHAPES[shape], 400, 4_000, seed=5)
    lk = connect(sqlite_url, actor="ann", clock=lambda: now + timedelta(hours=1))
    try:
        early = chart_reads.closed_series(lk, days=90)
        for kind in chart_reads.CLOSED_ONLY:
            assert early[kind] == full_series(lk, kind), kind
        assert sum(early["throughput"]["closed"]) > 0
    finally:
        lk.engine.dispose()
