"""The report's invariants over generated histories (Hypothesis): its JSON (schema 2)
counts every deal once, holds no infinite or negative number, gives shares within
[0, 1], orders its percentiles, gives every undefined figure a reason, and forecasts
no more than the deals it covers.
"""

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.model import Board
from leankanban.reports.model import build_forecast, build_report
from leankanban.reports.render import forecast_to_dict, to_dict
from tests.unit.metrics.histories import OPEN_STAGES, histories, now_after
from tests.unit.metrics.metrics_story import LEAN, at

BOARD = Board(name="generated", stages=LEAN)
SETTINGS = settings(max_examples=40, deadline=None)


def numbers(data, path=""):
    """Every number in `data` with its dotted path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from numbers(value, f"{path}.{key}")
    elif isinstance(data, list):
        for value in data:
            yield from numbers(value, f"{path}[]")
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield path, data


def sampled(data):
    """Every object that follows the convention for figures that can be undefined."""
    if isinstance(data, dict):
        if {"n", "need", "reason"} <= set(data):
            yield data
        for value in data.values():
            yield from sampled(value)
    elif isinstance(data, list):
        for value in data:
            yield from sampled(value)


def report_of(story):
    now = now_after(story)
    return build_report(BOARD, LEAN, story.deal_list, story.events, now, at(-1), forecast_seed=1, trials=200,
                        history_days=400)


@SETTINGS
@given(histories())
def test_the_report_counts_every_deal_once(story):
    data = to_dict(report_of(story))
    still_open = sum(s["count"] for s in data["stages"] if s["kind"] == "open")
    assert still_open + data["won"]["count"] + data["lost"]["count"] + data["qualified_out"]["in_period"]["count"] \
        == len(story.deals)
    assert data["qualified_out"]["count"] == data["qualified_out"]["in_period"]["count"]  # period = history here


@SETTINGS
@given(histories())
def test_no_number_in_the_report_is_infinite_or_negative_and_shares_are_shares(story):
    data = to_dict(report_of(story))
    for path, value in numbers(data):
        assert math.isfinite(value) and value >= 0, path
    for figure in sampled(data):
        if figure["n"] < figure["need"]:
            assert figure["reason"] == f"not enough history ({figure['n']:,} " + figure["reason"].split(" ", 4)[4]
        elif figure["reason"] is not None:  # enough closes, yet no velocity: a sentence says why
            assert figure["reason"].startswith(("not enough history (the wins took", "no win", "no won deal"))
    rates = [data["win_rate"], *data["win_rate_by_owner"].values(), data["qualified_out"]["rate"],
             *(x["rate"] for x in data["qualified_out"]["by_stage"])]
    for rate in rates:
        assert (rate["value"] is None) == (rate["reason"] is not None)
        assert rate["value"] is None or 0 <= rate["value"] <= 1
    cycle = data["cycle_time_days"]
    if cycle["reason"] is None:
        assert cycle["p50"] <= cycle["p85"] <= cycle["p95"]
    else:
        assert cycle["p50"] is cycle["p85"] is cycle["p95"] is None


@SETTINGS
@given(histories())
def test_the_reports_forecast_covers_the_deals_in_progress_and_no_more(story):
    data = to_dict(report_of(story))
    f = data["forecast"]
    active = sum(s["count"] for s in data["stages"] if s["kind"] == "open" and not s["upstream"])
    assert f["covers"]["items"] == active == f["in_progress"]["items"]
    assert f["sampled"] == "committed"
    if f["reason"] is None:
        assert f["closes_by_horizon"]["p50"] <= active
        assert f["won_value_by_horizon"]["p50"] <= f["covers"]["value"]


@SETTINGS
@given(histories(), st.lists(st.sampled_from(OPEN_STAGES), max_size=2), st.integers(0, 400))
def test_leankanban_forecast_never_wins_more_than_the_stages_hold(story, chosen, days):
    now = now_after(story)
    found = build_forecast(BOARD, LEAN, story.deal_list, story.events, now, window_start=at(-1),
                           target=now.date() + timedelta(days=days), stage_names=chosen, trials=200, seed=3)
    data = forecast_to_dict(found)
    held = sum((d.value for d in story.deal_list if d.status.value == "open" and d.stage in set(found.stages)), 0)
    assert data["covers"]["value"] == held
    if data["reason"] is None:
        assert data["won_value_by"]["p95"] <= data["won_value_by"]["p85"] <= data["won_value_by"]["p50"] <= held
        assert data["closes_by"]["p50"] <= data["done"]["items"]
