"""A stage a criterion gates can still be removed: the gate goes with it."""

from leankanban.services import LeanKanban


def test_removing_a_gated_stage_drops_its_gate_and_keeps_the_criterion(lk: LeanKanban):
    lk.add_stage("Pilot", position=3)
    lk.require_criterion("Budget", "Pilot")
    lk.remove_stage("Pilot")
    board = lk.get_board()
    assert "Pilot" not in [s.name for s in board.stages]
    assert "Pilot" not in board.criterion("Budget").required_for
    assert [e.field for e in lk.policy_history()][-1] == "stage_removed"
