"""Each deal's flow summary (store/flow.py), kept on write, stands for its history.

A report tells a deal that has not changed stage, status or blocks since before
its window from two columns (when it started, when it last changed) instead of
replaying its events; a forecast does so for every closed deal it samples. These
tests check that the columns are kept by every writer (use cases, undo, imports,
restores, stage renames, the schema step that adds them) and that what is told
from them is what the history says: the same report and forecast as the
reference read of every event.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from sqlalchemy import create_engine, select

from leankanban.domain.model import DealStatus
from leankanban.importers.model import StageEntry
from leankanban.metrics import timelines as tl
from leankanban.reports import render
from leankanban.services import LeanKanban, connect, reports
from leankanban.services.backup import export_data, restore
from leankanban.services.imports import import_batch
from leankanban.store import flow, migrations
from leankanban.store.tables import DealRow
from tests.conftest import FakeClock
from tests.services.test_report_properties import RICH, _play, history


def _summaries(lk: LeanKanban) -> dict[int, tuple[Any, Any]]:
    with lk.read() as session:
        return {
            deal_id: (started, changed)
            for deal_id, started, changed in session.execute(
                select(DealRow.id, DealRow.started_at, DealRow.state_changed_at).order_by(DealRow.id)
            )
        }


def _recomputed(lk: LeanKanban) -> dict[int, tuple[Any, Any]]:
    """The summaries worked out again from the whole history (then put back as they were)."""
    kept = _summaries(lk)
    with lk.write() as session:
        for board in lk.list_boards():
            flow.refresh(session, board_id=board.id)
    fresh = _summaries(lk)
    with lk.write() as session:
        for deal_id, (started, changed) in kept.items():
            session.execute(
                DealRow.__table__.update().where(DealRow.id == deal_id).values(started_at=started, state_changed_at=changed)
            )
    return fresh


def _told(lk: LeanKanban, deal_id: int, days: int = 90) -> tl.Timeline:
    inputs = reports.load_inputs(lk, start=lk.clock() - timedelta(days=days))
    return next(line for line in inputs.lines if line.deal.id == deal_id)


def _same_as_reference(lk: LeanKanban) -> None:
    for since in ("7d", "30d"):
        fast = reports.report(lk, since=since, seed=3)
        assert render.to_json(fast) == render.to_json(reports.report(lk, since=since, seed=3, everything=True)), since
    assert reports.forecast(lk, seed=3) == _forecast_reference(lk)


def _forecast_reference(lk: LeanKanban) -> Any:
    """`reports.forecast` over every deal and event of the board (a young board's window
    starting where the board's history does, as the fast one's)."""
    from leankanban.reports.model import DEFAULT_HISTORY_DAYS, DEFAULT_HORIZON_DAYS, build_forecast

    now = lk.clock()
    start = now - timedelta(days=DEFAULT_HISTORY_DAYS)
    full = reports.load_inputs(lk, start=start, everything=True)
    if full.first_activity is not None and start < full.first_activity < now:
        start = full.first_activity
    return build_forecast(full.board, full.stages, full.deals, full.events, now, window_start=start,
                          target=now.date() + timedelta(days=DEFAULT_HORIZON_DAYS), seed=3)


# -- kept on write, by hand -----------------------------------------------------


def test_a_settled_deal_is_told_from_its_summary(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Leads", value="1000", customer_value="Saves a day a week")
    clock.advance(days=2)
    lk.move_deal(deal.id, "Discovery")
    started = clock()
    clock.advance(days=3)
    lk.move_deal(deal.id, "Proposal", override_reason="test")
    changed = clock()
    clock.advance(days=1)
    lk.add_note(deal.id, "Called them")  # a note is no change of state
    assert _summaries(lk)[deal.id] == (started, changed)
    clock.advance(days=120)
    line = _told(lk, deal.id)
    assert len(line.visits) == 1 and line.stage == "Proposal"  # told, not replayed
    assert line.started_at == started and line.visits[0].entered == changed
    _same_as_reference(lk)


def test_a_deal_changed_in_the_window_is_replayed(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Leads", value="1000", customer_value="Saves a day a week")
    clock.advance(days=100)
    lk.move_deal(deal.id, "Discovery")
    clock.advance(days=1)
    assert len(_told(lk, deal.id).visits) == 2
    _same_as_reference(lk)


def test_an_undone_start_is_no_start(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Leads", value="1000", customer_value="Saves a day a week")
    clock.advance(days=1)
    lk.move_deal(deal.id, "Discovery")
    clock.advance(hours=1)
    lk.undo(lk.history(deal.id)[-1].id)
    started, changed = _summaries(lk)[deal.id]
    assert started is None and changed == clock()
    clock.advance(days=200)
    assert _told(lk, deal.id).started_at is None
    _same_as_reference(lk)


def test_a_deal_blocked_now_has_no_summary_until_unblocked(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Discovery", value="1000")
    clock.advance(days=1)
    lk.block(deal.id, "Legal review")
    assert _summaries(lk)[deal.id] == (None, None)
    clock.advance(days=100)
    _same_as_reference(lk)  # its block, read from the history, is in the report
    lk.unblock(deal.id)
    assert _summaries(lk)[deal.id][1] == clock()


def test_closed_deals_are_summarised_for_the_forecast(lk: LeanKanban, clock: FakeClock) -> None:
    for number in range(8):
        deal = lk.add_deal(f"Deal {number}", stage="Discovery", value="1000")
        clock.advance(days=1)
        if number % 3:
            lk.win(deal.id)
        else:
            lk.discard(deal.id, "No budget")
    lk.add_deal("Open", stage="Discovery", value="5000")
    clock.advance(days=2)
    assert all(changed is not None for _started, changed in _summaries(lk).values())
    inputs = reports.load_inputs(lk, start=clock() - timedelta(days=90), forecast_stages=())
    assert inputs.events == ()  # no history read: every closed deal told from its summary
    _same_as_reference(lk)


def test_a_renamed_stage_is_the_same_stage_in_every_history(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Leads", value="1000", customer_value="Saves a day a week")
    other = lk.add_deal("Beta", stage="Leads", value="2000", customer_value="Faster audits")
    clock.advance(days=1)
    lk.move_deal(deal.id, "Discovery")
    lk.move_deal(other.id, "Discovery")
    lk.move_deal(other.id, "Proposal", override_reason="test")
    waiting = lk.add_deal("Gamma", stage="Leads", value="3000")
    clock.advance(days=1)
    lk.rename_stage("Discovery", "Discover")
    lk.rename_stage("Discover", "Explore")  # twice: the history says 'Discovery'
    lk.rename_stage("Leads", "Prospects")  # an upstream stage stays upstream under its new name
    assert _summaries(lk) == _recomputed(lk)
    line = _told(lk, deal.id)
    assert line.stage == "Explore" and [v.stage for v in line.visits] == ["Prospects", "Explore"]
    assert not _told(lk, waiting.id).started  # was 'started' at creation: 'Leads' was no stage of the board
    report = reports.report(lk, since="7d", seed=3)
    assert {d.title: d.stage for d in report.deals.items} == {"Acme": "Explore", "Beta": "Proposal", "Gamma": "Prospects"}
    assert [a.stage for a in report.ageing.items if a.title == "Acme"] == ["Explore"]
    clock.advance(days=100)
    _same_as_reference(lk)


def test_a_stage_renamed_and_its_old_name_taken_again(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Discovery", value="1000")
    clock.advance(days=1)
    lk.rename_stage("Discovery", "Explore")
    lk.add_stage("Discovery", upstream=True)  # a new stage with the old name
    later = lk.add_deal("Beta", stage="Discovery", value="2000")
    clock.advance(days=1)
    assert _told(lk, deal.id).stage == "Explore" and _told(lk, deal.id).started
    assert _told(lk, later.id).stage == "Discovery" and not _told(lk, later.id).started
    _same_as_reference(lk)


def test_adding_and_removing_stages_refreshes_the_deals_that_visited_them(lk: LeanKanban, clock: FakeClock) -> None:
    lk.add_stage("Demo")
    deal = lk.add_deal("Acme", stage="Demo", value="1000", customer_value="Saves a day a week")
    clock.advance(days=1)
    lk.move_deal(deal.id, "Proposal", override_reason="test")
    lk.remove_stage("Demo")
    assert _summaries(lk) == _recomputed(lk)
    lk.add_stage("Demo", upstream=True)
    assert _summaries(lk) == _recomputed(lk)
    clock.advance(days=100)
    _same_as_reference(lk)


def test_an_import_summarises_the_deals_it_writes(lk: LeanKanban, clock: FakeClock) -> None:
    from tests.services.test_importing import LOST, OPEN, WON, batch

    import_batch(lk, batch(WON, LOST, OPEN))
    kept = _summaries(lk)
    assert len(kept) == 3 and kept == _recomputed(lk)
    # Globex, imported lost with no history, was created in 'Closed Lost' (its timeline closes
    # then) but closed four days later by its fields: its history is read, not told.
    assert [changed is not None for _started, changed in kept.values()] == [True, False, True]
    import_batch(lk, batch(WON, LOST, OPEN), dry_run=True)
    assert _summaries(lk) == kept
    moved = replace(OPEN, stage="Closed Won", status=DealStatus.WON, closed_at=OPEN.history[-1].at + timedelta(days=9),
                    history=(*OPEN.history, StageEntry("Closed Won", OPEN.history[-1].at + timedelta(days=9))))
    import_batch(lk, batch(WON, LOST, moved))  # the open deal won since: its summary follows
    assert _summaries(lk) == _recomputed(lk) != kept
    clock.advance(days=100)
    _same_as_reference(lk)


def test_a_restore_works_the_summaries_out_again(lk: LeanKanban, clock: FakeClock, tmp_path: Path) -> None:
    deal = lk.add_deal("Acme", stage="Leads", value="1000", customer_value="Saves a day a week")
    clock.advance(days=1)
    lk.move_deal(deal.id, "Discovery")
    backup = export_data(lk)
    assert "started_at" not in backup["boards"][0]["deals"][0]  # worked out, not the user's data
    copy = connect(str(tmp_path / "copy.db"), actor="ann", clock=clock)
    restore(copy, backup)
    assert _summaries(copy) == _summaries(lk)
    copy.engine.dispose()


def test_the_schema_step_fills_in_the_summaries_of_existing_deals(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    lk = connect(str(path), actor="ann", clock=clock)
    lk.ensure_default_board()
    deal = lk.add_deal("Acme", stage="Leads", value="1000", customer_value="Saves a day a week")
    clock.advance(days=1)
    lk.move_deal(deal.id, "Discovery")
    expected = _summaries(lk)
    lk.engine.dispose()
    assert expected[deal.id] == (clock(), clock())
    # The file as the version before the step left it: no columns, the step not applied.
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE deal DROP COLUMN started_at")
        conn.execute("ALTER TABLE deal DROP COLUMN state_changed_at")
        conn.execute("DELETE FROM schema_migrations WHERE name = '0014_flow_summary'")
    assert migrations.pending(create_engine(f"sqlite:///{path}")) == ["0014_flow_summary"]
    lk = connect(str(path), actor="ann", clock=clock)
    assert _summaries(lk) == expected
    lk.engine.dispose()


# -- generated histories ------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=history)
@example(ops=RICH)
def test_summaries_kept_on_write_stand_for_the_history(ops: list[tuple[str, Any, Any]]) -> None:
    """For generated histories: the summaries kept on write are those the whole history gives,
    and, days and months later, the report and forecast told from them are the reference's."""
    clock = FakeClock()
    with tempfile.TemporaryDirectory() as folder:
        lk = connect(str(Path(folder) / "x.db"), actor="ann", clock=clock)
        try:
            _play(lk, clock, ops)
            assert _summaries(lk) == _recomputed(lk)
            for days in (0, 8, 100):
                clock.advance(days=days)
                _same_as_reference(lk)
        finally:
            lk.engine.dispose()


