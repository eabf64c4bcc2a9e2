"""The report's newer sections on the hand-counted board (report_board.py).

Open now: Delta (Leads, 500), Eps (Proposal, 4000), a|b *c* [x](y) (Proposal, 100),
Zeta (Negotiation, 6000, idle since day 0.5). Won in the history: Acme 1000 (cycle 10
days), Gamma 3000 (19.5 days); lost: Beta 2000 from Proposal (price).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from leankanban.domain import sprints as sp
from leankanban.domain.model import Activity, Board, DealType
from leankanban.metrics import flow
from leankanban.reports.model import ReportContext, build_report
from leankanban.reports.render import discards_csv, next_steps_csv, to_dict, to_html, to_markdown, to_text
from leankanban.reports.shared import time_rows, value_rows
from tests.unit.metrics.metrics_story import LEAN, Story, at
from tests.unit.reports.report_board import BOARD, NOW, SINCE, STAGES, TRICKY, story

TARGET = {Activity.ORIGINATION: 50, Activity.INFLUENCE: 30, Activity.SUPPORT: 20}


def report(board: Board = BOARD, s: Story | None = None, **kwargs):
    s = s or story()
    return build_report(board, STAGES, s.deal_list, s.events, NOW, SINCE, forecast_seed=1, **kwargs)


def test_sales_velocity_needs_enough_committed_closes():
    # 3 active deals x 2000 average win x 2/3 win rate / 14.75 days would be 271.19 a day, but a
    # win rate from 3 closes is no rate (test_lean_definitions has velocity on enough history).
    v = report().sales.velocity
    assert (v.open_deals, v.avg_won_value, v.win_rate, v.avg_cycle_days) == (3, Decimal("2000.00"), None, 14.75)
    assert (v.per_day, v.reason) == (None, "not enough history (3 closed, need 5)")


def test_pipeline_total_and_coverage_without_a_target():
    m = report().sales
    assert (m.pipeline_value, m.weighted_pipeline) == (Decimal("10600.00"), Decimal("7816.66"))
    assert (m.pipeline_target, m.coverage, m.weighted_coverage) == (None, None, None)


def test_pipeline_coverage_against_the_board_target():
    m = report(replace(BOARD, pipeline_target=Decimal("5000"))).sales
    assert m.coverage == pytest.approx(2.12)  # 10600 / 5000
    assert m.weighted_coverage == pytest.approx(1.563332)  # 7816.66 / 5000


def test_discard_rate_per_stage_and_reasons():
    d = report().sales.discards
    rows = {x.stage: (x.lost, x.left, x.rate) for x in d.by_stage}
    # Discovery was left by Acme, Beta, Gamma and the tricky deal, none lost; Proposal by Beta, lost:
    # fewer than the 5 deals that left a stage a discard rate needs, so no rate.
    assert rows == {"Leads": (0, 0, None), "Qualifying": (0, 0, None), "Discovery": (0, 4, None),
                    "Proposal": (1, 1, None), "Negotiation": (0, 0, None)}
    assert (d.total, d.reasons) == (1, {"price": 1})


def test_stalled_share_of_the_open_pipeline():
    st = report().sales.stalled
    assert (st.count, st.open_count, st.value, st.open_value) == (1, 4, Decimal("6000.00"), Decimal("10600.00"))
    assert st.share_count == 0.25
    assert st.share_value == pytest.approx(6000 / 10600)


def tiny() -> Story:
    """Two deals in Discovery, each won two days later: days 0-2 and 1-3."""
    s = Story(LEAN)
    s.add(1, "Discovery", 0, value=100).win(1, 2)
    s.add(2, "Discovery", 1, value=300).win(2, 3)
    return s


def test_littles_law_on_a_tiny_board():
    s = tiny()
    r = build_report(Board(name="t", stages=LEAN), LEAN, s.deal_list, s.events, at(4), at(3), history_days=4)
    law = r.littles_law
    # End-of-day WIP Mon..Fri: 1, 2, 1, 0, 0 -> 0.8; 2 closes in 5 days -> 0.4 a day.
    assert (law.avg_wip, law.avg_throughput_per_day) == (pytest.approx(0.8), pytest.approx(0.4))
    # Two closes are too few to read a prediction from (MIN_CLOSES = 5): no 0.00x ratios.
    assert (law.predicted_days, law.observed_days, law.ratio) == (None, None, None)
    assert law.sample.reason == "not enough history (2 closed, need 5)"


def test_littles_law_from_five_closes():
    s = Story(LEAN)
    for deal in range(1, 6):  # each in Discovery for two days, one starting each day
        s.add(deal, "Discovery", deal - 1, value=100).win(deal, deal + 1)
    r = build_report(Board(name="t", stages=LEAN), LEAN, s.deal_list, s.events, at(7), at(6), history_days=7)
    law = r.littles_law
    assert law.sample.reason is None
    assert law.observed_days == pytest.approx(2.0)
    assert law.predicted_days == pytest.approx(law.avg_wip / law.avg_throughput_per_day)
    assert law.ratio == pytest.approx(law.observed_days / law.predicted_days)


def test_pipeline_created_and_advanced_per_owner_against_the_target():
    # A 10-day history, [day 10, day 20]: Acme (won day 10) and Gamma (won day 19.5) existed
    # before it: influence; the tricky deal (day 12) and Delta (day 19.5) were created in it:
    # origination, but Delta was given the category support, which is no pipeline.
    s = story()
    s.deals[4].activity = Activity.SUPPORT
    e = report(s=s, context=ReportContext(target_allocation=TARGET), history_days=10).effectiveness
    o, i = Activity.ORIGINATION, Activity.INFLUENCE
    assert [p.person for p in e.people] == ["ann"]  # bob owns nothing counted and logged nothing
    ann = e.people[0]
    by = {a.activity: a for a in ann.activities}
    assert (by[o].value, by[o].deals, by[i].value, by[i].deals) == (Decimal("100.00"), 1, Decimal("4000.00"), 2)
    assert (by[o].value_share, by[i].value_share) == (pytest.approx(100 / 4100), pytest.approx(4000 / 4100))
    assert (by[o].value_target, by[i].value_target) == (0.625, 0.375)
    assert (ann.pipeline_value, ann.won_value, ann.value_reason) == (Decimal("4100.00"), Decimal("4000.00"), None)
    assert by[Activity.SUPPORT].value is None
    assert (ann.total_minutes, ann.time_reason, by[o].time_share) == (0, "no time logged", None)
    assert e.team.pipeline_value == Decimal("4100.00")
    assert e.target == {o: 0.5, i: 0.3, Activity.SUPPORT: 0.2}


def test_a_new_board_is_all_origination_only_because_every_deal_is_new():
    e = report(context=ReportContext(target_allocation=TARGET)).effectiveness  # 90 days: every deal is new
    team = {a.activity: a for a in e.team.activities}
    assert (team[Activity.ORIGINATION].value, team[Activity.INFLUENCE].value) == (Decimal("16600.00"), 0)
    assert [p.person for p in e.people] == ["ann", "bob"]


def logs() -> list[sp.TimeLog]:
    return [
        sp.TimeLog(60, Activity.ORIGINATION, at(19), actor="ann"),
        sp.TimeLog(30, Activity.INFLUENCE, at(19), actor="ann"),
        sp.TimeLog(30, Activity.SUPPORT, at(19), actor="ann"),
        sp.TimeLog(90, Activity.ORIGINATION, at(19), actor="bob"),
    ]


def test_share_of_logged_time_per_person_and_team():
    context = ReportContext(target_allocation=TARGET, time_allocation=tuple(sp.allocation(logs(), TARGET)))
    e = report(context=context, history_days=10).effectiveness
    time = {p.person: (p.total_minutes, {a.activity: a.time_share for a in p.activities}) for p in e.people}
    o, i, su = Activity.ORIGINATION, Activity.INFLUENCE, Activity.SUPPORT
    assert time["ann"] == (120, {o: 0.5, i: 0.25, su: 0.25})
    assert time["bob"] == (90, {o: 1.0, i: 0.0, su: 0.0})
    assert e.team.total_minutes == 210  # the team: 150 / 30 / 30 minutes
    assert {a.activity: a.time_share for a in e.team.activities} == {
        o: pytest.approx(150 / 210), i: pytest.approx(30 / 210), su: pytest.approx(30 / 210)}
    assert {a.activity: a.time_target for a in e.team.activities} == {o: 0.5, i: 0.3, su: 0.2}


def test_logged_time_narrowed_to_the_owner():
    context = ReportContext(target_allocation=TARGET, time_allocation=tuple(sp.allocation(logs(), TARGET)))
    e = report(context=context, owner="BOB", history_days=10).effectiveness
    assert [p.person for p in e.people] == ["bob"]
    assert (e.team.total_minutes, e.team.pipeline_value) == (90, Decimal("500.00"))  # Delta, created day 19.5


def test_no_time_and_no_pipeline_say_so_in_every_format():
    r = build_report(Board(name="t", stages=LEAN), LEAN, [], [], at(4), at(3),
                     context=ReportContext(target_allocation=TARGET))
    assert (r.effectiveness.team.time_reason, r.effectiveness.team.value_reason) == (
        "no time logged", "no pipeline value created or advanced")
    data = json.loads(json.dumps(to_dict(r)))["effectiveness"]
    assert data["team"]["time_reason"] == "no time logged"
    assert data["team"]["activities"][0]["time_share"] is None
    for text in (to_text(r), to_markdown(r), to_html(r)):
        assert "no time logged" in text and "no pipeline value created or advanced" in text
    assert time_rows(r) == [(None, ["", "50%", "30%", "20%"]), ("", ["no time logged", "-", "-", "-"])]
    assert value_rows(r) == [(None, ["62%", "38%", ""]), ("", ["no pipeline value created or advanced", "-", "-"])]


def daily_wins() -> Story:
    """A win on each of the two days of a one-day history: 1 win a day, 7 a week in every future."""
    s = Story(LEAN)
    s.add(1, "Discovery", 0, value=100).win(1, 3.2)
    s.add(2, "Discovery", 0, value=100).win(2, 3.8)
    return s


@pytest.mark.parametrize(("capacity", "verdict"), [(3, "over"), (7, "within"), (10, "idle")])
def test_expected_wins_per_week_against_delivery_capacity(capacity, verdict):
    s = daily_wins()
    board = Board(name="t", stages=LEAN, capacity_per_week=capacity)
    c = build_report(board, LEAN, s.deal_list, s.events, at(4), at(3), forecast_seed=1, history_days=1).capacity
    assert (c.wins_per_week_p50, c.wins_per_week_p85, c.weeks, c.verdict) == (7.0, 7.0, 4, verdict)


def test_no_capacity_set_means_no_capacity_section():
    assert report().capacity is None


def test_next_steps_due_today_or_overdue_on_open_deals_only():
    s = story()
    s.deals[6].next_step, s.deals[6].next_step_due = "Send <b>contract</b>", date(2026, 1, 22)  # Zeta, 3 days late
    s.deals[5].next_step, s.deals[5].next_step_due = "Call legal", date(2026, 1, 25)  # Eps, due today
    s.deals[4].next_step, s.deals[4].next_step_due = "Intro", date(2026, 1, 26)  # Delta, tomorrow: not yet
    s.deals[1].next_step_due = date(2026, 1, 1)  # Acme is won: left out
    steps = report(s=s).next_steps
    assert [(n.deal_id, n.next_step, n.owner, n.due, n.days_overdue) for n in steps] == [
        (6, "Send <b>contract</b>", "ann", date(2026, 1, 22), 3),
        (5, "Call legal", "bob", date(2026, 1, 25), 0),
    ]


def sprint_context() -> ReportContext:
    sprint = sp.Sprint(
        number=2, start=date(2026, 1, 19), end=date(2026, 2, 1), goal="Close *Q1* <script>x</script>",
        target_value=Decimal("14000"),
        objectives=(sp.Objective("Demo [Hooli]", done_at=at(19)), sp.Objective("Two proposals")),
    )
    points = tuple(sp.burn_up(sprint, [(at(19.5), Decimal("3000"))], sprint.objectives, date(2026, 1, 25)))
    insights = sp.Insights([("price", 1)], [("pricing|x", 2)], ("Proposal", 1), {"smb": 0.5}, [("2026-01", 1)], 1, 1)
    return ReportContext(target_allocation=TARGET, sprint=sprint, burn_up=points, insights=insights)


def test_sprint_goal_dates_objectives_and_burn_up():
    sprint = report(context=sprint_context()).sprint
    assert (sprint.number, sprint.goal, sprint.start, sprint.end) == (
        2, "Close *Q1* <script>x</script>", date(2026, 1, 19), date(2026, 2, 1))
    assert (sprint.objectives_met, sprint.objectives_total, sprint.target_value) == (1, 2, Decimal("14000"))
    # Seven days (19-25 Jan) of a 14-day sprint: the ideal line is at 1000 a day.
    assert [(p.day.day, p.won_value, p.ideal_value, p.objectives_done) for p in sprint.burn_up][-2:] == [
        (24, Decimal("3000"), Decimal("6000.00"), 1), (25, Decimal("3000"), Decimal("7000.00"), 1)]


def test_json_has_the_new_sections():
    data = json.loads(json.dumps(to_dict(report(replace(BOARD, pipeline_target=Decimal("5000"),
                                                        capacity_per_week=3), context=sprint_context()))))
    assert data["sales"]["velocity"]["per_day"] is None
    assert data["sales"]["velocity"]["reason"] == "not enough history (3 closed, need 5)"
    assert data["sales"]["coverage"] == 2.12 and data["sales"]["pipeline_target"] == 5000
    assert data["sales"]["discards"]["by_stage"][3] == {"stage": "Proposal", "lost": 1, "left": 1, "rate": None,
                                                       "reasons": {"price": 1}, "n": 1, "need": 5,
                                                       "reason": "not enough history (1 left the stage, need 5)"}
    assert data["sales"]["stalled"]["share_count"] == 0.25
    assert set(data["flow"]["littles_law"]) == {"avg_wip", "avg_throughput_per_day", "predicted_days",
                                                "observed_days", "ratio", "n", "need", "reason"}
    assert data["effectiveness"]["target"] == {"origination": 0.5, "influence": 0.3, "support": 0.2}
    assert data["effectiveness"]["value_target"] == {"origination": 0.625, "influence": 0.375}
    assert set(data["capacity"]) == {"capacity_per_week", "weeks", "no_throughput", "wins_per_week", "verdict"}
    assert data["sprint"]["objectives"] == [{"text": "Demo [Hooli]", "done": True},
                                            {"text": "Two proposals", "done": False}]
    assert data["sprint"]["burn_up"][-1] == {"day": "2026-01-25", "won_value": 3000, "ideal_value": 7000,
                                             "objectives_done": 1}
    assert data["insights"]["top_discard_stage"] == {"stage": "Proposal", "count": 1}
    assert data["next_steps"] == {"total": 0, "value": 0, "items": []}


def with_user_text() -> tuple[Story, ReportContext]:
    s = story()
    s.deals[7].next_step, s.deals[7].next_step_due = "<script>alert(1)</script> | *now*", date(2026, 1, 20)
    return s, sprint_context()


def test_markdown_renders_the_new_sections_with_user_text_escaped():
    s, context = with_user_text()
    text = to_markdown(report(s=s, context=context))
    for heading in ("## Next steps due", "## Key sales metrics", "## Effectiveness", "## Delivery capacity",
                    "## Sprint", "## Insights", "### Where deals are discarded (every loss)", "### Burn-up"):
        assert heading in text
    assert "\\<script\\>alert(1)\\</script\\> \\| \\*now\\*" in text
    assert md_title(TRICKY) in text
    assert "Close \\*Q1\\* \\<script\\>x\\</script\\>" in text
    assert "pricing\\|x (2)" in text


def md_title(title: str) -> str:
    from leankanban.reports.render import md

    return md(title)


def test_html_renders_the_new_sections_with_user_text_escaped():
    s, context = with_user_text()
    page = to_html(report(s=s, context=context))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *now*" in page
    assert "Close *Q1* &lt;script&gt;x&lt;/script&gt;" in page
    for heading in ("Next steps due", "Key sales metrics", "Effectiveness", "Delivery capacity", "Sprint 2",
                    "Insights"):
        assert f">{heading}</h2>" in page


def test_text_report_fits_100_columns_and_keeps_markup_literal():
    s, context = with_user_text()
    board = replace(BOARD, pipeline_target=Decimal("5000"), capacity_per_week=3)
    text = to_text(report(board, s=s, context=context), width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "[x] Demo [Hooli]" in text
    assert "Close *Q1* <script>x</script>" in text
    assert "Sales velocity: not enough history (3 closed, need 5)" in text
    assert "Coverage: 2.12x of the EUR 5,000.00 target" in text
    assert "vs capacity 3:" in text


def test_csv_tables_for_next_steps_and_discards():
    s, _ = with_user_text()
    r = report(s=s)
    assert next_steps_csv(r).splitlines()[1] == f"7,{TRICKY},ann,Proposal,<script>alert(1)</script> | *now*,2026-01-20,5"
    assert "Proposal,1,1,,price=1" in discards_csv(r)  # one deal left Proposal: too few for a rate


# --- time in stage, blocked time, win rate by type and source ------------------------


def test_days_in_each_stage_of_the_deals_closed_in_the_history():
    # Discovery: Acme 10 (day 0 -> won day 10), Beta 0.5 (4.5 -> 5), Gamma 19.5; Proposal: Beta 14.5.
    s = story()
    closed = flow.closed_in(flow.timelines(STAGES, s.deal_list, s.events, now=at(20)), flow.Period(at(0), at(20)))
    found = flow.stage_time_percentiles(closed, at(20))
    rows = {stage: (p.count, p.p50, p.p85, p.p95, p.mean) for stage, p in found.items()}
    assert rows == {"Discovery": (3, 10.0, 19.5, 19.5, 10.0), "Proposal": (1, 14.5, 14.5, 14.5, 14.5)}
    # The report gives no percentiles from 3 deals (MIN_CYCLE_TIMES = 10): it says why.
    shown = {x.stage: (x.count, x.p50, x.sample.reason) for x in report().stage_days}
    assert shown == {"Discovery": (3, None, "not enough history (3 closed, need 10)"),
                     "Proposal": (1, None, "not enough history (1 closed, need 10)")}
    assert [x.stage for x in report().stage_days] == ["Discovery", "Proposal"]  # board order


def test_blocked_time_counts_only_the_cycle_for_the_share():
    s = Story(STAGES)
    s.add(1, "Discovery", 1)  # started day 1
    s.block(1, 2).unblock(1, 4).win(1, 6)  # 2 days blocked in a 5-day cycle
    s.add(2, "Leads", 0)
    s.block(2, 0).unblock(2, 1)  # 1 day blocked before it started
    s.move(2, "Discovery", 2).block(2, 4).lose(2, 5)  # blocked again from day 4 to the loss: 1 day
    s.add(3, "Discovery", 0).win(3, 2)  # never blocked, a 2-day cycle
    bt = build_report(BOARD, STAGES, s.deal_list, s.events, at(20), at(19)).blocked_time
    assert (bt.closed, bt.blocked, bt.days) == (3, 2, pytest.approx(4.0))
    assert bt.share_of_cycle == pytest.approx((2 + 1) / (5 + 3 + 2))


def test_win_rate_by_deal_type_and_by_source():
    s = story()
    s.deals[3] = replace(s.deals[3], deal_type=DealType.EXPANSION, external_source="salesforce")
    r = report(s=s)
    # Gamma won; Acme won, Beta lost: too few closes for a rate in either group.
    assert {k: (v.won, v.lost, v.rate) for k, v in r.win_rate_by_type.items()} == {
        "expansion": (1, 0, None), "new_logo": (1, 1, None)}
    assert {k: (v.won, v.lost, v.rate) for k, v in r.win_rate_by_source.items()} == {
        "leankanban": (1, 1, None), "salesforce": (1, 0, None)}
    data = to_dict(r)
    assert data["win_rate_by_type"]["new_logo"] == {"value": None, "won": 1, "lost": 1, "n": 2, "need": 5,
                                                    "reason": "not enough history (2 closed, need 5)"}
    assert data["flow"]["stage_days"][0] == {"stage": "Discovery", "count": 3, "p50": None, "p85": None,
                                             "p95": None, "mean": None, "n": 3, "need": 10,
                                             "reason": "not enough history (3 closed, need 10)"}
    assert data["flow"]["blocked_time"] == {"closed": 3, "blocked": 0, "days": 0.0, "share_of_cycle": 0.0}
    for text in (to_markdown(r), to_text(r, width=200), to_html(r)):
        assert "Days in stage" in text and "Win rate by source" in text
