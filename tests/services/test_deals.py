"""Use cases through the service layer, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest

from leankanban.domain.errors import (
    Conflict,
    InvalidInput,
    UnknownBoard,
    UnknownDeal,
    UnknownStage,
    WipLimitExceeded,
)
from leankanban.domain.model import DealStatus, EventKind
from leankanban.services import LeanKanban


def fill(lk: LeanKanban, stage: str, n: int) -> list[int]:
    return [lk.add_deal(f"{stage} {i}", stage=stage).id for i in range(n)]


def test_first_run_makes_the_lean_sales_board(lk: LeanKanban):
    boards = lk.list_boards()
    assert [b.name for b in boards] == ["pipeline"]
    assert [s.name for s in boards[0].stages][:3] == ["Leads", "Qualifying", "Discovery"]
    # Running it again changes nothing.
    lk.ensure_default_board()
    assert len(lk.list_boards()) == 1


def test_add_deal_records_creation(lk: LeanKanban, clock):
    deal = lk.add_deal("Acme rollout", account="Acme", value="12,000.5", currency="usd", owner="bob")
    stored = lk.get_deal(deal.id)
    assert stored.stage == "Leads"
    assert stored.value == Decimal("12000.50")
    assert stored.currency == "USD"
    assert stored.owner == "bob"
    assert stored.created_at == clock.now == stored.stage_entered_at
    [event] = lk.history(deal.id)
    assert (event.kind, event.to_stage, event.actor) == (EventKind.CREATED, "Leads", "ann")


def test_owner_defaults_to_the_actor(lk: LeanKanban):
    assert lk.add_deal("Mine").owner == "ann"


def test_move_updates_stage_and_history(lk: LeanKanban, seeded, clock):
    deal_id = seeded["Initech renewal"]
    clock.advance(days=3)
    result = lk.move_deal(deal_id, "proposal")
    assert result.deal.stage == "Proposal"
    assert result.deal.stage_entered_at == clock.now
    moved = lk.history(deal_id)[-1]
    assert (moved.kind, moved.from_stage, moved.to_stage, moved.at) == (
        EventKind.MOVED, "Discovery", "Proposal", clock.now
    )


def test_cannot_move_into_full_column(lk: LeanKanban, seeded):
    fill(lk, "Negotiation", 2)  # seeded has one already: 3/3
    deal_id = seeded["Umbrella expansion"]
    with pytest.raises(WipLimitExceeded) as caught:
        lk.move_deal(deal_id, "Negotiation")
    assert (caught.value.limit, caught.value.current) == (3, 3)
    assert lk.get_deal(deal_id).stage == "Proposal"
    assert [e.kind for e in lk.history(deal_id)] == [EventKind.CREATED]


def test_override_moves_and_records_the_reason(lk: LeanKanban, seeded):
    fill(lk, "Negotiation", 2)
    deal_id = seeded["Umbrella expansion"]
    result = lk.move_deal(deal_id, "Negotiation", override_reason="Quarter end push")
    assert result.overridden
    assert lk.get_deal(deal_id).stage == "Negotiation"
    override = [e for e in lk.history(deal_id) if e.kind is EventKind.WIP_OVERRIDE]
    assert [(e.to_stage, e.reason, e.actor) for e in override] == [("Negotiation", "Quarter end push", "ann")]


def test_adding_into_a_full_column_is_refused_too(lk: LeanKanban):
    fill(lk, "Negotiation", 3)
    with pytest.raises(WipLimitExceeded):
        lk.add_deal("One too many", stage="Negotiation")
    assert len(lk.list_deals(stage="Negotiation")) == 3


def test_step_moves_to_neighbours_and_stops_at_edges(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    with pytest.raises(InvalidInput, match="first stage"):
        lk.step_deal(deal_id, -1)
    assert lk.step_deal(deal_id, 1).deal.stage == "Qualifying"
    assert lk.step_deal(deal_id, -1).deal.stage == "Leads"


def test_leaving_below_minimum_warns(lk: LeanKanban, seeded):
    result = lk.move_deal(seeded["Globex pilot"], "Discovery")
    assert any("Qualifying" in w and "minimum" in w for w in result.warnings)


def test_won_closes_and_moving_back_reopens(lk: LeanKanban, seeded, clock):
    deal_id = seeded["Hooli platform"]
    won = lk.move_deal(deal_id, "Won").deal
    assert (won.status, won.closed_at) == (DealStatus.WON, clock.now)
    clock.advance(days=1)
    reopened = lk.move_deal(deal_id, "Negotiation").deal
    assert (reopened.status, reopened.closed_at) == (DealStatus.OPEN, None)
    kinds = [e.kind for e in lk.history(deal_id)]
    assert kinds == [EventKind.CREATED, EventKind.MOVED, EventKind.WON, EventKind.MOVED, EventKind.REOPENED]


def test_edit_validates_everything_before_writing(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    with pytest.raises(InvalidInput) as caught:
        lk.edit_deal(deal_id, title="Acme 2", value="-5")
    assert caught.value.field == "value"
    assert lk.get_deal(deal_id).title == "Acme rollout"


def test_edit_records_one_event_per_changed_field(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    lk.edit_deal(deal_id, title="Acme global", value="12000", owner="bob")
    edits = [(e.field, e.old_value, e.new_value) for e in lk.history(deal_id) if e.kind is EventKind.EDITED]
    assert sorted(edits) == [("owner", "ann", "bob"), ("title", "Acme rollout", "Acme global")]


def test_a_deals_own_win_probability_is_kept_recorded_and_cleared(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    assert lk.get_deal(deal_id).probability is None
    lk.edit_deal(deal_id, probability="80%")
    assert lk.get_deal(deal_id).probability == 80
    lk.edit_deal(deal_id, probability="none")
    assert lk.get_deal(deal_id).probability is None
    edits = [(e.field, e.old_value, e.new_value) for e in lk.history(deal_id) if e.kind is EventKind.EDITED]
    assert edits == [("probability", "", "80"), ("probability", "80", "")]
    added = lk.add_deal("Initech", stage="Leads", probability=15)
    assert lk.get_deal(added.id).probability == 15
    with pytest.raises(InvalidInput) as caught:
        lk.edit_deal(deal_id, probability="120")
    assert caught.value.field == "probability"


def test_history_is_append_only_across_many_changes(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    lk.step_deal(deal_id, 1)
    lk.edit_deal(deal_id, next_step="Call CFO")
    lk.step_deal(deal_id, 1)
    ids = [e.id for e in lk.history(deal_id)]
    assert ids == sorted(ids) and len(ids) == 4


def test_unknown_things_are_named(lk: LeanKanban):
    with pytest.raises(UnknownDeal, match="999"):
        lk.move_deal(999, "Proposal")
    with pytest.raises(UnknownStage):
        lk.add_deal("x", stage="Closing")
    with pytest.raises(UnknownBoard, match="pipeline"):
        lk.board_view("accounts")


def test_board_view_groups_deals_with_totals_and_revision(lk: LeanKanban, seeded):
    before = lk.board_view()
    lk.add_deal("Second lead", stage="Leads", value="1000")
    view = lk.board_view()
    leads = view.column("Leads")
    assert [d.title for d in leads.deals] == ["Acme rollout", "Second lead"]
    assert leads.totals == (("EUR", Decimal("13000.00")),)
    assert view.column("Qualifying").wip_state == "under"
    assert view.revision > before.revision


def test_several_boards(lk: LeanKanban):
    lk.init_board("accounts", "blank")
    with pytest.raises(Conflict):
        lk.init_board("Accounts")
    deal = lk.add_deal("Key account plan", board="accounts")
    assert lk.get_deal(deal.id).stage == "To do"
    assert [d.title for d in lk.list_deals(board="accounts")] == ["Key account plan"]
    assert lk.list_deals(board="pipeline") == []


def test_stage_limits_can_be_set_and_cleared(lk: LeanKanban):
    stage = lk.set_stage_limits("Proposal", wip_max=2, wip_min=1).stage
    assert (stage.wip_min, stage.wip_max) == (1, 2)
    stage = lk.set_stage_limits("Proposal", wip_max=None).stage
    assert (stage.wip_min, stage.wip_max) == (1, None)
    with pytest.raises(InvalidInput):
        lk.set_stage_limits("Proposal", wip_max=0)
    with pytest.raises(InvalidInput):
        lk.set_stage_limits("Won", wip_max=3)


def test_lowered_limit_applies_to_the_next_move(lk: LeanKanban, seeded):
    lk.set_stage_limits("Proposal", wip_max=1)
    with pytest.raises(WipLimitExceeded):
        lk.move_deal(seeded["Initech renewal"], "Proposal")


def test_stages_can_be_added_renamed_reordered_and_removed(lk: LeanKanban, seeded):
    lk.add_stage("Demo", wip_max=4)
    names = [s.name for s in lk.get_board().stages]
    assert names.index("Demo") == names.index("Won") - 1
    lk.rename_stage("Demo", "Solution demo")
    lk.reorder_stage("Solution demo", 2)
    names = [s.name for s in lk.get_board().stages]
    assert names[2] == "Solution demo"
    assert [s.position for s in lk.get_board().stages] == list(range(len(names)))
    with pytest.raises(Conflict, match="still holds 1 deal"):
        lk.remove_stage("Proposal")
    lk.remove_stage("Solution demo")
    assert "Solution demo" not in [s.name for s in lk.get_board().stages]
    with pytest.raises(Conflict):
        lk.rename_stage("Leads", "proposal")


def test_stage_summaries_count_and_sum(lk: LeanKanban, seeded):
    summaries = {s.stage.name: s for s in lk.stage_summaries()}
    assert summaries["Proposal"].count == 1
    assert summaries["Proposal"].totals == (("EUR", Decimal("80000.00")),)
    assert summaries["Won"].count == 0
