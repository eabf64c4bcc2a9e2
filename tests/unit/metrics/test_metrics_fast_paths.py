"""The metrics' fast paths answer as the rules they stand for."""

from __future__ import annotations

from leankanban.metrics import flow, sales
from tests.unit.metrics.metrics_story import LEAN, Story, at


def test_active_by_name_answers_as_is_active_for_board_and_gone_stages():
    by_name = {s.name: s for s in LEAN}
    active = flow.active_by_name(by_name)
    for name in [*by_name, "Renamed away", ""]:
        assert active[name] is flow.is_active(by_name.get(name)), name
        assert active[name] is flow.is_active(by_name.get(name)), name  # asked again: the same


def test_stage_exits_count_each_deal_once_per_stage_it_left_in_the_period():
    s = Story(LEAN)
    s.add(1, "Leads", 1)
    s.move(1, "Qualifying", 2)
    s.move(1, "Leads", 3)
    s.move(1, "Qualifying", 4)  # left Leads twice, Qualifying once, in the period
    s.add(2, "Leads", 1)
    s.move(2, "Qualifying", 1.5)  # left Leads before the period
    s.add(3, "Leads", 5)  # never left
    lines = flow.timelines(LEAN, s.deal_list, s.events, now=at(10))
    exits = sales.stage_exits(lines, flow.Period(at(1.75), at(10)))
    assert dict(exits) == {"Leads": 1, "Qualifying": 1}
    # Handed in, the same figures as worked out inside.
    period = flow.Period(at(0), at(10))
    found = sales.stage_exits(lines, period)
    assert sales.discards(lines, period, LEAN, exits=found) == sales.discards(lines, period, LEAN)
    assert sales.qualified_out(lines, period, LEAN, exits=found) == sales.qualified_out(lines, period, LEAN)


def test_work_item_ages_unsorted_are_the_same_ages_in_the_lines_order():
    s = Story(LEAN)
    for n, (stage, day) in enumerate([("Leads", 3), ("Discovery", 1), ("Proposal", 2), ("Discovery", 1)], start=1):
        s.add(n, stage, day)
    lines = flow.timelines(LEAN, s.deal_list, s.events, now=at(10))
    oldest = flow.work_item_ages(lines, at(10), None)
    as_met = flow.work_item_ages(lines, at(10), None, oldest_first=False)
    assert [a.deal.id for a in as_met] == [line.deal.id for line in lines]
    assert sorted(as_met, key=lambda a: a.days, reverse=True) == oldest


def test_stalled_unsorted_are_the_same_deals_in_the_lines_order():
    s = Story(LEAN)
    for n, day in enumerate([3, 1, 2, 1, 20], start=1):
        s.add(n, "Discovery", day)
    lines = flow.timelines(LEAN, s.deal_list, s.events, now=at(30))
    most_idle = sales.stalled(lines, at(30), stall_days=14)
    as_met = sales.stalled(lines, at(30), stall_days=14, most_idle_first=False)
    assert [x.deal.id for x in as_met.deals] == [1, 2, 3, 4]
    assert tuple(sorted(as_met.deals, key=lambda x: x.idle_days, reverse=True)) == most_idle.deals
    assert (as_met.count, as_met.value, as_met.open_value) == (most_idle.count, most_idle.value, most_idle.open_value)
