"""`leankanban policies`, `policy set`, `criteria define`, `reasons define` (issue 13)."""

from __future__ import annotations

import json

from leankanban.services import LeanKanban
from tests.hostile import assert_harmless


def test_policies_page_in_markdown_and_json(run, lk_sqlite: LeanKanban):
    assert run("policy", "set", "Proposal", "--entry", "Budget confirmed.", "--exit", "Walked through.").exit_code == 0
    assert run("criteria", "define", "Budget", "An amount and who signs.").exit_code == 0
    assert run("reasons", "define", "No budget", "Cannot pay this year.").exit_code == 0
    page = run("policies", "--format", "md").stdout
    assert "## Proposal (open, WIP max 5)" in page
    assert "**Entry:**\n\nBudget confirmed." in page and "**Exit:**\n\nWalked through." in page
    assert "- **Budget**: An amount and who signs." in page
    assert "- **No budget**: Cannot pay this year." in page
    data = json.loads(run("policies", "--format", "json").stdout)
    proposal = next(s for s in data["stages"] if s["name"] == "Proposal")
    assert (proposal["entry_policy"], proposal["exit_policy"]) == ("Budget confirmed.", "Walked through.")
    stages = json.loads(run("stages", "--format", "json").stdout)
    assert next(s for s in stages if s["name"] == "Proposal")["entry_policy"] == "Budget confirmed."


def test_a_control_character_in_a_policy_is_refused_in_one_sentence(run, lk_sqlite: LeanKanban, one_sentence):
    result = run("policy", "set", "Proposal", "--entry", "Wipe\x1b[2J")
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "The entry policy holds a control character (U+001B); write it as plain text."


def test_hostile_names_on_the_policies_page_are_shown_as_escapes(run, lk_sqlite: LeanKanban):
    lk_sqlite.rename_stage("Proposal", "Prop\x1b]0;pwned\x07")
    lk_sqlite.set_discard_reasons(["Bidi\u202eevil", "Timing"])
    for fmt in ("text", "md"):
        assert_harmless(run("policies", "--format", fmt).stdout)
