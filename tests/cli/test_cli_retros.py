"""Retros, 5-whys, time logs, allocation and insights from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from leankanban.cli import app
from leankanban.commands import retro as retro_commands
from leankanban.domain import sprints as sp
from leankanban.domain.model import Activity
from leankanban.services import LeanKanban
from tests.cli.conftest import CLEAN_ENV

NEEDS_ITEMS = "Give the retro's items with --well, --not-well or --improve (each can repeat), or run it at a terminal to be asked."


@pytest.fixture
def answer(sqlite_url: str):
    """`answer("line\\nline\\n", "retro", "why", "X")`: run a command with these lines typed in."""

    def _answer(lines: str, *args: str):
        return CliRunner().invoke(app, ["--db", sqlite_url, *args], input=lines, env=CLEAN_ENV)

    return _answer


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retro_commands, "stdin_is_terminal", lambda: True)


# --- retros -------------------------------------------------------------------------------


def test_a_deal_retro_files_improvement_cards(run, lk: LeanKanban, seeded):
    deal_id = seeded["Globex pilot"]
    lk.discard(deal_id, "No budget")
    result = run(
        "retro", "deal", str(deal_id), "--not-well", "Never met the [b]CFO[/b]",
        "--improve", "Ask for the budget owner in discovery", "--tag", "budget",
    )
    assert result.exit_code == 0, result.stderr
    [retro] = lk.list_retros()
    [card] = [i.card_id for i in retro.items if i.card_id]
    assert result.stdout.splitlines() == [
        f"Saved retro #{retro.id} on deal #{deal_id} Globex pilot: 0 well, 1 not well, 1 to improve.",
        "Improvement cards on board 'improvements' (see `leankanban --board improvements deals`):",
        f"  #{card} Ask for the budget owner in discovery",
    ]
    assert (retro.kind, retro.deal_id, retro.tags) == (sp.RetroKind.DEAL, deal_id, ("budget",))
    board = json.loads(run("--board", "improvements", "deals", "--format", "json").stdout)
    assert [(d["id"], d["title"], d["tags"]) for d in board] == [
        (card, "Ask for the budget owner in discovery", ["improvement", "budget"])
    ]


def test_a_retro_for_an_unknown_deal_or_sprint_is_not_found(run, lk: LeanKanban, one_sentence):
    unknown = run("retro", "deal", "99", "--well", "Fast")
    assert unknown.exit_code == 4
    assert one_sentence(unknown.stderr) == "There is no deal with id 99."
    no_sprint = run("retro", "sprint", "--well", "Fast")
    assert no_sprint.exit_code == 4
    one_sentence(no_sprint.stderr)
    lk.start_sprint()
    wrong = run("retro", "sprint", "7", "--well", "Fast")
    assert (wrong.exit_code, one_sentence(wrong.stderr)) == (4, "There is no sprint 7 on board 'pipeline'.")
    assert lk.list_retros() == []
    assert [b.name for b in lk.list_boards()] == ["pipeline"]  # no improvements board either


def test_in_a_script_a_retro_without_items_fails_fast_with_the_options(run, lk: LeanKanban, seeded, one_sentence):
    lk.start_sprint()
    for args in (["retro", "deal", str(seeded["Acme rollout"])], ["retro", "sprint"], ["retro", "sprint", "--tag", "x"]):
        result = run(*args)
        assert result.exit_code == 1, args
        assert one_sentence(result.stderr) == NEEDS_ITEMS
    why = run("retro", "why", "Acme went dark")
    assert why.exit_code == 1
    assert one_sentence(why.stderr) == (
        "Give the answers with --why (repeat it, in order; the last is the root cause), or run it at a terminal to be asked."
    )
    assert lk.list_retros() == []


def test_a_sprint_retro_at_a_terminal(answer, lk: LeanKanban, at_a_terminal):
    lk.start_sprint()
    result = answer("Demos landed\n\n\nDaily prospecting\nShorter proposals\n\n\n", "retro", "sprint", "1")
    assert result.exit_code == 0, result.stderr
    assert "What to improve? Each becomes an improvement card. One a line; an empty line ends the list." in result.stdout
    assert "Saved retro #1 on Sprint 1: 1 well, 0 not well, 2 to improve." in result.stdout
    retro = lk.get_retro(1)
    assert [(i.kind, i.text) for i in retro.items] == [
        (sp.ItemKind.WELL, "Demos landed"), (sp.ItemKind.IMPROVE, "Daily prospecting"),
        (sp.ItemKind.IMPROVE, "Shorter proposals"),
    ]
    assert retro.tags == () and all(i.card_id for i in retro.items[1:])
    assert len(lk.open_improvements()) == 2


def test_five_whys_from_options_into_a_retro(run, lk: LeanKanban, seeded):
    lk.create_retro("deal", deal_id=seeded["Acme rollout"], well=["Fast demo"])
    result = run(
        "retro", "why", "Acme went [i]dark[/i]", "--why", "No champion", "--why", "Only talked to IT",
        "--why", "Discovery skipped finance", "--retro", "1", "--tag", "discovery",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Saved the 5 whys in retro #1; root cause: Discovery skipped finance\n"
    retro = lk.get_retro(1)
    assert (retro.problem, retro.root_cause, len(retro.whys)) == ("Acme went [i]dark[/i]", "Discovery skipped finance", 3)
    unknown = run("retro", "why", "X", "--why", "Y", "--retro", "9")
    assert unknown.exit_code == 4


def test_five_whys_at_a_terminal_stop_at_an_empty_answer_or_five(answer, lk: LeanKanban, at_a_terminal):
    short = answer("No champion\nOnly IT\n\n", "retro", "why", "Acme went dark")
    assert short.exit_code == 0, short.stderr
    assert short.stdout.count("Why?") == 3
    assert lk.get_retro(1).whys == ("No champion", "Only IT")
    five = answer("".join(f"Because {n}\n" for n in range(1, 8)), "retro", "why", "Deals stall")
    assert five.exit_code == 0, five.stderr
    assert lk.get_retro(2).whys == tuple(f"Because {n}" for n in range(1, 6))
    nothing = answer("\n", "retro", "why", "Deals stall")
    assert nothing.exit_code == 1
    assert nothing.stderr.splitlines()[-1] == "A 5-whys needs at least one answer to 'why?'."
    assert len(lk.list_retros()) == 2


@pytest.fixture
def retros(lk: LeanKanban, seeded) -> LeanKanban:
    lk.start_sprint()
    lk.close_sprint(well=["Hooli | signed"], not_well=["Few *leads*"], improve=["Prospect daily"], tags=["pipeline"])
    lk.create_retro("deal", deal_id=seeded["Acme rollout"], not_well=["Late [demo]"], tags=["demo"])
    lk.retro_why("Acme went dark", ["No champion", "Only IT"])
    return lk


def test_retro_list_in_every_format(run, retros: LeanKanban, seeded):
    table = run("retro", "list")
    assert table.exit_code == 0, table.stderr
    for text in ("Sprint 1", "Acme rollout", "Acme went dark", "1 well, 1 not well, 1 to improve", "2 whys", "pipeline"):
        assert text in table.stdout, text
    records = json.loads(run("retro", "list", "--format", "json").stdout)
    assert [(r["id"], r["kind"], r["sprint"], r["deal_id"]) for r in records] == [
        (1, "sprint", 1, None), (2, "deal", None, seeded["Acme rollout"]), (3, "whys", None, None)
    ]
    assert records[0]["items"][2]["card_board"] == "improvements"
    assert records[2]["root_cause"] == "Only IT"
    md = run("retro", "list", "--format", "md").stdout.splitlines()
    assert md[:2] == ["| ID | When | Kind | About | Items | Tags |", "|---|---|---|---|---|---|"]
    assert len(md) == 5 and "| sprint | Sprint 1 |" in md[2]


def test_retro_show_in_every_format(run, retros: LeanKanban, one_sentence):
    card = retros.get_retro(1).items[2].card_id
    text = run("retro", "show", "1")
    assert text.exit_code == 0, text.stderr
    for line in ("What went well", "Hooli | signed", "Few *leads*", f"Prospect daily  (card #{card} on improvements)"):
        assert line in text.stdout, line
    md = run("retro", "show", "1", "--format", "md").stdout
    assert "### What did not go well" in md and "- Few \\*leads\\*" in md and "Hooli \\| signed" in md
    data = json.loads(run("retro", "show", "1", "--format", "json").stdout)
    assert [(i["kind"], i["text"], i["card_id"]) for i in data["items"]] == [
        ("well", "Hooli | signed", None), ("not_well", "Few *leads*", None), ("improve", "Prospect daily", card)
    ]
    whys = run("retro", "show", "3").stdout
    assert "Why 2: Only IT" in whys and "Root cause: Only IT" in whys
    assert "Late [demo]" in run("retro", "show", "2").stdout
    missing = run("retro", "show", "42")
    assert (missing.exit_code, one_sentence(missing.stderr)) == (4, "There is no retro 42.")


# --- time logs and allocation --------------------------------------------------------------


def test_log_time_on_a_deal_and_outside_one(run, lk: LeanKanban, seeded):
    deal_id = seeded["Acme rollout"]
    on_deal = run("log", str(deal_id), "1h30m", "--category", "origination", "--note", "Call with [CFO]")
    assert on_deal.exit_code == 0, on_deal.stderr
    assert on_deal.stdout == f"Logged 1h30m of origination on deal {deal_id}.\n"
    outside = run("log", "-", "45m", "-c", "support")
    assert outside.stdout == "Logged 45m of support on no deal.\n"
    logs = lk.time_logs()
    assert [(t.deal_id, t.minutes, t.category, t.note) for t in logs] == [
        (deal_id, 90, Activity.ORIGINATION, "Call with [CFO]"), (None, 45, Activity.SUPPORT, "")
    ]
    assert "Logged 1h30m (origination): Call with [CFO]" in run("history", str(deal_id)).stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["1", "-5m"], 1, "'-5m' is not a duration; use e.g. 45m, 1h or 1h30m."),
        (["1", "-1h30m"], 1, "'-1h30m' is not a duration; use e.g. 45m, 1h or 1h30m."),
        (["1", "abc"], 1, "'abc' is not a duration; use e.g. 45m, 1h or 1h30m."),
        (["1", "0m"], 1, "'0m' is not a positive duration."),
        (["1", "25h"], 1, "One log entry can be at most 24 hours."),
        (["abc", "5m"], 1, "'abc' is not a deal id; give a number from `deals`, or - for time outside a deal."),
        (["-3", "5m"], 1, "'-3' is not a deal id; give a number from `deals`, or - for time outside a deal."),
        (["999", "5m"], 4, "There is no deal with id 999."),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_a_bad_log_is_one_sentence_and_logs_nothing(run, lk: LeanKanban, seeded, one_sentence, args, code, message):
    result = run("log", *args, "--category", "support")
    assert result.exit_code == code
    assert one_sentence(result.stderr) == message
    assert lk.time_logs() == []


def test_a_bad_category_is_one_sentence(run, lk: LeanKanban, seeded, one_sentence):
    result = run("log", "1", "5m", "-c", "selling")
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "'selling' is not a valid category (choose from: origination, influence, support)."
    assert lk.time_logs() == []


def test_an_option_value_that_starts_with_a_minus_stays_a_value(run, lk: LeanKanban, seeded):
    assert run("log", "1", "20m", "--note", "-5 on price", "-c", "influence").exit_code == 0
    assert run("log", "1", "-c", "influence", "--", "10m").exit_code == 0
    assert [(t.minutes, t.note) for t in lk.time_logs()] == [(20, "-5 on price"), (10, "")]


def test_allocation_against_the_target(run, lk: LeanKanban, seeded, one_sentence, cli_clock):
    lk.log_time("3h", deal_id=seeded["Acme rollout"], category="origination")
    lk.log_time("1h", category="support")
    assert run("log", "-", "2h", "-c", "influence", env={"LEANKANBAN_USER": "bob"}).exit_code == 0
    table = run("allocation")
    assert table.exit_code == 0, table.stderr
    for text in ("ann", "bob", "Team", "75% / 50%", "100% / 30%", "50% / 50%", "33.3% / 30%"):
        assert text in table.stdout, text
    data = json.loads(run("allocation", "--format", "json", "--since", "7d").stdout)
    assert data["target"] == {"origination": 50, "influence": 30, "support": 20}
    ann = data["people"][0]
    assert (ann["person"], ann["minutes_total"], ann["share"]["origination"]) == ("ann", 240, 75.0)
    assert data["people"][-1]["team"] is True

    saved = run("allocation", "set", "--origination", "60", "--influence", "30", "--support", "10")
    assert saved.stdout == "Target allocation: origination 60%, influence 30%, support 10%.\n"
    assert "75% / 60%" in run("allocation").stdout
    bad = run("allocation", "set", "--origination", "60")
    assert bad.exit_code == 1
    assert one_sentence(bad.stderr).startswith("The target allocation must be percentages that add up to 100")
    none = run("allocation", "set")
    assert none.exit_code == 1
    one_sentence(none.stderr)
    assert lk.target_allocation() == {Activity.ORIGINATION: 60, Activity.INFLUENCE: 30, Activity.SUPPORT: 10}
    assert run("allocation", "--since", "soon").exit_code == 1
    cli_clock.advance(days=8)
    [team] = json.loads(run("allocation", "--format", "json", "--since", "7d").stdout)["people"]
    assert (team["team"], team["minutes_total"], team["share"]["origination"]) == (True, 0, None)
    assert "No time logged yet" in run("allocation", "--since", "7d").stdout


# --- insights -----------------------------------------------------------------------------------


def test_insights_in_every_format(run, lk: LeanKanban, seeded, cli_clock):
    lk.edit_deal(seeded["Acme rollout"], tags="smb")
    lk.edit_deal(seeded["Globex pilot"], tags="smb")
    lk.discard(seeded["Acme rollout"], "No budget")
    lk.discard(seeded["Globex pilot"], "No budget")
    lk.discard(lk.add_deal("Soylent").id, "Timing")
    lk.win(seeded["Hooli platform"])
    lk.create_retro("deal", deal_id=seeded["Acme rollout"], not_well=["No [budget] owner"], improve=["Ask early"], tags=["budget"])
    [card] = lk.open_improvements()
    lk.move_deal(card.id, "Done")
    cli_clock.advance(days=1)

    text = run("insights")
    assert text.exit_code == 0, text.stderr
    for line in ("No budget: 2", "Most deals are discarded from: Leads (2 deals)", "budget: 1", "smb: 0%", "1 of"):
        assert line in text.stdout, line
    data = json.loads(run("insights", "--format", "json", "--since", "30d").stdout)
    assert data["loss_reasons"] == [{"reason": "No budget", "count": 2}, {"reason": "Timing", "count": 1}]
    assert data["top_discard_stage"] == {"stage": "Leads", "count": 2}
    assert data["retro_tags"] == [{"tag": "budget", "count": 1}]
    assert data["win_rate_by_tag"] == {"smb": 0.0}
    assert data["improvements_per_month"][-1] == {"month": "2026-11", "done": 1}
    md = run("insights", "--format", "md").stdout
    assert md.startswith("## Insights since") and "- No budget: 2" in md
    assert run("insights", "--since", "2999-01-01").exit_code == 1
