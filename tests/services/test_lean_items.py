"""Issue 3 at the service level: qualification, discards, blockers, lanes, undo."""

from datetime import date
from decimal import Decimal

import pytest

from leankanban.domain.errors import (
    DiscardReasonRequired,
    InvalidInput,
    LaneLimitExceeded,
    QualificationMissing,
    StaleChange,
    UnknownCriterion,
)
from leankanban.domain.model import Answer, ContactRole, DealStatus, DealType, EventKind, Priority, Stance
from leankanban.services import LeanKanban


def test_new_board_has_default_criteria_reasons_and_ageing(lk: LeanKanban):
    board = lk.get_board()
    assert [c.name for c in board.criteria] == [
        "Ideal-customer fit", "Budget", "Authority", "Need", "Timeline", "Compelling event",
        "Customer value quantified",
    ]
    assert "Lost to competitor" in board.discard_reasons
    assert board.stage("Proposal").stale_after_days == 10
    assert (board.review_days, board.stall_days) == (30, 14)


def test_deal_detail_fields_round_trip(lk: LeanKanban):
    deal = lk.add_deal(
        "Acme", deal_type="expansion", priority="fixed date", activity="influence",
        expected_close="2026-12-31", next_step_due="2026-11-10", tags="pricing, Champion pricing",
        helpers="bob, cy",
    )
    stored = lk.get_deal(deal.id)
    assert stored.deal_type is DealType.EXPANSION
    assert stored.priority is Priority.FIXED_DATE
    assert stored.expected_close == date(2026, 12, 31)
    assert stored.tags == ("pricing", "champion")
    assert stored.helpers == ("bob", "cy")


