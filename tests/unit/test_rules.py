"""Board policies at the domain level: no database, no UI."""

from decimal import Decimal

import pytest

from leankanban.domain import rules
from leankanban.domain.errors import (
    InvalidInput,
    OverrideReasonRequired,
    UnknownStage,
    WipLimitExceeded,
)
from leankanban.domain.model import Board, Deal, DealStatus, Stage, StageKind, wip_state

BOARD = Board(name="pipeline", stages=rules.template("lean-sales"))


def deal_in(stage: str) -> Deal:
    return Deal(title="Acme", stage=stage)


def test_can_move_into_column_with_room():
    decision = rules.check_move(BOARD, deal_in("Discovery"), BOARD.stage("Proposal"), {"Proposal": 4})
    assert decision.to_stage.name == "Proposal"
    assert decision.status is DealStatus.OPEN
    assert not decision.overridden
    assert decision.warnings == ()


def test_cannot_move_into_full_column():
    with pytest.raises(WipLimitExceeded) as caught:
        rules.check_move(BOARD, deal_in("Discovery"), BOARD.stage("Proposal"), {"Proposal": 5})
    err = caught.value
    assert (err.stage, err.limit, err.current) == ("Proposal", 5, 5)
    assert "Proposal" in str(err) and "5/5" in str(err)


def test_override_with_reason_allows_move_past_limit_and_says_so():
    decision = rules.check_move(
        BOARD, deal_in("Discovery"), BOARD.stage("Proposal"), {"Proposal": 5}, override_reason=" CEO asked "
    )
    assert decision.overridden
    assert decision.override_reason == "CEO asked"
    assert any("over its WIP limit (6/5)" in w for w in decision.warnings)


def test_override_reason_unused_when_there_is_room():
    decision = rules.check_move(
        BOARD, deal_in("Discovery"), BOARD.stage("Proposal"), {"Proposal": 1}, override_reason="just in case"
    )
    assert not decision.overridden


@pytest.mark.parametrize("blank", ["", "   "])
def test_override_needs_a_reason(blank):
    with pytest.raises(OverrideReasonRequired):
        rules.check_move(BOARD, deal_in("Discovery"), BOARD.stage("Proposal"), {"Proposal": 5}, override_reason=blank)


def test_leaving_a_column_below_its_minimum_is_allowed_but_warned():
    decision = rules.check_move(BOARD, deal_in("Qualifying"), BOARD.stage("Discovery"), {"Qualifying": 3})
    assert decision.to_stage.name == "Discovery"
    assert any("below its minimum (2/3)" in w for w in decision.warnings)


def test_moving_to_won_closes_the_deal_and_back_reopens_it():
    assert rules.check_move(BOARD, deal_in("Negotiation"), BOARD.stage("Won"), {}).status is DealStatus.WON
    assert rules.check_move(BOARD, deal_in("Lost"), BOARD.stage("Proposal"), {}).status is DealStatus.OPEN


def test_moving_to_the_same_stage_is_refused():
    with pytest.raises(InvalidInput):
        rules.check_move(BOARD, deal_in("Proposal"), BOARD.stage("Proposal"), {})


def test_adding_obeys_the_same_limit():
    with pytest.raises(WipLimitExceeded):
        rules.check_add(BOARD.stage("Negotiation"), {"Negotiation": 3})
    assert rules.check_add(BOARD.stage("Negotiation"), {"Negotiation": 3}, override_reason="x") == "x"
    assert rules.check_add(BOARD.stage("Negotiation"), {"Negotiation": 2}) is None


def test_stage_lookup_is_case_insensitive_and_names_the_choices():
    assert BOARD.stage("proposal").name == "Proposal"
    with pytest.raises(UnknownStage) as caught:
        BOARD.stage("Closing")
    assert "Leads" in str(caught.value) and "Closing" in str(caught.value)


def test_neighbours_follow_board_order():
    assert BOARD.neighbour(BOARD.stage("Leads"), -1) is None
    assert BOARD.neighbour(BOARD.stage("Leads"), 1).name == "Qualifying"
    assert BOARD.neighbour(BOARD.stage("Lost"), 1) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1234.5", Decimal("1234.50")), ("1,234.50", Decimal("1234.50")), ("", Decimal("0")), (None, Decimal("0")), (7, Decimal("7.00"))],
)
def test_values_parse(raw, expected):
    assert rules.parse_value(raw) == expected


@pytest.mark.parametrize("raw", ["-5", "abc", "nan", "inf", "1e30"])
def test_bad_values_are_refused_with_the_field_named(raw):
    with pytest.raises(InvalidInput) as caught:
        rules.parse_value(raw)
    assert caught.value.field == "value"


@pytest.mark.parametrize(
    ("wip_min", "wip_max"), [(-1, None), (None, -2), (4, 3), (None, 0)]
)
def test_inconsistent_limits_are_refused(wip_min, wip_max):
    with pytest.raises(InvalidInput):
        rules.validate_limits(wip_min, wip_max)


def test_consistent_limits_pass():
    rules.validate_limits(3, 3)
    rules.validate_limits(None, None)
    rules.validate_limits(0, 5)


def test_titles_are_trimmed_and_required():
    assert rules.validate_title("  Acme  ") == "Acme"
    with pytest.raises(InvalidInput):
        rules.validate_title("   ")
    with pytest.raises(InvalidInput):
        rules.validate_title("x" * 201)


def test_currency_codes():
    assert rules.validate_currency("usd") == "USD"
    for bad in ("US", "EURO", "€€€", "12A"):
        with pytest.raises(InvalidInput):
            rules.validate_currency(bad)


def test_reorder_places_and_clamps():
    assert rules.reorder(["a", "b", "c"], "c", 0) == ["c", "a", "b"]
    assert rules.reorder(["a", "b", "c"], "a", 99) == ["b", "c", "a"]


def test_wip_state_colours():
    stage = Stage("Qualifying", 1, wip_min=3, wip_max=5)
    assert [wip_state(stage, n) for n in (2, 3, 5, 6)] == ["under", "ok", "at", "over"]
    assert wip_state(Stage("Won", 5, kind=StageKind.WON), 1000) == "ok"


def test_lean_sales_template_has_the_documented_shape():
    stages = rules.template("lean-sales")
    assert [s.name for s in stages] == ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost"]
    assert BOARD.stage("Proposal").wip_max == 5
    assert BOARD.stage("Qualifying").wip_min == 3
    assert [s.name for s in stages if s.upstream] == ["Leads", "Qualifying"]
    assert [s.kind for s in stages if s.is_closed] == [StageKind.WON, StageKind.LOST]


def test_unknown_template():
    with pytest.raises(InvalidInput, match="lean-sales"):
        rules.template("scrum")
