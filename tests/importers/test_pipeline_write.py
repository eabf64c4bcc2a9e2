"""Writing a big import a chunk at a time: every deal and event lands, a re-import changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leankanban.domain.model import DealStatus, EventKind, StageKind
from leankanban.importers.model import ImportBatch, ImportedDeal, ImportedStage, StageEntry
from leankanban.services import LeanKanban, imports

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAGES = (ImportedStage("Lead", StageKind.OPEN, 0), ImportedStage("Won", StageKind.WON, 1))


def _deals(n: int) -> tuple[ImportedDeal, ...]:
    deals = []
    for i in range(n):
        won = i % 3 == 0
        at = T0 + timedelta(days=i)
        history = (StageEntry("Lead", at), StageEntry("Won", at + timedelta(days=2))) if won else (StageEntry("Lead", at),)
        deals.append(ImportedDeal(
            source="hubspot", external_id=f"hs{i}", title=f"Deal {i}", stage="Won" if won else "Lead",
            status=DealStatus.WON if won else DealStatus.OPEN, owner="" if i % 2 else "jane",
            created_at=at, closed_at=history[-1].at if won else None, history=history, line=i + 2,
        ))
    return tuple(deals)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(imports._NewDeals, "CHUNK", 4)


def test_every_chunk_of_new_deals_lands_with_its_own_history(lk: LeanKanban, small_chunks):
    batch = ImportBatch("hubspot", STAGES, _deals(11))
    seen = []
    summary = imports.import_batch(lk, batch, progress=lambda done, total: seen.append((done, total)))
    assert (summary.created, summary.events) == (11, 11 + 4 * 2)
    assert seen[-1] == (11, 11)
    for deal in lk.list_deals(board="hubspot"):
        i = int(deal.title.split()[1])
        history = lk.history(deal.id)
        kinds = [e.kind for e in history]
        assert kinds == ([EventKind.CREATED, EventKind.MOVED, EventKind.WON] if i % 3 == 0 else [EventKind.CREATED])
        assert history[0].at == T0 + timedelta(days=i)
        assert {e.actor for e in history} == {"hubspot import" if i % 2 else "jane"}
        assert deal.last_activity_at == history[-1].at


def test_a_reimport_in_chunks_is_unchanged_and_updates_only_what_moved(lk: LeanKanban, small_chunks):
    deals = _deals(9)
    imports.import_batch(lk, ImportBatch("hubspot", STAGES, deals))
    again = imports.import_batch(lk, ImportBatch("hubspot", STAGES, deals))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
    moved = list(deals)
    moved[5] = ImportedDeal(
        source="hubspot", external_id="hs5", title="Deal 5", stage="Won", status=DealStatus.WON,
        created_at=deals[5].created_at, closed_at=T0 + timedelta(days=30),
        history=(*deals[5].history, StageEntry("Won", T0 + timedelta(days=30))),
    )
    third = imports.import_batch(lk, ImportBatch("hubspot", STAGES, (*moved, moved[2])))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 8)
    assert [s.reason for s in third.skipped] == ["duplicate id hs2 in the file"]
