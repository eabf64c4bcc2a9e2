"""Sprints from the command line: start, objectives, commit, show (text and JSON burn-up), list, close."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from leankanban.cli import app
from leankanban.commands import retro as retro_commands
from leankanban.domain import sprints as sp
from leankanban.services import LeanKanban
from tests.cli.conftest import CLEAN_ENV

SPRINT_COMMANDS = [
    ["sprint"], ["sprint", "start"], ["sprint", "show"], ["sprint", "list"], ["sprint", "close"],
    ["sprint", "commit"], ["sprint", "objective"], ["sprint", "objective", "add"], ["sprint", "objective", "tick"],
    ["retro"], ["retro", "deal"], ["retro", "sprint"], ["retro", "why"], ["retro", "list"], ["retro", "show"],
    ["log"], ["allocation"], ["allocation", "set"], ["insights"],
]


@pytest.mark.parametrize("args", SPRINT_COMMANDS, ids=" ".join)
def test_every_sprint_command_has_help_with_a_description(invoke, args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.stderr
    description = []
    for line in result.stdout.split("Usage:")[1].splitlines()[2:]:
        if not line.strip():
            break
        description.append(line.strip())
    assert " ".join(description).endswith("."), (args, description)


@pytest.fixture
def answer(sqlite_url: str):
    """`answer("line\\nline\\n", "sprint", "close")`: run a command with these lines typed in."""
    def _answer(lines: str, *args: str):
        return CliRunner().invoke(app, ["--db", sqlite_url, *args], input=lines, env=CLEAN_ENV)

    return _answer


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI believes a person is at the keyboard (CliRunner's stdin is not a terminal)."""
    monkeypatch.setattr(retro_commands, "stdin_is_terminal", lambda: True)


def test_a_sprint_from_start_to_show(run, lk: LeanKanban, seeded, cli_clock):
    started = run("sprint", "start", "--length", "1w", "--goal", "Close [b]Hooli[/b]", "--target-value", "200,000")
    assert started.exit_code == 0, started.stderr
    assert started.stdout.startswith("Started Sprint 1: 2026-11-02 to 2026-11-08 (7 days).\n")

    added = run("sprint", "objective", "add", "Book [5] demos", "--target", "5")
    assert added.stdout == "Added objective 1: Book [5] demos (0/5).\n"
    assert run("sprint", "objective", "add", "Hooli: order form", "--deal", str(seeded["Hooli platform"])).exit_code == 0
    committed = run("sprint", "commit", str(seeded["Hooli platform"]))
    assert committed.stdout == f"Committed deal {seeded['Hooli platform']} Hooli platform (Negotiation) to Sprint 1; 1 deal committed.\n"
    run("sprint", "commit", str(seeded["Acme rollout"]))
    removed = run("sprint", "commit", str(seeded["Acme rollout"]), "--remove")
    assert "Took deal" in removed.stdout and "1 deal committed" in removed.stdout
    assert lk.current_sprint().committed == (seeded["Hooli platform"],)

    cli_clock.advance(days=1)
    assert run("sprint", "objective", "tick", "1", "--count", "3").stdout == "Objective 1: 3/5, not met yet.\n"
    lk.win(seeded["Hooli platform"])
    assert run("sprint", "objective", "tick", "2").stdout == "Objective 2: 1/1, met.\n"
    cli_clock.advance(days=1)

    shown = run("sprint", "show")
    assert shown.exit_code == 0, shown.stderr
    out = shown.stdout
    for text in (
        "Sprint 1", "Close [b]Hooli[/b]", "2026-11-02 to 2026-11-08 · day 3 of 7", "200,000",
        "150,000 of 200,000", "75%", "1 of 2 objectives", "Book [5] demos", "3/5", "done", "Hooli platform",
        "Won", "Burn-up", "2026-11-04",
    ):
        assert text in out, text
    assert run("sprint").stdout == out  # `sprint` alone shows the current sprint

    data = json.loads(run("sprint", "show", "--format", "json").stdout)
    assert (data["number"], data["status"], data["day"], data["days"], data["target_value"]) == (1, "open", 3, 7, 200000)
    assert [p["day"] for p in data["burn_up"]] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert [p["won_value"] for p in data["burn_up"]] == [0, 150000, 150000]
    assert [p["objectives_done"] for p in data["burn_up"]] == [0, 1, 1]
    assert data["burn_up"][-1]["ideal_value"] == pytest.approx(200000 * 3 / 7, abs=0.01)
    assert [o["progress"] for o in data["objectives"]] == [3, 1]
    assert data["committed"] == [
        {"id": seeded["Hooli platform"], "title": "Hooli platform", "stage": "Won", "status": "won", "value": 150000, "currency": "EUR"}
    ]
    assert data["velocity"] is None


