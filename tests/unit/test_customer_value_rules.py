"""The customer value rules, as pure functions."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from leankanban.domain import rules
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Answer, Board, Criterion, Deal, Qualification, Stage

BOARD = Board(
    "b",
    stages=(Stage("Discovery", 0), Stage("Proposal", 1)),
    criteria=(
        Criterion("Budget", 0),
        Criterion("Customer value quantified", 1, required_for=frozenset({"Proposal"})),
    ),
)
PROPOSAL = BOARD.stage("Proposal")


def answered(answer: Answer) -> dict[str, Qualification]:
    return {"Customer value quantified": Qualification(answer, at=datetime(2026, 1, 1, tzinfo=UTC))}


def test_an_unwritten_customer_value_misses_the_gate():
    assert rules.missing_criteria(BOARD, Deal("x", "Discovery"), PROPOSAL) == ["Customer value quantified"]


def test_a_written_customer_value_meets_the_gate_when_nobody_answered():
    deal = Deal("x", "Discovery", customer_value="Saves EUR 50k a year")
    assert rules.missing_criteria(BOARD, deal, PROPOSAL) == []
    assert rules.effective_answer("Customer value quantified", deal) == (Answer.YES, True)


def test_an_unknown_answer_leaves_the_statement_to_decide():
    deal = Deal("x", "Discovery", customer_value="Saves EUR 50k", qualification=answered(Answer.UNKNOWN))
    assert rules.criterion_met("Customer value quantified", deal)


def test_a_given_answer_decides_over_the_statement():
    deal = Deal("x", "Discovery", customer_value="They will like it", qualification=answered(Answer.NO))
    assert rules.effective_answer("Customer value quantified", deal) == (Answer.NO, False)
    assert rules.missing_criteria(BOARD, deal, PROPOSAL) == ["Customer value quantified"]


def test_only_the_customer_value_criterion_is_derived():
    assert rules.is_derived(" customer VALUE quantified ")
    assert not rules.is_derived("Budget")
    assert rules.effective_answer("Budget", Deal("x", "Discovery", customer_value="Saves")) == (None, False)


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), (" none ", None), ("-", None),
                                               ("1,234.5", Decimal("1234.50")), (0, Decimal("0.00"))])
def test_an_impact_is_an_amount_or_none(raw, expected):
    assert rules.parse_impact(raw) == expected


def test_an_impact_error_names_the_impact():
    with pytest.raises(InvalidInput, match="A customer impact cannot be negative") as caught:
        rules.parse_impact("-1")
    assert caught.value.field == "customer_impact"
    # The deal value reads as it always did.
    with pytest.raises(InvalidInput, match="A deal value cannot be negative"):
        rules.parse_value("-1")


def test_a_customer_value_is_one_trimmed_line():
    assert rules.validate_customer_value("  Saves EUR 50k \t") == "Saves EUR 50k"
    assert rules.validate_customer_value(None) == ""
    with pytest.raises(InvalidInput, match="control character"):
        rules.validate_customer_value("a\x1b[2Jb")
