"""`leankanban report` and `leankanban chart` against a temp SQLite file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from leankanban.services import LeanKanban
from tests.conftest import FakeClock

SCHEMA_KEYS = {
    "schema_version", "generated_at", "board", "owner", "currency", "other_currency_deals", "period", "history",
    "win_rate_by_type", "win_rate_by_source",
    "stages", "moved", "new_deals", "won", "lost", "win_rate", "win_rate_by_owner", "throughput_per_week",
    "cycle_time_days", "blocked", "stall_days", "stalled", "ageing", "wip_breaches", "under_minimum", "load",
    "forecast", "deals", "next_steps", "sales", "flow", "effectiveness", "capacity", "sprint", "insights",
    "qualified_out", "policies",
}


@pytest.fixture
def board(lk: LeanKanban, clock: FakeClock) -> dict[str, int]:
    """A week of work ending at the real clock's now (the CLI reads the real clock)."""
    from datetime import UTC, datetime, timedelta

    clock.now = datetime.now(UTC) - timedelta(days=10)
    ids = {}
    for title, value, owner in (("Alpha", "100", "ann"), ("Beta", "200", "ann"), ("Gamma", "300", "bob"),
                                ("<script>alert(1)</script>", "400", "bob"), ("Open | *deal*", "1000", "cy")):
        ids[title] = lk.add_deal(title, stage="Discovery", value=value, owner=owner).id
    clock.advance(days=5)
    for title in ("Alpha", "Beta", "Gamma"):
        lk.win(ids[title])
    lk.discard(ids["<script>alert(1)</script>"], "No budget")
    lk.qualify(ids["Open | *deal*"], "Customer value quantified", "yes")  # Proposal's gate on a new board
    lk.move_deal(ids["Open | *deal*"], "Proposal")
    return ids


