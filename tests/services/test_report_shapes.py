"""On small boards of each benchmark shape (bench/shapes.py), the report read the fast way
(only open and recent deals, only their state events, timelines built once) equals the
report over every deal and every event, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from leankanban import charts
from leankanban.services import connect, reports

_SPEC = importlib.util.spec_from_file_location("bench_shapes", Path(__file__).parents[2] / "bench" / "shapes.py")
assert _SPEC is not None and _SPEC.loader is not None
shapes = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_shapes"] = shapes
_SPEC.loader.exec_module(shapes)


@pytest.fixture(params=list(shapes.SHAPES))
def shaped(request: pytest.FixtureRequest, db_url: str):
    """Services over a board of the shape, 400 deals, 4,000 events, with a clock an hour after its data."""
    now = shapes.build_board(db_url, shapes.SHAPES[request.param], 400, 4_000, seed=11)
    lk = connect(db_url, actor="ann", clock=lambda: now + timedelta(hours=1))
    yield lk
    lk.engine.dispose()


def test_the_fast_report_of_each_shape_equals_the_reference(shaped) -> None:
    lk = shaped
    owner = lk.list_deals()[0].owner
    for since, who in (("7d", None), ("120d", None), ("7d", owner)):
        fast = reports.report(lk, since=since, owner=who, seed=3)
        assert fast == reports.report(lk, since=since, owner=who, seed=3, everything=True), (since, who)
    inputs = reports.load_inputs(lk, start=lk.clock() - timedelta(days=90))
    assert not inputs.complete and len(inputs.deals) < len(lk.list_deals())  # the fast read left deals out


def test_the_fast_forecast_and_charts_of_each_shape_equal_the_reference(shaped) -> None:
    lk = shaped
    assert reports.forecast(lk, seed=3) == _forecast_over_everything(lk)
    # The counted deals are read apart: one person's, and an upstream stage with an active one.
    stages = lk.get_board().stages
    picked = (stages[0].name, next(s.name for s in stages if s.kind.value == "open" and not s.upstream))
    counted_id = reports.forecast(lk, seed=3).deals[0][0]
    owner = next(d.owner for d in lk.list_deals() if d.id == counted_id)  # one who has deals counted
    counted = []
    for names, who in (((), owner), (picked, None), (picked, owner)):
        fast = reports.forecast(lk, seed=3, stages=names, owner=who)
        assert fast == _forecast_over_everything(lk, stages=names, owner=who), (names, who)
        assert fast.forecast.items == len(fast.deals)
        counted.append(len(fast.deals))
    assert all(counted[:2]), counted
    now = lk.clock()
    fast = reports.load_inputs(lk, start=now - timedelta(days=90))
    full = reports.load_inputs(lk, start=now - timedelta(days=90), everything=True)
    for kind in ("throughput", "cycle-time", "ageing"):
        assert charts.chart_series(kind, fast, days=90) == charts.chart_series(kind, full, days=90), kind
    # The flow of open stages; closed deals long closed are not read, so Won and Lost count from the window.
    cfd, reference = charts.chart_series("cfd", fast, days=90), charts.chart_series("cfd", full, days=90)
    for stage in lk.get_board().stages:
        if stage.kind.value == "open":
            assert cfd["counts"][stage.name] == reference["counts"][stage.name], stage.name


def _forecast_over_everything(lk, *, stages=(), owner=None):
    from leankanban.reports.model import DEFAULT_HISTORY_DAYS, DEFAULT_HORIZON_DAYS, build_forecast

    now = lk.clock()
    start = now - timedelta(days=DEFAULT_HISTORY_DAYS)
    full = reports.load_inputs(lk, start=start, everything=True)
    return build_forecast(full.board, full.stages, full.deals, full.events, now, window_start=start,
                          target=now.date() + timedelta(days=DEFAULT_HORIZON_DAYS), seed=3,
                          stage_names=stages, owner=owner)