def test_starting_a_second_sprint_or_a_bad_length_is_one_sentence(run, lk: LeanKanban, one_sentence):
    assert run("sprint", "start").exit_code == 0
    again = run("sprint", "start", "--goal", "Another")
    assert again.exit_code == 1
    assert one_sentence(again.stderr).startswith("Sprint 1 is still open")
    assert [s.number for s in lk.list_sprints()] == [1]

    lk.close_sprint(retro=False)
    bad = run("sprint", "start", "--length", "3 months")
    assert bad.exit_code == 1
    assert "is not a sprint length" in one_sentence(bad.stderr)
    assert [s.number for s in lk.list_sprints()] == [1]


def test_show_before_any_sprint_says_how_to_start_one(run, one_sentence):
    for args in (["sprint"], ["sprint", "show"], ["sprint", "show", "3"]):
        result = run(*args)
        assert result.exit_code == 4
        assert "sprint" in one_sentence(result.stderr)
    assert "start one with `sprint start`" in run("sprint").stderr
    assert "No sprints yet" in run("sprint", "list").stdout
    assert json.loads(run("sprint", "list", "--format", "json").stdout) == []


def test_objectives_and_commits_need_an_open_sprint_and_a_known_id(run, lk: LeanKanban, one_sentence):
    no_sprint = run("sprint", "objective", "add", "Book demos")
    assert no_sprint.exit_code == 1
    assert one_sentence(no_sprint.stderr) == "No sprint is open on board 'pipeline'; start one with `sprint start`."
    lk.start_sprint()
    unknown = run("sprint", "objective", "tick", "42")
    assert (unknown.exit_code, one_sentence(unknown.stderr)) == (1, "Objective 42 is not in the open sprint.")
    missing = run("sprint", "commit", "999")
    assert missing.exit_code == 4
    one_sentence(missing.stderr)
    assert lk.current_sprint().objectives == () and lk.current_sprint().committed == ()


def test_close_holds_the_retro_and_files_improvement_cards(run, lk: LeanKanban, seeded, cli_clock):
    lk.start_sprint(length="2w", target_value="100000")
    lk.add_objective("Book demos", target=3)
    cli_clock.advance(days=2)
    lk.win(seeded["Umbrella expansion"])
    closed = run(
        "sprint", "close", "--carry-over", "--well", "Umbrella [signed]", "--not-well", "Few leads",
        "--improve", "Prospect 30 min daily", "--improve", "Demo script v2", "--tag", "pipeline", "--tag", "demo, leads",
    )
    assert closed.exit_code == 0, closed.stderr
    lines = closed.stdout.splitlines()
    assert lines[0] == (
        "Closed Sprint 1 (2026-11-02 to 2026-11-15): won 80,000 (1 deal), 0 deals advanced, objectives 0/1 met."
    )
    assert lines[1] == "1 unfinished objective will carry over into the next sprint."
    assert lines[2] == "Saved retro #1 on Sprint 1: 1 well, 1 not well, 2 to improve."
    assert lines[3] == "Improvement cards on board 'improvements' (see `leankanban --board improvements deals`):"
    retro = lk.get_retro(1)
    cards = [i.card_id for i in retro.items if i.card_id]
    assert lines[4:] == [f"  #{cards[0]} Prospect 30 min daily", f"  #{cards[1]} Demo script v2"]
    assert retro.tags == ("pipeline", "demo", "leads")

    board = run("--board", "improvements", "deals", "--format", "json")
    assert board.exit_code == 0, board.stderr
    assert [(d["id"], d["title"], d["stage"]) for d in json.loads(board.stdout)] == [
        (cards[0], "Prospect 30 min daily", "To do"), (cards[1], "Demo script v2", "To do")
    ]

    listed = run("sprint", "list")
    assert listed.exit_code == 0, listed.stderr
    assert "closed" in listed.stdout and "80,000" in listed.stdout and "0/1" in listed.stdout
    [record] = json.loads(run("sprint", "list", "--format", "json").stdout)
    assert record["velocity"] == {
        "won_value": 80000, "won_count": 1, "deals_advanced": 0, "objectives_met": 0, "objectives_total": 1
    }
    shown = run("sprint", "show", "1").stdout
    assert "Velocity" in shown and "won 80,000 (1 deal)" in shown
    assert "Open improvements from retros" in shown and "Prospect 30 min daily" in shown

    started = run("sprint", "start")
    assert "Carried over 1 objective from the last sprint." in started.stdout
    assert [o.text for o in lk.current_sprint().objectives] == ["Book demos"]


