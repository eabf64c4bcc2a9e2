"""`chart` labels stages with hostile names as visible escapes: in the terminal and in images."""

from __future__ import annotations

from pathlib import Path

import pytest

from leankanban.services import LeanKanban
from tests.conftest import FakeClock
from tests.hostile import BIDI, C1_CSI, OSC_TITLE, SHOWN, WIPE, assert_harmless


@pytest.fixture
def hostile_stages(lk_sqlite: LeanKanban, cli_clock: FakeClock) -> None:
    lk = lk_sqlite
    lk.rename_stage("Leads", WIPE)
    lk.rename_stage("Qualifying", C1_CSI)
    lk.rename_stage("Discovery", OSC_TITLE)
    lk.rename_stage("Proposal", BIDI)
    for number in range(3):
        deal = lk.add_deal(f"Deal {number}", stage=WIPE, value="100")
        cli_clock.advance(days=2)
        lk.move_deal(deal.id, C1_CSI)
        cli_clock.advance(days=2)
        lk.move_deal(deal.id, OSC_TITLE)
    lk.add_deal("Old one", stage=BIDI, customer_value="Saves time")  # BIDI is Proposal, gated on it
    cli_clock.advance(days=5)


@pytest.mark.parametrize("kind", ["cfd", "ageing"])
def test_terminal_chart_shows_hostile_stage_names_as_escapes(run, hostile_stages, kind: str) -> None:
    result = run("chart", kind, "--days", "30")
    assert result.exit_code == 0, result.stderr
    assert_harmless(result.stdout)
    assert "\\x1b" in result.stdout or "\\x9b" in result.stdout  # shown, not obeyed (perhaps cut short)


def test_image_charts_label_hostile_stage_names_as_escapes(run, hostile_stages, tmp_path: Path) -> None:
    target = tmp_path / "cfd.svg"
    result = run("chart", "cfd", "--days", "30", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    svg = target.read_text(encoding="utf-8")
    assert_harmless(svg)
    assert SHOWN[WIPE] in svg and SHOWN[BIDI] in svg
