"""`--why` and `--card` on every command that changes a policy (issue 13: a retro can see
when and why a policy changed; an improvement card links to the policy it changed)."""

from __future__ import annotations

import json

import pytest

from leankanban.services import LeanKanban
from tests.hostile import assert_harmless

WHY = ("--why", "retro: proposals went out before a demo")


@pytest.fixture
def card(lk_sqlite: LeanKanban) -> int:
    deal = lk_sqlite.add_deal("Globex", stage="Discovery")
    lk_sqlite.discard(deal.id, "Timing")
    retro = lk_sqlite.create_retro("deal", deal_id=deal.id, improve=["Demo before any proposal"])
    return next(i.card_id for i in retro.items if i.card_id)


@pytest.mark.parametrize(
    "command",
    [
        ("policy", "set", "Proposal", "--entry", "A demo was given."),
        ("stage", "set", "Proposal", "--wip-max", "4"),
        ("stage", "add", "Demo", "--position", "3"),
        ("criteria", "add", "Champion"),
        ("criteria", "require", "Budget", "--for", "Proposal"),
        ("criteria", "define", "Budget", "Someone who signs confirmed the amount."),
        ("reasons", "define", "Timing", "No project this year."),
        ("reasons", "set", "Timing", "Not a fit"),
        ("lane", "limit", "owner", "ann", "3"),
        ("settings", "--stall-days", "10"),
        ("allocation", "set", "--origination", "60", "--influence", "30", "--support", "10"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_policy_command_records_why_and_the_card(run, card, command):
    result = run(*command, *WHY, "--card", str(card))
    assert result.exit_code == 0, result.stderr
    log = json.loads(run("policy", "log", "--format", "json").stdout)
    assert log and all(e["reason"] == WHY[1] and e["data"]["card"] == str(card) for e in log)


def test_the_log_and_the_card_show_why(run, card):
    run("policy", "set", "Proposal", "--entry", "A demo was given.", *WHY, "--card", str(card))
    log = run("policy", "log").stdout
    assert "why: retro: proposals went out before a demo" in log and f"card {card}" in log
    shown = run("show", str(card))
    assert "Policies changed for this card" in shown.stdout and "entry_policy of Proposal" in shown.stdout
    data = json.loads(run("show", str(card), "--format", "json").stdout)
    assert [e["field"] for e in data["policy_changes"]] == ["entry_policy"]


def test_a_deal_that_is_not_an_improvement_card_is_refused_and_nothing_changes(run, lk_sqlite, card, one_sentence):
    deal = lk_sqlite.add_deal("Acme", stage="Leads")
    result = run("policy", "set", "Proposal", "--entry", "A demo was given.", "--card", str(deal.id))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith(f"Deal {deal.id} is not an improvement card of this board;")
    assert lk_sqlite.get_board().stage("Proposal").entry_policy == ""
    assert json.loads(run("policy", "log", "--format", "json").stdout) == []


def test_a_hostile_reason_is_refused_or_shown_harmless(run, card):
    refused = run("policy", "set", "Proposal", "--entry", "x", "--why", "pwn\x1b]52;c;cHduZWQ=\x07")
    assert refused.exit_code == 1
    assert run("policy", "set", "Proposal", "--entry", "x", "--why", "Bidi\u202eevil").exit_code == 0
    assert_harmless(run("policy", "log").stdout)
