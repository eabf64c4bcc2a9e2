"""Every use case is one transaction: a refused call changes nothing.

Each case seeds a board, takes a full export of the database, makes one call
that a rule refuses, and compares the export afterwards: not one row, event or
revision may differ. Runs on SQLite and PostgreSQL.
"""

from collections.abc import Callable
from typing import Any

import pytest

from leankanban.domain.errors import LeanKanbanError
from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban
from leankanban.services.backup import export_data
from tests.conftest import seed_pipeline


def snapshot(lk: LeanKanban) -> dict[str, Any]:
    return export_data(lk)


def _won(lk: LeanKanban, ids: dict[str, int]) -> int:
    """Sets up: a won deal."""
    lk.win(ids["Hooli platform"], value="150000")
    return ids["Hooli platform"]


def _undone(lk: LeanKanban, ids: dict[str, int]) -> int:
    """Sets up: a move that has been undone."""
    moved = lk.move_deal(ids["Acme rollout"], "Qualifying")
    lk.undo(moved.events[0].id)
    return moved.events[0].id


def _note(lk: LeanKanban, ids: dict[str, int]) -> int:
    """Sets up: a note."""
    return lk.add_note(ids["Globex pilot"], "called").id


def _full_negotiation(lk: LeanKanban, ids: dict[str, int]) -> int:
    """Sets up: Negotiation (one deal) limited to one."""
    lk.set_stage_limits("Negotiation", wip_max=1)
    return 0


def _nothing(lk: LeanKanban, ids: dict[str, int]) -> int:
    return 0


Refusal = Callable[[LeanKanban, dict[str, int], int], Any]

#: What a rule refuses: case -> (set-up, run before the snapshot; the refused call, given its result).
REFUSALS: dict[str, tuple[Callable[[LeanKanban, dict[str, int]], int], Refusal]] = {
    # The bug: a refused win of an already-won deal stored the value and an `edited` event.
    "win an already won deal at a new value": (_won, lambda lk, ids, won: lk.win(won, value="999")),
    "win at a value that is not a number": (_nothing, lambda lk, ids, _: lk.win(ids["Acme rollout"], value="lots")),
    "move into a full stage": (
        _full_negotiation,
        lambda lk, ids, _: lk.move_deal(ids["Umbrella expansion"], "Negotiation"),
    ),
    "move to a stage that does not exist": (_nothing, lambda lk, ids, _: lk.move_deal(ids["Acme rollout"], "Nowhere")),
    "step past the first stage": (_nothing, lambda lk, ids, _: lk.step_deal(ids["Acme rollout"], -1)),
    "discard with a reason not on the list": (_nothing, lambda lk, ids, _: lk.discard(ids["Acme rollout"], "Bored")),
    "reopen a deal that is open": (_nothing, lambda lk, ids, _: lk.reopen(ids["Acme rollout"])),
    "edit with one good field and one bad one": (
        _nothing,
        lambda lk, ids, _: lk.edit_deal(ids["Acme rollout"], title="Fine title", value="lots"),
    ),
    "edit a field that cannot be edited": (
        _nothing,
        lambda lk, ids, _: lk.edit_deal(ids["Acme rollout"], status="won"),
    ),
    "add a deal with an empty title": (_nothing, lambda lk, ids, _: lk.add_deal("   ")),
    "add a deal into a full stage": (
        _full_negotiation,
        lambda lk, ids, _: lk.add_deal("One more", stage="Negotiation"),
    ),
    "undo a change twice": (_undone, lambda lk, ids, undone: lk.undo(undone)),
    "undo an event that cannot be undone": (_note, lambda lk, ids, note: lk.undo(note)),
    "qualify against an unknown criterion": (
        _nothing,
        lambda lk, ids, _: lk.qualify(ids["Acme rollout"], "Vibes", "yes"),
    ),
    "block without a reason": (_nothing, lambda lk, ids, _: lk.block(ids["Acme rollout"], "  ")),
    "a note with no text": (_nothing, lambda lk, ids, _: lk.add_note(ids["Acme rollout"], " ")),
    "limits with min above max": (_nothing, lambda lk, ids, _: lk.set_stage_limits("Proposal", wip_min=9, wip_max=2)),
    "remove a stage that holds deals": (_nothing, lambda lk, ids, _: lk.remove_stage("Proposal")),
    "rename a stage onto another's name": (_nothing, lambda lk, ids, _: lk.rename_stage("Proposal", "Leads")),
    "add a stage that exists": (_nothing, lambda lk, ids, _: lk.add_stage("Leads")),
    "discard reasons set to nothing": (_nothing, lambda lk, ids, _: lk.set_discard_reasons([])),
    "a board with a name that exists": (_nothing, lambda lk, ids, _: lk.init_board("Pipeline")),
    "log time that is not a duration": (_nothing, lambda lk, ids, _: lk.log_time("soon", deal_id=ids["Acme rollout"])),
    "close a sprint when none is open": (_nothing, lambda lk, ids, _: lk.close_sprint()),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_use_case_changes_nothing(lk: LeanKanban, case: str):
    ids = seed_pipeline(lk)
    set_up, refused = REFUSALS[case]
    prepared = set_up(lk, ids)
    before = snapshot(lk)
    with pytest.raises(LeanKanbanError):
        refused(lk, ids, prepared)
    assert snapshot(lk) == before


def test_a_win_at_a_final_value_is_one_change(lk: LeanKanban):
    ids = seed_pipeline(lk)
    result = lk.win(ids["Acme rollout"], value="13000")
    assert result.deal.value == 13000
    kinds = [e.kind for e in result.events]
    assert kinds == [EventKind.EDITED, EventKind.MOVED, EventKind.WON]
    assert [e.id for e in result.events] == [e.id for e in lk.history(ids["Acme rollout"])[-3:]]


def test_undo_records_the_reversal_and_its_marker_together(lk: LeanKanban):
    ids = seed_pipeline(lk)
    moved = lk.move_deal(ids["Acme rollout"], "Qualifying")
    marker = lk.undo(moved.events[0].id)
    assert marker.kind is EventKind.UNDONE and marker.old_value == str(moved.events[0].id)
    history = lk.history(ids["Acme rollout"])
    assert history[-1].id == marker.id
    assert history[-2].kind is EventKind.MOVED and history[-2].to_stage == "Leads"


def test_the_last_open_stage_cannot_be_removed(lk: LeanKanban):
    board = lk.init_board("tiny", template="blank")
    lk.remove_stage("Doing", board=board.name)
    with pytest.raises(LeanKanbanError, match="last open stage"):
        lk.remove_stage("To do", board=board.name)
    assert [s.name for s in lk.get_board("tiny").stages] == ["To do", "Won", "Lost"]
