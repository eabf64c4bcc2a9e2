"""Writing an import: one transaction, history kept, idempotent, WIP reported."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus, EventKind, StageKind
from leankanban.importers.model import ImportBatch, ImportedDeal, ImportedStage, StageEntry
from leankanban.services import LeanKanban
from leankanban.services.imports import import_batch


def t(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


STAGES = (
    ImportedStage("Prospecting", StageKind.OPEN, 0),
    ImportedStage("Proposal/Price Quote", StageKind.OPEN, 1),
    ImportedStage("Closed Won", StageKind.WON, 2),
    ImportedStage("Closed Lost", StageKind.LOST, 3),
)


def batch(*deals: ImportedDeal) -> ImportBatch:
    return ImportBatch(source="salesforce", stages=STAGES, deals=deals)


WON = ImportedDeal(
    source="salesforce", external_id="006A", title="Acme", stage="Closed Won", account="Acme Corp",
    value=Decimal("5000"), status=DealStatus.WON, created_at=t(1), closed_at=t(10),
    history=(StageEntry("Prospecting", t(1)), StageEntry("Proposal/Price Quote", t(4)), StageEntry("Closed Won", t(10))),
)
LOST = ImportedDeal(
    source="salesforce", external_id="006B", title="Globex", stage="Closed Lost", status=DealStatus.LOST,
    created_at=t(2), closed_at=t(6), lost_reason="No budget",
)
OPEN = ImportedDeal(
    source="salesforce", external_id="006C", title="Initech", stage="Proposal/Price Quote",
    value=Decimal("700.50"), owner="bob", created_at=t(3), history=(StageEntry("Prospecting", t(3)), StageEntry("Proposal/Price Quote", t(8))),
)


def test_source_stages_become_a_new_board_with_history(lk: LeanKanban):
    summary = import_batch(lk, batch(WON, LOST, OPEN))
    assert (summary.board, summary.created, summary.updated, summary.unchanged) == ("salesforce", 3, 0, 0)
    board = lk.get_board("salesforce")
    assert [(s.name, s.kind) for s in board.stages] == [
        ("Prospecting", StageKind.OPEN), ("Proposal/Price Quote", StageKind.OPEN),
        ("Closed Won", StageKind.WON), ("Closed Lost", StageKind.LOST),
    ]
    deals = {d.title: d for d in lk.list_deals(board="salesforce")}
    assert deals["Acme"].status is DealStatus.WON and deals["Acme"].closed_at == t(10)
    assert deals["Globex"].lost_reason == "No budget"
    assert deals["Initech"].stage_entered_at == t(8)
    assert deals["Initech"].value == Decimal("700.50")
    history = [(e.kind, e.from_stage, e.to_stage, e.at) for e in lk.history(deals["Acme"].id)]
    assert history == [
        (EventKind.CREATED, None, "Prospecting", t(1)),
        (EventKind.MOVED, "Prospecting", "Proposal/Price Quote", t(4)),
        (EventKind.MOVED, "Proposal/Price Quote", "Closed Won", t(10)),
        (EventKind.WON, "Proposal/Price Quote", "Closed Won", t(10)),
    ]
    lost_history = lk.history(deals["Globex"].id)
    assert [e.kind for e in lost_history] == [EventKind.CREATED, EventKind.LOST]
    assert lost_history[-1].reason == "No budget"


def test_reimport_is_idempotent_and_updates_changes(lk: LeanKanban):
    import_batch(lk, batch(WON, LOST, OPEN))
    again = import_batch(lk, batch(WON, LOST, OPEN))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    moved = ImportedDeal(
        source="salesforce", external_id="006C", title="Initech", stage="Closed Won", value=Decimal("900"),
        owner="bob", status=DealStatus.WON, created_at=t(3), closed_at=t(20),
        history=(*OPEN.history, StageEntry("Closed Won", t(20))),
    )
    third = import_batch(lk, batch(WON, LOST, moved))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert len(lk.list_deals(board="salesforce")) == 3
    deal = [d for d in lk.list_deals(board="salesforce") if d.title == "Initech"][0]
    assert (deal.status, deal.value, deal.closed_at) == (DealStatus.WON, Decimal("900.00"), t(20))
    kinds = [e.kind for e in lk.history(deal.id)]
    assert kinds.count(EventKind.CREATED) == 1
    assert EventKind.WON in kinds
    edits = [(e.field, e.old_value, e.new_value) for e in lk.history(deal.id) if e.kind is EventKind.EDITED]
    assert edits == [("value", "700.50", "900.00")]


def test_dry_run_writes_nothing(lk: LeanKanban):
    summary = import_batch(lk, batch(WON, LOST, OPEN), dry_run=True)
    assert summary.created == 3 and summary.dry_run
    assert [b.name for b in lk.list_boards()] == ["pipeline"]


def test_import_into_an_existing_board_needs_every_stage_mapped(lk: LeanKanban):
    with pytest.raises(InvalidInput) as caught:
        import_batch(lk, batch(WON, LOST, OPEN), board="pipeline", stage_map={"Prospecting": "Leads"})
    assert "Proposal/Price Quote" in str(caught.value) and "Closed Won" in str(caught.value)
    assert lk.list_deals() == []
    summary = import_batch(
        lk, batch(WON, LOST, OPEN), board="pipeline",
        stage_map={"Prospecting": "Leads", "Proposal/Price Quote": "Proposal", "Closed Won": "Won", "Closed Lost": "Lost"},
    )
    assert summary.created == 3
    assert {d.title: d.stage for d in lk.list_deals()} == {"Acme": "Won", "Globex": "Lost", "Initech": "Proposal"}


def test_map_to_an_unknown_board_stage_is_refused(lk: LeanKanban):
    with pytest.raises(InvalidInput, match="Closing"):
        import_batch(lk, batch(OPEN), board="pipeline", stage_map={"Prospecting": "Closing"})


def test_wip_limits_do_not_block_an_import_but_are_reported(lk: LeanKanban):
    deals = [
        ImportedDeal(source="csv", external_id=str(i), title=f"Deal {i}", stage="Proposal", created_at=t(1))
        for i in range(7)
    ]
    summary = import_batch(lk, ImportBatch(source="csv", stages=(), deals=tuple(deals)), board="pipeline")
    assert summary.created == 7
    assert any("'Proposal' now holds 7 deals, over its WIP limit of 5" in w for w in summary.warnings)


def test_rows_that_cannot_be_deals_are_skipped_with_reasons(lk: LeanKanban):
    blank = ImportedDeal(source="salesforce", external_id="006Z", title="  ", stage="Prospecting", line=7)
    dup = ImportedDeal(source="salesforce", external_id="006A", title="Acme again", stage="Prospecting", line=9)
    summary = import_batch(lk, batch(WON, blank, dup))
    assert summary.created == 1
    assert [(s.line, s.reason) for s in summary.skipped] == [
        (7, "A deal needs a title."), (9, "duplicate id 006A in the file")
    ]


def test_a_failing_import_writes_nothing(lk: LeanKanban, monkeypatch):
    import leankanban.services.imports as importing

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_wip_report", boom)
    with pytest.raises(RuntimeError):
        import_batch(lk, batch(WON, LOST, OPEN))
    assert [b.name for b in lk.list_boards()] == ["pipeline"]


def test_reimport_of_a_closed_deal_without_dates_is_unchanged(lk: LeanKanban, clock):
    won = ImportedDeal(source="csv", external_id="7", title="Dateless win", stage="Won", status=DealStatus.WON)
    first = import_batch(lk, ImportBatch(source="csv", stages=(), deals=(won,)), board="pipeline")
    assert first.created == 1
    clock.advance(days=1)
    again = import_batch(lk, ImportBatch(source="csv", stages=(), deals=(won,)), board="pipeline")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_imported_events_are_done_by_the_owner_in_the_file(lk: LeanKanban):
    import_batch(lk, batch(OPEN))
    deal = lk.list_deals(board="salesforce")[0]
    assert {e.actor for e in lk.history(deal.id)} == {"bob"}


def test_imported_events_without_an_owner_are_done_by_the_source(lk: LeanKanban):
    import_batch(lk, batch(WON, LOST))
    for deal in lk.list_deals(board="salesforce"):
        assert {e.actor for e in lk.history(deal.id)} == {"salesforce import"}


def test_reimported_changes_are_done_by_the_owner_in_the_file(lk: LeanKanban):
    import_batch(lk, batch(OPEN))
    moved = ImportedDeal(
        source="salesforce", external_id="006C", title="Initech", stage="Closed Won", value=Decimal("900"),
        owner="carol", status=DealStatus.WON, created_at=t(3), closed_at=t(20),
        history=(*OPEN.history, StageEntry("Closed Won", t(20))),
    )
    import_batch(lk, batch(moved))
    deal = lk.list_deals(board="salesforce")[0]
    later = [e.actor for e in lk.history(deal.id) if e.at > t(8)]
    assert later and set(later) == {"carol"}


def test_a_deals_own_probability_is_imported_and_not_cleared_by_a_source_without_one(lk: LeanKanban):
    from dataclasses import replace

    import_batch(lk, batch(replace(OPEN, probability=35, currency="USD")))
    deal = lk.list_deals(board="salesforce")[0]
    assert (deal.probability, deal.currency) == (35, "USD")
    again = import_batch(lk, batch(replace(OPEN, currency="USD")))
    assert again.unchanged == 1
    assert lk.list_deals(board="salesforce")[0].probability == 35


def test_imported_deals_get_no_invented_category(lk: LeanKanban):
    import_batch(lk, batch(WON, LOST))
    assert [d.activity for d in lk.list_deals(board="salesforce")] == [None, None]
