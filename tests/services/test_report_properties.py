"""The report depends on the history only, not on where it is kept.

For generated histories (deals added, moved, won, discarded, reopened, blocked,
noted and undone over days of a frozen clock):

* the report of a board equals the report of that board exported and restored
  into a new database;
* the same history kept in SQLite and in PostgreSQL gives the same report.

Reports are compared as their JSON, the most complete of their renderings.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leankanban.domain.errors import LeanKanbanError
from leankanban.reports import render
from leankanban.services import LeanKanban, connect, reports
from leankanban.services.backup import export_data, restore
from tests.conftest import PG_URL, FakeClock, pg_problem

STAGES = ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation"]
REASONS = ["No budget", "Timing", ""]

deal_index = st.integers(min_value=0, max_value=7)
operation = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(STAGES), st.sampled_from(["0", "1000", "25000.50", "300000"])),
    st.tuples(st.just("move"), deal_index, st.sampled_from([*STAGES, "Won", "Lost"])),
    st.tuples(st.just("step"), deal_index, st.sampled_from([-1, 1])),
    st.tuples(st.just("win"), deal_index, st.sampled_from([None, "5000", "120000"])),
    st.tuples(st.just("discard"), deal_index, st.sampled_from(REASONS)),
    st.tuples(st.just("reopen"), deal_index, st.sampled_from([None, *STAGES])),
    st.tuples(st.just("block"), deal_index, st.sampled_from(["Legal review", "Waiting"])),
    st.tuples(st.just("unblock"), deal_index, st.none()),
    st.tuples(st.just("note"), deal_index, st.just("Called them")),
    st.tuples(st.just("undo"), st.integers(min_value=1, max_value=60), st.none()),
    st.tuples(st.just("wait"), st.sampled_from([0.01, 0.5, 1, 3, 20]), st.none()),
    st.tuples(st.just("limit"), st.sampled_from(STAGES), st.sampled_from([None, 1, 3])),
)
history = st.lists(operation, min_size=1, max_size=25)

#: A history with a bit of everything, tried first by both tests.
RICH = [
    ("add", "Leads", "1000"), ("add", "Discovery", "25000.50"), ("add", "Proposal", "300000"),
    ("wait", 1, None), ("discard", 0, "No budget"), ("step", 1, 1), ("block", 2, "Legal review"),
    ("wait", 3, None), ("unblock", 2, None), ("win", 2, "120000"), ("note", 1, "Called them"),
    ("wait", 0.5, None), ("undo", 9, None), ("win", 1, None), ("reopen", 1, "Proposal"),
    ("wait", 20, None), ("limit", "Discovery", 1), ("add", "Qualifying", "0"), ("move", 3, "Negotiation"), ("wait", 1, None),
]


def _apply(lk: LeanKanban, clock: FakeClock, ids: list[int], op: tuple[str, Any, Any]) -> None:
    kind, first, second = op
    if kind == "wait":
        clock.advance(days=first)
        return
    if kind == "limit":  # a policy change: an event of the board, not of a deal
        lk.set_stage_limits(first, wip_max=second)
        return
    if kind == "add":
        ids.append(lk.add_deal(f"Deal {len(ids) + 1}", stage=first, value=second, owner="ann" if len(ids) % 2 else "bob").id)
        return
    deal = ids[first % len(ids)] if ids and isinstance(first, int) else 10_000
    calls: dict[str, Callable[[], Any]] = {
        "move": lambda: lk.move_deal(deal, second, override_reason="generated"),
        "step": lambda: lk.step_deal(deal, second),
        "win": lambda: lk.win(deal, value=second),
        "discard": lambda: lk.discard(deal, second),
        "reopen": lambda: lk.reopen(deal, stage=second),
        "block": lambda: lk.block(deal, second),
        "unblock": lambda: lk.unblock(deal),
        "note": lambda: lk.add_note(deal, second),
        "undo": lambda: lk.undo(first),
    }
    calls[kind]()


def _play(lk: LeanKanban, clock: FakeClock, ops: list[tuple[str, Any, Any]]) -> None:
    lk.ensure_default_board()
    ids: list[int] = []
    for op in ops:
        with suppress(LeanKanbanError):  # refused by a rule: changes nothing, the history goes on
            _apply(lk, clock, ids, op)


def _report(lk: LeanKanban) -> str:
    return render.to_json(reports.report(lk, since="7d", seed=7))


@contextmanager
def _sqlite(clock: FakeClock) -> Iterator[LeanKanban]:
    with tempfile.TemporaryDirectory() as folder:
        lk = connect(str(Path(folder) / "x.db"), actor="ann", clock=clock)
        try:
            yield lk
        finally:
            lk.engine.dispose()


@contextmanager
def _postgres(clock: FakeClock) -> Iterator[LeanKanban]:
    import psycopg

    schema = f"lk_prop_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE SCHEMA {}").format(psycopg.sql.Identifier(schema)))
    lk = connect(f"{PG_URL}?schema={schema}", actor="ann", clock=clock)
    try:
        yield lk
    finally:
        lk.engine.dispose()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP SCHEMA {} CASCADE").format(psycopg.sql.Identifier(schema)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=history)
@example(ops=RICH)
def test_report_survives_export_and_restore(ops: list[tuple[str, Any, Any]]):
    clock = FakeClock()
    with _sqlite(clock) as lk:
        _play(lk, clock, ops)
        expected = _report(lk)
        backup = export_data(lk)
    with _sqlite(clock) as copy:
        restore(copy, backup)
        assert _report(copy) == expected


@pytest.mark.postgres
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=history)
@example(ops=RICH)
def test_sqlite_and_postgresql_give_the_same_report(ops: list[tuple[str, Any, Any]]):
    problem = pg_problem()
    if problem:
        pytest.skip(problem)
    sqlite_clock, pg_clock = FakeClock(), FakeClock()
    with _sqlite(sqlite_clock) as lite, _postgres(pg_clock) as pg:
        _play(lite, sqlite_clock, ops)
        _play(pg, pg_clock, ops)
        assert _report(pg) == _report(lite)
