"""Policies leave a trace (issue 12): every change of a stage, limit, gate, reason,
setting, lane limit or target is an event of the board (who, when, old -> new).

On SQLite and on the PostgreSQL server.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import EventKind
from leankanban.services import connect
from leankanban.services.backup import export_data, restore


def changes(lk):
    return [(e.field, e.to_stage, e.old_value, e.new_value, e.actor) for e in lk.policy_history()]


def test_each_limit_change_is_recorded_once_with_old_and_new(lk, clock):
    lk.set_stage_limits("Proposal", wip_max=4, wip_min=1)  # the template's Proposal: max 5, stale after 10
    lk.set_stage_limits("Proposal", wip_max=4)  # the same again: no change, no event
    clock.advance(hours=2)
    lk.set_stage_limits("Proposal", wip_max=None, stale_after_days=9)
    assert changes(lk) == [
        ("wip_min", "Proposal", None, "1", "ann"),
        ("wip_max", "Proposal", "5", "4", "ann"),
        ("wip_max", "Proposal", "4", None, "ann"),
        ("stale_after_days", "Proposal", "10", "9", "ann"),
    ]
    recorded = lk.policy_history()
    assert all(e.kind is EventKind.POLICY_CHANGED and e.deal_id is None for e in recorded)
    assert [e.at for e in recorded] == [clock.now - timedelta(hours=2)] * 2 + [clock.now] * 2


def test_lowering_a_limit_below_the_count_warns_and_records_the_count(lk):
    for i in range(3):
        lk.add_deal(f"Deal {i}", stage="Proposal", customer_value="Saves time")
    result = lk.set_stage_limits("Proposal", wip_max=2)
    assert result.stage.wip_max == 2
    assert result.warnings == (
        "'Proposal' holds 3 deals, over its new WIP limit of 2: no deal can enter it until it is under "
        "(the board shows it over its limit).",
    )
    last = lk.policy_history()[-1]
    assert (last.field, last.new_value, last.data) == ("wip_max", "2", {"count": 3, "over_limit": True})
    assert [s for s in lk.board_view().columns if s.stage.name == "Proposal"][0].wip_state == "over"


def test_a_limit_raised_or_met_gives_no_warning(lk):
    lk.add_deal("Deal", stage="Proposal", customer_value="Saves time")
    assert lk.set_stage_limits("Proposal", wip_max=1).warnings == ()


def test_stage_criterion_reason_setting_lane_and_target_changes_are_recorded(lk):
    lk.add_stage("Pilot", position=4)
    lk.rename_stage("Pilot", "Trial")
    lk.reorder_stage("Trial", 5)
    lk.add_criterion("Budget signed")
    lk.require_criterion("Budget signed", "Negotiation")
    lk.require_criterion("Budget signed", "Negotiation", required=False)
    lk.remove_criterion("Budget signed")
    lk.set_discard_reasons(["No budget", "Timing"])
    lk.set_board_settings(stall_days=10, pipeline_target="500000")
    lk.set_lane_limit("owner", "bob", 2)
    lk.set_lane_limit("owner", "bob", None)
    lk.set_allocation({"origination": 60, "influence": 30, "support": 10})
    lk.remove_stage("Trial")
    fields = [e.field for e in lk.policy_history()]
    assert fields == [
        "stage_added", "stage_name", "stage_order", "criterion_added", "criterion_required",
        "criterion_required", "criterion_removed", "discard_reasons", "stall_days", "pipeline_target",
        "lane_limit:owner", "lane_limit:owner", "target_allocation", "stage_removed",
    ]
    by_field = {e.field: e for e in lk.policy_history()}
    assert (by_field["stage_name"].old_value, by_field["stage_name"].new_value) == ("Pilot", "Trial")
    assert by_field["pipeline_target"].new_value == "500000"
    assert by_field["target_allocation"].old_value == "origination 50%, influence 30%, support 20%"
    assert by_field["target_allocation"].new_value == "origination 60%, influence 30%, support 10%"
    assert by_field["stall_days"].old_value == "14" and by_field["stall_days"].new_value == "10"


def test_a_refused_policy_change_records_nothing(lk):
    with pytest.raises(InvalidInput):
        lk.set_stage_limits("Proposal", wip_min=5, wip_max=2)
    assert lk.policy_history() == []


def test_policy_events_survive_a_backup(lk, tmp_path):
    lk.set_stage_limits("Proposal", wip_max=3)
    copy = connect(str(tmp_path / "copy.db"), actor="ann", clock=lk.clock)
    try:
        restore(copy, export_data(lk))
        assert changes(copy) == changes(lk)
    finally:
        copy.engine.dispose()
