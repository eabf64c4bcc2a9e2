"""Wins against delivery capacity, next steps due and the activity mix (hand-counted)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from leankanban.domain.model import Activity
from leankanban.metrics import flow, forecast, sales
from tests.unit.metrics.metrics_story import LEAN, Story, at


@pytest.mark.parametrize(
    ("wins", "verdict"),
    [(4.2, "over"), (3.0, "within"), (2.4, "within"), (2.3, "idle"), (0.0, "idle"), (None, "unknown")],
)
def test_capacity_verdict_against_three_a_week(wins, verdict):
    # idle below 0.8 x 3 = 2.4 wins a week
    assert forecast.capacity_verdict(3, wins) == verdict


def test_one_win_every_day_is_seven_a_week():
    c = forecast.wins_against_capacity(3, [1, 1, 1], trials=200, seed=1, start=date(2026, 1, 5))
    assert (c.p50, c.p85, c.verdict, c.weeks) == (7.0, 7.0, "over", 4)


def test_no_wins_in_the_history_gives_no_verdict():
    c = forecast.wins_against_capacity(3, [0, 0], trials=50, seed=1, start=date(2026, 1, 5))
    assert (c.no_throughput, c.p50, c.verdict) == (True, None, "unknown")


def test_next_steps_due_today_or_before_most_overdue_first():
    s = Story(LEAN)
    s.add(1, "Discovery").add(2, "Proposal").add(3, "Leads").add(4, "Discovery").win(4, 1)
    s.deals[1].next_step_due = date(2026, 1, 10)
    s.deals[2].next_step_due = date(2026, 1, 8)
    s.deals[3].next_step_due = date(2026, 1, 11)
    s.deals[4].next_step_due = date(2026, 1, 1)
    due = sales.next_steps_due(s.deal_list, date(2026, 1, 10))
    assert [(n.deal.id, n.days_overdue) for n in due] == [(2, 2), (1, 0)]


def test_activity_mix_of_open_deals_and_won_value():
    s = Story(LEAN)
    s.add(1, "Discovery", value=100).add(2, "Proposal", value=300).add(3, "Discovery", value=1000).win(3, 2)
    s.add(4, "Discovery", value=3000).win(4, 3)
    # activity_mix (no longer in the report) counts each deal under its category: give every one a category.
    for deal in s.deal_list:
        deal.activity = Activity.ORIGINATION
    s.deals[2].activity = Activity.SUPPORT
    s.deals[4].activity = Activity.INFLUENCE
    mix = {m.activity: m for m in sales.activity_mix(flow.timelines(LEAN, s.deal_list, s.events, now=at(5)),
                                                      flow.Period(at(0), at(5)), {Activity.ORIGINATION: 100})}
    assert (mix[Activity.ORIGINATION].deal_share, mix[Activity.SUPPORT].deal_share) == (0.5, 0.5)
    assert mix[Activity.INFLUENCE].won_value == Decimal("3000.00")
    assert (mix[Activity.INFLUENCE].won_value_share, mix[Activity.ORIGINATION].won_value_share) == (0.75, 0.25)
    assert (mix[Activity.ORIGINATION].target, mix[Activity.SUPPORT].target) == (1.0, 0.0)
