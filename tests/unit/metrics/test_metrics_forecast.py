"""Monte Carlo forecasts: exact on constant throughput, binomial on a coin."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from math import comb

import pytest

from leankanban.metrics import forecast

START = date(2026, 1, 5)


def binomial_cdf(k: int, n: int) -> float:
    return sum(comb(n, i) for i in range(k + 1)) / 2**n


def quantile(cdf, p: float) -> int:
    """Smallest x with cdf(x) >= p."""
    x = 0
    while cdf(x) < p:
        x += 1
    return x


def test_constant_two_a_day_finishes_ten_items_in_exactly_five_days():
    result = forecast.when_done(10, [2, 2, 2], seed=1, start=START)
    assert (result.days_p50, result.days_p85, result.days_p95) == (5, 5, 5)
    assert result.p50 == result.p85 == result.p95 == date(2026, 1, 10)
    assert not result.no_throughput and result.beyond_horizon == 0.0


def test_constant_two_a_day_closes_fourteen_in_a_week():
    result = forecast.how_many_by(START + timedelta(days=7), [2], seed=1, start=START)
    assert (result.p50, result.p85, result.p95) == (14, 14, 14)


def test_how_many_on_a_coin_matches_the_binomial_with_more_certain_meaning_fewer():
    result = forecast.how_many_by(START + timedelta(days=100), [0, 1], seed=7, start=START)
    expected = [quantile(lambda k: binomial_cdf(k, 100), p) for p in (0.50, 0.15, 0.05)]
    assert expected == [50, 45, 42]
    for got, want in zip((result.p50, result.p85, result.p95), expected, strict=True):
        assert abs(got - want) <= 1
    assert result.p50 >= result.p85 >= result.p95


def test_when_done_on_a_coin_matches_the_negative_binomial():
    result = forecast.when_done(10, [0, 1], seed=11, start=START)

    def done_by(days: int) -> float:  # P(at least 10 heads in `days` tosses)
        return 1 - binomial_cdf(9, days) if days >= 10 else 0.0

    expected = [quantile(done_by, p) for p in (0.50, 0.85, 0.95)]
    for got, want in zip((result.days_p50, result.days_p85, result.days_p95), expected, strict=True):
        assert abs(got - want) <= 1
    assert result.days_p50 <= result.days_p85 <= result.days_p95


def test_a_seed_makes_a_forecast_reproducible():
    history = [0, 1, 3, 0, 2]
    first = forecast.when_done(20, history, seed=42, start=START)
    assert forecast.when_done(20, history, seed=42, start=START) == first


@pytest.mark.parametrize("history", [[], [0, 0, 0]])
def test_no_throughput_is_a_result_not_an_endless_loop(history):
    when = forecast.when_done(5, history, seed=1, start=START)
    assert when.no_throughput and when.p50 is None and when.p95 is None
    many = forecast.how_many_by(START + timedelta(days=10), history, seed=1, start=START)
    assert many.no_throughput and many.p85 is None
    value = forecast.value_by(START + timedelta(days=10), history, [Decimal(1)], seed=1, start=START)
    assert value.no_throughput and value.p50 is None


def test_rare_throughput_stops_at_the_horizon():
    result = forecast.when_done(10, [0] * 99 + [1], trials=500, seed=3, start=START, horizon_days=365)
    assert result.days_p95 is None and result.p95 is None
    assert 0 < result.beyond_horizon <= 1


def test_nothing_left_to_do_is_done_at_the_start():
    result = forecast.when_done(0, [1], seed=1, start=START)
    assert result.p50 == START and result.days_p95 == 0


def test_value_by_date_samples_won_values():
    constant = forecast.value_by(START + timedelta(days=5), [1], [Decimal("100.50")], seed=1, start=START)
    assert constant.p50 == constant.p85 == constant.p95 == Decimal("502.50")
    spread = forecast.value_by(START + timedelta(days=30), [0, 1], [Decimal(100), Decimal(1000)], seed=5, start=START)
    assert spread.p50 >= spread.p85 >= spread.p95 > 0


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        forecast.when_done(3, [1], trials=0, start=START)
    with pytest.raises(ValueError):
        forecast.how_many_by(START, [-1], start=START)


def _value_by_both_ways(monkeypatch, *args, **kwargs):
    monkeypatch.setattr(forecast, "NUMPY_MIN_PICKS", float("inf"))
    monkeypatch.setattr(forecast, "NUMPY_LOADED_MIN_PICKS", float("inf"))
    plain = forecast.value_by(*args, **kwargs)
    monkeypatch.setattr(forecast, "NUMPY_MIN_PICKS", 0)
    return plain, forecast.value_by(*args, **kwargs)


@pytest.mark.parametrize("block", [13, 200, 1 << 18])
@pytest.mark.parametrize(
    ("history", "values"),
    [
        ([0, 1, 3, 0, 2], [Decimal("100.50"), Decimal("0.00"), Decimal("2500.00"), Decimal("-3.10")]),
        ([0, 0, 0, 4], [Decimal(1000), Decimal(5)]),
        ([7, 9, 30], [Decimal("1E+3"), Decimal("2E+3")]),
        ([2, 5], [Decimal("1.5"), Decimal("2.25")]),  # mixed exponents: drawn the plain way
    ],
)
def test_value_by_in_bulk_draws_exactly_what_the_plain_loop_draws(monkeypatch, block, history, values):
    pytest.importorskip("numpy")
    monkeypatch.setattr(forecast, "_BLOCK", block)
    for seed in (1, 2, 99):
        plain, bulk = _value_by_both_ways(
            monkeypatch, START + timedelta(days=12), history, values, trials=300, seed=seed, start=START
        )
        assert bulk == plain
        assert [str(v) for v in (bulk.p50, bulk.p85, bulk.p95)] == [str(v) for v in (plain.p50, plain.p85, plain.p95)]


def test_value_by_in_bulk_keeps_the_plain_zero_of_a_trial_without_wins(monkeypatch):
    pytest.importorskip("numpy")
    plain, bulk = _value_by_both_ways(
        monkeypatch, START + timedelta(days=1), [0, 0, 0, 1], [Decimal("10.00")], trials=50, seed=3, start=START
    )
    assert str(bulk.p95) == str(plain.p95) == "0"


def _both_ways(monkeypatch, forecast_function, *args, **kwargs):
    monkeypatch.setattr(forecast, "NUMPY_MIN_PICKS", float("inf"))
    monkeypatch.setattr(forecast, "NUMPY_LOADED_MIN_PICKS", float("inf"))
    plain = forecast_function(*args, **kwargs)
    monkeypatch.setattr(forecast, "NUMPY_MIN_PICKS", 0)
    return plain, forecast_function(*args, **kwargs)


@pytest.mark.parametrize("block", [13, 200, 1 << 18])
@pytest.mark.parametrize(
    ("items", "history", "horizon"),
    [
        (10, [0, 1], 365),
        (37, [0, 1, 3, 0, 2, 9], 365),
        (10, [0] * 99 + [1], 60),  # most trials never finish: they draw the whole horizon
        (400, [120, 80, 0, 200], 1095),
    ],
)
def test_when_done_in_bulk_draws_exactly_what_the_plain_loop_draws(monkeypatch, block, items, history, horizon):
    pytest.importorskip("numpy")
    monkeypatch.setattr(forecast, "_BLOCK", block)
    for seed in (1, 2, 99):
        plain, bulk = _both_ways(
            monkeypatch, forecast.when_done, items, history, trials=300, seed=seed, start=START, horizon_days=horizon
        )
        assert bulk == plain


@pytest.mark.parametrize("block", [13, 1 << 18])
@pytest.mark.parametrize("days", [0, 1, 14, 100])
def test_how_many_in_bulk_draws_exactly_what_the_plain_loop_draws(monkeypatch, block, days):
    pytest.importorskip("numpy")
    monkeypatch.setattr(forecast, "_BLOCK", block)
    for seed in (1, 7):
        plain, bulk = _both_ways(
            monkeypatch, forecast.how_many_by, START + timedelta(days=days), [0, 1, 3, 0, 2], trials=300, seed=seed,
            start=START,
        )
        assert bulk == plain


def test_preloading_numpy_leaves_forecasts_unchanged(monkeypatch):
    pytest.importorskip("numpy")
    forecast.preload_numpy()
    plain, bulk = _both_ways(monkeypatch, forecast.when_done, 25, [0, 1, 3, 0, 2], trials=200, seed=5, start=START)
    assert bulk == plain
