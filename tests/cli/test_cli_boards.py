"""init, boards, board: boards in the database and the board printed once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from leankanban.domain.errors import UnknownBoard
from leankanban.services import LeanKanban


def test_board_prints_columns_and_cards_with_user_text_literally(run, lk_sqlite: LeanKanban, clock):
    clock.now = datetime.now(UTC) - timedelta(days=4, hours=1)
    lk_sqlite.add_deal("[bold]x[/]", stage="Negotiation", account="[red]Acme[/red]", value="12000", owner="bob")
    lk_sqlite.add_deal("Globex :smile:", stage="Negotiation", value="500.5", owner="cy")
    result = run("board")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("[bold]x[/]", "[red]Acme[/red]", "Globex :smile:", "12,000 EUR", "500.50 EUR", "bob · 4d"):
        assert text in out, text
    for header in ("Leads", "Qualifying", "Negotiation", "Won", "Lost"):
        assert header in out
    assert "2/3" in out  # Negotiation holds 2 of its WIP maximum of 3
    assert "12,500.50 EUR" in out  # column value


def test_board_is_wide_when_piped(run, seeded):
    result = run("board")
    widths = {len(line) for line in result.stdout.splitlines() if line.strip()}
    assert max(widths) == 160


def test_board_follows_columns_when_set(run, seeded):
    result = run("board", env={"COLUMNS": "100"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_boards_lists_the_default_board(run):
    result = run("boards", "--format", "json")
    assert result.exit_code == 0, result.stderr
    [board] = json.loads(result.stdout)
    assert (board["name"], board["template"], board["default"]) == ("pipeline", "lean-sales", True)
    assert board["stages"][0] == "Leads"


def test_init_creates_a_second_board_that_board_selects(run, lk_sqlite: LeanKanban):
    result = run("init", "--board", "Partners", "--template", "blank")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Created board 'Partners' (blank): To do, Doing, Won, Lost.\n"
    assert [b.name for b in lk_sqlite.list_boards()] == ["pipeline", "Partners"]

    deal_id = int(run("--board", "partners", "add", "Reseller deal").stdout)
    assert lk_sqlite.get_deal(deal_id).stage == "To do"
    on_partners = json.loads(run("--board", "Partners", "deals", "-f", "json").stdout)
    assert [d["title"] for d in on_partners] == ["Reseller deal"]
    assert json.loads(run("deals", "-f", "json").stdout) == []
    stages = json.loads(run("--board", "Partners", "stages", "-f", "json").stdout)
    assert [s["name"] for s in stages] == ["To do", "Doing", "Won", "Lost"]
    boards = run("boards")
    assert "Partners" in boards.stdout and "pipeline (default)" in boards.stdout


def test_board_can_come_from_the_environment(run, lk_sqlite: LeanKanban):
    lk_sqlite.init_board("Partners", "blank")
    result = run("stages", "-f", "json", env={"LEANKANBAN_BOARD": "Partners"})
    assert json.loads(result.stdout)[0]["name"] == "To do"


def test_init_on_a_fresh_database_uses_the_chosen_template(invoke, tmp_path):
    fresh = str(tmp_path / "fresh.db")
    result = invoke("--db", fresh, "init", "--template", "blank")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Created board 'pipeline' (blank)")


def test_init_refuses_an_existing_board_with_exit_5(run, lk_sqlite: LeanKanban, one_sentence):
    result = run("init")
    assert result.exit_code == 5
    assert one_sentence(result.stderr) == "A board called 'pipeline' already exists."


def test_init_refuses_an_unknown_template_as_usage_error(run):
    assert run("init", "--board", "x", "--template", "scrum").exit_code == 2


def test_unknown_board_exits_4(run, one_sentence):
    for args in (("--board", "nope", "deals"), ("--board", "nope", "board"), ("--board", "nope", "add", "x")):
        result = run(*args)
        assert result.exit_code == 4, args
        assert one_sentence(result.stderr) == str(UnknownBoard("nope", ["pipeline"]))


def test_board_in_owner_lanes_prints_one_section_per_lane_across_the_stages(run, lk_sqlite: LeanKanban, seeded):
    lk_sqlite.set_lane_limit("owner", "ann", 3)
    result = run("board", "--lanes", "owner")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "lanes: owner" in out
    # ann has Initech (Discovery) and Hooli (Negotiation) in active stages: 2 of her 3.
    ann, bob, cy = out.index("ann · 3 deals · WIP 2/3"), out.index("bob · 1 deal"), out.index("cy · 1 deal")
    assert ann < bob < cy
    assert ann < out.index("Acme rollout") < out.index("Initech renewal") < out.index("Hooli platform") < bob
    assert bob < out.index("Globex pilot") < cy < out.index("Umbrella")
    # Each lane runs across every stage, with its count and value there.
    for section in (out[ann:bob], out[bob:cy], out[cy:]):
        for stage in ("Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost"):
            assert stage in section
    assert "1 · 30,000 EUR" in out[ann:bob] and "1 · 80,000 EUR" in out[cy:]


def test_board_lanes_by_type_priority_and_account(run, lk_sqlite: LeanKanban, seeded):
    lk_sqlite.edit_deal(seeded["Globex pilot"], deal_type="renewal", priority="expedite")
    by_type = run("board", "--lanes", "type").stdout
    assert by_type.index("new logo · 4 deals") < by_type.index("renewal · 1 deal")
    by_priority = run("board", "-l", "priority").stdout
    assert by_priority.index("expedite · 1 deal") < by_priority.index("standard · 4 deals")
    by_account = run("board", "--lanes", "account").stdout
    assert by_account.index("Acme Corp · 1 deal") < by_account.index("Globex · 1 deal") < by_account.index("Umbrella")


def test_board_lanes_show_user_text_literally(run, lk_sqlite: LeanKanban):
    lk_sqlite.add_deal("Evil deal", stage="Leads", account="[red]Acme[/red]", owner="\x1b[31meve")
    out = run("board", "--lanes", "owner").stdout
    assert "\\x1b[31meve · 1 deal" in out and "\x1b[31m" not in out
    assert "[red]Acme[/red] · 1 deal" in run("board", "--lanes", "account").stdout


def test_board_lanes_on_an_empty_board_and_an_unknown_grouping(run):
    result = run("board", "--lanes", "owner")
    assert result.exit_code == 0 and "(no deals)" in result.stdout
    assert run("board", "--lanes", "colour").exit_code == 2
