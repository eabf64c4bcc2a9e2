"""A board made today (issue 11): its windows begin when the board did, not 90 days before."""

from __future__ import annotations

import json
from datetime import timedelta

from leankanban.reports import render
from leankanban.services import reports


def test_the_history_of_a_young_board_begins_with_the_board(lk, clock):
    made = clock.now
    clock.advance(hours=2)
    for title in ("Acme", "Globex", "Initech"):
        lk.add_deal(title, stage="Discovery", value="1000")
    clock.advance(hours=3)
    lk.win(1)
    built = reports.report(lk, since="7d", seed=1)
    assert built.history.start == made
    data = json.loads(render.to_json(built))
    assert [w["week"] for w in data["throughput_per_week"]] == ["2026-W45"]
    forecast = reports.forecast(lk, seed=1)
    assert forecast.window.start == made
    assert forecast.window_days == 1  # today only: 89 days before the board are not zero-close days
    assert " of 1 day, " in render.forecast_to_text(forecast)  # not "of 1 days"


def test_imported_history_older_than_the_board_keeps_the_whole_window(lk, clock):
    from leankanban.store import repository as repo
    from leankanban.store.tables import DealRow

    deal = lk.add_deal("Old deal", stage="Discovery")
    with lk.write() as session:  # as an import with history does: created long before the board
        row = session.get(DealRow, deal.id)
        row.created_at = repo.to_db_time(clock.now - timedelta(days=400))
    built = reports.report(lk, since="7d", seed=1)
    assert built.history.start == clock.now - timedelta(days=reports.reports.DEFAULT_HISTORY_DAYS)


def test_insights_count_a_loss_early_on_the_first_day_of_a_long_since(lk, clock):
    # since=120d reaches back before the 90-day history: insights count the closes from the
    # midnight of since's day, so the fast read must hold the deals closed from then too.
    clock.advance(hours=-6)  # 03:00
    for title in ("Early loss", "Second"):
        deal = lk.add_deal(title, stage="Leads")
    lk.discard(deal.id - 1, "Timing")
    clock.advance(days=120, hours=6)  # 09:00, 120 days on: since is 09:00 that first day
    fast = reports.report(lk, since="120d", seed=1)
    assert fast.insights == reports.report(lk, since="120d", seed=1, everything=True).insights
    assert dict(fast.insights.loss_reasons) == {"Timing": 1}


def test_a_young_board_has_missed_no_month_of_improvements(lk, clock):
    """Seen on a board made that morning: 'improvements 2026-11 0, 2026-12 0; 0 of 2 month(s) met the goal'."""
    lk.add_deal("Acme", stage="Leads")
    built = reports.report(lk, since="30d", seed=1)
    month = f"{clock.now.year:04d}-{clock.now.month:02d}"
    assert built.insights.improvements_per_month == ((month, 0),)
    assert (built.insights.months_meeting_goal, built.insights.months) == (0, 0)
    assert "no month over yet" in render.to_text(built, width=200)
    assert lk.insights(since=clock.now.date() - timedelta(days=40)).months == 0
