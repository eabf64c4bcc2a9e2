"""Sprints, retros, improvements and time logs through the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, NotFound, UnknownDeal
from leankanban.domain.model import Activity
from leankanban.services import LeanKanban


def test_start_show_and_one_open_sprint_per_board(lk: LeanKanban, clock):
    sprint = lk.start_sprint(length="1w", goal="Book demos", target_value="50,000")
    assert (sprint.number, sprint.start, sprint.end, sprint.target_value) == (
        1, clock.now.date(), clock.now.date() + timedelta(days=6), Decimal("50000.00")
    )
    with pytest.raises(InvalidInput, match="Sprint 1 is still open"):
        lk.start_sprint()
    assert lk.current_sprint().number == 1
    lk.init_board("accounts", "blank")
    assert lk.start_sprint(board="accounts").number == 1
    assert lk.get_sprint().goal == "Book demos"


def test_objectives_are_ticked_off_when_met(lk: LeanKanban, seeded, clock):
    lk.start_sprint()
    meetings = lk.add_objective("Book 5 discovery meetings", target=5)
    scope = lk.add_objective("Acme: agreed proposal scope", deal_id=seeded["Acme rollout"])
    lk.tick_objective(meetings.id, count=3)
    assert not lk.get_sprint().objectives[0].done
    clock.advance(days=1)
    done = lk.tick_objective(meetings.id, count=2)
    assert (done.progress, done.done_at) == (5, clock.now)
    assert lk.tick_objective(scope.id).done
    assert not lk.tick_objective(scope.id, count=-1).done
    with pytest.raises(InvalidInput):
        lk.add_objective("  ")
    with pytest.raises(InvalidInput):
        lk.tick_objective(999)


def test_burn_up_and_velocity_on_close(lk: LeanKanban, seeded, clock):
    lk.start_sprint(length="1w", target_value="300000")
    objective = lk.add_objective("Close Hooli")
    lk.commit_deal(seeded["Hooli platform"])
    assert lk.current_sprint().committed == (seeded["Hooli platform"],)
    clock.advance(days=1)
    lk.move_deal(seeded["Acme rollout"], "Qualifying")  # advanced
    lk.win(seeded["Hooli platform"])
    lk.tick_objective(objective.id)
    clock.advance(days=1)
    points = lk.burn_up()
    assert [p.won_value for p in points] == [Decimal("0"), Decimal("150000.00"), Decimal("150000.00")]
    assert [p.objectives_done for p in points] == [0, 1, 1]
    closed, retro = lk.close_sprint(well=["Hooli closed"], not_well=["Few leads"], improve=["Prospect daily"], tags=["pipeline"])
    assert closed.status is sp.SprintStatus.CLOSED
    assert closed.velocity == sp.Velocity(Decimal("150000.00"), 1, 1, 1, 1)
    assert [i.kind for i in retro.items] == [sp.ItemKind.WELL, sp.ItemKind.NOT_WELL, sp.ItemKind.IMPROVE]
    assert lk.current_sprint() is None
    with pytest.raises(InvalidInput, match="No sprint is open"):
        lk.close_sprint()


def test_close_with_bad_retro_input_changes_nothing(lk: LeanKanban):
    lk.start_sprint()
    with pytest.raises(InvalidInput):
        lk.close_sprint(well=["x" * 501])
    assert lk.current_sprint() is not None


def test_unfinished_objectives_carry_over_on_request(lk: LeanKanban, clock):
    lk.start_sprint()
    lk.add_objective("Done one")
    half = lk.add_objective("Book 4 meetings", target=4)
    lk.tick_objective(lk.current_sprint().objectives[0].id)
    lk.tick_objective(half.id, count=2)
    lk.close_sprint(carry_over=True, retro=False)
    clock.advance(days=14)
    nxt = lk.start_sprint()
    assert [(o.text, o.progress, o.carried_from) for o in nxt.objectives] == [("Book 4 meetings", 2, half.id)]
    lk.close_sprint(retro=False)
    assert lk.start_sprint().objectives == ()


def test_improve_items_become_cards_on_the_improvements_board(lk: LeanKanban, seeded):
    lk.discard(seeded["Globex pilot"], "No budget")
    retro = lk.create_retro("deal", deal_id=seeded["Globex pilot"], not_well=["Budget came late"],
                            improve=["Ask budget in first call", "Map the buying group"], tags=["late-qualification"])
    cards = [i.card_id for i in retro.items if i.kind is sp.ItemKind.IMPROVE]
    assert all(cards)
    board = lk.get_board("improvements")
    assert [s.name for s in board.stages] == ["To do", "Doing", "Done"]
    assert board.stage("Doing").wip_max == 2
    titles = [d.title for d in lk.open_improvements()]
    assert titles == ["Ask budget in first call", "Map the buying group"]
    assert lk.improvement_origin(cards[0]).id == retro.id
    # Finished improvements leave the list and count towards the cadence.
    lk.move_deal(cards[0], "Doing")
    lk.move_deal(cards[0], "Done")
    assert [d.title for d in lk.open_improvements()] == ["Map the buying group"]
    assert lk.insights().improvements_per_month[-1][1] == 1


def test_retro_errors(lk: LeanKanban):
    with pytest.raises(UnknownDeal):
        lk.create_retro("deal", deal_id=999, well=["x"])
    with pytest.raises(InvalidInput, match="at least one item"):
        lk.create_retro("sprint", well=[" "])
    with pytest.raises(NotFound, match="sprint"):
        lk.create_retro("sprint", well=["x"])
    with pytest.raises(InvalidInput):
        lk.create_retro("party", well=["x"])


def test_five_whys_alone_or_with_a_retro(lk: LeanKanban, seeded):
    alone = lk.retro_why("Deals stall in Proposal", ["No champion", "We pitch too early"])
    assert (alone.kind, alone.root_cause) == (sp.RetroKind.WHYS, "We pitch too early")
    lk.win(seeded["Hooli platform"])
    retro = lk.create_retro("deal", deal_id=seeded["Hooli platform"], well=["Champion early"])
    joined = lk.retro_why("Long legal", ["No template"], retro_id=retro.id)
    assert (joined.id, joined.problem, joined.items[0].text) == (retro.id, "Long legal", "Champion early")
    assert [r.id for r in lk.list_retros()] == [alone.id, retro.id]


def test_time_logs_and_allocation(lk: LeanKanban, seeded):
    lk.log_time("45m", deal_id=seeded["Acme rollout"], category="influence", note="Exec briefing")
    lk.log_time("1h15m", category="origination")
    with pytest.raises(InvalidInput):
        lk.log_time("-5m")
    with pytest.raises(InvalidInput):
        lk.log_time("abc")
    with pytest.raises(InvalidInput):
        lk.log_time("5m", category="golf")
    *people, team = lk.time_allocation()
    assert team.total == 120 and team.share(Activity.INFLUENCE) == 37.5
    lk.set_allocation({"origination": 40, "influence": 40, "support": 20})
    assert lk.target_allocation()[Activity.INFLUENCE] == 40
    assert lk.timeline(seeded["Acme rollout"])[0].new_value == "Logged 45m (influence): Exec briefing"


def test_insights_win_rate_by_tag_and_losses(lk: LeanKanban, seeded):
    lk.edit_deal(seeded["Hooli platform"], tags="champion")
    lk.edit_deal(seeded["Globex pilot"], tags="champion")
    lk.win(seeded["Hooli platform"])
    lk.discard(seeded["Globex pilot"], "Timing")
    result = lk.insights(since=date(2026, 1, 1))
    assert result.win_rate_by_tag == {"champion": 0.5}
    assert result.loss_reasons == [("Timing", 1)]
    assert result.top_discard_stage == ("Qualifying", 1)


def test_a_sprint_retro_needs_items_or_no_retro(lk: LeanKanban):
    lk.start_sprint()
    with pytest.raises(InvalidInput, match="at least one item"):
        lk.close_sprint()
    assert lk.current_sprint() is not None
    closed, retro = lk.close_sprint(retro=False)
    assert retro is None and closed.status is sp.SprintStatus.CLOSED


def test_five_whys_tags_belong_to_the_retro_not_to_fake_items(lk: LeanKanban):
    retro = lk.retro_why("Deals stall", ["No champion"], tags=["champion"])
    assert retro.items == () and retro.tags == ("champion",)
    assert lk.insights().retro_tags == [("champion", 1)]


def test_burn_up_of_a_sprint_closed_early_stops_at_the_close(lk: LeanKanban, clock):
    lk.start_sprint(length="2w")
    clock.advance(days=3)
    lk.close_sprint(retro=False)
    clock.advance(days=20)
    assert len(lk.burn_up()) == 4


# -- the burn-up counts each deal once, at its final won value ----------------------


def _won_value(lk: LeanKanban) -> Decimal:
    return lk.burn_up()[-1].won_value


def test_a_win_undone_and_won_again_before_the_sprint_is_not_counted(lk: LeanKanban, seeded, clock):
    # 09:00 win, undo, win again; the sprint starts at 14:00 the same day.
    hooli = seeded["Hooli platform"]
    moved = lk.win(hooli).events[0]
    lk.undo(moved.id)
    clock.advance(minutes=5)
    lk.win(hooli)
    clock.advance(hours=5)
    lk.start_sprint(length="1w", target_value="300000")
    assert [p.won_value for p in lk.burn_up()] == [Decimal("0")]
    closed, _ = lk.close_sprint(retro=False)
    assert (closed.velocity.won_value, closed.velocity.won_count) == (Decimal("0"), 0)


def test_a_win_undone_and_won_again_in_the_sprint_counts_once(lk: LeanKanban, seeded, clock):
    lk.start_sprint(length="1w", target_value="300000")
    clock.advance(hours=1)
    hooli = seeded["Hooli platform"]
    moved = lk.win(hooli).events[0]
    clock.advance(minutes=1)
    lk.undo(moved.id)
    clock.advance(minutes=1)
    lk.win(hooli)
    assert [p.won_value for p in lk.burn_up()] == [Decimal("150000.00")]
    closed, _ = lk.close_sprint(retro=False)
    assert closed.velocity == sp.Velocity(Decimal("150000.00"), 1, 0, 0, 0)
    assert _won_value(lk) == Decimal("150000.00")


def test_wins_earlier_on_the_first_day_do_not_count(lk: LeanKanban, seeded, clock):
    lk.win(seeded["Hooli platform"])  # 09:00
    clock.advance(hours=5)
    lk.start_sprint(length="1w")  # 14:00
    clock.advance(hours=1)
    lk.win(seeded["Umbrella expansion"])  # 15:00
    assert _won_value(lk) == Decimal("80000.00")
    closed, _ = lk.close_sprint(retro=False)
    assert (closed.velocity.won_value, closed.velocity.won_count) == (Decimal("80000.00"), 1)


def test_a_win_reopened_and_not_won_again_does_not_count(lk: LeanKanban, seeded, clock):
    lk.start_sprint(length="1w")
    clock.advance(hours=1)
    lk.win(seeded["Hooli platform"])
    lk.win(seeded["Umbrella expansion"])
    clock.advance(days=1)
    lk.reopen(seeded["Hooli platform"])
    assert [p.won_value for p in lk.burn_up()] == [Decimal("80000.00"), Decimal("80000.00")]
    closed, _ = lk.close_sprint(retro=False)
    assert (closed.velocity.won_value, closed.velocity.won_count) == (Decimal("80000.00"), 1)


def test_a_deal_counts_on_the_day_of_its_last_win(lk: LeanKanban, seeded, clock):
    lk.start_sprint(length="1w")
    hooli = seeded["Hooli platform"]
    clock.advance(hours=1)
    lk.win(hooli)  # day 1
    clock.advance(days=1)
    lk.reopen(hooli)  # day 2
    clock.advance(days=1)
    lk.win(hooli)  # day 3
    assert [p.won_value for p in lk.burn_up()] == [Decimal("0"), Decimal("0"), Decimal("150000.00")]


def test_a_value_edited_after_the_win_counts_at_its_final_value(lk: LeanKanban, seeded, clock):
    lk.start_sprint(length="1w")
    hooli = seeded["Hooli platform"]
    clock.advance(hours=1)
    lk.win(hooli)
    clock.advance(hours=1)
    lk.edit_deal(hooli, value="200000")
    assert _won_value(lk) == Decimal("200000.00")
    closed, _ = lk.close_sprint(retro=False)
    assert closed.velocity.won_value == Decimal("200000.00")
    # Later edits do not rewrite a closed sprint: its burn-up stays its velocity.
    clock.advance(days=1)
    lk.edit_deal(hooli, value="250000")
    assert _won_value(lk) == Decimal("200000.00")


def test_a_closed_sprint_keeps_a_deal_reopened_after_its_close(lk: LeanKanban, seeded, clock):
    lk.start_sprint(length="1w")
    hooli = seeded["Hooli platform"]
    clock.advance(hours=1)
    lk.win(hooli)
    clock.advance(hours=1)
    lk.close_sprint(retro=False)
    clock.advance(hours=1)
    lk.reopen(hooli)  # same day, after the close
    assert [p.won_value for p in lk.burn_up(1)] == [Decimal("150000.00")]
    lk.start_sprint(length="1w")
    clock.advance(hours=1)
    lk.win(hooli)
    assert _won_value(lk) == Decimal("150000.00")
    assert lk.burn_up(1)[-1].won_value == Decimal("150000.00")


def test_deals_advanced_count_from_the_start_instant(lk: LeanKanban, seeded, clock):
    lk.move_deal(seeded["Acme rollout"], "Qualifying")  # 09:00, before the sprint
    clock.advance(hours=5)
    lk.start_sprint(length="1w")  # 14:00
    clock.advance(hours=1)
    lk.move_deal(seeded["Globex pilot"], "Discovery")
    closed, _ = lk.close_sprint(retro=False)
    assert closed.velocity.deals_advanced == 1
