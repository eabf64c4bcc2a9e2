"""All the work on the board from the command line: the activities template, work cards'
fields, `load`, and time logged on a work card."""

from __future__ import annotations

import json

from leankanban.domain.model import Activity
from leankanban.services import LeanKanban


def make_work_board(run) -> None:
    made = run("init", "--template", "activities", "--board", "Work")
    assert made.exit_code == 0, made.stderr
    assert made.stdout == "Created board 'Work' (activities): To do, Doing, Done.\n"


def test_init_makes_an_activities_board(run, lk: LeanKanban):
    make_work_board(run)
    stages = json.loads(run("--board", "Work", "stages", "--format", "json").stdout)
    assert [(s["name"], s["upstream"]) for s in stages] == [("To do", True), ("Doing", False), ("Done", False)]


def test_add_a_work_card_with_category_estimate_and_deal_then_show_it(run, lk: LeanKanban, seeded):
    make_work_board(run)
    hooli = seeded["Hooli platform"]
    added = run("--board", "Work", "add", "Hooli account plan", "--category", "support", "--estimate", "2h",
                "--deal", str(hooli), "--owner", "bob")
    assert added.exit_code == 0, added.stderr
    card_id = int(added.stdout)
    card = lk.get_deal(card_id)
    assert (card.activity, card.estimate_minutes, card.linked_deal_id, card.owner) == (Activity.SUPPORT, 120, hooli, "bob")
    shown = run("show", str(card_id))
    assert shown.exit_code == 0, shown.stderr
    lines = {line.split("  ", 1)[0]: line.split("  ", 1)[-1].strip() for line in shown.stdout.splitlines() if "  " in line}
    assert lines["Category"] == "support"
    assert lines["Estimate"] == "2h"
    assert lines["Linked deal"] == f"#{hooli} Hooli platform"
    record = json.loads(run("show", str(card_id), "--format", "json").stdout)
    assert (record["activity"], record["estimate_minutes"], record["linked_deal_id"]) == ("support", 120, hooli)


def test_edit_a_work_cards_estimate_and_deal(run, lk: LeanKanban, seeded):
    make_work_board(run)
    card_id = int(run("--board", "Work", "add", "Security questionnaire").stdout)
    changed = run("edit", str(card_id), "--estimate", "1h30m", "--deal", str(seeded["Acme rollout"]))
    assert changed.exit_code == 0, changed.stderr
    assert changed.stdout == f"Updated deal {card_id}: deal, estimate.\n"
    assert (lk.get_deal(card_id).estimate_minutes, lk.get_deal(card_id).linked_deal_id) == (90, seeded["Acme rollout"])
    cleared = run("edit", str(card_id), "--estimate", "none", "--deal", "none")
    assert cleared.exit_code == 0, cleared.stderr
    assert (lk.get_deal(card_id).estimate_minutes, lk.get_deal(card_id).linked_deal_id) == (None, None)


def test_bad_work_card_fields_are_one_sentence(run, lk: LeanKanban, seeded, one_sentence):
    make_work_board(run)
    cases = [
        (("--board", "Work", "add", "Big", "--estimate", "41h"),
         "An estimate can be at most 40h; split bigger work into several cards."),
        (("--board", "Work", "add", "Vague", "--estimate", "soon"), "'soon' is not an estimate; use e.g. 45m, 1h or 1h30m."),
        (("--board", "Work", "add", "Nowhere", "--deal", "999"), "There is no deal 999 to link to."),
        (("add", "A deal", "--estimate", "1h"),
         "Only a work card (on an activities board) has an estimate; 'pipeline' holds deals."),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 1, (args, result.stdout)
        assert one_sentence(result.stderr) == message
    assert lk.list_deals(board="Work") == []


def test_load_counts_deals_and_work_cards(run, lk: LeanKanban, seeded):
    make_work_board(run)
    assert run("lane", "limit", "owner", "ann", "3").exit_code == 0
    card_id = int(run("--board", "Work", "add", "Renewal plan", "--category", "support").stdout)
    assert run("move", str(card_id), "Doing").exit_code == 0
    table = run("load")
    assert table.exit_code == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines()]
    assert ["ann", "2", "1", "3", "3"] in rows and ["cy", "1", "0", "1", "-"] in rows
    data = json.loads(run("load", "--format", "json").stdout)
    assert data == [
        {"person": "ann", "deals": 2, "work_cards": 1, "total": 3, "limit": 3, "over_limit": False},
        {"person": "cy", "deals": 1, "work_cards": 0, "total": 1, "limit": None, "over_limit": False},
    ]
    only = json.loads(run("load", "--person", "bob", "--format", "json").stdout)
    assert only == [{"person": "bob", "deals": 0, "work_cards": 0, "total": 0, "limit": None, "over_limit": False}]


def test_a_move_past_a_persons_limit_is_refused_and_changes_nothing(run, lk: LeanKanban, seeded, one_sentence):
    make_work_board(run)
    assert run("--board", "Work", "lane", "limit", "owner", "ann", "3").exit_code == 0
    first = int(run("--board", "Work", "add", "Renewal plan").stdout)
    second = int(run("--board", "Work", "add", "Support escalation").stdout)
    assert run("move", str(first), "Doing").exit_code == 0
    history = lk.history(second)
    refused = run("move", str(second), "Doing")
    assert refused.exit_code == 3
    assert one_sentence(refused.stderr) == (
        "ann's WIP limit is reached (3/3: 2 deals and 1 work card in progress on all boards); "
        "finish something first, or override with a reason."
    )
    assert lk.get_deal(second).stage == "To do" and lk.history(second) == history
    overridden = run("move", str(second), "Doing", "--override", "customer is down")
    assert overridden.exit_code == 0, overridden.stderr
    assert "over its WIP limit (4/3): override recorded" in overridden.stderr


def test_time_on_a_work_card_is_logged_in_its_category_and_counts_for_the_sales_board(run, lk: LeanKanban, seeded,
                                                                                         one_sentence):
    make_work_board(run)
    card_id = int(run("--board", "Work", "add", "Onboarding help", "--category", "support").stdout)
    logged = run("log", str(card_id), "45m")
    assert logged.exit_code == 0, logged.stderr
    assert logged.stdout == f"Logged 45m of support on deal {card_id}.\n"
    wrong = run("log", str(card_id), "30m", "--category", "origination")
    assert wrong.exit_code == 1
    assert one_sentence(wrong.stderr) == (
        f"Card {card_id} is support work; log its time as support (or change the card's category first)."
    )
    no_category = run("log", str(seeded["Acme rollout"]), "30m")
    assert no_category.exit_code == 1
    assert one_sentence(no_category.stderr) == "Say what kind of work it was: --category origination, influence or support."
    # The pipeline's allocation (and the report's effectiveness) count the work card's time.
    allocation = json.loads(run("allocation", "--format", "json").stdout)
    team = next(p for p in allocation["people"] if p["team"])
    assert team["minutes"] == {"origination": 0, "influence": 0, "support": 45}
    report = json.loads(run("report", "--format", "json").stdout)
    team = report["effectiveness"]["team"]
    assert team["total_minutes"] == 45
    assert {a["activity"]: a["minutes"] for a in team["activities"]}["support"] == 45