def test_report_json_follows_the_schema(run, board) -> None:
    result = run("report", "--format", "json", "--seed", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == SCHEMA_KEYS
    assert data["won"]["count"] == 3 and data["won"]["value"] == 600
    assert data["lost"]["reasons"] == {"No budget": 1}
    # 3 won, 1 lost after commitment: below the 5 committed closes a win rate needs.
    assert data["win_rate"] == {"value": None, "won": 3, "lost": 1, "n": 4, "need": 5,
                                "reason": "not enough history (4 closed, need 5)"}
    assert data["forecast"]["seed"] == 1
    assert {s["name"] for s in data["stages"]} >= {"Leads", "Won", "Lost"}


def test_report_owner_filter(run, board) -> None:
    data = json.loads(run("report", "-f", "json", "--owner", "ANN").stdout)
    assert data["owner"] == "ANN"
    assert data["won"]["count"] == 2 and data["lost"]["count"] == 0
    assert {d["owner"] for d in data["deals"]["items"]} == {"ann"}


def test_report_markdown_has_the_board_table(run, board) -> None:
    result = run("report", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "| Stage | Deals | Value | Weighted | WIP limits | State |" in result.stdout
    assert "Open \\| \\*deal\\*" in result.stdout


def test_report_csv_to_stdout_has_every_table(run, board) -> None:
    result = run("report", "--format", "csv")
    assert result.exit_code == 0, result.output
    blank = "\r\n\r\n" if "\r\n\r\n" in result.stdout else "\n\n"
    stages, deals, next_steps, discards = result.stdout.split(blank)
    assert next(csv.reader(io.StringIO(stages)))[:3] == ["stage", "kind", "count"]
    assert next(csv.reader(io.StringIO(deals)))[:3] == ["deal_id", "title", "account"]
    assert next(csv.reader(io.StringIO(next_steps)))[:3] == ["deal_id", "title", "owner"]
    assert next(csv.reader(io.StringIO(discards))) == ["stage", "lost", "left", "rate", "reasons"]


def test_report_csv_to_a_file_writes_one_file_per_table(run, board, tmp_path: Path) -> None:
    result = run("report", "--format", "csv", "--output", str(tmp_path / "weekly.csv"))
    assert result.exit_code == 0, result.output
    stages = (tmp_path / "weekly-stages.csv").read_text(encoding="utf-8")
    deals = (tmp_path / "weekly-deals.csv").read_text(encoding="utf-8")
    assert (tmp_path / "weekly-next-steps.csv").read_text(encoding="utf-8").startswith("deal_id,title,owner")
    assert (tmp_path / "weekly-discards.csv").read_text(encoding="utf-8").startswith("stage,lost,left,rate")
    assert stages.startswith("stage,kind,count,value")
    assert deals.startswith("deal_id,title,account,owner")
    assert "Open | *deal*" in deals


def test_report_html_is_one_escaped_page_with_inline_svg(run, board, tmp_path: Path) -> None:
    out = tmp_path / "standup.html"
    result = run("report", "--format", "html", "--output", str(out), "--since", "2w")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert page.count("<svg") == 4
    assert "<link" not in page and "src=\"http" not in page


def test_report_text_is_for_the_terminal(run, board) -> None:
    result = run("report")
    assert result.exit_code == 0, result.output
    assert "Stand-up: pipeline" in result.stdout
    assert "<script>alert(1)</script>" in result.stdout or "Won 3" in result.stdout


@pytest.mark.parametrize("since", ["7d", "2w", "2026-11-01"])
def test_report_since_accepts_days_weeks_and_dates(run, board, since: str) -> None:
    result = run("report", "-f", "json", "--since", since)
    assert result.exit_code == 0, result.output


def test_report_bad_since_is_one_sentence(run, board, one_sentence) -> None:
    result = run("report", "--since", "garbage")
    assert result.exit_code == 1
    line = one_sentence(result.stderr)
    assert "'garbage'" in line and "7d" in line


def test_report_unknown_board_is_one_sentence(run, board, one_sentence) -> None:
    result = run("report", "--board", "nope")
    assert result.exit_code == 4
    one_sentence(result.stderr)


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<svg")])
def test_chart_writes_an_image(run, board, tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"cycle{suffix}"
    result = run("chart", "cycle-time", "--days", "30", "--output", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(magic) if suffix == ".png" else magic in data[:500]


def test_chart_refuses_other_image_types(run, board, tmp_path: Path, one_sentence) -> None:
    result = run("chart", "cfd", "--output", str(tmp_path / "x.jpg"))
    assert result.exit_code == 1
    assert ".png or .svg" in one_sentence(result.stderr)


@pytest.mark.parametrize(
    ("kind", "labels"),
    [("cfd", ["Cumulative flow", "Leads", "Won"]), ("throughput", ["Throughput per week", "closed"]),
     ("cycle-time", ["Cycle time", "won", "not enough history (4 closed, need 10)"]), ("ageing", ["Age of work in progress", "Proposal"])],
)
def test_chart_in_the_terminal(run, board, kind: str, labels: list[str]) -> None:
    result = run("chart", kind, "--days", "30", env={"COLUMNS": "120", "LINES": "30"})
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) > 10
    for label in labels:
        assert label in result.stdout
    assert "\x1b[" not in result.stdout  # no colours into a pipe


def test_report_json_does_not_load_textual_or_plotting(sqlite_url: str, board) -> None:
    code = (
        "import sys\n"
        "from leankanban.cli import app\n"
        f"try: app(prog_name='leankanban', args=['--db', {sqlite_url!r}, 'report', '-f', 'json'])\n"
        "except SystemExit as done: assert not done.code, done.code\n"
        "loaded = [m for m in ('textual', 'matplotlib', 'plotext') if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stderr, done.stderr


def test_settings_pipeline_target_and_capacity_round_trip(run, lk_sqlite) -> None:
    result = run("settings", "--pipeline-target", "500000", "--capacity-per-week", "3")
    assert result.exit_code == 0, result.output
    assert "pipeline target: 500,000.00" in result.stdout and "delivery capacity: 3 won deals a week" in result.stdout
    board = lk_sqlite.get_board()
    assert (board.pipeline_target, board.capacity_per_week) == (Decimal("500000"), 3)
    data = json.loads(run("settings", "--format", "json").stdout)
    assert (data["pipeline_target"], data["capacity_per_week"]) == (500000, 3)
    report = json.loads(run("report", "-f", "json", "--seed", "1").stdout)
    assert report["sales"]["pipeline_target"] == 500000 and report["capacity"]["capacity_per_week"] == 3
    cleared = run("settings", "--pipeline-target", "none", "--capacity-per-week", "none")
    assert cleared.exit_code == 0, cleared.output
    board = lk_sqlite.get_board()
    assert (board.pipeline_target, board.capacity_per_week) == (None, None)


def test_settings_capacity_must_be_a_number(run) -> None:
    result = run("settings", "--capacity-per-week", "lots")
    assert result.exit_code != 0
    assert "not a whole number" in result.output


# --- leankanban forecast ------------------------------------------------------------


def test_forecast_json_counts_the_stage_and_the_window(run, board) -> None:
    result = run("forecast", "--stage", "proposal", "--by", "30d", "--window", "30d", "--seed", "1", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"schema_version", "generated_at", "board", "owner", "currency", "stages", "window", "trials",
                         "seed", "no_throughput", "done", "by", "closes_by", "won_value_by", "deals",
                         "sampled", "n", "need", "reason", "covers"}
    assert data["stages"] == ["Proposal"]
    assert data["done"]["items"] == 1 and [d["title"] for d in data["deals"]] == ["Open | *deal*"]
    assert data["window"]["days"] == 31 and (data["window"]["closed"], data["window"]["won"]) == (4, 3)
    assert data["trials"] == 10_000 and data["seed"] == 1
    assert data["covers"] == {"items": 1, "value": 1000} and data["sampled"] == "committed"
    # 4 committed closes are fewer than the 5 a forecast needs: no dates, but the reason.
    assert (data["n"], data["need"], data["reason"]) == (4, 5, "not enough history (4 closed, need 5)")
    assert [data["done"][p] for p in ("p50", "p85", "p95")] == [None, None, None]
    again = json.loads(run("forecast", "-s", "Proposal", "--by", "30d", "-w", "30d", "--seed", "1", "-f", "json").stdout)
    assert {k: v for k, v in again.items() if k not in ("generated_at", "window")} == {
        k: v for k, v in data.items() if k not in ("generated_at", "window")
    }


def test_forecast_text_by_default_covers_the_work_in_progress(run, board) -> None:
    result = run("forecast", "--seed", "7")
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()[:2]
    assert first == "Forecast for pipeline: 1 open deal in Discovery, Proposal, Negotiation, worth EUR 1,000.00."
    assert "4 closed, 3 won" in second and "10,000 trials, seed 7" in second
    assert "No forecast: not enough history (4 closed, need 5)" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--stage", "Nowhere"], 4, "There is no stage 'Nowhere' on this board (stages: Leads, "),
        (["--stage", "Won"], 1, "Won holds closed deals; forecast an open stage."),
        (["--by", "2020-01-01"], 1, "2020-01-01 is in the past; give a date from today on."),
        (["--by", "soon"], 1, "'soon' is not a date to forecast to;"),
        (["--window", "forever"], 1, "'forever' is not a time to report since;"),
        (["--trials", "5"], 1, "5 trials is out of range; use 100 to 1,000,000."),
    ],
)
def test_forecast_refuses_bad_input_in_one_sentence(run, board, one_sentence, args, code, message) -> None:
    result = run("forecast", *args)
    assert result.exit_code == code
    assert one_sentence(result.stderr).startswith(message)
    assert result.stdout == ""


# -- --limit: every list of the report is a page ----------------------------------------


def test_report_limit_caps_every_list_and_keeps_the_totals(run, board) -> None:
    result = run("report", "-f", "json", "--limit", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["deals"]["total"], data["deals"]["value"]) == (5, 2000)
    assert [d["value"] for d in data["deals"]["items"]] == [1000, 400]  # the biggest first
    assert data["moved"]["total"] == 5 and len(data["moved"]["items"]) == 2


def test_report_limits_lists_to_ten_by_default_and_all_shows_everything(run, lk: LeanKanban, board) -> None:
    for n in range(12):
        lk.add_deal(f"Extra {n}", stage="Leads", value=str(n))
    default = json.loads(run("report", "-f", "json").stdout)
    assert (default["deals"]["total"], len(default["deals"]["items"])) == (17, 10)
    every = json.loads(run("report", "-f", "json", "--limit", "all").stdout)
    assert len(every["deals"]["items"]) == every["deals"]["total"] == 17


@pytest.mark.parametrize("bad", ["0", "-1", "ten", "2.5", ""])
def test_report_bad_limit_is_one_sentence(run, board, one_sentence, bad) -> None:
    result = run("report", "--limit", bad)
    assert result.exit_code == 1
    line = one_sentence(result.stderr)
    assert f"'{bad}'" in line and "'all'" in line


def test_report_csv_deals_follow_the_limit(run, board) -> None:
    result = run("report", "--format", "csv", "--limit", "1")
    assert result.exit_code == 0, result.output
    blank = "\r\n\r\n" if "\r\n\r\n" in result.stdout else "\n\n"
    deals = list(csv.reader(io.StringIO(result.stdout.split(blank)[1])))
    assert len(deals) == 2 and deals[1][1] == "Open | *deal*"
    everything = run("report", "--format", "csv", "--limit", "all").stdout.split(blank)[1]
    assert len(list(csv.reader(io.StringIO(everything)))) == 6


def test_report_text_says_what_it_leaves_out(run, board) -> None:
    result = run("report", "--limit", "1")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "showing 1 of 5 moves" in text and "--limit all" in text


def test_report_help_names_the_full_lists(run) -> None:
    result = run("report", "--help")
    text = " ".join(result.stdout.split())
    assert "--limit" in text and "leankanban deals --stalled" in text


def test_report_bad_limit_shows_control_characters_as_escapes(run, board, one_sentence) -> None:
    result = run("report", "--limit", "\x1b]0;pwn\x07")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\\x1b]0;pwn\\x07" in one_sentence(result.stderr)
