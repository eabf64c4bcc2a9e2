"""`forecast.deals_by` and `forecast_deals`: a forecast of given deals never closes more of
them than there are, nor wins more than they hold, and reads closes and wins from the
same simulated futures."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from leankanban.metrics import forecast

START = date(2026, 1, 5)


def test_under_capacity_every_close_and_win_counts():
    # One close a day, each a win, for 7 days; 10 deals of 50 to close: 7 close, 7 won.
    many, value = forecast.deals_by(START + timedelta(days=7), [1], [1], [Decimal("50")] * 10, 100, 1, start=START)
    assert (many.p50, many.p85, many.p95) == (7, 7, 7)
    assert (value.p50, value.p85, value.p95) == (Decimal("350.00"),) * 3


def test_a_future_that_would_close_more_deals_than_there_are_closes_them_all_and_wins_the_same_share():
    # Two closes a day (one a win) for 7 days would close 14; there are 5 deals of 100:
    # all 5 close and half of them are won, 2.5 rounded up to 3 (not 7 wins, not 700).
    many, value = forecast.deals_by(START + timedelta(days=7), [2], [1], [Decimal("100")] * 5, 100, 1, start=START)
    assert (many.p50, many.p95) == (5, 5)
    assert (value.p50, value.p95) == (Decimal("300.00"), Decimal("300.00"))


def test_won_value_never_exceeds_what_the_deals_hold():
    # Drawn with replacement, two wins could be 1000 + 1000; the deals hold 1010.
    _, value = forecast.deals_by(START + timedelta(days=30), [2], [2], [Decimal("1000"), Decimal("10")], 500, 4,
                                 start=START)
    assert value.p50 <= Decimal("1010") and value.p95 <= value.p85 <= value.p50


def test_no_deals_close_nothing_and_win_nothing():
    many, value = forecast.deals_by(START + timedelta(days=30), [3], [1], [], 100, 1, start=START)
    assert (many.p50, value.p50) == (0, Decimal("0.00"))


def test_wins_must_be_some_of_the_closes():
    with pytest.raises(ValueError, match="wins must be some of that day's closes"):
        forecast.deals_by(START, [1, 0], [0, 1], [Decimal("1")], 100, 1, start=START)


def test_too_few_closes_give_no_forecast():
    found = forecast.forecast_deals([Decimal("10")], 1, [0, 1, 0, 2, 1], [0, 1, 0, 0, 0], 100, 1, start=START,
                                    target=START + timedelta(days=9))
    assert found.reason == "not enough history (4 closed, need 5)"
    assert (found.done, found.closes, found.won_value, found.value) == (None, None, None, Decimal("10"))


def _both_ways(monkeypatch, *args, **kwargs):
    monkeypatch.setattr(forecast, "NUMPY_MIN_PICKS", float("inf"))
    monkeypatch.setattr(forecast, "NUMPY_LOADED_MIN_PICKS", float("inf"))
    plain = forecast.deals_by(*args, **kwargs)
    monkeypatch.setattr(forecast, "NUMPY_MIN_PICKS", 0)
    return plain, forecast.deals_by(*args, **kwargs)


@pytest.mark.parametrize("block", [13, 200, 1 << 18])
@pytest.mark.parametrize(
    ("closes", "wins", "values", "days"),
    [
        ([0, 1, 3, 0, 2], [0, 1, 1, 0, 0], [Decimal("100"), Decimal("250.50"), Decimal("7")], 14),
        ([0, 2, 5], [0, 1, 5], [Decimal("1000")] * 40, 60),  # the futures close more than there are
        ([0, 0, 0, 1], [0, 0, 0, 1], [Decimal("10.00")], 1),  # most trials win nothing
        ([4, 1], [2, 0], [], 30),  # no deals
        ([1, 2], [1, 1], [Decimal("3")], 0),  # by today
    ],
)
def test_deals_by_in_bulk_draws_exactly_what_the_plain_loop_draws(monkeypatch, block, closes, wins, values, days):
    pytest.importorskip("numpy")
    monkeypatch.setattr(forecast, "_BLOCK", block)
    for seed in (1, 2, 99):
        plain, bulk = _both_ways(monkeypatch, START + timedelta(days=days), closes, wins, values, 300, seed,
                                 start=START)
        assert bulk == plain
        assert [str(v) for v in (bulk[1].p50, bulk[1].p85, bulk[1].p95)] == [
            str(v) for v in (plain[1].p50, plain[1].p85, plain[1].p95)]
