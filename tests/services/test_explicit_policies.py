"""Explicit policies (issue 13): a stage's entry and exit policies, what criteria and
discard reasons mean; each change an event. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from leankanban.domain.errors import InvalidInput, UnknownStage
from leankanban.services.backup import export_data


def test_a_stage_policy_is_written_read_and_recorded(lk):
    stage = lk.set_stage_policy("proposal", entry="Budget **confirmed**.\n\n- champion named", exit="Proposal walked through.")
    assert (stage.entry_policy, stage.exit_policy) == ("Budget **confirmed**.\n\n- champion named", "Proposal walked through.")
    assert lk.get_board().stage("Proposal").entry_policy.startswith("Budget")
    lk.set_stage_policy("Proposal", exit="")  # clears one, keeps the other
    board_stage = lk.get_board().stage("Proposal")
    assert (board_stage.entry_policy != "", board_stage.exit_policy) == (True, "")
    changes = [(e.field, e.to_stage, e.old_value, e.new_value) for e in lk.policy_history()]
    assert changes == [
        ("entry_policy", "Proposal", None, "Budget **confirmed**.\n\n- champion named"),
        ("exit_policy", "Proposal", None, "Proposal walked through."),
        ("exit_policy", "Proposal", "Proposal walked through.", None),
    ]


def test_criteria_and_reasons_get_definitions_that_survive_a_new_reason_list(lk):
    lk.define_criterion("budget", "The buyer named an amount and who signs.")
    lk.define_reason("no budget", "They cannot pay this year.")
    lk.set_discard_reasons(["No budget", "Timing", "Went dark"])
    board = lk.get_board()
    assert board.criterion("Budget").definition == "The buyer named an amount and who signs."
    assert board.reason_definition("No budget") == "They cannot pay this year."
    assert board.reason_definition("Went dark") == ""
    fields = [e.field for e in lk.policy_history()]
    assert fields[:2] == ["criterion_definition:Budget", "reason_definition:No budget"]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda lk: lk.set_stage_policy("Proposal", entry="x" * 2001), "at most 2,000 characters"),
        (lambda lk: lk.set_stage_policy("Proposal", entry="bell\x07"), r"control character \(U\+0007\)"),
        (lambda lk: lk.set_stage_policy("Proposal"), "Nothing to change"),
        (lambda lk: lk.define_reason("Bored", "x"), "not a discard reason"),
    ],
)
def test_a_refused_policy_change_changes_nothing(lk, call, error):
    before = export_data(lk)
    with pytest.raises(InvalidInput, match=error):
        call(lk)
    assert export_data(lk) == before


def test_an_unknown_stage_is_named(lk):
    with pytest.raises(UnknownStage):
        lk.set_stage_policy("Nowhere", entry="x")


def test_policies_survive_a_backup(lk, tmp_path):
    from leankanban.services import connect
    from leankanban.services.backup import restore

    lk.set_stage_policy("Discovery", entry="A meeting happened.")
    lk.define_criterion("Need", "They said it hurts.")
    copy = connect(str(tmp_path / "copy.db"), actor="ann", clock=lk.clock)
    try:
        restore(copy, export_data(lk))
        board = copy.get_board()
        assert board.stage("Discovery").entry_policy == "A meeting happened."
        assert board.criterion("Need").definition == "They said it hurts."
    finally:
        copy.engine.dispose()
