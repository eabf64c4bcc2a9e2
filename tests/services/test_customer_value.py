"""A deal says what it is worth to the customer; a new lean-sales board gates Proposal on it."""

from decimal import Decimal

import pytest

from leankanban.domain.errors import InvalidInput, QualificationMissing
from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban

STATEMENT = "Cuts month-end close from 10 days to 3: two FTE freed (about EUR 140k a year)"


def test_a_deal_keeps_its_customer_value_and_impact(lk: LeanKanban):
    deal = lk.add_deal("Acme rollout", customer_value=f"  {STATEMENT} ", customer_impact="140,000")
    stored = lk.get_deal(deal.id)
    assert stored.customer_value == STATEMENT
    assert stored.customer_impact == Decimal("140000.00")
    assert lk.list_deals()[0].customer_impact == Decimal("140000.00")


def test_a_deal_without_a_customer_value_has_none(lk: LeanKanban):
    stored = lk.get_deal(lk.add_deal("Acme rollout").id)
    assert (stored.customer_value, stored.customer_impact) == ("", None)


def test_editing_the_customer_value_is_recorded_and_can_be_undone(lk: LeanKanban):
    deal_id = lk.add_deal("Acme rollout").id
    lk.edit_deal(deal_id, customer_value=STATEMENT, customer_impact="140000")
    edits = [(e.field, e.old_value, e.new_value) for e in lk.history(deal_id) if e.kind is EventKind.EDITED]
    assert edits == [("customer_value", "", STATEMENT), ("customer_impact", "", "140000.00")]
    lk.edit_deal(deal_id, customer_impact="none")
    assert lk.get_deal(deal_id).customer_impact is None
    undo_of = lk.history(deal_id)[-1].id
    lk.undo(undo_of)
    assert lk.get_deal(deal_id).customer_impact == Decimal("140000.00")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"customer_value": "x" * 501}, "at most 500 characters"),
        ({"customer_value": "line one\nline two"}, "control character"),
        ({"customer_impact": "-5"}, "A customer impact cannot be negative"),
        ({"customer_impact": "lots"}, "is not a number"),
    ],
)
def test_a_bad_customer_value_is_refused_and_nothing_changes(lk: LeanKanban, changes, words):
    deal_id = lk.add_deal("Acme rollout").id
    with pytest.raises(InvalidInput, match=words) as caught:
        lk.edit_deal(deal_id, **changes)
    assert caught.value.field == next(iter(changes))
    assert lk.get_deal(deal_id).customer_value == ""


def test_a_new_lean_sales_board_gates_proposal_on_customer_value(lk: LeanKanban):
    criterion = lk.get_board().criterion("Customer value quantified")
    assert criterion.required_for == frozenset({"Proposal"})
    assert "customer's terms" in criterion.definition
    # The other criteria gate nothing until the team says so.
    assert [c.name for c in lk.get_board().criteria if c.required_for] == ["Customer value quantified"]


def test_cannot_move_into_proposal_without_a_customer_value(lk: LeanKanban):
    deal_id = lk.add_deal("Acme rollout", stage="Discovery").id
    with pytest.raises(QualificationMissing) as caught:
        lk.move_deal(deal_id, "Proposal")
    assert caught.value.missing == ["Customer value quantified"]
    assert f"`leankanban edit {deal_id} --customer-value TEXT`" in str(caught.value)
    assert lk.get_deal(deal_id).stage == "Discovery"


def test_a_written_customer_value_lets_the_deal_into_proposal(lk: LeanKanban):
    deal_id = lk.add_deal("Acme rollout", stage="Discovery").id
    lk.edit_deal(deal_id, customer_value=STATEMENT)
    assert lk.move_deal(deal_id, "Proposal").deal.stage == "Proposal"
    assert lk.add_deal("Straight in", stage="Proposal", customer_value=STATEMENT).stage == "Proposal"


def test_a_no_answer_outweighs_a_written_customer_value(lk: LeanKanban):
    deal_id = lk.add_deal("Acme rollout", stage="Discovery", customer_value="They will like it").id
    lk.qualify(deal_id, "Customer value quantified", "no", note="no figure yet")
    with pytest.raises(QualificationMissing):
        lk.move_deal(deal_id, "Proposal")
    lk.qualify(deal_id, "Customer value quantified", "yes")
    assert lk.move_deal(deal_id, "Proposal").deal.stage == "Proposal"


def test_an_answered_yes_meets_the_criterion_without_a_statement(lk: LeanKanban):
    deal_id = lk.add_deal("Acme rollout", stage="Discovery").id
    lk.qualify(deal_id, "Customer value quantified", "yes")
    assert lk.move_deal(deal_id, "Proposal").deal.stage == "Proposal"


def test_a_blank_board_gates_nothing(lk: LeanKanban):
    lk.init_board("plain", "blank")
    assert lk.get_board("plain").criteria == ()


def test_a_new_deal_refused_into_proposal_names_the_option(lk: LeanKanban):
    with pytest.raises(QualificationMissing) as caught:
        lk.add_deal("Straight in", stage="Proposal")
    assert "met once the deal says what it is worth to the customer: `--customer-value TEXT`" in str(caught.value)
