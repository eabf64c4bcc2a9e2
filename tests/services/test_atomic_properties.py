"""Generated sequences of use cases: whatever a rule refuses changes nothing, and the
deals always add up (open + won + lost = created). SQLite only, to keep it quick; the
hand-made cases in test_atomic.py run on both databases."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.errors import LeanKanbanError
from leankanban.domain.model import DealStatus
from leankanban.services import LeanKanban, connect
from leankanban.services.backup import export_data
from tests.conftest import FakeClock, seed_pipeline

STAGES = ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost", "Nowhere"]
VALUES = ["0", "12000", "1,234.50", "lots", "-5", "1e9", ""]
REASONS = ["No budget", "Timing", "Bored", ""]

deal_index = st.integers(min_value=0, max_value=6)  # 5 seeded deals, and ids that do not exist
operation = st.one_of(
    st.tuples(st.just("move"), deal_index, st.sampled_from(STAGES)),
    st.tuples(st.just("step"), deal_index, st.sampled_from([-1, 1])),
    st.tuples(st.just("win"), deal_index, st.sampled_from([None, *VALUES])),
    st.tuples(st.just("discard"), deal_index, st.sampled_from(REASONS)),
    st.tuples(st.just("reopen"), deal_index, st.sampled_from([None, *STAGES])),
    st.tuples(st.just("edit"), deal_index, st.sampled_from(VALUES)),
    st.tuples(st.just("limit"), st.sampled_from(STAGES), st.integers(min_value=-1, max_value=3)),
    st.tuples(st.just("undo"), st.integers(min_value=0, max_value=40), st.none()),
)


def _apply(lk: LeanKanban, ids: list[int], op: tuple[str, Any, Any]) -> None:
    kind, first, second = op
    deal = (ids[first] if first < len(ids) else 10_000 + first) if isinstance(first, int) else 0
    calls: dict[str, Callable[[], Any]] = {
        "move": lambda: lk.move_deal(deal, second),
        "step": lambda: lk.step_deal(deal, second),
        "win": lambda: lk.win(deal, value=second),
        "discard": lambda: lk.discard(deal, second),
        "reopen": lambda: lk.reopen(deal, stage=second),
        "edit": lambda: lk.edit_deal(deal, value=second),
        "limit": lambda: lk.set_stage_limits(first, wip_max=second),
        "undo": lambda: lk.undo(first),
    }
    calls[kind]()


@settings(max_examples=25, deadline=None)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_refused_calls_change_nothing_and_deals_add_up(ops: list[tuple[str, Any, Any]]):
    with tempfile.TemporaryDirectory() as folder:
        lk = connect(str(Path(folder) / "x.db"), actor="ann", clock=FakeClock())
        try:
            lk.ensure_default_board()
            ids = list(seed_pipeline(lk).values())
            for op in ops:
                before = export_data(lk)
                try:
                    _apply(lk, ids, op)
                except LeanKanbanError:
                    assert export_data(lk) == before, op
            deals = lk.list_deals()
            assert sum(sum(d.status is status for d in deals) for status in DealStatus) == len(ids) == len(deals)
        finally:
            lk.engine.dispose()