@pytest.mark.postgres
def test_summaries_on_postgresql(pg_url: str) -> None:
    clock = FakeClock()
    lk = connect(pg_url, actor="ann", clock=clock)
    try:
        _play(lk, clock, RICH)
        assert _summaries(lk) == _recomputed(lk)
        clock.advance(days=100)
        _same_as_reference(lk)
    finally:
        lk.engine.dispose()


def test_an_sqlite_without_json_refreshes_a_deal_from_its_own_events(
    lk_sqlite: LeanKanban, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leankanban.store import readers
    from leankanban.store.tables import EventRow

    with lk_sqlite.read() as session:
        monkeypatch.setattr(session.get_bind().dialect.dbapi, "sqlite_version_info", (3, 37, 2))
        few = readers._one_of(session, EventRow.deal_id, [1, 2])
        assert few is not None and " IN " in str(few)  # not every event of the board
        assert readers._one_of(session, EventRow.deal_id, list(range(501))) is None
    deal = lk_sqlite.add_deal("Acme", stage="Discovery", value="1000")
    assert _summaries(lk_sqlite)[deal.id][1] is not None


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
#: Real and synthetic exports of every source (tests/fixtures, see PROVENANCE.md), with companions.
EXPORTS = [
    ("hubspot/deals.csv", {}),
    ("pipedrive/deals.csv", {}),
    ("kanboard/tasks.csv", {"history": "kanboard/transitions.csv"}),
    ("salesforce/powerbi_Opportunity.csv", {"history": "salesforce/powerbi_OpportunityHistory.csv"}),
    ("salesforce/data-cloud-workshop_Opportunity.csv", {}),
    ("trello/board.json", {}),
]


@pytest.mark.parametrize(("export", "companions"), EXPORTS, ids=[e for e, _c in EXPORTS])
def test_the_summaries_an_import_tells_are_those_its_history_gives(
    lk_sqlite: LeanKanban, clock: FakeClock, export: str, companions: dict[str, str]
) -> None:
    from leankanban.importers import read_import

    batch = read_import(FIXTURES / export, **{k: FIXTURES / v for k, v in companions.items()})
    import_batch(lk_sqlite, batch)
    kept = _summaries(lk_sqlite)
    assert kept and kept == _recomputed(lk_sqlite)
    clock.advance(days=30)
    for board in lk_sqlite.list_boards():
        fast = reports.report(lk_sqlite, board=board.name, since="7d", seed=3)
        full = reports.report(lk_sqlite, board=board.name, since="7d", seed=3, everything=True)
        assert render.to_json(fast) == render.to_json(full), board.name


def test_a_summary_that_fails_costs_no_change(lk: LeanKanban, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    deal = lk.add_deal("Acme", stage="Leads", value="1000")
    clock.advance(days=1)

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise KeyError("a bug in the summary")

    monkeypatch.setattr(flow, "refresh", broken)
    lk.move_deal(deal.id, "Discovery")  # the move lands; the deal's history is read from now on
    assert lk.get_deal(deal.id).stage == "Discovery"
    assert _summaries(lk)[deal.id] == (None, None)
    monkeypatch.undo()
    clock.advance(days=100)
    _same_as_reference(lk)
