"""The lean definitions of issue 11, hand-counted on the boards the issue describes.

* Commitment point: the first stage that is not upstream. A deal discarded before it
  ever started is *qualified out* (a good outcome, apart); one lost after it is *lost*.
* Win rate = won / (won + lost after commitment).
* Too little history: a statistic from too small a sample says so, with n and N.

Day 0 is Monday 5 January 2026 09:00 UTC (metrics_story.py).
"""

from __future__ import annotations

import json
from decimal import Decimal

from leankanban.domain.model import Board
from leankanban.metrics.flow import AgeBand
from leankanban.reports.model import build_report
from leankanban.reports.render import to_dict, to_html, to_json, to_markdown, to_text
from tests.unit.metrics.metrics_story import LEAN, Story, at

BOARD = Board(name="leads", stages=LEAN)


def report(s: Story, now: float, since: float = -1):
    return build_report(BOARD, LEAN, s.deal_list, s.events, at(now), at(since), forecast_seed=1)


def six_leads() -> Story:
    """The issue's board: 6 leads, 3 discarded straight from Leads, 1 won, 2 still leads."""
    s = Story()
    for n in range(1, 7):
        s.add(n, "Leads", 0, value=1000)
    s.lose(1, 1, "not a fit").lose(2, 2, "not a fit").lose(3, 3, "no budget")
    s.move(4, "Discovery", 1).win(4, 3)
    return s


def test_qualifying_out_early_is_not_a_loss():
    r = report(six_leads(), now=4)
    assert (r.won.count, r.lost.count) == (1, 0)  # was "lost 3"
    q = r.qualified_out
    assert (q.count, q.period_count, q.value) == (3, 3, Decimal("3000.00"))
    assert q.reasons == {"not a fit": 2, "no budget": 1}
    leads = next(x for x in q.by_stage if x.stage == "Leads")
    assert (leads.qualified_out, leads.left) == (3, 4)  # 3 discarded + 1 moved on to Discovery


def test_on_so_small_a_board_every_rate_says_it_has_too_little_history():
    r = report(six_leads(), now=4)
    assert (r.win_rate.won, r.win_rate.lost, r.win_rate.rate) == (1, 0, None)  # was "win rate 25 %"
    assert r.win_rate.reason == "not enough history (1 closed, need 5)"
    q = r.qualified_out
    assert (q.rate, q.rate_sample.reason) == (None, "not enough history (4 decided, need 5)")
    assert (q.median_days_to_discard, q.median_sample.reason) == (None, "not enough history (3 qualified out, need 5)")
    leads = next(x for x in q.by_stage if x.stage == "Leads")
    assert (leads.rate, leads.sample.reason) == (None, "not enough history (4 left the stage, need 5)")
    assert r.sales.velocity.per_day is None
    assert r.sales.velocity.reason == "not enough history (1 closed, need 5)"
    assert r.forecast.reason == "not enough history (1 closed, need 5)"


def twenty_leads() -> Story:
    """The same shape with enough history: 20 leads on day 0.

    Leads 1-10 are discarded straight from Leads on day n ("not a fit" odd, "no budget"
    even); leads 11-15 move to Discovery on day 1 and are won on day 5 (1000 each, a 4-day
    cycle); 16 and 17 are still leads; 18-20 are added to Discovery on day 10 (2000 each).
    """
    s = Story()
    for n in range(1, 18):
        s.add(n, "Leads", 0, value=1000)
    for n in range(1, 11):
        s.lose(n, n, "not a fit" if n % 2 else "no budget")
    for n in range(11, 16):
        s.move(n, "Discovery", 1).win(n, 5)
    for n in range(18, 21):
        s.add(n, "Discovery", 10, value=2000)
    return s


def test_win_rate_counts_committed_closes_only():
    r = report(twenty_leads(), now=12)
    assert (r.win_rate.won, r.win_rate.lost, r.win_rate.rate, r.win_rate.reason) == (5, 0, 1.0, None)  # was 5/15
    assert (r.lost.count, r.won.count) == (0, 5)
    assert {k: v.rate for k, v in r.win_rate_by_owner.items()} == {"ann": 1.0}


def test_weekly_throughput_shows_the_qualify_outs_apart_from_the_losses():
    weeks = [(w.week, w.won, w.lost, w.qualified_out, w.closed) for w in report(twenty_leads(), now=12).throughput_per_week]
    # Discards on days 1-6 (6-11 January) and 7-10 (12-15 January); wins on day 5.
    assert weeks[-2:] == [("2026-W02", 5, 0, 6, 11), ("2026-W03", 0, 0, 4, 4)]


def test_qualify_out_rate_per_upstream_stage_reasons_and_median_days_to_discard():
    q = report(twenty_leads(), now=12).qualified_out
    assert (q.count, q.reasons) == (10, {"no budget": 5, "not a fit": 5})
    # Decided at the commitment point in the window: 10 qualified out + 8 started (11-15, 18-20).
    assert (q.rate_sample.n, q.rate) == (18, 10 / 18)
    # Days from creation to discard: 1, 2, ..., 10; the nearest-rank median is the 5th.
    assert q.median_days_to_discard == 5.0
    rows = {x.stage: (x.qualified_out, x.left, x.rate, x.sample.reason) for x in q.by_stage}
    assert rows == {"Leads": (10, 15, 10 / 15, None),
                    "Qualifying": (0, 0, None, "not enough history (0 left the stage, need 5)")}


