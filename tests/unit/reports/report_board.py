"""A small hand-counted board for report tests (see test_reports_model.py for the counts)."""

from __future__ import annotations

from dataclasses import replace

from leankanban.domain.model import Board
from tests.unit.metrics.metrics_story import LEAN, Story, at

STAGES = tuple(replace(s, wip_max=1) if s.name == "Proposal" else s for s in LEAN)
BOARD = Board(name="pipeline", stages=STAGES, stall_days=14)
NOW = at(20)  # Sunday 25 January 2026, 09:00 UTC
SINCE = at(19)
TRICKY = "a|b *c* [x](y)"


def story() -> Story:
    s = Story(STAGES)
    s.add(1, "Discovery", 0, value=1000, title="Acme")
    s.add(6, "Negotiation", 0.5, value=6000, title="Zeta")
    s.add(5, "Proposal", 2, value=4000, owner="bob", title="Eps")
    s.add(3, "Discovery", 0, value=3000, title="Gamma")
    s.add(2, "Discovery", 4.5, value=2000, title="Beta")
    s.move(2, "Proposal", 5)
    s.win(1, 10)
    s.add(7, "Discovery", 12, value=100, title=TRICKY)
    s.block(5, 15, "legal review")
    s.lose(2, 19.5, "price")
    s.win(3, 19.5)
    s.add(4, "Leads", 19.5, value=500, owner="bob", title="Delta")
    s.move(7, "Proposal", 19.6)
    return s
