"""What a person saw, and blocked deals, at the domain level (issue 12)."""

from datetime import UTC, datetime

import pytest

from leankanban.domain import rules
from leankanban.domain.errors import DealBlocked, OverrideReasonRequired, StaleChange
from leankanban.domain.model import Board, Deal, Event, EventKind, StageKind

BOARD = Board(name="pipeline", stages=rules.template("lean-sales"))
AT = datetime(2026, 11, 2, 9, 14, tzinfo=UTC)


def blocked_in(stage: str) -> Deal:
    return Deal(title="Acme", stage=stage, blocked_reason="Legal review", blocked_since=AT)


def test_a_blocked_deal_does_not_move_forward():
    with pytest.raises(DealBlocked) as refused:
        rules.check_move(BOARD, blocked_in("Discovery"), BOARD.stage("Proposal"), {})
    assert str(refused.value) == (
        "The deal is blocked (Legal review) and cannot move forward until it is unblocked; "
        "unblock it, or override with a reason to move it anyway."
    )


def test_a_blocked_deal_moves_forward_with_an_override_and_a_warning():
    decision = rules.check_move(
        BOARD, blocked_in("Discovery"), BOARD.stage("Negotiation"), {}, override_reason="Legal said go"
    )
    assert decision.block_override == "Legal said go"
    assert decision.override_reason is None  # no WIP limit was passed
    assert decision.warnings == ("The deal is blocked (Legal review): moved on anyway, override recorded.",)


def test_a_blank_override_does_not_unblock_a_move():
    with pytest.raises(OverrideReasonRequired):
        rules.check_move(BOARD, blocked_in("Discovery"), BOARD.stage("Proposal"), {}, override_reason="  ")


@pytest.mark.parametrize("target", ["Qualifying", "Leads", "Won"])
def test_a_blocked_deal_may_go_back_or_be_won(target):
    decision = rules.check_move(BOARD, blocked_in("Discovery"), BOARD.stage(target), {})
    assert decision.block_override is None


def test_a_blocked_deal_may_be_discarded():
    decision = rules.check_move(
        BOARD, blocked_in("Discovery"), BOARD.outcome(StageKind.LOST), {}, discard_reason="No budget"
    )
    assert decision.block_override is None


def test_an_unblocked_deal_moves_forward_freely():
    decision = rules.check_move(BOARD, Deal(title="Acme", stage="Discovery"), BOARD.stage("Proposal"), {})
    assert decision.block_override is None and decision.warnings == ()


def test_moves_forward_only_between_open_stages():
    stage = BOARD.stage
    assert rules.moves_forward(stage("Leads"), stage("Qualifying"))
    assert not rules.moves_forward(stage("Qualifying"), stage("Leads"))
    assert not rules.moves_forward(stage("Negotiation"), stage("Won"))
    assert not rules.moves_forward(stage("Won"), stage("Proposal"))


def test_the_stage_a_person_saw_must_still_be_the_deals():
    moved = Event(EventKind.MOVED, AT, 1, actor="bob", from_stage="Leads", to_stage="Qualifying")
    with pytest.raises(StaleChange) as refused:
        rules.check_seen_stage(Deal(title="Acme", stage="Qualifying"), BOARD.stage("Leads"), moved)
    assert str(refused.value) == (
        "bob moved this deal to 'Qualifying' at 2026-11-02 09:14 UTC, after you saw it in 'Leads'; "
        "nothing was changed."
    )
    rules.check_seen_stage(Deal(title="Acme", stage="Qualifying"), BOARD.stage("Qualifying"), moved)
    rules.check_seen_stage(Deal(title="Acme", stage="Qualifying"), None, moved)
