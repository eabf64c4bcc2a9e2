"""`new`/`add` and `edit` take a customer value and its impact; `show` and JSON print them."""

from __future__ import annotations

import json

from leankanban.services import LeanKanban

STATEMENT = "Cuts claim handling from 5 days to 1 (about EUR 250k a year)"


def test_add_with_a_customer_value_goes_straight_into_proposal(run, lk_sqlite: LeanKanban):
    result = run("add", "Umbrella expansion", "--stage", "Proposal", "--customer-value", STATEMENT,
                 "--impact", "250,000")
    assert result.exit_code == 0, result.output
    deal = lk_sqlite.get_deal(int(result.output))
    assert (deal.stage, deal.customer_value, str(deal.customer_impact)) == ("Proposal", STATEMENT, "250000.00")


def test_a_move_into_proposal_without_it_says_what_to_write(run, lk_sqlite: LeanKanban, one_sentence):
    deal_id = lk_sqlite.add_deal("Acme", stage="Discovery").id
    result = run("move", str(deal_id), "Proposal")
    assert result.exit_code == 3
    line = one_sentence(result.output)
    assert "Customer value quantified" in line and f"`leankanban edit {deal_id} --customer-value TEXT`" in line
    assert run("edit", str(deal_id), "--customer-value", STATEMENT, "--impact", "250000").output == (
        f"Updated deal {deal_id}: customer value, impact.\n"
    )
    assert run("move", str(deal_id), "Proposal").exit_code == 0


def test_edit_clears_the_impact_with_none(run, lk_sqlite: LeanKanban):
    deal_id = lk_sqlite.add_deal("Acme", customer_value=STATEMENT, customer_impact="9").id
    assert run("edit", str(deal_id), "--impact", "none").exit_code == 0
    assert lk_sqlite.get_deal(deal_id).customer_impact is None


def test_a_negative_impact_is_refused_in_one_sentence(run, lk_sqlite: LeanKanban, one_sentence):
    deal_id = lk_sqlite.add_deal("Acme").id
    result = run("edit", str(deal_id), "--impact", "-3")
    assert result.exit_code != 0
    assert "A customer impact cannot be negative." in one_sentence(result.output)


def test_show_prints_the_customer_value_and_json_carries_it(run, lk_sqlite: LeanKanban):
    deal_id = lk_sqlite.add_deal("Acme", customer_value=STATEMENT, customer_impact="250000", currency="USD").id
    shown = run("show", str(deal_id))
    assert shown.exit_code == 0
    assert STATEMENT in shown.output and "250,000 USD" in shown.output
    # Met by the statement, the criterion reads yes in the qualification table.
    assert "from customer value" in shown.output
    record = json.loads(run("show", str(deal_id), "--format", "json").output)
    assert (record["customer_value"], record["customer_impact"]) == (STATEMENT, 250000.0)
    listed = json.loads(run("deals", "--format", "json").output)
    assert listed[0]["customer_value"] == STATEMENT


def test_a_deal_without_one_shows_dashes_and_nulls(run, lk_sqlite: LeanKanban):
    deal_id = lk_sqlite.add_deal("Acme").id
    record = json.loads(run("show", str(deal_id), "--format", "json").output)
    assert (record["customer_value"], record["customer_impact"]) == ("", None)
    csv_text = run("deals", "--format", "csv").output
    assert csv_text.splitlines()[0].endswith(",customer_value,customer_impact")


def test_the_customer_value_is_shown_safe(run, lk_sqlite: LeanKanban):
    deal_id = lk_sqlite.add_deal("Acme", customer_value="[bold red]not markup[/] \u202eevil").id
    shown = run("show", str(deal_id)).output
    assert "[bold red]not markup[/]" in shown
    assert "\u202e" not in shown
