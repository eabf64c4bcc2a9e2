"""Invariants of the lean definitions over generated histories (Hypothesis).

Whatever the history: every deal created is open, won, lost after commitment or
qualified out (exactly one); rates are shares; percentiles are ordered; nothing is
infinite or negative; a forecast never closes more deals, nor wins more value,
than the deals it forecasts.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.model import DealStatus
from leankanban.metrics import flow, forecast, sales
from leankanban.metrics.flow import Period
from tests.unit.metrics.histories import OPEN_STAGES, histories, now_after
from tests.unit.metrics.metrics_story import LEAN, at

SETTINGS = settings(max_examples=60, deadline=None)


def every(story, now):
    lines = flow.timelines(story.stages, story.deal_list, story.events, now=now)
    return lines, Period(at(-1), now + timedelta(microseconds=1))


def finite_and_not_negative(*values) -> bool:
    return all(v is None or (math.isfinite(float(v)) and v >= 0) for v in values)


def a_share(*rates) -> bool:
    return all(r is None or 0 <= r <= 1 for r in rates)


@SETTINGS
@given(histories())
def test_every_deal_is_open_won_lost_or_qualified_out(story):
    now = now_after(story)
    lines, period = every(story, now)
    rate = sales.win_rate(lines, period)
    out = sales.qualified_out(lines, period, LEAN)
    still_open = sum(1 for line in lines if line.is_open)
    assert still_open + rate.won + rate.lost + out.count == len(story.deals)
    assert rate.qualified_out == out.count
    assert sum(x.qualified_out for x in out.by_stage) == out.count


@SETTINGS
@given(histories())
def test_rates_are_shares_and_nothing_is_infinite_or_negative(story):
    now = now_after(story)
    lines, period = every(story, now)
    rate = sales.win_rate(lines, period)
    out = sales.qualified_out(lines, period, LEAN)
    assert a_share(rate.rate, out.rate, *(x.rate for x in out.by_stage))
    assert (rate.rate is None) == (rate.reason is not None)
    assert finite_and_not_negative(out.median_days_to_discard, out.value)
    v = sales.velocity(lines, LEAN, period)
    assert finite_and_not_negative(v.per_day, v.avg_won_value, v.avg_cycle_days)
    assert (v.per_day is None) == (v.reason is not None)
    if v.per_day is not None:
        assert v.avg_cycle_days >= sales.MIN_CYCLE_DAYS and rate.closed >= flow.MIN_CLOSES
    assert a_share(*(x.rate for x in sales.discards(lines, period, LEAN).by_stage.values()))


@SETTINGS
@given(histories())
def test_percentiles_are_ordered_and_bands_need_enough_cycle_times(story):
    now = now_after(story)
    lines, period = every(story, now)
    cycle = flow.cycle_time_percentiles(lines, period)
    if cycle is not None:
        assert 0 <= cycle.p50 <= cycle.p85 <= cycle.p95
        assert finite_and_not_negative(cycle.mean)
    for age in flow.work_item_ages(lines, now, cycle):
        assert finite_and_not_negative(age.days)
        if cycle is None or cycle.count < flow.MIN_CYCLE_TIMES or not age.started:
            assert age.band is flow.AgeBand.UNKNOWN
        if age.days == 0:
            assert age.band in (flow.AgeBand.UNKNOWN, flow.AgeBand.BELOW_P50)


@SETTINGS
@given(histories(), st.lists(st.sampled_from(OPEN_STAGES), max_size=3), st.integers(0, 400))
def test_a_forecast_never_exceeds_the_deals_it_forecasts(story, chosen, days):
    now = now_after(story)
    lines, period = every(story, now)
    counted = [line for line in lines if line.is_open and (line.stage in chosen or not chosen)]
    values = [line.deal.value for line in counted]
    committed = not chosen
    closes = flow.daily_counts(lines, period, only_committed=committed)
    wins = flow.daily_counts(lines, period, outcome=DealStatus.WON)
    today = now.date()
    found = forecast.forecast_deals(values, len(counted), closes, wins, 200, 1, start=today,
                                    target=today + timedelta(days=days))
    assert found.value == sum(values, Decimal("0"))
    assert (found.done is None) == (found.reason is not None) == (sum(closes) < flow.MIN_CLOSES)
    if found.reason is None:
        c, w, d = found.closes, found.won_value, found.done
        assert c.p95 <= c.p85 <= c.p50 <= found.items
        assert 0 <= w.p95 <= w.p85 <= w.p50 <= found.value
        dates = [x for x in (d.days_p50, d.days_p85, d.days_p95) if x is not None]
        assert dates == sorted(dates) and all(x >= 0 for x in dates)
