"""`leankanban move --from STAGE` and blocked deals on the command line (issue 12)."""

from __future__ import annotations

from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban


def test_move_from_the_stage_the_deal_is_in_moves_it(run, lk_sqlite: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    result = run("move", str(deal_id), "Qualifying", "--from", "leads")
    assert result.exit_code == 0, result.stderr
    assert lk_sqlite.get_deal(deal_id).stage == "Qualifying"


def test_move_from_a_stage_the_deal_has_left_is_refused(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    deal_id = seeded["Acme rollout"]
    lk_sqlite.move_deal(deal_id, "Qualifying")
    result = run("move", str(deal_id), "Discovery", "--from", "Leads")
    assert result.exit_code == 5
    assert one_sentence(result.stderr) == (
        "ann moved this deal to 'Qualifying' at 2026-11-02 09:00 UTC, after you saw it in 'Leads'; nothing was changed."
    )
    assert result.stdout == ""
    assert lk_sqlite.get_deal(deal_id).stage == "Qualifying"


def test_move_from_a_stage_the_board_lacks_names_the_stages(run, seeded, one_sentence):
    result = run("move", str(seeded["Acme rollout"]), "Discovery", "--from", "Nowhere")
    assert result.exit_code == 4
    assert "Nowhere" in one_sentence(result.stderr)


def test_a_blocked_deal_is_not_moved_forward_without_an_override(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    deal_id = seeded["Initech renewal"]
    lk_sqlite.block(deal_id, "Legal review")
    result = run("move", str(deal_id), "Proposal")
    assert result.exit_code == 3
    assert one_sentence(result.stderr) == (
        "The deal is blocked (Legal review) and cannot move forward until it is unblocked; "
        "unblock it, or override with a reason to move it anyway."
    )
    assert lk_sqlite.get_deal(deal_id).stage == "Discovery"


def test_a_blocked_deal_moved_with_an_override_says_so(run, lk_sqlite: LeanKanban, seeded):
    deal_id = seeded["Initech renewal"]
    lk_sqlite.block(deal_id, "Legal review")
    result = run("move", str(deal_id), "Proposal", "--override", "Legal said go")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Warning: The deal is blocked (Legal review): moved on anyway, override recorded.\n"
    assert lk_sqlite.get_deal(deal_id).stage == "Proposal"
    assert [e.reason for e in lk_sqlite.history(deal_id) if e.kind is EventKind.BLOCK_OVERRIDE] == ["Legal said go"]
    shown = run("history", str(deal_id))
    assert "Legal said go" in shown.stdout


def test_edit_if_version_refuses_a_deal_changed_since(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    import json

    deal_id = seeded["Acme rollout"]
    shown = json.loads(run("show", str(deal_id), "--format", "json").stdout)
    lk_sqlite.edit_deal(deal_id, value="5")
    result = run("edit", str(deal_id), "--value", "9", "--if-version", str(shown["version"]))
    assert result.exit_code == 5
    assert "after you opened it; nothing was changed" in one_sentence(result.stderr)
    fresh = json.loads(run("show", str(deal_id), "--format", "json").stdout)
    assert run("edit", str(deal_id), "--value", "9", "--if-version", str(fresh["version"])).exit_code == 0
