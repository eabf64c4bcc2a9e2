"""add, move, edit, history, deals: real commands against a temp SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal

from leankanban.domain.errors import UnknownDeal, UnknownStage, WipLimitExceeded
from leankanban.domain.model import DealStatus, EventKind
from leankanban.services import LeanKanban

DEAL_KEYS = {
    "id", "title", "account", "stage", "status", "value", "currency", "owner",
    "created_at", "stage_entered_at", "closed_at", "lost_reason", "external_id",
}


# --- add -------------------------------------------------------------------------


def test_add_prints_only_the_new_id(run, lk_sqlite: LeanKanban):
    result = run(
        "add", "Acme rollout", "--stage", "discovery", "--account", "Acme Corp", "--value", "12,000.50",
        "--currency", "usd", "--owner", "bob", "--next-step", "Send the proposal",
    )
    assert result.exit_code == 0, result.stderr
    deal_id = int(result.stdout)
    assert result.stdout == f"{deal_id}\n"
    deal = lk_sqlite.get_deal(deal_id)
    assert (deal.title, deal.stage, deal.account, deal.owner) == ("Acme rollout", "Discovery", "Acme Corp", "bob")
    assert (deal.value, deal.currency, deal.next_step) == (Decimal("12000.50"), "USD", "Send the proposal")


def test_add_defaults_to_the_first_stage_and_the_acting_user(run, lk_sqlite: LeanKanban):
    deal_id = int(run("add", "Globex pilot").stdout)
    deal = lk_sqlite.get_deal(deal_id)
    assert (deal.stage, deal.owner, deal.value) == ("Leads", "ann", Decimal("0"))


def test_bad_value_is_refused_and_nothing_is_added(run, lk_sqlite: LeanKanban, one_sentence):
    result = run("add", "Acme", "--value", "lots")
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "'lots' is not a number."
    assert result.stdout == ""
    assert lk_sqlite.list_deals() == []


def test_add_into_a_full_stage_is_refused_until_overridden(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    lk_sqlite.set_stage_limits("Negotiation", wip_max=1)
    refused = run("add", "Wayne deal", "--stage", "Negotiation")
    assert refused.exit_code == 3
    assert one_sentence(refused.stderr) == str(WipLimitExceeded("Negotiation", 1, 1))
    assert len(lk_sqlite.list_deals(stage="Negotiation")) == 1

    allowed = run("add", "Wayne deal", "--stage", "Negotiation", "--override", "CEO asked")
    assert allowed.exit_code == 0, allowed.stderr
    kinds = [e.kind for e in lk_sqlite.history(int(allowed.stdout))]
    assert kinds == [EventKind.CREATED, EventKind.WIP_OVERRIDE]


# --- move ------------------------------------------------------------------------


def test_move_moves_the_deal(run, lk_sqlite: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    result = run("move", str(deal_id), "qualifying")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Moved deal {deal_id} to Qualifying.\n"
    assert lk_sqlite.get_deal(deal_id).stage == "Qualifying"


def test_refused_move_exits_3_with_one_sentence_and_moves_nothing(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    lk_sqlite.set_stage_limits("Negotiation", wip_max=1)
    deal_id = seeded["Umbrella expansion"]
    result = run("move", str(deal_id), "Negotiation")
    assert result.exit_code == 3
    assert one_sentence(result.stderr) == str(WipLimitExceeded("Negotiation", 1, 1))
    assert result.stdout == ""
    assert lk_sqlite.get_deal(deal_id).stage == "Proposal"
    assert [e.kind for e in lk_sqlite.history(deal_id)] == [EventKind.CREATED]


def test_override_moves_and_records_a_wip_override_event(run, lk_sqlite: LeanKanban, seeded):
    lk_sqlite.set_stage_limits("Negotiation", wip_max=1)
    deal_id = seeded["Umbrella expansion"]
    result = run("move", str(deal_id), "Negotiation", "--override", "Quarter end push")
    assert result.exit_code == 0, result.stderr
    assert lk_sqlite.get_deal(deal_id).stage == "Negotiation"
    override = [e for e in lk_sqlite.history(deal_id) if e.kind is EventKind.WIP_OVERRIDE]
    assert [(e.to_stage, e.reason, e.actor) for e in override] == [("Negotiation", "Quarter end push", "ann")]
    assert result.stderr.startswith("Warning: 'Negotiation' is now over its WIP limit (2/1)")


def test_move_warnings_go_to_stderr_and_exit_0(run, lk_sqlite: LeanKanban, seeded):
    result = run("move", str(seeded["Globex pilot"]), "Discovery")
    assert result.exit_code == 0
    assert result.stderr == "Warning: 'Qualifying' is now below its minimum (0/3): the funnel is running dry.\n"
    assert "Warning" not in result.stdout


def test_move_to_won_closes_the_deal(run, lk_sqlite: LeanKanban, seeded):
    deal_id = seeded["Hooli platform"]
    assert run("move", str(deal_id), "won").exit_code == 0
    deal = lk_sqlite.get_deal(deal_id)
    assert deal.status is DealStatus.WON and deal.closed_at is not None


def test_unknown_deal_exits_4(run, seeded, one_sentence):
    for args in (("move", "999", "Won"), ("edit", "999", "--title", "x"), ("history", "999")):
        result = run(*args)
        assert result.exit_code == 4, args
        assert one_sentence(result.stderr) == str(UnknownDeal(999))


def test_unknown_stage_exits_4_and_names_the_stages(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    result = run("move", str(seeded["Acme rollout"]), "Contract")
    assert result.exit_code == 4
    known = [s.name for s in lk_sqlite.get_board().stages]
    assert one_sentence(result.stderr) == str(UnknownStage("Contract", known))


def test_a_deal_id_must_be_a_number(run):
    result = run("move", "acme", "Won")
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


def test_a_blank_override_reason_is_refused(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    lk_sqlite.set_stage_limits("Negotiation", wip_max=1)
    result = run("move", str(seeded["Umbrella expansion"]), "Negotiation", "--override", "  ")
    assert result.exit_code == 3
    assert one_sentence(result.stderr) == "A WIP limit override needs a reason."


# --- edit and history --------------------------------------------------------------


def test_edit_changes_only_the_given_fields(run, lk_sqlite: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    result = run("edit", str(deal_id), "--value", "15000", "--next-step", "Demo on Friday", "--owner", "ann")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Updated deal {deal_id}: value, next step.\n"
    deal = lk_sqlite.get_deal(deal_id)
    assert (deal.title, deal.value, deal.next_step) == ("Acme rollout", Decimal("15000.00"), "Demo on Friday")
    edited = [(e.field, e.new_value) for e in lk_sqlite.history(deal_id) if e.kind is EventKind.EDITED]
    assert edited == [("value", "15000.00"), ("next_step", "Demo on Friday")]


def test_edit_needs_at_least_one_field(run, seeded, one_sentence):
    result = run("edit", str(seeded["Acme rollout"]))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith("Nothing to change")


def test_edit_validates_before_writing(run, lk_sqlite: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    result = run("edit", str(deal_id), "--title", "New title", "--currency", "euros")
    assert result.exit_code == 1
    assert lk_sqlite.get_deal(deal_id).title == "Acme rollout"


def test_history_json_lists_events_oldest_first(run, seeded):
    deal_id = seeded["Acme rollout"]
    run("move", str(deal_id), "Qualifying")
    result = run("history", str(deal_id), "--format", "json")
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    assert [e["kind"] for e in events] == ["created", "moved"]
    assert events[1]["from_stage"] == "Leads" and events[1]["to_stage"] == "Qualifying"
    datetime.fromisoformat(events[0]["at"])


def test_history_table_prints_user_text_literally(run, lk_sqlite: LeanKanban):
    deal = lk_sqlite.add_deal("[bold]Acme[/]", account="x")
    lk_sqlite.edit_deal(deal.id, account="[red]y[/red]")
    result = run("history", str(deal.id))
    assert result.exit_code == 0, result.stderr
    assert "[bold]Acme[/]" in result.stdout
    assert "[red]y[/red]" in result.stdout


# --- deals -------------------------------------------------------------------------


def test_deals_json_has_the_documented_schema(run, seeded):
    result = run("deals", "--format", "json")
    assert result.exit_code == 0, result.stderr
    deals = json.loads(result.stdout)
    assert len(deals) == 5
    for deal in deals:
        assert deal.keys() >= DEAL_KEYS
        assert isinstance(deal["value"], int | float)
        datetime.fromisoformat(deal["created_at"])
        datetime.fromisoformat(deal["stage_entered_at"])
    hooli = next(d for d in deals if d["title"] == "Hooli platform")
    assert (hooli["value"], hooli["currency"], hooli["status"], hooli["stage"]) == (150000, "EUR", "open", "Negotiation")
    assert hooli["closed_at"] is None and hooli["id"] == seeded["Hooli platform"]


def test_deals_filters_by_stage_and_status(run, seeded):
    run("move", str(seeded["Hooli platform"]), "Won")
    won = json.loads(run("deals", "--status", "won", "-f", "json").stdout)
    assert [d["title"] for d in won] == ["Hooli platform"]
    assert datetime.fromisoformat(won[0]["closed_at"])
    in_leads = json.loads(run("deals", "--stage", "leads", "-f", "json").stdout)
    assert [d["title"] for d in in_leads] == ["Acme rollout"]


def test_deals_csv_has_a_header_and_neutralises_formulas(run, lk_sqlite: LeanKanban):
    for title in ("=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "Plain, with comma"):
        lk_sqlite.add_deal(title, account="=cmd|' /C calc'!A0", value="10")
    result = run("deals", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(rows[0]) >= DEAL_KEYS
    titles = [row["title"] for row in rows]
    assert titles == ["'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2", "'@SUM(A1)", "Plain, with comma"]
    assert {row["account"] for row in rows} == {"'=cmd|' /C calc'!A0"}
    assert {row["value"] for row in rows} == {"10.00"}


def test_deals_table_prints_markup_literally(run, lk_sqlite: LeanKanban):
    lk_sqlite.add_deal("[bold]x[/]", account="[link=http://evil]y[/link]", owner=":smile:")
    result = run("deals")
    assert result.exit_code == 0, result.stderr
    assert "[bold]x[/]" in result.stdout
    assert "[link=http://evil]y[/link]" in result.stdout
    assert ":smile:" in result.stdout


def test_deals_table_says_so_when_empty(run):
    result = run("deals")
    assert result.exit_code == 0
    assert "No deals." in result.stdout


def test_edit_into_a_full_person_limit_needs_an_override(run, lk_sqlite: LeanKanban, seeded, one_sentence):
    lk_sqlite.set_lane_limit("owner", "cy", 1)  # cy already works Umbrella expansion
    deal_id = seeded["Initech renewal"]
    refused = run("edit", str(deal_id), "--owner", "cy")
    assert refused.exit_code == 3
    one_sentence(refused.stderr)
    assert lk_sqlite.get_deal(deal_id).owner == "ann"

    allowed = run("edit", str(deal_id), "--owner", "cy", "--override", "Covering for ann")
    assert allowed.exit_code == 0, allowed.stderr
    assert lk_sqlite.get_deal(deal_id).owner == "cy"
    assert "Covering for ann" in [e.reason for e in lk_sqlite.history(deal_id)]


def test_a_deals_own_win_probability_from_add_edit_and_show(run, lk_sqlite: LeanKanban, one_sentence):
    deal_id = int(run("add", "Initech", "--value", "1000", "--probability", "70%").stdout)
    shown = json.loads(run("show", str(deal_id), "--format", "json").stdout)
    assert shown["probability"] == 70
    assert "70% (the deal's own)" in run("show", str(deal_id)).stdout
    result = run("edit", str(deal_id), "--probability", "none")
    assert result.exit_code == 0, result.output
    assert lk_sqlite.get_deal(deal_id).probability is None
    refused = run("edit", str(deal_id), "--probability", "101")
    assert refused.exit_code == 1
    assert one_sentence(refused.stderr).startswith("'101' is not a win probability")
    assert lk_sqlite.get_deal(deal_id).probability is None
