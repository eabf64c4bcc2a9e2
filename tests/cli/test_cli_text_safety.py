"""Every CLI surface shows hostile user text as visible escapes, never raw.

The same hostile strings (tests/hostile.py) as titles, accounts, owners, notes,
reasons, stage, board, criterion and contact names; CliRunner's stdout is not a
terminal, so output is plain and any ESC in it came from the data.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from leankanban.services import LeanKanban
from tests.hostile import (
    BIDI,
    C1_CSI,
    HOSTILE,
    MARKUP,
    OSC_CLIPBOARD,
    OSC_ST,
    OSC_TITLE,
    SHOWN,
    SOFT_HYPHEN,
    WIPE,
    ZERO_WIDTH,
    assert_harmless,
    assert_shown,
)


def ok(result) -> str:
    assert result.exit_code == 0, result.stdout + result.stderr
    assert_harmless(result.stdout)
    assert_harmless(result.stderr)
    return result.stdout


@pytest.fixture
def deals(lk_sqlite: LeanKanban) -> dict[str, int]:
    """One deal per hostile string, as its title, account, owner and next step."""
    return {
        raw: lk_sqlite.add_deal(raw, stage="Leads", account=raw, owner=raw, next_step=raw, value="1000").id
        for raw in HOSTILE
    }


# -- tables ----------------------------------------------------------------------------


def test_deals_table_shows_hostile_text_as_escapes(run, deals) -> None:
    out = ok(run("deals"))
    assert_shown(out.replace("\n", ""), OSC_CLIPBOARD, WIPE, C1_CSI, BIDI, ZERO_WIDTH, SOFT_HYPHEN, MARKUP)
    assert "Acme\\x1b]0;pwned" in out


def test_deals_csv_shows_hostile_text_as_escapes_and_defuses_formulas(run, deals, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.add_deal("=1+1\x1b[2J", account="@cmd\x9b")
    out = ok(run("deals", "--format", "csv"))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {SHOWN[raw] for raw in HOSTILE} <= {row["title"] for row in rows}
    assert {SHOWN[raw] for raw in HOSTILE} <= {row["owner"] for row in rows}
    formula = next(row for row in rows if row["title"].startswith("'="))
    assert formula["title"] == "'=1+1\\x1b[2J" and formula["account"] == "'@cmd\\x9b"


def test_export_csv_shows_hostile_text_as_escapes(run, deals) -> None:
    out = ok(run("export", "--format", "csv"))
    assert SHOWN[OSC_TITLE] in out and SHOWN[C1_CSI] in out


def test_deals_json_keeps_the_exact_text(run, deals) -> None:
    result = run("deals", "--format", "json")
    assert {d["title"] for d in json.loads(result.stdout)} == set(HOSTILE)


def test_show_shows_every_hostile_field_as_escapes(run, deals, lk_sqlite: LeanKanban) -> None:
    deal = deals[OSC_TITLE]
    lk_sqlite.edit_deal(deal, tags="x", helpers="bob")
    lk_sqlite.add_contact(deal, BIDI, email=ZERO_WIDTH)
    lk_sqlite.add_criterion(C1_CSI)
    lk_sqlite.qualify(deal, C1_CSI, "yes", note=SOFT_HYPHEN)
    lk_sqlite.block(deal, OSC_CLIPBOARD)
    lk_sqlite.add_note(deal, f"{WIPE}\nsecond line")
    out = ok(run("show", str(deal)))
    assert_shown(out.replace("\n", ""), OSC_TITLE, OSC_CLIPBOARD, BIDI, ZERO_WIDTH, C1_CSI, SOFT_HYPHEN, WIPE)


def test_history_shows_hostile_changes_as_escapes(run, deals, lk_sqlite: LeanKanban) -> None:
    deal = deals[OSC_TITLE]
    lk_sqlite.edit_deal(deal, title=OSC_ST, account=WIPE)
    lk_sqlite.add_note(deal, C1_CSI)
    lk_sqlite.rename_stage("Qualifying", BIDI)
    lk_sqlite.move_deal(deal, BIDI)
    out = ok(run("history", str(deal)))
    assert_shown(out.replace("\n", ""), OSC_ST, C1_CSI, BIDI)
    assert "Wipe\\\\x1b[2J" in out or SHOWN[WIPE] in out  # old and new values are quoted


def test_board_shows_hostile_cards_and_stages_as_escapes(run, deals, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.rename_stage("Leads", WIPE)
    lk_sqlite.block(deals[MARKUP], OSC_CLIPBOARD)
    out = ok(run("board"))
    for raw in HOSTILE:
        assert SHOWN[raw][:6] in out, raw
    assert "Wipe\\x1b" in out


def test_stages_and_boards_show_hostile_names_as_escapes(run, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.rename_stage("Leads", WIPE)
    lk_sqlite.init_board(OSC_TITLE)
    assert_shown(ok(run("stages")), WIPE)
    assert_shown(ok(run("boards")).replace("\n", ""), OSC_TITLE, WIPE)
    assert_shown(ok(run("--board", OSC_TITLE, "stages")), OSC_TITLE)


def test_reasons_criteria_lanes_and_settings_show_hostile_text_as_escapes(run, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.set_discard_reasons([OSC_TITLE, BIDI])
    lk_sqlite.add_criterion(WIPE)
    lk_sqlite.set_lane_limit("owner", C1_CSI, 2)
    lk_sqlite.rename_stage("Leads", ZERO_WIDTH)
    lk_sqlite.set_stage_limits(ZERO_WIDTH, stale_after_days=5)
    assert_shown(ok(run("reasons")), OSC_TITLE, BIDI)
    assert_shown(ok(run("reasons", "list")), OSC_TITLE, BIDI)
    assert ok(run("reasons")).splitlines() == [SHOWN[OSC_TITLE], SHOWN[BIDI]]
    assert_shown(ok(run("criteria")), WIPE)
    assert_shown(ok(run("lane", "list")), C1_CSI)
    lk_sqlite.init_board(OSC_CLIPBOARD)
    assert_shown(ok(run("settings")), ZERO_WIDTH)
    assert_shown(ok(run("--board", OSC_CLIPBOARD, "settings")), OSC_CLIPBOARD)


# -- confirmations -----------------------------------------------------------------------


def test_confirmations_show_hostile_text_as_escapes(run, deals, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.rename_stage("Qualifying", WIPE)
    lk_sqlite.set_discard_reasons([OSC_TITLE, "Timing"])
    deal = str(deals[MARKUP])
    assert_shown(ok(run("move", deal, WIPE)), WIPE)
    assert_shown(ok(run("block", deal, "--reason", OSC_CLIPBOARD)), OSC_CLIPBOARD)
    ok(run("unblock", deal))
    ok(run("note", deal, C1_CSI))
    assert_shown(ok(run("contact", "add", deal, BIDI)), BIDI)
    assert_shown(ok(run("contact", "remove", deal, BIDI)), BIDI)
    assert_shown(ok(run("discard", deal, "--reason", OSC_TITLE)), OSC_TITLE)
    assert_shown(ok(run("reopen", deal, "--stage", WIPE)), WIPE)
    ok(run("win", deal))
    assert_shown(ok(run("reasons", "set", OSC_ST, ZERO_WIDTH)), OSC_ST, ZERO_WIDTH)


def test_stage_and_board_confirmations_show_hostile_names_as_escapes(run, lk_sqlite: LeanKanban) -> None:
    assert_shown(ok(run("stage", "add", WIPE)), WIPE)
    assert_shown(ok(run("stage", "set", WIPE, "--wip-max", "3", "--stale-after", "4")), WIPE)
    assert_shown(ok(run("stage", "rename", WIPE, C1_CSI)), WIPE, C1_CSI)
    assert_shown(ok(run("stage", "reorder", C1_CSI, "1")), C1_CSI)
    assert_shown(ok(run("stage", "remove", C1_CSI)), C1_CSI)
    assert_shown(ok(run("criteria", "add", BIDI)), BIDI)
    assert_shown(ok(run("criteria", "require", BIDI, "--for", "Proposal")), BIDI)
    deal = lk_sqlite.add_deal("Plain").id
    assert_shown(ok(run("qualify", str(deal), BIDI, "--yes")), BIDI)
    assert_shown(ok(run("criteria", "remove", BIDI)), BIDI)
    assert_shown(ok(run("lane", "limit", "owner", OSC_CLIPBOARD, "2")), OSC_CLIPBOARD)
    assert_shown(ok(run("init", "--board", OSC_TITLE)), OSC_TITLE)


def test_a_wip_override_warning_shows_the_stage_as_escapes(run, lk_sqlite: LeanKanban) -> None:
    lk_sqlite.rename_stage("Negotiation", WIPE)
    for number in range(3):
        lk_sqlite.add_deal(f"Full {number}", stage=WIPE)
    deal = lk_sqlite.add_deal("One more", stage="Proposal", customer_value="Saves time").id  # Proposal's gate
    result = run("move", str(deal), WIPE, "--override", OSC_TITLE)
    ok(result)
    assert_shown(result.stderr, WIPE)
