"""Sprint dates, burn-up, carry-over, durations, allocation and insights."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity, Event, EventKind

MON = date(2026, 11, 2)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "days"), [("1w", 7), ("2w", 14), ("4W", 28), ("10d", 10)])
def test_sprint_lengths(raw, days):
    assert sp.parse_length(raw) == days


@pytest.mark.parametrize("raw", ["", "3", "0d", "99d", "two weeks"])
def test_bad_sprint_lengths(raw):
    with pytest.raises(InvalidInput):
        sp.parse_length(raw)


def test_a_two_week_sprint_ends_on_its_fourteenth_day():
    sprint = sp.new_sprint(number=1, today=MON, length_days=14, goal=" Book demos ")
    assert (sprint.start, sprint.end, sprint.days, sprint.goal) == (MON, date(2026, 11, 15), 14, "Book demos")
    assert sprint.day_number(date(2026, 11, 8)) == 7
    assert sprint.day_number(date(2026, 12, 1)) == 14


def test_only_one_open_sprint():
    open_sprint = sp.new_sprint(number=3, today=MON, length_days=7)
    with pytest.raises(InvalidInput, match="Sprint 3 is still open"):
        sp.check_can_start(open_sprint)
    sp.check_can_start(None)


@pytest.mark.parametrize(("raw", "minutes"), [("45m", 45), ("1h", 60), ("1h30m", 90), ("1.5h", 90), ("20", 20), ("2h 5m", 125)])
def test_durations(raw, minutes):
    assert sp.parse_duration(raw) == minutes


@pytest.mark.parametrize("raw", ["-5m", "abc", "0m", "", "25h", "5x"])
def test_bad_durations(raw):
    with pytest.raises(InvalidInput):
        sp.parse_duration(raw)


def test_burn_up_accumulates_wins_and_objectives_against_the_ideal_line():
    sprint = sp.new_sprint(number=1, today=MON, length_days=4, target_value=Decimal("1000"))
    wins = [(at(2, 10), Decimal("100")), (at(3, 23), Decimal("300")), (at(5), Decimal("50"))]
    objectives = [sp.Objective("a", done_at=at(3)), sp.Objective("b"), sp.Objective("c", done_at=at(4))]
    points = sp.burn_up(sprint, wins, objectives, today=date(2026, 11, 4))
    assert [p.day.day for p in points] == [2, 3, 4]
    assert [p.won_value for p in points] == [Decimal("100"), Decimal("400"), Decimal("400")]
    assert [p.objectives_done for p in points] == [0, 1, 2]
    assert [p.ideal_value for p in points] == [Decimal("250.00"), Decimal("500.00"), Decimal("750.00")]
    assert [p.ideal_objectives for p in points] == [0.75, 1.5, 2.25]


def test_burn_up_without_a_target_has_no_ideal_value():
    sprint = sp.new_sprint(number=1, today=MON, length_days=2)
    assert [p.ideal_value for p in sp.burn_up(sprint, [], [], today=date(2026, 12, 31))] == [None, None]


def test_a_sprint_begins_when_it_was_started_on_its_first_day_else_at_midnight():
    sprint = sp.new_sprint(number=1, today=MON, length_days=7)
    assert sprint.begins == at(2, 0)
    assert replace(sprint, started_at=at(2, 14)).begins == at(2, 14)
    assert replace(sprint, started_at=at(1, 14)).begins == at(2, 0)  # made the day before: its first day counts
    assert sprint.stops == at(9, 0)
    closed = replace(sprint, closed_at=at(4, 10))
    assert closed.stops == at(4, 10) + timedelta(microseconds=1)
    assert replace(sprint, closed_at=at(20)).stops == at(9, 0)


def _ev(kind: EventKind, deal: int, when: datetime, **fields) -> Event:
    return Event(kind=kind, at=when, deal_id=deal, **fields)


def test_sprint_wins_count_each_deal_once_at_its_last_win_and_value_at_the_end():
    # Sprint from Mon 2 Nov 14:00, closed Wed 4 Nov 10:00.
    sprint = replace(sp.new_sprint(number=1, today=MON, length_days=7), started_at=at(2, 14), closed_at=at(4, 10))
    events = [
        _ev(EventKind.WON, 1, at(2, 9)),  # before the start: alone, it would not count
        _ev(EventKind.REOPENED, 1, at(2, 15)),
        _ev(EventKind.WON, 1, at(3, 9)),  # deal 1: counts once, at 3 Nov 09:00
        _ev(EventKind.WON, 2, at(2, 9)),  # deal 2: won before the start only
        _ev(EventKind.WON, 3, at(2, 16)),
        _ev(EventKind.REOPENED, 3, at(3, 8)),  # deal 3: reopened, not won again
        _ev(EventKind.WON, 4, at(2, 17)),
        _ev(EventKind.EDITED, 4, at(3, 12), field="value", old_value="100", new_value="120"),
        _ev(EventKind.EDITED, 4, at(4, 11), field="value", old_value="120", new_value="150"),
        _ev(EventKind.EDITED, 4, at(5, 11), field="value", old_value="150", new_value="170"),
        _ev(EventKind.WON, 5, at(4, 10)),  # at the very instant of the close: in
        _ev(EventKind.WON, 6, at(4, 11)),  # after the close: out
        _ev(EventKind.WON, 7, at(3, 9)),
        _ev(EventKind.LOST, 7, at(3, 10)),  # won, then moved to Lost
        _ev(EventKind.WON, 8, at(3, 10)),
        _ev(EventKind.REOPENED, 8, at(4, 12)),  # reopened after the close: the sprint keeps it
    ]
    values = {1: Decimal("10"), 2: Decimal("20"), 3: Decimal("30"), 4: Decimal("170"), 5: Decimal("50"),
              6: Decimal("60"), 7: Decimal("70"), 8: Decimal("80")}
    assert sp.sprint_wins(sprint, events, values) == [
        (at(2, 17), Decimal("120")),  # deal 4 at its value at the close, edits after it taken back
        (at(3, 9), Decimal("10")),
        (at(3, 10), Decimal("80")),
        (at(4, 10), Decimal("50")),
    ]
    assert sp.velocity(sp.sprint_wins(sprint, events, values), 0, []).won_value == Decimal("260")


def test_sprint_wins_of_an_open_sprint_use_the_value_now():
    sprint = sp.new_sprint(number=1, today=MON, length_days=7)
    events = [
        _ev(EventKind.WON, 1, at(3, 9)),
        _ev(EventKind.EDITED, 1, at(3, 12), field="value", old_value="100", new_value="120"),
    ]
    assert sp.sprint_wins(sprint, events, {1: Decimal("120")}) == [(at(3, 9), Decimal("120"))]
    assert sp.sprint_wins(sprint, events, {}) == []  # a deal gone since


def test_carry_over_keeps_unfinished_objectives_with_their_progress():
    objectives = [sp.Objective("done", done_at=at(3), id=1), sp.Objective("half", target=4, progress=2, deal_id=7, id=2)]
    [carried] = sp.carry_over(objectives)
    assert (carried.text, carried.target, carried.progress, carried.deal_id, carried.carried_from) == ("half", 4, 2, 7, 2)
    assert carried.id is None and not carried.done


def test_velocity():
    v = sp.velocity([(at(2), Decimal("10")), (at(3), Decimal("5"))], 4, [sp.Objective("a", done_at=at(2)), sp.Objective("b")])
    assert (v.won_value, v.won_count, v.deals_advanced, v.objectives_met, v.objectives_total) == (Decimal("15"), 2, 4, 1, 2)


def test_allocation_per_person_and_team():
    logs = [
        sp.TimeLog(60, Activity.ORIGINATION, at(2), actor="ann"),
        sp.TimeLog(30, Activity.SUPPORT, at(2), actor="ann"),
        sp.TimeLog(30, Activity.INFLUENCE, at(3), actor="bob"),
    ]
    ann, bob, team = sp.allocation(logs, sp.DEFAULT_ALLOCATION)
    assert (ann.person, ann.total, ann.share(Activity.ORIGINATION), ann.share(Activity.INFLUENCE)) == ("ann", 90, 66.7, 0.0)
    assert bob.share(Activity.INFLUENCE) == 100.0
    assert (team.person, team.total, team.share(Activity.SUPPORT)) == ("", 120, 25.0)
    assert sp.Allocation("x", {}, {}).share(Activity.SUPPORT) is None


def test_allocation_targets_add_up_to_100():
    with pytest.raises(InvalidInput, match="add up to 100"):
        sp.validate_allocation({Activity.ORIGINATION: 60, Activity.INFLUENCE: 30})
    assert sp.validate_allocation({Activity.ORIGINATION: 70, Activity.INFLUENCE: 30})[Activity.SUPPORT] == 0


def test_five_whys_root_cause_is_the_last_answer():
    chain = sp.five_whys(" Lost Acme ", ["No champion", " ", "We never mapped the org"])
    assert (chain.problem, chain.whys, chain.root_cause) == ("Lost Acme", ("No champion", "We never mapped the org"), "We never mapped the org")
    with pytest.raises(InvalidInput):
        sp.five_whys("x", [])
    with pytest.raises(InvalidInput):
        sp.five_whys(" ", ["a"])


def test_insights_across_losses_retros_and_improvements():
    retros = [
        sp.Retro(sp.RetroKind.DEAL, at(2), items=(sp.RetroItem(sp.ItemKind.NOT_WELL, "late", ("pricing", "late-qualification")),)),
        sp.Retro(sp.RetroKind.SPRINT, at(9), items=(sp.RetroItem(sp.ItemKind.WELL, "ok", ("pricing",)),)),
    ]
    result = sp.insights(
        lost=[("No budget", "Proposal"), ("No budget", "Qualifying"), ("Timing", "Proposal")],
        retros=retros,
        closed_by_tag={"pricing": (1, 3), "champion": (2, 0)},
        improvements_done=[at(3), at(20), datetime(2026, 10, 5, tzinfo=UTC)],
        start=date(2026, 9, 1),
        end=date(2026, 11, 30),
    )
    assert result.loss_reasons == [("No budget", 2), ("Timing", 1)]
    assert result.retro_tags[0] == ("pricing", 2)
    assert result.top_discard_stage == ("Proposal", 2)
    assert result.win_rate_by_tag == {"champion": 1.0, "pricing": 0.25}
    assert result.improvements_per_month == [("2026-09", 0), ("2026-10", 1), ("2026-11", 2)]
    assert (result.months_meeting_goal, result.months) == (2, 3)


# -- invariants of the sprint's wins over generated histories ---------------------------------

_MINUTES = st.integers(min_value=-3 * 24 * 60, max_value=12 * 24 * 60)  # from 3 days before the sprint's day 1
_HISTORY = st.lists(
    st.tuples(st.integers(1, 6), st.sampled_from([EventKind.WON, EventKind.LOST, EventKind.REOPENED]), _MINUTES),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(history=_HISTORY, started=st.integers(0, 23 * 60), closed=st.one_of(st.none(), _MINUTES))
def test_sprint_wins_count_a_deal_at_most_once_inside_the_sprint(history, started, closed):
    base = at(2, 0)
    sprint = replace(sp.new_sprint(number=1, today=MON, length_days=7), started_at=base + timedelta(minutes=started))
    if closed is not None and base + timedelta(minutes=closed) >= sprint.begins:
        sprint = replace(sprint, closed_at=base + timedelta(minutes=closed))
    events = sorted((_ev(kind, deal, base + timedelta(minutes=m)) for deal, kind, m in history), key=lambda e: e.at)
    values = {deal: Decimal(deal * 100) for deal in range(1, 7)}
    wins = sp.sprint_wins(sprint, events, values)
    assert len(wins) <= len({e.deal_id for e in events if e.kind is EventKind.WON})
    assert all(sprint.begins <= when < sprint.stops for when, _ in wins)
    assert [when for when, _ in wins] == sorted(when for when, _ in wins)
    # Each deal counts once: the values counted are distinct deals' values.
    assert len({value for _, value in wins}) == len(wins)
    # Leaving out the events before the start changes nothing (the service reads from the start).
    assert sp.sprint_wins(sprint, [e for e in events if e.at >= sprint.begins], values) == wins
    # The burn-up rises, and ends at the velocity.
    points = sp.burn_up(sprint, wins, [], today=date(2026, 11, 30))
    assert [p.won_value for p in points] == sorted(p.won_value for p in points)
    assert points[-1].won_value == sp.velocity(wins, 0, []).won_value


def test_insights_do_not_judge_a_month_before_it_ends():
    """A board made on 2 December: November did not exist for it, December is not over."""
    result = sp.insights(
        lost=[], retros=[], closed_by_tag={}, improvements_done=[],
        start=date(2026, 9, 3), end=date(2026, 12, 2), first_activity=date(2026, 12, 2),
    )
    assert result.improvements_per_month == [("2026-12", 0)]
    assert (result.months_meeting_goal, result.months) == (0, 0)


def test_insights_count_the_month_in_progress_once_it_met_the_goal():
    result = sp.insights(
        lost=[], retros=[], closed_by_tag={}, improvements_done=[datetime(2026, 12, 1, tzinfo=UTC)],
        start=date(2026, 10, 1), end=date(2026, 12, 2),
    )
    assert result.improvements_per_month == [("2026-10", 0), ("2026-11", 0), ("2026-12", 1)]
    assert (result.months_meeting_goal, result.months) == (1, 3)
    unmet = sp.insights(
        lost=[], retros=[], closed_by_tag={}, improvements_done=[], start=date(2026, 10, 1), end=date(2026, 12, 2),
    )
    assert (unmet.months_meeting_goal, unmet.months) == (0, 2)
