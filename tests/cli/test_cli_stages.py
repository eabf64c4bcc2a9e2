"""stages and the `stage` sub-app. Positions count from 1 on the command line."""

from __future__ import annotations

import json

import pytest

from leankanban.domain.model import StageKind
from leankanban.services import LeanKanban

LEAN_SALES = ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost"]


def names(lk: LeanKanban) -> list[str]:
    return [s.name for s in lk.get_board().stages]


def test_stages_json_has_the_documented_schema(run, seeded):
    result = run("stages", "--format", "json")
    assert result.exit_code == 0, result.stderr
    stages = json.loads(result.stdout)
    assert [s["name"] for s in stages] == LEAN_SALES
    assert [s["position"] for s in stages] == [1, 2, 3, 4, 5, 6, 7]
    assert [s["kind"] for s in stages] == ["open"] * 5 + ["won", "lost"]
    for stage in stages:
        assert {"name", "position", "kind", "wip_min", "wip_max", "count"} <= stage.keys()
    qualifying = stages[1]
    assert (qualifying["wip_min"], qualifying["wip_max"], qualifying["count"]) == (3, 10, 1)
    assert stages[5]["wip_max"] is None and stages[5]["count"] == 0


def test_stages_table_shows_limits_and_counts(run, seeded):
    result = run("stages")
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "Negotiation" in line)
    assert "1/3" in line and "150,000 EUR" in line


def test_stage_set_changes_the_maximum(run, lk_sqlite: LeanKanban):
    result = run("stage", "set", "proposal", "--wip-max", "4", "--wip-min", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Stage 'Proposal': WIP minimum 1, maximum 4.\n"
    stage = lk_sqlite.get_board().stage("Proposal")
    assert (stage.wip_min, stage.wip_max) == (1, 4)


@pytest.mark.parametrize("clear", [["--wip-max", "none"], ["--no-wip-max"], ["--wip-max", "off"]])
def test_stage_set_can_clear_a_limit_and_keeps_the_other(run, lk_sqlite: LeanKanban, clear):
    lk_sqlite.set_stage_limits("Qualifying", wip_min=2, wip_max=10)
    result = run("stage", "set", "Qualifying", *clear)
    assert result.exit_code == 0, result.stderr
    stage = lk_sqlite.get_board().stage("Qualifying")
    assert (stage.wip_min, stage.wip_max) == (2, None)


def test_stage_set_clears_the_minimum(run, lk_sqlite: LeanKanban):
    assert run("stage", "set", "Qualifying", "--no-wip-min").exit_code == 0
    assert lk_sqlite.get_board().stage("Qualifying").wip_min is None


def test_stage_set_refuses_impossible_limits(run, lk_sqlite: LeanKanban, one_sentence):
    result = run("stage", "set", "Qualifying", "--wip-max", "2")
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "The WIP minimum (3) is above the maximum (2)."
    assert lk_sqlite.get_board().stage("Qualifying").wip_max == 10


def test_stage_set_needs_something_to_set(run, one_sentence):
    result = run("stage", "set", "Proposal")
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith("Nothing to change")


def test_stage_set_rejects_a_non_number_as_usage_error(run):
    assert run("stage", "set", "Proposal", "--wip-max", "lots").exit_code == 2
    assert run("stage", "set", "Proposal", "--wip-max", "3", "--no-wip-max").exit_code == 2


def test_stage_set_on_an_unknown_stage_exits_4(run, one_sentence):
    result = run("stage", "set", "Contract", "--wip-max", "3")
    assert result.exit_code == 4
    assert one_sentence(result.stderr).startswith("There is no stage 'Contract' on this board")


def test_stage_add_puts_open_stages_before_the_outcomes(run, lk_sqlite: LeanKanban):
    result = run("stage", "add", "Contract", "--wip-max", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Added stage 'Contract' at position 6.\n"
    assert names(lk_sqlite) == LEAN_SALES[:5] + ["Contract", "Won", "Lost"]
    assert lk_sqlite.get_board().stage("Contract").wip_max == 2


def test_stage_add_at_a_position_with_a_kind(run, lk_sqlite: LeanKanban):
    assert run("stage", "add", "Nurture", "--position", "1", "--wip-min", "5").exit_code == 0
    assert run("stage", "add", "Churned", "--kind", "lost").exit_code == 0
    assert names(lk_sqlite)[0] == "Nurture" and names(lk_sqlite)[-1] == "Churned"
    assert lk_sqlite.get_board().stage("Churned").kind is StageKind.LOST


def test_stage_add_refuses_a_duplicate_with_exit_5(run, one_sentence):
    result = run("stage", "add", "proposal")
    assert result.exit_code == 5
    assert one_sentence(result.stderr) == "The board already has a stage called 'proposal'."


def test_stage_rename_keeps_the_deals(run, lk_sqlite: LeanKanban, seeded):
    result = run("stage", "rename", "proposal", "Offer")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Renamed stage 'Proposal' to 'Offer'.\n"
    assert lk_sqlite.get_deal(seeded["Umbrella expansion"]).stage == "Offer"


def test_stage_remove_removes_an_empty_stage(run, lk_sqlite: LeanKanban, seeded):
    run("move", str(seeded["Initech renewal"]), "Proposal")
    result = run("stage", "remove", "discovery")
    assert result.exit_code == 0, result.stderr
    assert "Discovery" not in names(lk_sqlite)


def test_stage_remove_refuses_a_stage_with_deals_with_exit_5(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    result = run("stage", "remove", "Proposal")
    assert result.exit_code == 5
    assert one_sentence(result.stderr).startswith("Stage 'Proposal' still holds 1 deal(s)")
    assert "Proposal" in names(lk_sqlite)


def test_stage_reorder_counts_positions_from_1(run, lk_sqlite: LeanKanban):
    result = run("stage", "reorder", "Discovery", "1")
    assert result.exit_code == 0, result.stderr
    assert names(lk_sqlite)[:3] == ["Discovery", "Leads", "Qualifying"]
    assert result.stdout.startswith("Stages: 1. Discovery, 2. Leads,")


def test_stage_reorder_rejects_position_0(run):
    assert run("stage", "reorder", "Discovery", "0").exit_code == 2


def test_stage_without_a_subcommand_shows_help(run):
    result = run("stage")
    assert "set" in result.stdout + result.stderr and "reorder" in result.stdout + result.stderr
