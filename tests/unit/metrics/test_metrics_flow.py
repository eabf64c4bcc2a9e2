"""Flow metrics on hand-counted histories: no database, no UI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from leankanban.domain.model import Deal, DealStatus, Event, EventKind
from leankanban.metrics import flow
from leankanban.metrics.flow import AgeBand, Period
from tests.unit.metrics.metrics_story import LEAN, Story, at

MIDNIGHT = datetime(2026, 1, 5, tzinfo=UTC)  # Monday


def days(first: int, last: int) -> Period:
    """Calendar days `first`..`last` (inclusive) counted from Monday 5 January 2026."""
    return Period(MIDNIGHT + timedelta(days=first), MIDNIGHT + timedelta(days=last + 1))


def lines(story: Story, now: datetime) -> list[flow.Timeline]:
    return flow.timelines(story.stages, story.deal_list, story.events, now=now)


# -- percentiles ---------------------------------------------------------------


def test_nearest_rank_percentile_is_always_an_observed_value():
    values = [15, 20, 35, 40, 50]
    assert [flow.percentile(values, p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]


def test_percentile_of_nothing_is_refused():
    with pytest.raises(ValueError):
        flow.percentile([], 50)
    assert flow.percentiles([]) is None


# -- empty history ---------------------------------------------------------------


def test_empty_history_gives_zeros_and_no_cycle_time():
    period = days(0, 2)
    empty = flow.timelines(LEAN, [], [], now=at(3))
    assert empty == []
    assert [(r.day, r.closed) for r in flow.throughput_per_day(empty, period)] == [
        (date(2026, 1, 5), 0),
        (date(2026, 1, 6), 0),
        (date(2026, 1, 7), 0),
    ]
    assert flow.cycle_time_percentiles(empty, period) is None
    assert flow.work_item_ages(empty, at(3), None) == []
    law = flow.littles_law(empty, period)
    assert (law.avg_wip, law.avg_throughput, law.predicted_days, law.observed_days) == (0.0, 0.0, None, None)
    cfd = flow.cumulative_flow(LEAN, empty, period.days(), now=at(3))
    assert cfd[0].counts == dict.fromkeys([s.name for s in LEAN], 0)


# -- one deal ----------------------------------------------------------------


def one_deal() -> Story:
    return (
        Story()
        .add(1, "Leads", 0)
        .move(1, "Discovery", 2)
        .move(1, "Proposal", 5)
        .win(1, 9)
    )


def test_one_deal_timeline_starts_at_first_active_stage():
    [line] = lines(one_deal(), at(12))
    assert line.created_at == at(0)
    assert line.started_at == at(2)
    assert line.closed_at == at(9)
    assert line.status is DealStatus.WON
    assert [v.stage for v in line.visits] == ["Leads", "Discovery", "Proposal", "Won"]
    assert line.stage_at(at(4)) == "Discovery"
    assert line.stage_at(at(-1)) is None


def test_one_deal_cycle_time_and_time_in_stage():
    story = one_deal()
    [cycle] = flow.cycle_times(lines(story, at(12)), days(0, 11))
    assert cycle.days == 7.0
    assert flow.time_in_stages(lines(story, at(12))[0], at(12)) == {"Leads": 2.0, "Discovery": 3.0, "Proposal": 4.0}
    p = flow.cycle_time_percentiles(lines(story, at(12)), days(0, 11))
    assert (p.p50, p.p85, p.p95, p.count) == (7.0, 7.0, 7.0, 1)


def test_cycle_time_counts_only_closes_inside_the_period():
    assert flow.cycle_times(lines(one_deal(), at(12)), days(10, 11)) == []


# -- several deals with known cycle times ---------------------------------------------


def test_percentiles_of_twenty_cycle_times_are_exact():
    story = Story()
    for n in range(1, 21):
        story.cycle(n, start=0, days=n)
    p = flow.cycle_time_percentiles(lines(story, at(30)), days(0, 29))
    # Nearest rank: p50 = 10th of 20, p85 = 17th, p95 = 19th.
    assert (p.p50, p.p85, p.p95, p.count, p.mean) == (10.0, 17.0, 19.0, 20, 10.5)


def test_percentiles_of_five_cycle_times_and_split_by_outcome():
    story = Story()
    for n, length in enumerate([2, 4, 6, 8, 10], start=1):
        story.cycle(n, start=0, days=length, won=n % 2 == 1)
    history = lines(story, at(20))
    p = flow.cycle_time_percentiles(history, days(0, 19))
    assert (p.p50, p.p85, p.p95, p.mean) == (6.0, 10.0, 10.0, 6.0)
    won = flow.cycle_time_percentiles(history, days(0, 19), outcome=DealStatus.WON)
    assert (won.p50, won.count) == (6.0, 3)


def test_deal_discarded_straight_from_leads_has_no_cycle_time_but_counts_as_throughput():
    story = Story().add(1, "Leads", 0).lose(1, 1)
    history = lines(story, at(3))
    assert flow.cycle_times(history, days(0, 2)) == []
    assert [r.lost for r in flow.throughput_per_day(history, days(0, 2))] == [0, 1, 0]


# -- reopened after a loss ----------------------------------------------------------


def reopened() -> Story:
    return (
        Story()
        .add(1, "Discovery", 0)
        .lose(1, 3)
        .move(1, "Proposal", 6)  # reopened
        .win(1, 10)
    )


def test_reopened_deal_continues_its_cycle_from_the_first_start():
    history = lines(reopened(), at(12))
    [line] = history
    assert line.reopens == 1
    assert (line.status, line.closed_at, line.lost_from) == (DealStatus.WON, at(10), None)
    [cycle] = flow.cycle_times(history, days(0, 11))
    assert cycle.days == 10.0
    assert flow.time_in_stages(line, at(12)) == {"Discovery": 3.0, "Lost": 3.0, "Proposal": 4.0}


def test_reopened_deal_withdraws_its_earlier_loss_from_throughput():
    history = lines(reopened(), at(12))
    rows = flow.throughput_per_day(history, days(0, 11))
    assert sum(r.lost for r in rows) == 0
    assert [r.day.day for r in rows if r.won] == [15]
    # While it sat in Lost it was still work in progress: its clock kept running.
    assert history[0].in_progress_at(at(4))


def test_deal_reopened_and_still_open_ages_from_its_first_start():
    story = Story().add(1, "Discovery", 0).lose(1, 2).move(1, "Discovery", 4)
    history = lines(story, at(9))
    assert history[0].is_open and history[0].closed_at is None
    [age] = flow.work_item_ages(history, at(9), None)
    assert (age.since, age.days, age.band) == (at(0), 9.0, AgeBand.UNKNOWN)


# -- imported history -------------------------------------------------------------


def test_imported_history_with_old_timestamps_in_any_order():
    old = datetime(2025, 3, 1, 12, tzinfo=UTC)
    deal = Deal("Imported", "Won", status=DealStatus.WON, created_at=old, id=7)
    events = [
        Event(EventKind.WON, old + timedelta(days=45), 7, from_stage="Proposal", to_stage="Won"),
        Event(EventKind.MOVED, old + timedelta(days=45), 7, from_stage="Proposal", to_stage="Won"),
        Event(EventKind.MOVED, old + timedelta(days=20), 7, from_stage="Discovery", to_stage="Proposal"),
        Event(EventKind.CREATED, old, 7, to_stage="Discovery"),
    ]
    now = datetime(2026, 1, 5, tzinfo=UTC)
    [line] = flow.timelines(LEAN, [deal], events, now=now)
    assert [v.stage for v in line.visits] == ["Discovery", "Proposal", "Won"]
    [cycle] = flow.cycle_times([line], Period.last_days(365, now))
    assert cycle.days == 45.0
    assert flow.daily_counts([line], Period(old, now)).count(1) == 1


def test_deal_without_events_is_rebuilt_from_its_fields():
    created = datetime(2025, 6, 1, tzinfo=UTC)
    won = Deal("No history", "Won", status=DealStatus.WON, created_at=created,
               stage_entered_at=created + timedelta(days=30), closed_at=created + timedelta(days=30), id=1)
    lead = Deal("Fresh lead", "Leads", created_at=created, stage_entered_at=created, id=2)
    now = created + timedelta(days=40)
    history = flow.timelines(LEAN, [won, lead], [], now=now)
    assert not history[0].from_events
    [cycle] = flow.cycle_times(history, Period(created, now))
    assert cycle.days == 30.0
    assert history[1].started_at is None


# -- throughput ---------------------------------------------------------------------


def test_throughput_per_day_and_week_include_zero_days():
    story = Story().cycle(1, 0, 0.1).cycle(2, 0, 0.2).cycle(3, 0, 2, won=False)
    history = lines(story, at(10))
    rows = flow.throughput_per_day(history, days(0, 3))
    assert [(r.won, r.lost, r.closed) for r in rows] == [(2, 0, 2), (0, 0, 0), (0, 1, 1), (0, 0, 0)]
    weeks = flow.throughput_per_week(history, days(0, 9))
    assert [(w.label, w.won, w.lost, w.closed, w.days) for w in weeks] == [
        ("2026-W02", 2, 1, 3, 7),
        ("2026-W03", 0, 0, 0, 3),
    ]
    assert weeks[1].start == date(2026, 1, 12)
    assert flow.daily_counts(history, days(0, 3)) == [2, 0, 1, 0]
    assert flow.daily_counts(history, days(0, 3), outcome=DealStatus.WON) == [2, 0, 0, 0]


# -- cumulative flow ----------------------------------------------------------


def test_cumulative_flow_counts_deals_per_stage_at_the_end_of_each_day():
    story = (
        Story()
        .add(1, "Leads", 0)
        .move(1, "Discovery", 1)
        .add(2, "Discovery", 1)
        .win(2, 2)
        .add(3, "Leads", 2.5)
    )
    rows = flow.cumulative_flow(LEAN, lines(story, at(3)), days(0, 3).days(), now=at(3))
    wanted = ["Leads", "Discovery", "Won"]
    assert [[row.counts[s] for s in wanted] for row in rows] == [
        [1, 0, 0],
        [0, 2, 0],
        [1, 1, 1],  # deal 3 was created at 21:00 on day 2
        [1, 1, 1],  # today: the snapshot is at `now`
    ]
    assert list(rows[0].counts) == [s.name for s in LEAN]


def test_cumulative_flow_keeps_a_stage_the_board_no_longer_has():
    story = Story().add(1, "Discovery", 0)
    story.events.append(Event(EventKind.MOVED, at(1), 1, from_stage="Discovery", to_stage="Demo"))
    rows = flow.cumulative_flow(LEAN, lines(story, at(2)), [date(2026, 1, 6)], now=at(2))
    assert rows[0].counts["Demo"] == 1


# -- work item age --------------------------------------------------------------


def test_open_deals_are_banded_against_cycle_time_percentiles():
    story = Story()
    for n in range(1, 11):  # cycle times 1..10 days: p50 5, p85 9, p95 10
        story.cycle(n, start=0, days=n)
    now = at(20)
    story.add(20, "Discovery", 19).add(21, "Proposal", 13).add(22, "Negotiation", 9).add(23, "Leads", 5)
    history = lines(story, now)
    cycle = flow.cycle_time_percentiles(history, days(0, 19))
    assert (cycle.p50, cycle.p85, cycle.p95) == (5, 9, 10)
    ages = {a.deal.id: a for a in flow.work_item_ages(history, now, cycle)}
    assert (ages[20].days, ages[20].band) == (1.0, AgeBand.BELOW_P50)
    assert (ages[21].days, ages[21].band) == (7.0, AgeBand.P50_P85)
    assert (ages[22].days, ages[22].band) == (11.0, AgeBand.ABOVE_P95)
    assert (ages[23].started, ages[23].days, ages[23].band) == (False, 15.0, AgeBand.UNKNOWN)
    assert [a.deal.id for a in flow.work_item_ages(history, now, cycle)] == [23, 22, 21, 20]


def test_age_band_edges():
    # A band begins once a deal is *older* than its percentile (strictly).
    cycle = flow.Percentiles(p50=5, p85=10, p95=20, count=flow.MIN_CYCLE_TIMES, mean=10)
    assert [flow.age_band(d, cycle) for d in (4.9, 5, 5.1, 10, 10.1, 20, 20.1)] == [
        AgeBand.BELOW_P50,
        AgeBand.BELOW_P50,
        AgeBand.P50_P85,
        AgeBand.P50_P85,
        AgeBand.P85_P95,
        AgeBand.P85_P95,
        AgeBand.ABOVE_P95,
    ]


def test_too_few_cycle_times_band_nothing():
    few = flow.Percentiles(p50=5, p85=10, p95=20, count=flow.MIN_CYCLE_TIMES - 1, mean=10)
    assert flow.age_band(100, few) is AgeBand.UNKNOWN
    assert flow.age_band(100, None) is AgeBand.UNKNOWN


def test_a_deal_0_days_old_is_not_above_p95_of_zero_day_cycles():
    # A young board: ten deals won the moment they were added (0-day cycles), one just added.
    story = Story()
    for n in range(1, 11):
        story.add(n, "Discovery", 1).win(n, 1)
    story.add(99, "Discovery", 1)
    now = at(1)
    history = lines(story, now)
    cycle = flow.cycle_time_percentiles(history, days(0, 1))
    assert (cycle.count, cycle.p95) == (10, 0.0)
    [age] = [a for a in flow.work_item_ages(history, now, cycle) if a.deal.id == 99]
    assert (age.days, age.band) == (0.0, AgeBand.BELOW_P50)


# -- blocked time --------------------------------------------------------------


def test_blocked_time_sums_pairs_and_an_open_block_counts_until_now():
    story = Story().add(1, "Proposal", 0).block(1, 1).unblock(1, 3).block(1, 5, "waiting for CFO")
    [line] = lines(story, at(8))
    blocked = flow.blocked_time(line, at(8))
    assert (blocked.days, blocked.blocks, blocked.blocked_now) == (5.0, 2, True)
    assert (blocked.since, blocked.reason) == (at(5), "waiting for CFO")
    [current] = flow.blocked_now([line], at(8))
    assert current.deal.id == 1


def test_block_left_open_on_a_closed_deal_stops_at_the_close():
    story = Story().add(1, "Proposal", 0).block(1, 1).block(1, 2).win(1, 4)
    [line] = lines(story, at(10))
    blocked = flow.blocked_time(line, at(10))
    assert (blocked.days, blocked.blocks, blocked.blocked_now) == (3.0, 1, False)
    assert flow.blocked_now([line], at(10)) == []


def test_deal_blocked_without_events_uses_its_fields():
    deal = Deal("Legacy", "Proposal", created_at=at(0), stage_entered_at=at(0), id=1,
                blocked_reason="legal", blocked_since=at(2))
    [line] = flow.timelines(LEAN, [deal], [], now=at(4))
    assert flow.blocked_time(line, at(4)).days == 2.0


# -- Little's law --------------------------------------------------------------


def test_littles_law_on_a_steady_two_day_flow():
    story = Story()
    for i in range(10):
        story.add(i, "Discovery", i)
        if i + 2 <= 9:
            story.win(i, i + 2)
    law = flow.littles_law(lines(story, at(10)), days(0, 9))
    # WIP at midnight: 1 on day 0, then 2 every day; 8 closes in 10 days.
    assert law.avg_wip == pytest.approx(1.9)
    assert law.avg_throughput == pytest.approx(0.8)
    assert law.predicted_days == pytest.approx(2.375)
    assert law.observed_days == pytest.approx(2.0)
    assert law.ratio == pytest.approx(2.0 / 2.375)


def test_period_days_and_containment():
    period = Period(datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 7, tzinfo=UTC))
    assert period.days() == [date(2026, 1, 5), date(2026, 1, 6)]
    assert at(0) in period and datetime(2026, 1, 7, tzinfo=UTC) not in period
    with pytest.raises(ValueError):
        Period(at(1), at(0))


def test_lost_deal_remembers_where_and_why_it_was_lost():
    story = Story().add(1, "Discovery", 0).move(1, "Proposal", 1).lose(1, 2, reason="price")
    [line] = lines(story, at(3))
    assert (line.lost_from, line.lost_reason) == ("Proposal", "price")


def test_group_by_owner():
    story = Story().add(1, owner="ann").add(2, owner="bob").add(3, owner="ann")
    groups = flow.by_key(lines(story, at(1)), lambda d: d.owner)
    assert {k: [l.deal.id for l in v] for k, v in groups.items()} == {"ann": [1, 3], "bob": [2]}


def test_money_is_untouched_by_timelines():
    story = Story().add(1, value="1234.56")
    assert lines(story, at(1))[0].deal.value == Decimal("1234.56")


def test_undoing_the_move_that_started_a_deal_stops_its_clock():
    story = Story().add(1, "Qualifying", 0)
    story.events.append(Event(EventKind.MOVED, at(1), 1, from_stage="Qualifying", to_stage="Discovery", id=10))
    story.events.append(
        Event(EventKind.MOVED, at(1.1), 1, from_stage="Discovery", to_stage="Qualifying", data={"undoes": "10"})
    )
    story.events.append(Event(EventKind.UNDONE, at(1.1), 1, old_value="10"))
    [line] = lines(story, at(3))
    assert line.started_at is None
    story.events.append(Event(EventKind.MOVED, at(2), 1, from_stage="Qualifying", to_stage="Discovery", id=12))
    [line] = lines(story, at(3))
    assert line.started_at == at(2)
