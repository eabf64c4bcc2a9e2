"""Eight processes racing moves into a WIP-limited stage, round after round (issue 12):
the limit holds every time, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing

from leankanban.domain.errors import StaleChange, WipLimitExceeded
from leankanban.services import LeanKanban, open_database

PROCESSES = 8
ROUNDS = 20
LIMIT = 3


def _racer(url: str, deals: list[int], start, results) -> None:  # type: ignore[no-untyped-def]
    engine = open_database(url)
    lk = LeanKanban(engine, actor="racer")
    try:
        for deal in deals:
            start.wait()
            try:
                lk.move_deal(deal, "Negotiation", from_stage="Proposal")
                results.put("moved")
            except (WipLimitExceeded, StaleChange):
                results.put("refused")
    finally:
        engine.dispose()


def test_eight_processes_never_break_a_wip_limit(db_url):
    setup = LeanKanban(open_database(db_url), actor="setup")
    setup.ensure_default_board()
    setup.set_stage_limits("Proposal", wip_max=None)
    setup.set_stage_limits("Negotiation", wip_max=LIMIT)
    context = multiprocessing.get_context("fork")
    for _ in range(ROUNDS):
        for deal in setup.list_deals(stage="Negotiation"):
            setup.discard(deal.id, "No budget")  # empty the column for the next round
        setup.add_deal("already there", stage="Negotiation")
        deals = [setup.add_deal(f"racer {i}", stage="Proposal", customer_value="Saves time").id for i in range(PROCESSES)]
        start, results = context.Barrier(PROCESSES), context.Queue()
        racers = [context.Process(target=_racer, args=(db_url, [deal], start, results)) for deal in deals]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=120)
        outcomes = sorted(results.get(timeout=10) for _ in racers)
        assert outcomes == ["moved"] * (LIMIT - 1) + ["refused"] * (PROCESSES - LIMIT + 1)
        assert len(setup.list_deals(stage="Negotiation")) == LIMIT
    setup.engine.dispose()
