"""`build_forecast` (`leankanban forecast`) on the hand-counted board of report_board.py.

The board at NOW (day 20): closes on day 10 (Acme won), 19.5 (Beta lost, Gamma won);
open deals Delta (Leads), Eps (Proposal, bob), Zeta (Negotiation), TRICKY (Proposal).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from leankanban.domain.errors import InvalidInput, UnknownStage
from leankanban.reports.model import build_forecast, build_report
from tests.unit.metrics.metrics_story import at
from tests.unit.reports.report_board import BOARD, NOW, SINCE, STAGES, story

TODAY = NOW.date()


def forecast(**kwargs):
    s = story()
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
    assert (whole.closed, whole.won, whole.window_days) == (3, 2, 21)
    recent = forecast(window_start=at(15))
    assert (recent.closed, recent.won, recent.window_days) == (2, 1, 6)
    assert recent.closes_per_day == pytest.approx(2 / 6)


def test_one_owner_with_no_closes_has_no_throughput():
    found = forecast(owner="BOB")
    assert found.forecast.items == 1 and found.closed == 0
    assert found.forecast.no_throughput and found.forecast.done_p50 is None


def test_it_draws_what_the_report_draws_for_the_same_window_and_date():
    s = story()
    report = build_report(BOARD, STAGES, s.deal_list, s.events, NOW, SINCE, forecast_seed=4)
    found = build_forecast(BOARD, STAGES, s.deal_list, s.events, NOW, window_start=report.history.start,
                           target=report.forecast.horizon, seed=4)
    assert found.forecast == report.forecast


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
