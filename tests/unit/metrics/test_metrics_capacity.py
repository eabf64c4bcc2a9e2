"""Wins against delivery capacity, next steps due and the activity mix (hand-counted)."""

from __future__ import annotations

from datetime import date

import pytest

from leankanban.metrics import forecast, sales
from tests.unit.metrics.metrics_story import LEAN, Story


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
