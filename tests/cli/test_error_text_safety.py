"""An error that names user text (a stage, a reason) prints it as visible escapes, on one line.

Commands raise LeanKanbanError with the user's text in the message; the one
place that prints it (cli.LeanKanbanGroup.invoke) goes through
leankanban.text.one_line.
"""

from __future__ import annotations

import pytest

from leankanban.services import LeanKanban
from tests.hostile import C1_CSI, MARKUP, OSC_CLIPBOARD, OSC_TITLE, WIPE, assert_harmless, assert_shown


@pytest.fixture
def deal(lk_sqlite: LeanKanban) -> int:
    return lk_sqlite.add_deal(MARKUP, stage="Leads").id


def test_an_unknown_stage_error_shows_the_names_as_escapes(run, deal, lk_sqlite: LeanKanban, one_sentence) -> None:
    lk_sqlite.rename_stage("Proposal", C1_CSI)
    result = run("move", str(deal), OSC_TITLE)
    assert result.exit_code == 4
    line = one_sentence(result.stderr)
    assert_shown(line, OSC_TITLE, C1_CSI)
    assert line.endswith(".")


def test_an_unknown_reason_error_shows_the_reasons_as_escapes(run, deal, lk_sqlite: LeanKanban, one_sentence) -> None:
    lk_sqlite.set_discard_reasons([OSC_CLIPBOARD, "Timing"])
    result = run("discard", str(deal), "--reason", WIPE)
    assert result.exit_code != 0
    assert_shown(one_sentence(result.stderr), WIPE, OSC_CLIPBOARD)


def test_an_error_with_a_line_break_in_user_text_stays_one_line(run, one_sentence) -> None:
    result = run("move", "1", "no\nsuch stage\x1b[2J")
    assert result.exit_code != 0
    assert_harmless(one_sentence(result.stderr))


def test_an_unknown_board_error_shows_its_name_as_escapes(run, one_sentence) -> None:
    result = run("--board", OSC_TITLE, "deals")
    assert result.exit_code == 4
    assert_shown(one_sentence(result.stderr), OSC_TITLE)


@pytest.mark.parametrize("args", [("stage", "set", "Leads", "--wip-max", WIPE), ("settings", "--capacity-per-week", WIPE)])
def test_a_usage_error_shows_the_value_given_as_escapes(run, args) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert_harmless(result.stderr)
    assert "Wipe\\x1b[2J" in result.stderr