def test_closing_a_sprint_that_is_not_open_is_one_sentence(run, lk: LeanKanban, one_sentence):
    for args in (["--well", "Good week"], ["--no-retro"], []):
        result = run("sprint", "close", *args)
        assert result.exit_code == 1
        assert one_sentence(result.stderr) == "No sprint is open on board 'pipeline'; start one with `sprint start`."
    assert lk.list_sprints() == [] and lk.list_retros() == []


def test_close_in_a_script_without_items_asks_for_them_or_no_retro(run, lk: LeanKanban, one_sentence):
    lk.start_sprint()
    refused = run("sprint", "close", "--tag", "pipeline")
    assert refused.exit_code == 1
    assert one_sentence(refused.stderr) == (
        "Say how the sprint went with --well, --not-well or --improve (each can repeat), "
        "or pass --no-retro to close it without a retro; nothing was changed."
    )
    assert lk.current_sprint() is not None

    closed = run("sprint", "close", "--no-retro")
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout.startswith("Closed Sprint 1")
    assert "retro" not in closed.stdout
    assert lk.current_sprint() is None and lk.list_retros() == []


def test_close_at_a_terminal_asks_for_the_retro(answer, lk: LeanKanban, at_a_terminal):
    lk.start_sprint()
    answers = "Hooli signed\nGood demos\n\nFew leads\n\nProspect daily\n\npipeline, demo\n"
    closed = answer(answers, "sprint", "close")
    assert closed.exit_code == 0, closed.stderr
    assert "What went well? One a line; an empty line ends the list." in closed.stdout
    assert "Saved retro #1 on Sprint 1: 2 well, 1 not well, 1 to improve." in closed.stdout
    retro = lk.get_retro(1)
    assert [(i.kind, i.text) for i in retro.items] == [
        (sp.ItemKind.WELL, "Hooli signed"), (sp.ItemKind.WELL, "Good demos"),
        (sp.ItemKind.NOT_WELL, "Few leads"), (sp.ItemKind.IMPROVE, "Prospect daily"),
    ]
    assert retro.tags == ("pipeline", "demo")


def test_close_at_a_terminal_with_nothing_entered_keeps_the_sprint_open(answer, lk: LeanKanban, at_a_terminal):
    lk.start_sprint()
    result = answer("\n\n\n", "sprint", "close")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("No retro items were given; the sprint is still open")
    assert lk.current_sprint() is not None and lk.list_retros() == []


def test_the_burn_up_follows_the_shared_clock(run, lk: LeanKanban, seeded, cli_clock):
    lk.start_sprint(length="4w")
    for days, title in ((1, "Globex pilot"), (2, "Acme rollout")):
        cli_clock.advance(days=days)
        lk.win(seeded[title])
    data = json.loads(run("sprint", "show", "--format", "json").stdout)
    assert [(p["day"], p["won_value"], p["ideal_value"]) for p in data["burn_up"]] == [
        ("2026-11-02", 0, None), ("2026-11-03", 4500, None), ("2026-11-04", 4500, None), ("2026-11-05", 16500, None)
    ]
    assert data["day"] == 4 and data["days"] == 28
    assert Decimal(str(data["burn_up"][-1]["won_value"])) == Decimal("16500")


def test_wins_undone_and_redone_before_the_sprint_started_are_not_its_wins(run, lk: LeanKanban, seeded, cli_clock):
    # 09:00: two deals won, one of them undone and won again; the sprint starts at 14:00.
    hooli = lk.win(seeded["Hooli platform"]).events[0]
    lk.undo(hooli.id)
    lk.win(seeded["Hooli platform"])
    lk.win(seeded["Umbrella expansion"])
    cli_clock.advance(hours=5)
    assert run("sprint", "start", "--length", "1w", "--target-value", "300,000").exit_code == 0
    cli_clock.advance(hours=1)
    lk.win(seeded["Initech renewal"])  # 15:00, in the sprint
    shown = run("sprint", "show").stdout
    assert "30,000 of 300,000" in shown and "760,000" not in shown
    closed = run("sprint", "close", "--no-retro")
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout.startswith("Closed Sprint 1 (2026-11-02 to 2026-11-08): won 30,000 (1 deal)")
    [record] = json.loads(run("sprint", "list", "--format", "json").stdout)
    assert (record["velocity"]["won_value"], record["velocity"]["won_count"]) == (30000, 1)
    shown = json.loads(run("sprint", "show", "1", "--format", "json").stdout)
    assert (shown["started_at"], shown["burn_up"][-1]["won_value"]) == ("2026-11-02T14:00:00+00:00", 30000)