def test_sales_velocity_is_not_cut_by_qualifying_out():
    v = report(twenty_leads(), now=12).sales.velocity
    # 3 active deals x 1000 average win x 100% / 4 days (was x 5/15: 250.00)
    assert (v.open_deals, v.avg_won_value, v.win_rate, v.avg_cycle_days) == (3, Decimal("1000.00"), 1.0, 4.0)
    assert (v.per_day, v.reason) == (Decimal("750.00"), None)


def test_the_forecast_samples_the_committed_closes_and_covers_the_deals_in_progress():
    f = report(twenty_leads(), now=12).forecast
    assert (f.sampled, f.sample.n, f.reason) == ("committed", 5, None)  # the 10 discards left out
    assert (f.items, f.value) == (3, Decimal("6000.00"))
    assert f.won_value_p50 <= f.value and f.closes_p50 <= f.items


def test_json_schema_version_2_gives_the_lean_figures():
    data = json.loads(to_json(report(twenty_leads(), now=12)))
    assert data["schema_version"] == 2
    assert data["win_rate"] == {"value": 1.0, "won": 5, "lost": 0, "n": 5, "need": 5, "reason": None}
    assert data["lost"]["count"] == 0
    q = data["qualified_out"]
    assert (q["count"], q["reasons"], q["in_period"]) == (10, {"no budget": 5, "not a fit": 5},
                                                          {"count": 10, "value": 10000})
    assert q["rate"] == {"value": 0.5556, "n": 18, "need": 5, "reason": None}
    assert q["median_days_to_discard"] == {"value": 5.0, "n": 10, "need": 5, "reason": None}
    assert q["by_stage"][0] == {"stage": "Leads", "qualified_out": 10, "left": 15,
                                "rate": {"value": 0.6667, "n": 15, "need": 5, "reason": None},
                                "reasons": {"no budget": 5, "not a fit": 5}}
    assert data["sales"]["velocity"]["per_day"] == 750 and data["sales"]["velocity"]["reason"] is None
    assert data["cycle_time_days"]["reason"] == "not enough history (5 closed, need 10)"
    assert data["forecast"]["covers"] == {"items": 3, "value": 6000}
    assert (data["forecast"]["sampled"], data["forecast"]["n"], data["forecast"]["reason"]) == ("committed", 5, None)


def young() -> Story:
    """A board filled in by hand on its first day: six deals of 190,000 added to Discovery and
    won at once, two of 50,000 added to Proposal just now."""
    s = Story()
    for n in range(1, 7):
        s.add(n, "Discovery", 0, value=190_000).win(n, 0)
    s.add(7, "Proposal", 0.002, value=50_000).add(8, "Proposal", 0.002, value=50_000)
    return s


def test_a_young_board_claims_no_velocity_no_age_band_and_no_more_than_the_stage_holds():
    r = report(young(), now=0.002)
    v = r.sales.velocity  # was "EUR 1,140,000 per day (... / 0.0 days average cycle)"
    assert v.per_day is None
    assert v.reason == "not enough history (the wins took 0.0 days on average, need at least 1)"
    assert [(a.age_days, a.band) for a in r.ageing] == [(0.0, AgeBand.UNKNOWN)] * 2  # was "> p95"
    f = r.forecast  # six committed closes: enough to forecast the two in Proposal
    assert f.reason is None and (f.items, f.value) == (2, Decimal("100000.00"))
    assert f.won_value_p95 <= Decimal("100000")  # was 6 x 190,000 a day drawn from the past wins


def test_every_format_says_not_enough_history_where_a_figure_is_undefined():
    r = report(six_leads(), now=4)
    needed = "not enough history (1 closed, need 5)"
    text, page, md = to_text(r, width=200), to_html(r), to_markdown(r)
    for out in (text, page, md):
        assert f"Win rate: {needed}" in out
        assert f"Sales velocity: {needed}" in out
        assert "Cycle time: not enough history (1 closed, need 10)" in out
        assert f"Forecast of 0 deal(s) in progress (EUR 0.00): {needed}" in out
        assert "Qualified out before commitment: 3" in out
    assert "| Leads | 3 | 4 | not enough history (4 left the stage, need 5) | not a fit (2), no budget (1) |" in md
    data = to_dict(r)
    assert data["forecast"]["reason"] == needed
    assert data["sales"]["velocity"]["reason"] == needed


def test_with_nothing_in_progress_the_forecast_claims_nothing():
    s = Story()
    for n in range(1, 6):
        s.add(n, "Discovery", 0, value=1000).win(n, 2)
    r = report(s, now=3)
    f = r.forecast
    assert (f.reason, f.items, f.value, f.closes_p50, f.won_value_p50) == (None, 0, Decimal("0.00"), 0, Decimal("0"))
    assert "- Forecast: no deal in progress to forecast." in to_markdown(r)
