"""Placing imported stages on an existing board."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers import StageEntry, UnmappedStages, apply_stage_map, parse_stage_map, read_import

BOARD = ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost"]


@pytest.fixture
def workshop(fixtures):
    return read_import(fixtures / "salesforce" / "data-cloud-workshop_Opportunity.csv")


def test_every_unmapped_stage_is_listed(workshop):
    with pytest.raises(UnmappedStages) as err:
        apply_stage_map(workshop, {"Qualification": "Qualifying"}, BOARD)
    assert err.value.unmapped == ["Proposal/Quote", "Closed Won", "Closed Lost"]
    assert "'Proposal/Quote', 'Closed Won', 'Closed Lost'" in str(err.value)
    assert str(err.value).endswith("(board stages: Leads, Qualifying, Discovery, Proposal, Negotiation, Won, Lost).")


def test_targets_missing_from_the_board_are_listed(workshop):
    mapping = {"Qualification": "Qualifying", "Proposal/Quote": "Quote", "Closed Won": "won", "Closed Lost": "Lost"}
    with pytest.raises(UnmappedStages) as err:
        apply_stage_map(workshop, mapping, BOARD)
    assert err.value.unknown_targets == ["Quote"] and err.value.unmapped == []


def test_mapping_renames_stages_deals_and_history(fixtures):
    batch = read_import(
        fixtures / "salesforce" / "powerbi_Opportunity.csv",
        history=fixtures / "salesforce" / "powerbi_OpportunityHistory.csv",
    )
    mapping = {
        "Prospecting": "Leads",
        "Qualification": "Qualifying",
        "Needs Analysis": "Discovery",
        "Value Proposition": "Discovery",
        "Id. Decision Makers": "Discovery",
        "Perception Analysis": "Discovery",
        "Proposal/Price Quote": "Proposal",
        "Negotiation/Review": "negotiation",
        "Closed Won": "Won",
        "Closed Lost": "Lost",
    }
    placed = apply_stage_map(batch, mapping, BOARD)
    assert placed.stage_names == BOARD
    assert [s.kind for s in placed.stages][-2:] == [StageKind.WON, StageKind.LOST]
    assert {d.stage for d in placed.deals} <= set(BOARD)
    sla = next(d for d in placed.deals if d.external_id == "006bm00000LKJNTAA5")
    assert [e.stage for e in sla.history] == ["Won", "Lost"] and sla.status is DealStatus.LOST


def test_same_named_stages_map_themselves_and_kinds_can_drive_status():
    from leankanban.importers import ImportBatch, ImportedDeal, ImportedStage

    t = datetime(2024, 3, 1, tzinfo=UTC)
    batch = ImportBatch(
        "kanboard",
        (ImportedStage("Doing", StageKind.OPEN, 0), ImportedStage("Done", StageKind.OPEN, 1)),
        (
            ImportedDeal("kanboard", "1", "A", "Done", history=(StageEntry("Doing", t), StageEntry("Done", t))),
            ImportedDeal("kanboard", "2", "B", "doing"),
        ),
    )
    placed = apply_stage_map(batch, {"Done": "Won"}, {"Doing": StageKind.OPEN, "Won": StageKind.WON})
    a, b = placed.deals
    assert (a.stage, a.status, a.closed_at) == ("Won", DealStatus.WON, t)
    assert (b.stage, b.status) == ("Doing", DealStatus.OPEN)


def test_parse_stage_map():
    assert parse_stage_map(["Closed Won=Won", " Needs Analysis = Discovery "]) == {
        "Closed Won": "Won", "Needs Analysis": "Discovery",
    }
    with pytest.raises(InvalidInput):
        parse_stage_map(["Closed Won"])
