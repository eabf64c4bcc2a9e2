"""`report` in every format shows hostile user text as visible escapes, never raw.

The same hostile strings (tests/hostile.py) as titles, accounts, owners, next
steps, a stage name, a block reason and a discard reason; output is plain
(CliRunner's stdout is not a terminal, so there is no colour).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from leankanban.services import LeanKanban
from tests.conftest import FakeClock
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


@pytest.fixture
def hostile(lk_sqlite: LeanKanban, cli_clock: FakeClock) -> dict[str, int]:
    """A board where every hostile string is a title, account, owner and next step (due today),
    a stage is named WIPE, one deal is blocked by OSC_CLIPBOARD and one lost for OSC_TITLE."""
    lk = lk_sqlite
    lk.rename_stage("Discovery", WIPE)
    lk.set_discard_reasons([OSC_TITLE, "Timing"])
    cli_clock.advance(days=1)
    ids = {
        raw: lk.add_deal(raw, stage="Leads", account=raw, owner=raw, next_step=raw, value="1000",
                         next_step_due="2026-11-03").id
        for raw in HOSTILE
    }
    cli_clock.advance(hours=2)
    for raw in (OSC_ST, C1_CSI, BIDI):
        lk.move_deal(ids[raw], WIPE)
    lk.block(ids[ZERO_WIDTH], OSC_CLIPBOARD)
    lk.discard(ids[SOFT_HYPHEN], OSC_TITLE)
    lk.win(ids[MARKUP])
    cli_clock.advance(hours=2)
    return ids


def test_report_text_shows_hostile_text_as_escapes(run, hostile) -> None:
    result = run("report")
    assert result.exit_code == 0, result.stderr
    assert_harmless(result.stdout)
    for raw in (OSC_TITLE, WIPE, OSC_ST, C1_CSI, BIDI, ZERO_WIDTH, MARKUP):
        assert SHOWN[raw] in result.stdout.replace("\n", "") or SHOWN[raw][:10] in result.stdout, raw


def test_report_text_into_a_file_shows_hostile_text_as_escapes(run, hostile, tmp_path) -> None:
    target = tmp_path / "standup.txt"
    assert run("report", "--output", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert_harmless(text)
    assert SHOWN[WIPE] in text and SHOWN[OSC_TITLE][:10] in text


def test_report_markdown_shows_hostile_text_as_escapes(run, hostile) -> None:
    result = run("report", "--format", "md")
    assert result.exit_code == 0, result.stderr
    assert_harmless(result.stdout)
    assert "Wipe\\\\x1b\\[2J" in result.stdout  # Markdown-escaped as well
    assert "Bidi\\\\u202eevil" in result.stdout and "Zero\\\\u200bwidth" in result.stdout
    assert "\\[bold red\\]x\\[/\\]" in result.stdout


def test_report_html_shows_hostile_text_as_escapes(run, hostile) -> None:
    result = run("report", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert_harmless(result.stdout)
    assert "Wipe\\x1b[2J" in result.stdout and "Cone\\x9b31m" in result.stdout
    assert "[bold red]x[/]" in result.stdout


def test_report_csv_shows_hostile_text_as_escapes(run, hostile) -> None:
    result = run("report", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert_harmless(result.stdout)
    tables = result.stdout.split("\n\n")
    deals = list(csv.DictReader(io.StringIO(tables[1])))
    titles = {row["title"] for row in deals}
    assert {SHOWN[raw] for raw in (OSC_TITLE, OSC_CLIPBOARD, WIPE, C1_CSI, BIDI, ZERO_WIDTH)} <= titles
    stages = list(csv.DictReader(io.StringIO(tables[0])))
    assert SHOWN[WIPE] in {row["stage"] for row in stages}


def test_report_json_keeps_the_exact_text(run, hostile) -> None:
    result = run("report", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert OSC_TITLE in {d["title"] for d in data["deals"]["items"]}
    assert WIPE in {s["name"] for s in data["stages"]}


def test_forecast_text_shows_a_hostile_stage_as_escapes(run, hostile) -> None:
    result = run("forecast", "--stage", WIPE, "--seed", "1")
    assert result.exit_code == 0, result.stderr
    assert_shown(result.stdout, WIPE)
