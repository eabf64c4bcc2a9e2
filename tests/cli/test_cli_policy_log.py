"""`leankanban policy log` and the warning for a limit set below the count (issue 12)."""

from __future__ import annotations

import json

from leankanban.services import LeanKanban


def test_a_limit_below_the_count_warns_on_stderr_and_is_logged(run, lk_sqlite: LeanKanban, seeded):
    lk_sqlite.add_deal("Second", stage="Negotiation")
    result = run("stage", "set", "Negotiation", "--wip-max", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Warning: 'Negotiation' holds 2 deals, over its new WIP limit of 1: no deal can enter it until it is "
        "under (the board shows it over its limit).\n"
    )
    shown = run("policy", "log", "--format", "json")
    assert shown.exit_code == 0
    [change] = json.loads(shown.stdout)
    assert {k: change[k] for k in ("kind", "field", "to_stage", "old_value", "new_value", "actor", "deal_id")} == {
        "kind": "policy_changed", "field": "wip_max", "to_stage": "Negotiation",
        "old_value": "3", "new_value": "1", "actor": "ann", "deal_id": None,
    }
    table = run("policy", "log")
    assert "wip_max of Negotiation: 3 -> 1" in table.stdout


def test_an_unchanged_board_says_so(run, seeded):
    result = run("policy", "log")
    assert result.exit_code == 0
    assert result.stdout == "No policy has changed on this board yet.\n"


def test_policy_text_is_shown_safely(run, lk_sqlite: LeanKanban, seeded):
    lk_sqlite.set_discard_reasons(["No budget", "\x1b]0;pwned\x07Timing"])
    result = run("policy", "log")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
