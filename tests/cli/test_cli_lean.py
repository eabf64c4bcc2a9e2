"""Lean work items from the command line: details, qualification, outcomes, blockers, flow policies, undo."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from leankanban.domain.errors import DiscardReasonRequired, QualificationMissing
from leankanban.domain.model import Answer, ContactRole, DealStatus, DealType, EventKind, Lane, Priority, Stance
from leankanban.services import LeanKanban

NEW_COMMANDS = [
    ["show"], ["note"], ["undo"], ["qualify"], ["discard"], ["win"], ["reopen"], ["block"], ["unblock"],
    ["settings"], ["import"], ["export"], ["contact", "add"], ["contact", "remove"], ["criteria"],
    ["criteria", "list"], ["criteria", "add"], ["criteria", "remove"], ["criteria", "require"], ["reasons"],
    ["reasons", "list"], ["reasons", "set"], ["lane", "limit"], ["lane", "list"],
]


@pytest.mark.parametrize("args", NEW_COMMANDS, ids=" ".join)
def test_every_new_command_has_help_with_a_description(invoke, args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.stderr
    description = result.stdout.split("Usage:")[1].splitlines()[2].strip()
    assert description.endswith("."), (args, description)


# --- add, edit and show -------------------------------------------------------------


def test_a_deal_added_without_activity_has_none_and_edit_none_clears_it(run, lk_sqlite: LeanKanban):
    added = run("add", "Acme rollout")
    assert added.exit_code == 0, added.stderr
    deal_id = int(added.stdout)
    assert lk_sqlite.get_deal(deal_id).activity is None
    shown = run("deals", "--format", "json")
    assert json.loads(shown.stdout)[0]["activity"] is None
    assert run("edit", str(deal_id), "--activity", "support").exit_code == 0
    assert lk_sqlite.get_deal(deal_id).activity.value == "support"
    cleared = run("edit", str(deal_id), "--activity", "none")
    assert cleared.exit_code == 0, cleared.stderr
    assert cleared.stdout == f"Updated deal {deal_id}: activity.\n"
    assert lk_sqlite.get_deal(deal_id).activity is None


def test_add_and_edit_take_the_lean_fields(run, lk_sqlite: LeanKanban):
    added = run(
        "add", "Acme rollout", "--type", "expansion", "--priority", "fixed date", "--activity", "influence",
        "--expected-close", "2026-12-15", "--next-step-due", "2026-11-30", "--tags", "q4, Big", "--helpers", "bob,cy",
    )
    assert added.exit_code == 0, added.stderr
    deal = lk_sqlite.get_deal(int(added.stdout))
    assert (deal.deal_type, deal.priority, deal.activity.value) == (DealType.EXPANSION, Priority.FIXED_DATE, "influence")
    assert (deal.expected_close, deal.next_step_due) == (date(2026, 12, 15), date(2026, 11, 30))
    assert (deal.tags, deal.helpers) == (("q4", "big"), ("bob", "cy"))

    edited = run("edit", str(deal.id), "--priority", "expedite", "--tags", "", "--expected-close", "")
    assert edited.exit_code == 0, edited.stderr
    assert edited.stdout == f"Updated deal {deal.id}: priority, expected close, tags.\n"
    deal = lk_sqlite.get_deal(deal.id)
    assert (deal.priority, deal.tags, deal.expected_close, deal.helpers) == (Priority.EXPEDITE, (), None, ("bob", "cy"))


def test_a_bad_choice_or_date_is_one_sentence_and_writes_nothing(run, lk_sqlite: LeanKanban, one_sentence):
    bad_type = run("add", "Acme", "--type", "upsell")
    assert bad_type.exit_code == 1
    assert one_sentence(bad_type.stderr) == (
        "'upsell' is not a valid deal type (choose from: new_logo, expansion, renewal)."
    )
    bad_date = run("add", "Acme", "--next-step-due", "next friday")
    assert bad_date.exit_code == 1
    assert one_sentence(bad_date.stderr) == "'next friday' is not a date; use YYYY-MM-DD."
    assert lk_sqlite.list_deals() == []


def test_show_prints_every_field_and_the_timeline_literally(run, lk_sqlite: LeanKanban):
    deal = lk_sqlite.add_deal(
        "[bold]Acme[/]", account="Acme Corp", value="12000", owner="ann", next_step="Send [i]proposal[/i]",
        deal_type="renewal", activity="origination", tags="q4", helpers="bob", next_step_due="2026-11-30", expected_close="2026-12-15",
    )
    lk_sqlite.add_contact(deal.id, "Jo [red]Smith[/red]", role="champion", stance="supportive", email="jo@acme.test")
    lk_sqlite.qualify(deal.id, "Budget", "yes", note="500k [approved]")
    lk_sqlite.add_note(deal.id, "Called :smile: [link=http://evil]Jo[/link]")
    lk_sqlite.block(deal.id, "Legal [review]")

    result = run("show", str(deal.id))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "[bold]Acme[/]", "Acme Corp", "12,000 EUR", "renewal", "standard (class of service)", "origination",
        "2026-12-15", "Send [i]proposal[/i] (due 2026-11-30)", "q4", "bob", "BLOCKED", "Legal [review]",
        "Jo [red]Smith[/red]", "champion", "supportive", "jo@acme.test", "500k [approved]",
        "Called :smile: [link=http://evil]Jo[/link]", "Leads",
    ):
        assert text in out, text
    # The timeline runs newest first: the block comes before the note, the note before the creation.
    assert out.index("Legal [review]", out.index("Timeline")) < out.index("Called :smile:") < out.rindex("in Leads")


def test_show_json_has_the_fields_contacts_answers_and_timeline(run, lk_sqlite: LeanKanban):
    deal = lk_sqlite.add_deal("Acme", tags="a,b", helpers="bob")
    lk_sqlite.add_contact(deal.id, "Jo", role="decision maker")
    lk_sqlite.qualify(deal.id, "need", "no", note="not this year")
    lk_sqlite.add_note(deal.id, "[b]literal[/b]")
    result = run("show", str(deal.id), "--format", "json")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["title"], shown["board"], shown["tags"], shown["helpers"]) == ("Acme", "pipeline", ["a", "b"], ["bob"])
    assert shown["contacts"] == [{"name": "Jo", "role": "decision_maker", "stance": "unknown", "email": ""}]
    assert shown["qualification"]["Need"]["answer"] == "no"
    assert shown["qualification"]["Need"]["note"] == "not this year"
    assert shown["qualification"]["Need"]["actor"] == "ann"
    kinds = [e["kind"] for e in shown["timeline"]]
    assert kinds == ["note", "qualified", "edited", "created"]
    assert shown["timeline"][0]["new_value"] == "[b]literal[/b]"


def test_show_an_unknown_deal_exits_4(run, one_sentence):
    result = run("show", "42")
    assert result.exit_code == 4
    assert one_sentence(result.stderr) == "There is no deal with id 42."


# --- notes and contacts ---------------------------------------------------------------


def test_note_is_added_to_the_timeline(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme")
    result = run("note", str(deal.id), "Wants a demo [soon]")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Added a note to deal {deal.id}.\n"
    [latest, *_] = lk_sqlite.timeline(deal.id)
    assert (latest.kind, latest.new_value) == (EventKind.NOTE, "Wants a demo [soon]")
    blank = run("note", str(deal.id), "   ")
    assert blank.exit_code == 1
    assert one_sentence(blank.stderr) == "A note needs some text."


def test_contacts_are_added_and_removed(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme")
    added = run("contact", "add", str(deal.id), "Jo Smith", "--role", "champion", "--stance", "supportive", "--email", "jo@x.test")
    assert added.exit_code == 0, added.stderr
    assert added.stdout == f"Added Jo Smith (champion, supportive) to deal {deal.id}.\n"
    [contact] = lk_sqlite.get_deal(deal.id).contacts
    assert (contact.role, contact.stance, contact.email) == (ContactRole.CHAMPION, Stance.SUPPORTIVE, "jo@x.test")

    missing = run("contact", "remove", str(deal.id), "Kim")
    assert missing.exit_code == 1
    assert one_sentence(missing.stderr) == "The deal has no contact 'Kim' (contacts: Jo Smith)."
    removed = run("contact", "remove", str(deal.id), "jo smith")
    assert removed.exit_code == 0, removed.stderr
    assert lk_sqlite.get_deal(deal.id).contacts == ()


def test_a_bad_contact_role_lists_the_roles(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme")
    result = run("contact", "add", str(deal.id), "Jo", "--role", "boss")
    assert result.exit_code == 1
    assert "decision_maker, champion" in one_sentence(result.stderr)


# --- criteria and qualify ---------------------------------------------------------------


def test_criteria_lists_add_require_and_remove(run, lk_sqlite: LeanKanban):
    listed = run("criteria", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert [c["name"] for c in json.loads(listed.stdout)][:2] == ["Ideal-customer fit", "Budget"]
    assert run("criteria", "list").stdout == run("criteria").stdout

    assert run("criteria", "add", "Security review").exit_code == 0
    required = run("criteria", "require", "security review", "--for", "proposal")
    assert required.exit_code == 0, required.stderr
    assert required.stdout == "Deals need a yes to 'Security review' to enter 'Proposal'.\n"
    run("criteria", "require", "Security review", "--for", "Negotiation")
    rows = {c["name"]: c for c in json.loads(run("criteria", "list", "-f", "json").stdout)}
    assert rows["Security review"]["required_for"] == ["Proposal", "Negotiation"]
    assert "Proposal, Negotiation" in run("criteria").stdout

    dropped = run("criteria", "require", "Security review", "--for", "Proposal", "--not")
    assert dropped.stdout == "'Proposal' no longer requires 'Security review'.\n"
    assert lk_sqlite.get_board().criterion("Security review").required_for == frozenset({"Negotiation"})

    assert run("criteria", "remove", "security review").stdout == "Removed criterion 'Security review'.\n"
    assert "Security review" not in [c.name for c in lk_sqlite.get_board().criteria]


def test_an_unknown_criterion_exits_4_and_names_the_criteria(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme")
    result = run("qualify", str(deal.id), "Vibes", "--yes")
    assert result.exit_code == 4
    assert one_sentence(result.stderr).startswith("There is no qualification criterion 'Vibes' (criteria: Ideal-customer fit,")


def test_qualify_opens_a_gated_stage(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme", stage="Qualifying")
    run("criteria", "require", "Budget", "--for", "Discovery")
    refused = run("move", str(deal.id), "Discovery")
    assert refused.exit_code == 3
    assert one_sentence(refused.stderr) == str(QualificationMissing("Discovery", ["Budget"]))
    assert lk_sqlite.get_deal(deal.id).stage == "Qualifying"

    answered = run("qualify", str(deal.id), "budget", "--yes", "--note", "CFO signed [off]")
    assert answered.exit_code == 0, answered.stderr
    assert answered.stdout == f"Deal {deal.id}: Budget = yes.\n"
    budget = lk_sqlite.get_deal(deal.id).qualification["Budget"]
    assert (budget.answer, budget.note, budget.actor) == (Answer.YES, "CFO signed [off]", "ann")

    moved = run("move", str(deal.id), "Discovery")
    assert moved.exit_code == 0, moved.stderr
    assert lk_sqlite.get_deal(deal.id).stage == "Discovery"


@pytest.mark.parametrize("flags", [(), ("--yes", "--no"), ("--no", "--unknown", "--yes")])
def test_qualify_needs_exactly_one_answer(run, lk_sqlite: LeanKanban, flags):
    deal = lk_sqlite.add_deal("Acme")
    result = run("qualify", str(deal.id), "Budget", *flags)
    assert result.exit_code == 2
    assert "give exactly one of --yes, --no or --unknown" in result.stderr
    assert lk_sqlite.get_deal(deal.id).qualification == {}


# --- discard, win, reopen, reasons --------------------------------------------------------


def test_discard_needs_a_reason_option(run, lk_sqlite: LeanKanban):
    deal = lk_sqlite.add_deal("Acme")
    result = run("discard", str(deal.id))
    assert result.exit_code == 2
    assert "Missing option '--reason'" in result.stderr
    assert lk_sqlite.get_deal(deal.id).is_open


def test_discard_with_an_unknown_reason_lists_the_reasons(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme")
    result = run("discard", str(deal.id), "--reason", "Bad vibes")
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == (
        "'Bad vibes' is not a discard reason on this board (reasons: Lost to competitor, No budget, "
        "No decision / status quo, Not a fit, Timing, Duplicate)."
    )
    blank = run("discard", str(deal.id), "--reason", " ")
    assert blank.exit_code == 3
    assert one_sentence(blank.stderr) == str(DiscardReasonRequired(list(lk_sqlite.get_board().discard_reasons)))
    assert lk_sqlite.get_deal(deal.id).is_open


def test_discard_win_and_reopen(run, lk_sqlite: LeanKanban, one_sentence):
    lost = lk_sqlite.add_deal("Acme", stage="Proposal", customer_value="Saves a day a week")  # Proposal's gate
    no_rival = run("discard", str(lost.id), "--reason", "lost to competitor")
    assert no_rival.exit_code == 1
    assert one_sentence(no_rival.stderr) == "Name the competitor the deal was lost to (--competitor)."

    result = run("discard", str(lost.id), "--reason", "lost to competitor", "--competitor", "Initech", "--note", "Price")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Discarded deal {lost.id} (Lost to competitor: Initech); it is in Lost.\n"
    deal = lk_sqlite.get_deal(lost.id)
    assert (deal.status, deal.lost_reason) == (DealStatus.LOST, "Lost to competitor: Initech")

    reopened = run("reopen", str(lost.id))
    assert reopened.exit_code == 0, reopened.stderr
    assert reopened.stdout == f"Reopened deal {lost.id} in Proposal.\n"
    assert run("reopen", str(lost.id)).exit_code == 1  # open already

    won = run("win", str(lost.id), "--value", "15000")
    assert won.exit_code == 0, won.stderr
    assert won.stdout == f"Won deal {lost.id} at 15,000 EUR; it is in Won.\n"
    deal = lk_sqlite.get_deal(lost.id)
    assert (deal.status, deal.value) == (DealStatus.WON, Decimal("15000"))
    again = run("win", str(lost.id))
    assert again.exit_code == 1
    assert one_sentence(again.stderr) == "The deal is already won; reopen it first."

    into = run("reopen", str(lost.id), "--stage", "negotiation")
    assert into.exit_code == 0, into.stderr
    assert lk_sqlite.get_deal(lost.id).stage == "Negotiation"


def test_reasons_list_and_set(run, lk_sqlite: LeanKanban, one_sentence):
    listed = run("reasons")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "Lost to competitor"
    assert run("reasons", "list").stdout == listed.stdout
    changed = run("reasons", "set", "No budget", "Timing", "[Other]")
    assert changed.exit_code == 0, changed.stderr
    assert json.loads(run("reasons", "list", "-f", "json").stdout) == ["No budget", "Timing", "[Other]"]
    assert lk_sqlite.get_board().discard_reasons == ("No budget", "Timing", "[Other]")
    empty = run("reasons", "set", " ")
    assert empty.exit_code == 1
    assert one_sentence(empty.stderr) == "A board needs at least one discard reason."


# --- blockers ------------------------------------------------------------------------------


def test_block_and_unblock_show_in_deals_and_board(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme", stage="Discovery")
    lk_sqlite.add_deal("Globex", stage="Discovery")
    blocked = run("block", str(deal.id), "--reason", "Waiting for [legal]")
    assert blocked.exit_code == 0, blocked.stderr
    assert blocked.stdout == f"Blocked deal {deal.id}: Waiting for [legal].\n"
    assert lk_sqlite.get_deal(deal.id).blocked_reason == "Waiting for [legal]"

    listed = json.loads(run("deals", "--blocked", "-f", "json").stdout)
    assert [(d["title"], d["blocked_reason"]) for d in listed] == [("Acme", "Waiting for [legal]")]
    assert "BLOCKED" in run("deals").stdout
    board = run("board").stdout
    card = board[board.index("#1"):]
    assert card.index("BLOCKED") < card.index("Waiting for") < card.index("Acme")
    assert "[legal]" in board
    assert "2/8 · 1 blocked" in board

    twice = run("block", str(deal.id), "--reason", "again")
    assert twice.exit_code == 1
    assert one_sentence(twice.stderr) == "The deal is already blocked: Waiting for [legal]."
    assert run("unblock", str(deal.id)).stdout == f"Unblocked deal {deal.id}.\n"
    assert json.loads(run("deals", "--blocked", "-f", "json").stdout) == []
    assert "blocked" not in run("board").stdout
    not_blocked = run("unblock", str(deal.id))
    assert not_blocked.exit_code == 1
    assert one_sentence(not_blocked.stderr) == "The deal is not blocked."


def test_block_needs_a_reason_option(run, lk_sqlite: LeanKanban):
    deal = lk_sqlite.add_deal("Acme")
    result = run("block", str(deal.id))
    assert result.exit_code == 2
    assert not lk_sqlite.get_deal(deal.id).is_blocked


# --- deal filters, flags and CSV ----------------------------------------------------------------


def test_stalled_and_needs_review_follow_the_clock_and_the_settings(run, lk_sqlite: LeanKanban, cli_clock):
    old = lk_sqlite.add_deal("Old deal", stage="Discovery")
    cli_clock.advance(days=10)
    fresh = lk_sqlite.add_deal("Fresh deal", stage="Discovery")
    lk_sqlite.add_deal("Closed deal", stage="Won")

    def titles(*flags: str) -> list[str]:
        result = run("deals", *flags, "-f", "json")
        assert result.exit_code == 0, result.stderr
        return [d["title"] for d in json.loads(result.stdout)]

    assert titles("--stalled") == [] and titles("--needs-review") == []
    cli_clock.advance(days=5)  # Old deal: 15 days without activity, over the default 14
    assert titles("--stalled") == ["Old deal"]
    assert "stalled" in run("deals", "--stalled").stdout

    lk_sqlite.add_note(old.id, "Still talking")  # activity un-stalls it
    assert titles("--stalled") == []

    assert run("settings", "--stall-days", "5").exit_code == 0
    assert titles("--stalled") == ["Fresh deal"]

    cli_clock.advance(days=16)  # Old deal was created 31 days ago, past the default 30-day review
    assert titles("--needs-review") == ["Old deal"]
    lk_sqlite.qualify(old.id, "Budget", "yes")
    assert titles("--needs-review") == []
    [record] = [d for d in json.loads(run("deals", "-f", "json").stdout) if d["id"] == fresh.id]
    assert (record["stalled"], record["needs_review"]) == (True, False)


def test_deals_filter_by_owner_and_search(run, lk_sqlite: LeanKanban):
    lk_sqlite.add_deal("Acme rollout", account="Acme Corp", owner="bob", tags="q4")
    lk_sqlite.add_deal("Globex pilot", owner="ann", tags="q1")
    c = lk_sqlite.add_deal("Initech renewal", owner="Bob")
    lk_sqlite.add_contact(c.id, "Peter Gibbons")

    def titles(*flags: str) -> list[str]:
        return [d["title"] for d in json.loads(run("deals", *flags, "-f", "json").stdout)]

    assert titles("--owner", "BOB") == ["Acme rollout", "Initech renewal"]
    assert titles("--search", "acme q4") == ["Acme rollout"]
    assert titles("--search", "gibbons") == ["Initech renewal"]
    assert titles("--owner", "bob", "--search", "globex") == []


def test_deals_json_and_csv_carry_the_lean_fields(run, lk_sqlite: LeanKanban):
    lk_sqlite.add_deal("=cmd|' /C calc'!A0", tags="a,b", helpers="bob,cy", expected_close="2026-12-01", deal_type="renewal")
    [record] = json.loads(run("deals", "-f", "json").stdout)
    for key in ("deal_type", "priority", "activity", "expected_close", "next_step", "next_step_due", "tags", "helpers",
                "blocked_reason", "last_activity_at", "stalled", "needs_review"):
        assert key in record, key
    assert (record["tags"], record["expected_close"], record["deal_type"]) == (["a", "b"], "2026-12-01", "renewal")

    plain = run("deals", "-f", "csv")
    assert plain.stdout_bytes.startswith(b"id,title,")
    with_bom = run("deals", "-f", "csv", "--bom")
    assert with_bom.exit_code == 0, with_bom.stderr
    assert with_bom.stdout_bytes == b"\xef\xbb\xbf" + plain.stdout_bytes
    row = plain.stdout.splitlines()[1]
    assert row.startswith("1,'=cmd|' /C calc'!A0,") and '"a, b","bob, cy"' in row


def test_bom_only_goes_with_csv(run):
    result = run("deals", "--bom")
    assert result.exit_code == 2
    assert "--bom only goes with --format csv" in result.stderr


# --- settings, stale-after, lanes ----------------------------------------------------------------


def test_settings_print_and_change(run, lk_sqlite: LeanKanban, one_sentence):
    shown = run("settings")
    assert shown.exit_code == 0, shown.stderr
    assert "every 30 days" in shown.stdout and "after 14 days" in shown.stdout
    changed = run("settings", "--review-days", "45", "--stall-days", "7", "-f", "json")
    assert changed.exit_code == 0, changed.stderr
    assert json.loads(changed.stdout)["review_days"] == 45
    board = lk_sqlite.get_board()
    assert (board.review_days, board.stall_days) == (45, 7)
    zero = run("settings", "--stall-days", "0")
    assert zero.exit_code == 1
    assert one_sentence(zero.stderr) == "The stall period must be at least 1 day."


def test_stage_set_stale_after(run, lk_sqlite: LeanKanban):
    result = run("stage", "set", "proposal", "--stale-after", "21")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Stage 'Proposal': cards turn stale after 21 days.\n"
    assert lk_sqlite.get_board().stage("Proposal").stale_after_days == 21
    cleared = run("stage", "set", "Proposal", "--stale-after", "none")
    assert cleared.stdout == "Stage 'Proposal': cards never turn stale.\n"
    assert lk_sqlite.get_board().stage("Proposal").stale_after_days is None
    assert run("stage", "set", "Proposal", "--stale-after", "soon").exit_code == 2


def test_lane_limits_are_set_listed_enforced_and_removed(run, lk_sqlite: LeanKanban, one_sentence):
    lk_sqlite.add_deal("First", stage="Discovery", owner="bob")
    second = lk_sqlite.add_deal("Second", stage="Leads", owner="bob")
    result = run("lane", "limit", "owner", "bob", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "WIP limits on owner: bob 1.\n"
    assert run("lane", "limit", "type", "new logo", "4").stdout == "WIP limits on type: new_logo 4.\n"
    listed = json.loads(run("lane", "list", "-f", "json").stdout)
    assert {"dimension": "owner", "value": "bob", "wip_max": 1} in listed
    assert [(lane.dimension, lane.value) for lane in lk_sqlite.get_board().lane_limits] == [
        (Lane.OWNER, "bob"), (Lane.TYPE, "new_logo")
    ]

    refused = run("move", str(second.id), "Discovery")
    assert refused.exit_code == 3
    assert one_sentence(refused.stderr).startswith("bob's WIP limit is reached (1/1")

    assert run("lane", "limit", "owner", "bob", "none").stdout == "WIP limits on owner: none.\n"
    assert run("move", str(second.id), "Discovery").exit_code == 0
    assert run("lane", "limit", "colour", "red", "1").exit_code == 2
    assert run("lane", "limit", "owner", "bob", "many").exit_code == 2


# --- undo -------------------------------------------------------------------------------------


def test_undo_reverses_an_edit_by_the_id_history_shows(run, lk_sqlite: LeanKanban, one_sentence):
    deal = lk_sqlite.add_deal("Acme")
    run("edit", str(deal.id), "--title", "Acme [typo]")
    events = json.loads(run("history", str(deal.id), "-f", "json").stdout)
    edit_id = next(e["id"] for e in events if e["kind"] == "edited")
    assert f" {edit_id} " in run("history", str(deal.id)).stdout  # the table shows the ids too

    result = run("undo", str(edit_id))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Undid event {edit_id} on deal {deal.id}.\n"
    assert lk_sqlite.get_deal(deal.id).title == "Acme"
    again = run("undo", str(edit_id))
    assert again.exit_code == 1
    assert one_sentence(again.stderr) == "That change has been undone already."
    created_id = next(e["id"] for e in events if e["kind"] == "created")
    assert run("undo", str(created_id)).exit_code == 1