def test_bad_dates_and_choices_name_the_field_and_change_nothing(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    with pytest.raises(InvalidInput) as caught:
        lk.edit_deal(deal_id, title="Changed", expected_close="31/12/2026")
    assert caught.value.field == "expected_close"
    with pytest.raises(InvalidInput, match="new_logo"):
        lk.edit_deal(deal_id, deal_type="upsell")
    assert lk.get_deal(deal_id).title == "Acme rollout"


def test_contacts_with_roles_and_stance(lk: LeanKanban, seeded):
    deal_id = seeded["Hooli platform"]
    lk.add_contact(deal_id, "Gavin Belson", role="decision maker", stance="opposed")
    lk.add_contact(deal_id, "Richard", role="champion", stance="supportive")
    contacts = lk.get_deal(deal_id).contacts
    assert [(c.name, c.role, c.stance) for c in contacts] == [
        ("Gavin Belson", ContactRole.DECISION_MAKER, Stance.OPPOSED),
        ("Richard", ContactRole.CHAMPION, Stance.SUPPORTIVE),
    ]
    lk.remove_contact(deal_id, "gavin belson")
    assert [c.name for c in lk.get_deal(deal_id).contacts] == ["Richard"]
    with pytest.raises(InvalidInput, match="Richard"):
        lk.remove_contact(deal_id, "Nobody")


def test_notes_and_history_merge_newest_first(lk: LeanKanban, seeded, clock):
    deal_id = seeded["Acme rollout"]
    clock.advance(hours=1)
    lk.add_note(deal_id, "Met the CFO [bold]today[/]")
    clock.advance(hours=1)
    lk.step_deal(deal_id, 1)
    kinds = [e.kind for e in lk.timeline(deal_id)]
    assert kinds == [EventKind.MOVED, EventKind.NOTE, EventKind.CREATED]
    assert lk.timeline(deal_id)[1].new_value == "Met the CFO [bold]today[/]"
    with pytest.raises(InvalidInput):
        lk.add_note(deal_id, "  ")


def test_move_into_gated_stage_is_refused_until_criteria_are_yes(lk: LeanKanban, seeded):
    lk.require_criterion("Budget", "Proposal")
    lk.require_criterion("Authority", "Proposal")
    deal_id = seeded["Initech renewal"]
    with pytest.raises(QualificationMissing) as caught:
        lk.move_deal(deal_id, "Proposal")
    assert caught.value.missing == ["Budget", "Authority"]
    assert "Budget, Authority" in str(caught.value)
    lk.qualify(deal_id, "budget", "yes", note="Approved in Q3 plan")
    lk.qualify(deal_id, "Authority", "unknown")
    with pytest.raises(QualificationMissing, match="Authority"):
        lk.move_deal(deal_id, "Proposal")
    # An override reason lifts WIP limits, never qualification.
    with pytest.raises(QualificationMissing):
        lk.move_deal(deal_id, "Proposal", override_reason="trust me")
    lk.qualify(deal_id, "Authority", Answer.YES)
    assert lk.move_deal(deal_id, "Proposal").deal.stage == "Proposal"
    answers = [(e.field, e.old_value, e.new_value) for e in lk.history(deal_id) if e.kind is EventKind.QUALIFIED]
    assert answers == [("Budget", None, "yes"), ("Authority", None, "unknown"), ("Authority", "unknown", "yes")]
    stored = lk.get_deal(deal_id).qualification
    assert (stored["Budget"].note, stored["Budget"].actor) == ("Approved in Q3 plan", "ann")


def test_criteria_can_be_added_removed_and_ungated(lk: LeanKanban, seeded):
    lk.add_criterion("Pain confirmed")
    lk.require_criterion("Pain confirmed", "Discovery")
    with pytest.raises(QualificationMissing):
        lk.move_deal(seeded["Globex pilot"], "Discovery")
    lk.require_criterion("Pain confirmed", "Discovery", required=False)
    lk.move_deal(seeded["Globex pilot"], "Discovery")
    lk.remove_criterion("Pain confirmed")
    with pytest.raises(UnknownCriterion):
        lk.qualify(seeded["Globex pilot"], "Pain confirmed", "yes")
    with pytest.raises(InvalidInput):
        lk.require_criterion("Budget", "Lost")


def test_needs_review_after_the_board_period(lk: LeanKanban, seeded, clock):
    clock.advance(days=31)
    lk.qualify(seeded["Acme rollout"], "Need", "yes")
    flagged = {d.title for d in lk.list_deals(needs_review=True)}
    assert "Acme rollout" not in flagged
    assert "Globex pilot" in flagged
    lk.set_board_settings(review_days=60)
    assert lk.list_deals(needs_review=True) == []


def test_discard_requires_a_known_reason(lk: LeanKanban, seeded):
    deal_id = seeded["Globex pilot"]
    with pytest.raises(DiscardReasonRequired, match="No budget"):
        lk.discard(deal_id, "")
    with pytest.raises(InvalidInput, match="not a discard reason"):
        lk.discard(deal_id, "bored")
    with pytest.raises(InvalidInput, match="competitor"):
        lk.discard(deal_id, "Lost to competitor")
    with pytest.raises(DiscardReasonRequired):
        lk.move_deal(deal_id, "Lost")
    assert lk.get_deal(deal_id).status is DealStatus.OPEN


def test_discard_from_any_stage_records_reason_competitor_and_note(lk: LeanKanban, seeded, clock):
    deal_id = seeded["Umbrella expansion"]
    result = lk.discard(deal_id, "lost to competitor", competitor="Initrode", note="Price 20% lower")
    deal = lk.get_deal(deal_id)
    assert (deal.status, deal.stage, deal.closed_at) == (DealStatus.LOST, "Lost", clock.now)
    assert deal.lost_reason == "Lost to competitor: Initrode"
    lost = [e for e in lk.history(deal_id) if e.kind is EventKind.LOST][0]
    assert (lost.reason, lost.data, lost.new_value, lost.from_stage) == (
        "Lost to competitor", {"competitor": "Initrode"}, "Price 20% lower", "Proposal"
    )
    assert result.deal.status is DealStatus.LOST


def test_win_with_final_value_and_reopen_with_history(lk: LeanKanban, seeded, clock):
    deal_id = seeded["Hooli platform"]
    lk.win(deal_id, value="140000")
    deal = lk.get_deal(deal_id)
    assert (deal.status, deal.value) == (DealStatus.WON, Decimal("140000.00"))
    with pytest.raises(InvalidInput, match="already won"):
        lk.win(deal_id)
    clock.advance(days=2)
    reopened = lk.reopen(deal_id).deal
    assert (reopened.stage, reopened.status, reopened.closed_at) == ("Negotiation", DealStatus.OPEN, None)
    kinds = [e.kind for e in lk.history(deal_id)]
    assert kinds[-2:] == [EventKind.MOVED, EventKind.REOPENED]
    with pytest.raises(InvalidInput, match="open already"):
        lk.reopen(deal_id)


def test_block_and_unblock_are_recorded(lk: LeanKanban, seeded, clock):
    deal_id = seeded["Initech renewal"]
    deal = lk.block(deal_id, "Waiting on legal")
    assert (deal.blocked_reason, deal.blocked_since) == ("Waiting on legal", clock.now)
    with pytest.raises(InvalidInput, match="already blocked"):
        lk.block(deal_id, "again")
    assert [d.title for d in lk.list_deals(blocked=True)] == ["Initech renewal"]
    clock.advance(days=3)
    assert lk.unblock(deal_id).blocked_reason is None
    kinds = [(e.kind, e.reason) for e in lk.history(deal_id)][-2:]
    assert kinds == [(EventKind.BLOCKED, "Waiting on legal"), (EventKind.UNBLOCKED, "Waiting on legal")]
    with pytest.raises(InvalidInput):
        lk.unblock(deal_id)
    with pytest.raises(InvalidInput):
        lk.block(deal_id, "  ")


def test_stalled_deals_have_no_activity_for_the_stall_period(lk: LeanKanban, seeded, clock):
    clock.advance(days=15)
    lk.add_note(seeded["Acme rollout"], "Still talking")
    stalled = {d.title for d in lk.list_deals(stalled=True)}
    assert "Acme rollout" not in stalled
    assert "Hooli platform" in stalled


def test_person_wip_limit_on_moves_and_assignment(lk: LeanKanban, seeded):
    # ann has Initech (Discovery) and Hooli (Negotiation) active; Acme is upstream.
    lk.set_lane_limit("owner", "ann", 2)
    with pytest.raises(LaneLimitExceeded, match="ann's WIP limit is reached \\(2/2"):
        lk.move_deal(seeded["Acme rollout"], "Discovery")
    # Moving within active stages does not add to her load.
    lk.move_deal(seeded["Initech renewal"], "Proposal")
    # Re-assigning an active deal to her is refused too.
    with pytest.raises(LaneLimitExceeded):
        lk.edit_deal(seeded["Umbrella expansion"], owner="ann")
    assert lk.get_deal(seeded["Umbrella expansion"]).owner == "cy"
    lk.edit_deal(seeded["Umbrella expansion"], owner="ann", override_reason="cy on leave")
    history = lk.history(seeded["Umbrella expansion"])
    assert history[-1].kind is EventKind.WIP_OVERRIDE and history[-1].reason == "cy on leave"
    lk.set_lane_limit("owner", "ann", None)
    lk.move_deal(seeded["Acme rollout"], "Discovery")


def test_an_account_lane_takes_no_wip_limit(lk: LeanKanban, seeded):
    with pytest.raises(InvalidInput, match="owner, type or priority"):
        lk.set_lane_limit("account", "Acme", 2)
    assert lk.get_board().lane_limits == ()


def test_lane_limit_by_priority(lk: LeanKanban, seeded):
    lk.set_lane_limit("priority", "expedite", 1)
    lk.edit_deal(seeded["Initech renewal"], priority="expedite")
    lk.edit_deal(seeded["Acme rollout"], priority="expedite")  # upstream: not counted
    with pytest.raises(LaneLimitExceeded, match="priority lane 'expedite'"):
        lk.move_deal(seeded["Acme rollout"], "Discovery")
    with pytest.raises(InvalidInput):
        lk.set_lane_limit("priority", "urgent", 1)


def test_undo_a_move_and_an_edit_adds_history(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    lk.step_deal(deal_id, 1)
    move = lk.history(deal_id)[-1]
    lk.undo(move.id)
    assert lk.get_deal(deal_id).stage == "Leads"
    with pytest.raises(InvalidInput, match="undone already"):
        lk.undo(move.id)
    lk.edit_deal(deal_id, value="99")
    edit = lk.history(deal_id)[-1]
    lk.undo(edit.id)
    assert lk.get_deal(deal_id).value == Decimal("12000.00")
    kinds = [e.kind for e in lk.history(deal_id)]
    assert kinds == [
        EventKind.CREATED, EventKind.MOVED, EventKind.MOVED, EventKind.UNDONE,
        EventKind.EDITED, EventKind.EDITED, EventKind.UNDONE,
    ]
    reversal = lk.history(deal_id)[2]
    assert reversal.data == {"undoes": str(move.id)}


def test_undo_a_discard_and_a_reopen(lk: LeanKanban, seeded):
    deal_id = seeded["Globex pilot"]
    lk.discard(deal_id, "Not a fit")
    discard_move = [e for e in lk.history(deal_id) if e.kind is EventKind.MOVED][-1]
    lk.undo(discard_move.id)
    assert lk.get_deal(deal_id).status is DealStatus.OPEN
    lk.discard(deal_id, "Timing", note="next year")
    lk.reopen(deal_id)
    reopen_move = [e for e in lk.history(deal_id) if e.kind is EventKind.MOVED][-1]
    lk.undo(reopen_move.id)
    deal = lk.get_deal(deal_id)
    assert (deal.status, deal.lost_reason) == (DealStatus.LOST, "Timing")


def test_undo_refuses_what_cannot_be_undone(lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    created = lk.history(deal_id)[0]
    with pytest.raises(InvalidInput, match="only moves and edits"):
        lk.undo(created.id)
    with pytest.raises(InvalidInput, match="no deal change"):
        lk.undo(99999)
    lk.step_deal(deal_id, 1)
    first = lk.history(deal_id)[-1]
    lk.step_deal(deal_id, -1)
    with pytest.raises(StaleChange, match="moved since"):
        lk.undo(first.id)


def test_filters_by_text_owner_and_contact(lk: LeanKanban, seeded):
    lk.add_contact(seeded["Globex pilot"], "Hank Scorpio", role="champion")
    lk.edit_deal(seeded["Initech renewal"], tags="renewal-risk")
    assert [d.title for d in lk.list_deals(text="scorpio")] == ["Globex pilot"]
    assert [d.title for d in lk.list_deals(text="risk")] == ["Initech renewal"]
    assert {d.title for d in lk.list_deals(owner="ANN")} == {"Acme rollout", "Initech renewal", "Hooli platform"}


def test_discard_reasons_are_editable(lk: LeanKanban, seeded):
    lk.set_discard_reasons(["No budget", "Went dark"])
    assert lk.get_board().discard_reasons == ("No budget", "Went dark")
    lk.discard(seeded["Acme rollout"], "went dark")
    assert lk.get_deal(seeded["Acme rollout"]).lost_reason == "Went dark"
    with pytest.raises(InvalidInput):
        lk.set_discard_reasons([" "])


def test_closing_a_blocked_deal_clears_the_block(lk: LeanKanban, seeded):
    deal_id = seeded["Hooli platform"]
    lk.block(deal_id, "Security review")
    lk.win(deal_id)
    assert lk.get_deal(deal_id).blocked_reason is None
    assert lk.history(deal_id)[-1].kind is EventKind.UNBLOCKED


def test_stage_settings_change_together_or_not_at_all(lk: LeanKanban):
    with pytest.raises(InvalidInput):
        lk.set_stage_limits("Proposal", wip_max=3, stale_after_days=0)
    stage = lk.get_board().stage("Proposal")
    assert (stage.wip_max, stage.stale_after_days) == (5, 10)
    stage = lk.set_stage_limits("Proposal", wip_max=3, stale_after_days=None).stage
    assert (stage.wip_max, stage.stale_after_days) == (3, None)


def test_notes_come_back_with_their_event_id(lk: LeanKanban, seeded):
    note = lk.add_note(seeded["Acme rollout"], "hello")
    assert note.id == lk.history(seeded["Acme rollout"])[-1].id


def test_pipeline_target_and_delivery_capacity_are_board_settings(lk: LeanKanban):
    board = lk.set_board_settings(pipeline_target="500,000", capacity_per_week=3)
    assert (board.pipeline_target, board.capacity_per_week) == (Decimal("500000.00"), 3)
    board = lk.set_board_settings(review_days=10)
    assert (board.pipeline_target, board.capacity_per_week, board.review_days) == (Decimal("500000.00"), 3, 10)
    board = lk.set_board_settings(pipeline_target=None, capacity_per_week=None)
    assert (board.pipeline_target, board.capacity_per_week) == (None, None)
    with pytest.raises(InvalidInput):
        lk.set_board_settings(capacity_per_week=0)
    with pytest.raises(InvalidInput):
        lk.set_board_settings(pipeline_target="-1")
