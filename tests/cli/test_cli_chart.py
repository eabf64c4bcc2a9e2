"""`leankanban chart` on a board made by hand the same day: every chart sane at 100 and 160 columns."""

from __future__ import annotations

import re

import pytest

from leankanban.services import LeanKanban
from tests.conftest import FakeClock


@pytest.fixture
def made_today(lk: LeanKanban, cli_clock: FakeClock) -> None:
    """A new user's first hour: deals added, moved, one won, one discarded, minutes apart."""
    for title, stage, value in (("Acme", "Proposal", "100000"), ("Globex", "Discovery", "50000"),
                                ("Hooli", "Negotiation", "150000"), ("Initech", "Leads", "20000")):
        # Each says what it is worth to the customer: a new lean-sales board gates Proposal on it.
        lk.add_deal(title, stage=stage, value=value, customer_value="Saves a day a week")
        cli_clock.advance(minutes=3)
    lk.win(3)
    cli_clock.advance(minutes=7)
    lk.discard(4, "No budget")
    lk.move_deal(2, "Proposal")
    cli_clock.advance(minutes=20)


def y_ticks(text: str) -> list[str]:
    return [m.group(1) for line in text.splitlines() if (m := re.match(r"^\s*(\S+)\s*[┤├]", line))]


@pytest.mark.parametrize("width", [100, 160])
@pytest.mark.parametrize("kind", ["cfd", "throughput", "cycle-time", "ageing"])
def test_every_chart_of_a_board_made_today_has_whole_ticks(run, made_today, kind: str, width: int) -> None:
    result = run("chart", kind, env={"COLUMNS": str(width), "LINES": "30"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    ticks = y_ticks(result.stdout)
    assert ticks and all(t.isdigit() for t in ticks) and ticks[-1] == "0", ticks
    assert "2026-08-04 to 2026-11-02" in result.stdout  # the 90 days asked for, to today
    if kind in ("cycle-time", "ageing"):
        assert "(minutes)" in result.stdout
        assert "not enough history (1 closed, need 10)" in result.stdout
        assert not re.search(r"p(50|85|95) ", result.stdout)


def test_the_cycle_time_chart_shows_a_win_of_six_minutes_in_minutes(run, made_today) -> None:
    result = run("chart", "cycle-time", env={"COLUMNS": "100", "LINES": "30"})
    # Hooli: in Negotiation from 09:06, won at 09:12 (6 minutes); the axis runs 0 to 6 minutes.
    assert y_ticks(result.stdout) == ["6", "5", "4", "3", "2", "1", "0"]
