"""`build_forecast` (`leankanban forecast`) on the hand-counted board of report_board.py,
seasoned with some older history so that it has enough closes to forecast from.

The board at NOW (day 20): closes on day 10 (Acme won), 19.5 (Beta lost, Gamma won);
open deals Delta (Leads, 500), Eps (Proposal, bob, 4000), Zeta (Negotiation, 6000),
TRICKY (Proposal, 100). `seasoned()` adds: Kappa won on day 3, Lambda lost on day 6
(after commitment), Mu won on day 8, and Nu qualified out of Leads on day 2: six
committed closes (four wins) and one qualify-out since day 0.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from leankanban.domain.errors import InvalidInput, UnknownStage
from leankanban.reports.model import build_forecast, build_report
from tests.unit.metrics.metrics_story import at
from tests.unit.reports.report_board import BOARD, NOW, SINCE, STAGES, story

TODAY = NOW.date()


def seasoned():
    s = story()
    s.add(11, "Discovery", 1, value=500, title="Kappa").win(11, 3)
    s.add(12, "Discovery", 2, value=700, title="Lambda").lose(12, 6, "price")
    s.add(13, "Discovery", 4, value=800, title="Mu").win(13, 8)
    s.add(14, "Leads", 1, value=900, title="Nu").lose(14, 2, "not a fit")
    return s


def forecast(**kwargs):
    s = seasoned()
    options = {"window_start": at(0), "target": TODAY + timedelta(days=14), "seed": 1} | kwargs
    return build_forecast(BOARD, STAGES, s.deal_list, s.events, NOW, **options)


def test_by_default_it_forecasts_the_work_in_progress():
    found = forecast()
    assert found.stages == ("Discovery", "Proposal", "Negotiation")
    assert found.forecast.items == 3
    assert sorted(title for _, title, _ in found.deals) == sorted(["Eps", "Zeta", "a|b *c* [x](y)"])


def test_a_chosen_stage_counts_only_its_open_deals():
    found = forecast(stage_names=["proposal", "Proposal"])  # any case, named twice: once
    assert found.stages == ("Proposal",)
    assert found.forecast.items == 2
    assert {stage for _, _, stage in found.deals} == {"Proposal"}


def test_the_window_chooses_the_closes_sampled():
    whole = forecast(window_start=at(0))
    assert (whole.closed, whole.won, whole.qualified_out, whole.window_days) == (6, 4, 1, 21)
    assert whole.forecast.reason is None and whole.forecast.sample.n == 6
    recent = forecast(window_start=at(15))
    assert (recent.closed, recent.won, recent.window_days) == (2, 1, 6)
    assert recent.closes_per_day == pytest.approx(2 / 6)


def test_committed_deals_are_forecast_from_committed_closes_only():
    # Nu, qualified out of Leads, is no close of the work in progress: not sampled.
    found = forecast()
    assert found.forecast.sampled == "committed"
    assert found.closed == 6
    # The same board without Nu's discard forecasts the same.
    s = seasoned()
    s.events = [e for e in s.events if e.deal_id != 14]
    del s.deals[14]
    without = build_forecast(BOARD, STAGES, s.deal_list, s.events, NOW, window_start=at(0),
                             target=TODAY + timedelta(days=14), seed=1)
    assert without.forecast == found.forecast


def test_an_upstream_stage_is_forecast_from_every_close():
    found = forecast(stage_names=["Leads"])
    assert found.forecast.sampled == "all"
    assert (found.closed, found.qualified_out, found.forecast.items) == (7, 1, 1)


def test_too_few_closes_in_the_window_give_no_forecast_but_a_reason():
    recent = forecast(window_start=at(15)).forecast
    assert recent.reason == "not enough history (2 closed, need 5)"
    assert (recent.done_p50, recent.closes_p50, recent.won_value_p50) == (None, None, None)


def test_the_forecast_of_a_stage_never_wins_more_than_the_stage_holds():
    # Proposal holds Eps 4000 and TRICKY 100; a year of the history's wins (4 in 21 days)
    # would win far more than that if it drew the values of past wins.
    found = forecast(stage_names=["Proposal"], target=TODAY + timedelta(days=365)).forecast
    assert (found.items, found.value) == (2, Decimal("4100.00"))
    assert found.won_value_p50 <= Decimal("4100") and found.won_value_p95 <= Decimal("4100")
    assert found.closes_p50 <= 2


def test_the_forecast_says_which_deals_it_covers():
    found = forecast()
    assert (found.forecast.items, found.forecast.value) == (3, Decimal("10100.00"))  # Eps, Zeta, TRICKY


def test_one_owner_with_no_closes_has_no_throughput():
    found = forecast(owner="BOB")
    assert found.forecast.items == 1 and found.closed == 0
    assert found.forecast.no_throughput and found.forecast.done_p50 is None


def test_it_draws_what_the_report_draws_for_the_same_window_and_date():
    s = seasoned()
    report = build_report(BOARD, STAGES, s.deal_list, s.events, NOW, SINCE, forecast_seed=4)
    found = build_forecast(BOARD, STAGES, s.deal_list, s.events, NOW, window_start=report.history.start,
                           target=report.forecast.horizon, seed=4)
    assert found.forecast == report.forecast
    assert found.forecast.reason is None


def test_same_seed_same_forecast_and_a_later_date_closes_at_least_as_much():
    assert forecast(seed=9) == forecast(seed=9)
    near, far = forecast(target=TODAY + timedelta(days=7)), forecast(target=TODAY + timedelta(days=60))
    assert far.forecast.closes_p50 >= near.forecast.closes_p50
    assert far.forecast.won_value_p50 >= near.forecast.won_value_p50


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"stage_names": ["Backlog"]}, UnknownStage, "There is no stage 'Backlog' on this board (stages: Leads, Qualifying"),
        ({"stage_names": ["Lost"]}, InvalidInput, "Lost holds closed deals; forecast an open stage."),
        ({"target": TODAY - timedelta(days=1)}, InvalidInput, "is in the past; give a date from today on."),
        ({"window_start": NOW}, InvalidInput, "The throughput window must end now and start before it"),
        ({"trials": 99}, InvalidInput, "99 trials is out of range; use 100 to 1,000,000."),
    ],
)
def test_bad_choices_are_refused_with_a_sentence(kwargs, error, message):
    with pytest.raises(error) as raised:
        forecast(**kwargs)
    assert message in str(raised.value)
