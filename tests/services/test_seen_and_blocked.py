"""Act on what you saw, and blocked means blocked, through the services (issue 12).

Both run on SQLite and on the PostgreSQL server.
"""

from __future__ import annotations

import threading

import pytest

from leankanban.domain.errors import DealBlocked, StaleChange
from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban, open_database
from leankanban.services.backup import export_data


def test_a_step_from_a_stage_the_deal_has_left_changes_nothing(lk, clock):
    deal = lk.add_deal("Acme", stage="Leads", customer_value="Saves time")
    bob = LeanKanban(lk.engine, actor="bob", clock=clock)
    clock.advance(minutes=14)
    bob.step_deal(deal.id, 1, from_stage="Leads")  # bob saw it in Leads: applied
    before = export_data(lk)
    with pytest.raises(StaleChange) as refused:
        lk.step_deal(deal.id, 1, from_stage="Leads")  # ann saw it in Leads too
    assert str(refused.value) == (
        "bob moved this deal to 'Qualifying' at 2026-11-02 09:14 UTC, after you saw it in 'Leads'; "
        "nothing was changed."
    )
    assert export_data(lk) == before
    assert lk.get_deal(deal.id).stage == "Qualifying"


@pytest.mark.parametrize(
    "change",
    [
        lambda lk, deal: lk.move_deal(deal, "Proposal", from_stage="leads"),
        lambda lk, deal: lk.discard(deal, "No budget", from_stage="Leads"),
        lambda lk, deal: lk.win(deal, value="5000", from_stage="Leads"),
    ],
    ids=["move", "discard", "win"],
)
def test_every_move_checks_the_stage_seen(lk, change):
    deal = lk.add_deal("Acme", stage="Leads", customer_value="Saves time").id
    lk.move_deal(deal, "Discovery")
    before = export_data(lk)
    with pytest.raises(StaleChange):
        change(lk, deal)
    assert export_data(lk) == before


def test_the_stage_seen_is_matched_by_name_case_insensitively(lk):
    deal = lk.add_deal("Acme", stage="Leads", customer_value="Saves time").id
    assert lk.move_deal(deal, "Discovery", from_stage="LEADS").deal.stage == "Discovery"


def test_reopen_checks_the_closed_stage_seen(lk):
    deal = lk.add_deal("Acme", stage="Discovery", customer_value="Saves time").id
    lk.win(deal)
    lk.reopen(deal)
    with pytest.raises(StaleChange):
        lk.reopen(deal, from_stage="Won")


def test_a_blocked_deal_does_not_move_forward_and_nothing_changes(lk):
    deal = lk.add_deal("Acme", stage="Discovery", customer_value="Saves time").id
    lk.block(deal, "Legal review")
    before = export_data(lk)
    with pytest.raises(DealBlocked):
        lk.step_deal(deal, 1)
    with pytest.raises(DealBlocked):
        lk.move_deal(deal, "Negotiation")
    assert export_data(lk) == before


def test_a_blocked_deal_moved_on_with_an_override_records_why(lk):
    deal = lk.add_deal("Acme", stage="Discovery", customer_value="Saves time").id
    lk.block(deal, "Legal review")
    result = lk.move_deal(deal, "Proposal", override_reason="Legal said go")
    assert result.deal.stage == "Proposal" and result.deal.is_blocked
    assert result.warnings == ("The deal is blocked (Legal review): moved on anyway, override recorded.",)
    recorded = [e for e in lk.history(deal) if e.kind is EventKind.BLOCK_OVERRIDE]
    assert [(e.from_stage, e.to_stage, e.reason, e.old_value, e.actor) for e in recorded] == [
        ("Discovery", "Proposal", "Legal said go", "Legal review", "ann")
    ]
    assert any(e.kind is EventKind.BLOCK_OVERRIDE for e in result.events)


def test_a_blocked_deal_may_go_back_be_won_or_be_discarded(lk):
    back, won, lost = (lk.add_deal(t, stage="Discovery", customer_value="Saves time").id for t in ("Back", "Won", "Lost"))
    for deal in (back, won, lost):
        lk.block(deal, "Legal review")
    assert lk.step_deal(back, -1).deal.stage == "Qualifying"
    assert lk.win(won).deal.stage == "Won"
    assert lk.discard(lost, "No budget").deal.stage == "Lost"


def test_two_people_stepping_the_deal_they_both_saw_move_it_one_stage(db_url):
    setup = LeanKanban(open_database(db_url), actor="setup")
    setup.ensure_default_board()
    deals = [setup.add_deal(f"Acme {i}", stage="Leads").id for i in range(5)]
    for deal in deals:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def press(name: str, deal: int = deal, barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes) -> None:
            engine = open_database(db_url)  # each person has their own connection
            try:
                person = LeanKanban(engine, actor=name)
                barrier.wait()
                try:
                    person.step_deal(deal, 1, from_stage="Leads")
                    outcomes.append("moved")
                except StaleChange:
                    outcomes.append("refused")
            finally:
                engine.dispose()

        people = [threading.Thread(target=press, args=(name,)) for name in ("ann", "bob")]
        for person in people:
            person.start()
        for person in people:
            person.join(timeout=60)
        assert sorted(outcomes) == ["moved", "refused"]
        assert setup.get_deal(deal).stage == "Qualifying"
    setup.engine.dispose()


def test_an_edit_of_a_deal_changed_since_it_was_seen_changes_nothing(lk, clock):
    seen = lk.add_deal("Acme", stage="Discovery", value="100", customer_value="Saves time")
    bob = LeanKanban(lk.engine, actor="bob", clock=clock)
    clock.advance(minutes=3)
    bob.edit_deal(seen.id, value="300")
    before = export_data(lk)
    with pytest.raises(StaleChange) as refused:
        lk.edit_deal(seen.id, value="200", seen_version=seen.version)
    assert str(refused.value) == "bob edited it at 2026-11-02 09:03 UTC, after you opened it; nothing was changed, look again."
    assert export_data(lk) == before


def test_an_edit_on_the_current_version_applies_and_gives_the_next(lk):
    seen = lk.add_deal("Acme", stage="Discovery", value="100", customer_value="Saves time")
    edited = lk.edit_deal(seen.id, value="200", seen_version=seen.version)
    assert edited.version == lk.get_deal(seen.id).version > seen.version
    moved = lk.move_deal(seen.id, "Proposal", from_stage="Discovery")
    assert moved.deal.version == lk.get_deal(seen.id).version > edited.version
    assert lk.edit_deal(seen.id, next_step="Call", seen_version=moved.deal.version).next_step == "Call"
