"""Undo is safe with several people on one board (issue 12): at most once, never over a
later change, and one's own change only (or a manager's). SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from leankanban.domain import rules
from leankanban.domain.errors import InvalidInput, NotAllowed, StaleChange
from leankanban.domain.model import Event, EventKind
from leankanban.services import LeanKanban, open_database
from leankanban.services.backup import export_data
from tests.conftest import T0


def edit_of(lk: LeanKanban, deal: int, field: str) -> Event:
    return [e for e in lk.history(deal) if e.kind is EventKind.EDITED and e.field == field][-1]


def test_undo_of_an_edit_never_overwrites_a_later_edit(lk, clock):
    deal = lk.add_deal("Acme", stage="Discovery", value="100").id
    bob = LeanKanban(lk.engine, actor="bob", clock=clock)
    lk.edit_deal(deal, value="200")
    alices = edit_of(lk, deal, "value")
    clock.advance(minutes=5)
    bob.edit_deal(deal, value="300")
    before = export_data(lk)
    with pytest.raises(StaleChange) as refused:
        lk.undo(alices.id)
    assert str(refused.value) == "bob changed the value since (to '300.00' at 2026-11-02 09:05 UTC); nothing was undone."
    assert export_data(lk) == before
    assert lk.get_deal(deal).value == Decimal("300.00")


def test_undo_of_an_edit_ignores_later_edits_of_other_fields(lk):
    deal = lk.add_deal("Acme", stage="Discovery", value="100").id
    lk.edit_deal(deal, value="200")
    lk.edit_deal(deal, next_step="Call the CFO")
    lk.undo(edit_of(lk, deal, "value").id)
    assert lk.get_deal(deal).value == Decimal("100.00")


def test_parallel_undos_of_one_edit_leave_one_marker(db_url, clock):
    setup = LeanKanban(open_database(db_url), actor="ann", clock=clock)
    setup.ensure_default_board()
    deal = setup.add_deal("Acme", stage="Discovery", value="100").id
    setup.edit_deal(deal, value="200")
    target = edit_of(setup, deal, "value").id
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def press_undo() -> None:
        engine = open_database(db_url)
        try:
            me = LeanKanban(engine, actor="ann", clock=clock)
            barrier.wait()
            try:
                me.undo(target)
                outcomes.append("undone")
            except InvalidInput:
                outcomes.append("refused")
        finally:
            engine.dispose()

    threads = [threading.Thread(target=press_undo) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "refused", "refused", "undone"]
    markers = [e for e in setup.history(deal) if e.kind is EventKind.UNDONE]
    assert len(markers) == 1
    assert setup.get_deal(deal).value == Decimal("100.00")
    setup.engine.dispose()


# -- the rule itself --------------------------------------------------------------


def _history() -> list[Event]:
    return [
        Event(EventKind.CREATED, T0, 1, actor="ann", to_stage="Leads", id=1),
        Event(EventKind.MOVED, T0, 1, actor="ann", from_stage="Leads", to_stage="Qualifying", id=2),
        Event(EventKind.EDITED, T0, 1, actor="bob", field="value", old_value="1", new_value="2", id=3),
    ]


def test_only_the_person_who_made_a_change_or_a_manager_undoes_it():
    history = _history()
    with pytest.raises(NotAllowed) as refused:
        rules.check_undo(history[2], history, "ann", manager=False)
    assert str(refused.value) == "That change was made by bob; only they or a manager can undo it."
    rules.check_undo(history[2], history, "ann", manager=True)
    rules.check_undo(history[2], history, "bob", manager=False)


def test_an_undone_change_is_not_undone_again():
    history = [*_history(), Event(EventKind.UNDONE, T0, 1, actor="ann", old_value="2", id=5)]
    with pytest.raises(InvalidInput, match="undone already"):
        rules.check_undo(history[1], history, "ann", manager=True)


def test_a_move_is_not_undone_after_a_later_move():
    history = [*_history(), Event(EventKind.MOVED, T0, 1, actor="cy", from_stage="Qualifying", to_stage="Discovery", id=4)]
    with pytest.raises(StaleChange, match=r"cy moved it to 'Discovery'"):
        rules.check_undo(history[1], history, "ann", manager=True)
