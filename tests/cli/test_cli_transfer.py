"""import and export: CRM files in, backups out and back in, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SALESFORCE = FIXTURES / "salesforce"

GENERIC = """\
Deal name,Phase,Amount,Company
Acme rollout,Discovery,12000,Acme Corp
Globex pilot,Proposal,4500,Globex
,Discovery,10,Nobody
[bold]Initech[/],Discovery,300,Initech
"""
MAP = ("--map", "Deal name=title", "--map", "Phase=stage", "--map", "Amount=value", "--map", "Company=account")


@pytest.fixture
def generic_csv(tmp_path: Path) -> Path:
    path = tmp_path / "crm.csv"
    path.write_text(GENERIC, encoding="utf-8")
    return path


def titles(lk: LeanKanban, board: str | None = None) -> list[str]:
    return sorted(d.title for d in lk.list_deals(board=board))


# --- import -------------------------------------------------------------------------


def test_generic_csv_with_a_column_map_makes_a_board_and_reports(run, lk_sqlite: LeanKanban, generic_csv: Path):
    result = run("import", str(generic_csv), *MAP)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Imported crm.csv into board 'csv': 3 created, 0 updated, 0 unchanged, 1 skipped."
    assert lines[1] == "  skipped crm.csv line 4: the row has no title"
    assert "Stages added: Discovery, Proposal." in lines
    assert "Dry run" not in result.stdout
    assert titles(lk_sqlite, "csv") == ["Acme rollout", "Globex pilot", "[bold]Initech[/]"]
    assert [b.name for b in lk_sqlite.list_boards()] == ["pipeline", "csv"]


def test_reimport_reports_every_deal_unchanged(run, lk_sqlite: LeanKanban, generic_csv: Path):
    assert run("import", str(generic_csv), *MAP).exit_code == 0
    again = run("import", str(generic_csv), *MAP)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines()[0] == (
        "Imported crm.csv into board 'csv': 0 created, 0 updated, 3 unchanged, 1 skipped."
    )
    assert len(lk_sqlite.list_deals(board="csv")) == 3


def test_dry_run_reports_but_writes_nothing(run, lk_sqlite: LeanKanban, generic_csv: Path):
    result = run("import", str(generic_csv), *MAP, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Checked crm.csv for board 'csv': 3 created")
    assert result.stdout.splitlines()[-1] == "Dry run: nothing written."
    assert [b.name for b in lk_sqlite.list_boards()] == ["pipeline"]


def test_into_a_board_every_source_stage_needs_a_place(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    path = tmp_path / "crm.csv"
    path.write_text("title,stage\nAcme,Demo booked\nGlobex,Discovery\nHooli,Verbal yes\n", encoding="utf-8")
    refused = run("import", str(path), "--board", "pipeline")
    assert refused.exit_code == 1
    assert one_sentence(refused.stderr) == (
        "These source stages have no place on the board; map them with "
        "--stage-map \"Source=Board\": Demo booked, Verbal yes."
    )
    assert lk_sqlite.list_deals() == []

    mapped = run("import", str(path), "--board", "pipeline", "--stage-map", "Demo booked=Qualifying",
                 "--stage-map", "verbal yes=negotiation")
    assert mapped.exit_code == 0, mapped.stderr
    assert {d.title: d.stage for d in lk_sqlite.list_deals()} == {
        "Acme": "Qualifying", "Globex": "Discovery", "Hooli": "Negotiation"
    }


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--map", "Deal name", "'Deal name' is not COLUMN=FIELD."),
        ("--stage-map", "Discovery", "'Discovery' is not SOURCE_STAGE=BOARD_STAGE."),
        ("--map", "Deal name=colour", "'colour' is not a deal field (fields: "),
    ],
)
def test_bad_map_syntax_is_one_sentence(run, generic_csv: Path, one_sentence, option, value, message):
    result = run("import", str(generic_csv), option, value)
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith(message)


def test_a_broken_file_names_file_and_line_and_writes_nothing(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    path = tmp_path / "broken.csv"
    path.write_text("title,stage,value\nAcme,Discovery,100\nGlobex,Discovery,lots\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "Cannot import broken.csv (line 3, column 'value'): 'lots' is not an amount."
    assert result.stdout == ""
    assert [b.name for b in lk_sqlite.list_boards()] == ["pipeline"]
    assert lk_sqlite.list_deals() == []


def test_a_missing_file_is_one_sentence(run, tmp_path: Path, one_sentence):
    result = run("import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith("Cannot import nope.csv: the file cannot be read")


def test_real_salesforce_export_with_history_and_accounts(run, lk_sqlite: LeanKanban):
    args = (
        "import", str(SALESFORCE / "powerbi_Opportunity.csv"),
        "--history", str(SALESFORCE / "powerbi_OpportunityHistory.csv"),
        "--accounts", str(SALESFORCE / "powerbi_Account.csv"),
    )
    first = run(*args)
    assert first.exit_code == 0, first.stderr
    head = first.stdout.splitlines()[0]
    assert head.startswith("Imported powerbi_Opportunity.csv into board 'salesforce': ")
    created = int(head.split(": ")[1].split(" created")[0])
    assert created == len(lk_sqlite.list_deals(board="salesforce")) > 0
    assert "Closed Won" in [s.name for s in lk_sqlite.get_board("salesforce").stages]
    assert any(d.account == "Edge Communications" for d in lk_sqlite.list_deals(board="salesforce"))

    again = run(*args)
    assert again.exit_code == 0, again.stderr
    assert f"0 created, 0 updated, {created} unchanged" in again.stdout


def test_progress_bar_only_on_a_terminal(run, generic_csv: Path, monkeypatch):
    assert "Importing" not in run("import", str(generic_csv), *MAP, "--dry-run").stdout  # piped: no bar

    screen = io.StringIO()
    from leankanban.commands import printing

    monkeypatch.setattr(printing, "make_console", lambda **_: Console(file=screen, force_terminal=True, width=100))
    result = run("import", str(generic_csv), *MAP, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "Importing crm.csv" in screen.getvalue()


# --- export and restore ----------------------------------------------------------------


def _seed_everything(lk: LeanKanban) -> None:
    acme = lk.add_deal("Acme [rollout]", stage="Discovery", value="12000.50", tags="q4", helpers="bob")
    globex = lk.add_deal("Globex", stage="Proposal", owner="bob", customer_value="Halves [churn]", customer_impact="9000")
    lk.add_contact(acme.id, "Jo", role="champion", stance="supportive")
    lk.qualify(acme.id, "Budget", "yes", note="approved")
    lk.require_criterion("Budget", "Negotiation")
    lk.add_note(acme.id, "First call")
    lk.block(acme.id, "Legal")
    lk.discard(globex.id, "Timing", note="next year")
    lk.set_lane_limit("owner", "bob", 2)
    lk.set_board_settings(review_days=20)


def test_export_json_restores_into_a_fresh_database_and_exports_the_same(
    run, invoke, lk_sqlite: LeanKanban, tmp_path: Path
):
    _seed_everything(lk_sqlite)
    backup = tmp_path / "backup.json"
    exported = run("export", "--output", str(backup))
    assert exported.exit_code == 0, exported.stderr
    assert exported.stdout == f"Exported 1 board(s), 2 deal(s) to {backup}.\n"

    fresh = str(tmp_path / "fresh.db")
    restored = invoke("--db", fresh, "import", str(backup))
    assert restored.exit_code == 0, restored.stderr
    assert restored.stdout.startswith("Restored backup.json: 1 board(s), 2 deal(s), ")

    again = invoke("--db", fresh, "export")
    assert again.exit_code == 0, again.stderr
    first, second = json.loads(backup.read_text(encoding="utf-8")), json.loads(again.stdout)
    first.pop("exported_at"), second.pop("exported_at")
    assert first == second
    shown = json.loads(invoke("--db", fresh, "show", "1", "-f", "json").stdout)
    assert (shown["title"], shown["blocked_reason"], shown["tags"]) == ("Acme [rollout]", "Legal", ["q4"])


def test_a_backup_restores_only_into_an_empty_database(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    lk_sqlite.add_deal("Acme")
    backup = tmp_path / "backup.json"
    run("export", "-o", str(backup))
    refused = run("import", str(backup))
    assert refused.exit_code == 5
    assert one_sentence(refused.stderr).startswith("This database already holds deals")
    options = run("import", str(backup), "--dry-run", "--board", "x")
    assert options.exit_code == 1
    assert one_sentence(options.stderr) == (
        "backup.json is a leankanban backup, restored whole; leave out --board, --dry-run."
    )


def test_json_that_is_not_a_backup_goes_to_the_importers(run, tmp_path: Path, one_sentence):
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}', encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "Restored" not in result.stdout
    assert one_sentence(result.stderr).startswith("Cannot import other.json")


def test_export_csv_is_the_deals_table_and_formula_safe(run, lk_sqlite: LeanKanban, tmp_path: Path):
    lk_sqlite.add_deal("=cmd|' /C calc'!A0", account="+SUM(1)", value="10")
    lk_sqlite.add_deal("Plain, with comma", tags="a,b")
    result = run("export", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run("deals", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == ["'=cmd|' /C calc'!A0", "Plain, with comma"]
    assert rows[0]["account"] == "'+SUM(1)" and rows[1]["tags"] == "a, b"

    target = tmp_path / "deals.csv"
    written = run("export", "-f", "csv", "--bom", "-o", str(target))
    assert written.exit_code == 0, written.stderr
    assert written.stdout == f"Exported 2 deal(s) from board 'pipeline' to {target}.\n"
    assert target.read_bytes() == b"\xef\xbb\xbf" + result.stdout_bytes


def test_export_of_an_unknown_board_exits_4(run, one_sentence):
    for fmt in ("json", "csv"):
        result = run("export", "--board", "Nope", "-f", fmt)
        assert result.exit_code == 4
        assert one_sentence(result.stderr).startswith("There is no board 'Nope'")


def test_a_hand_edited_backup_is_refused_whole_with_every_problem_on_stderr(
    run, invoke, lk_sqlite: LeanKanban, tmp_path: Path
):
    _seed_everything(lk_sqlite)
    backup = tmp_path / "backup.json"
    assert run("export", "--output", str(backup)).exit_code == 0
    data = json.loads(backup.read_text(encoding="utf-8"))
    board = data["boards"][0]
    board["deals"][0]["status"] = "weird"
    board["deals"][1]["value_cents"] = "lots"
    board["events"][0]["kind"] = "teleported"
    backup.write_text(json.dumps(data), encoding="utf-8")

    fresh = str(tmp_path / "fresh.db")
    refused = invoke("--db", fresh, "import", str(backup))
    assert refused.exit_code == 1
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert lines[0].startswith("The backup was not restored: 3 problems, at boards[0].deals[0].status, ")
    assert lines[1:] == [
        "  boards[0].deals[0].status: 'weird' is not one of open, won, lost",
        "  boards[0].deals[1].value_cents: 'lots' is not a whole number",
        "  boards[0].events[0].kind: 'teleported' is not one of " + ", ".join(k.value for k in EventKind),
    ]
    # Nothing was written, and the commands that crashed on such a restore work.
    for args in (("deals",), ("report",), ("boards",)):
        result = invoke("--db", fresh, *args)
        assert result.exit_code == 0, (args, result.stderr)
    assert "Acme" not in invoke("--db", fresh, "deals").stdout


def test_a_backup_with_one_problem_is_one_sentence(run, invoke, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    _seed_everything(lk_sqlite)
    backup = tmp_path / "backup.json"
    run("export", "--output", str(backup))
    data = json.loads(backup.read_text(encoding="utf-8"))
    data["boards"][0]["deals"][0]["stage_id"] = 999
    backup.write_text(json.dumps(data), encoding="utf-8")
    refused = invoke("--db", str(tmp_path / "fresh.db"), "import", str(backup))
    assert refused.exit_code == 1
    assert one_sentence(refused.stderr) == (
        "The backup was not restored: boards[0].deals[0].stage_id: there is no stage 999 in the backup."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "leankanban-backup", "boards": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "deep.json is JSON nested too deeply to read; no backup is."),
        ('{"format": "leankanban-backup", "version": 1, "boards": [{"id": 1' + "0" * 5000 + "}]}",
         "deep.json holds a number with more than 40 digits (100000000000...); no backup has one."),
        ('{"format": "leankanban-backup", "version": 1, "boards": [{"id": -1' + "0" * 5000 + ".5e3}]}",
         "deep.json holds a number with more than 40 digits (-10000000000...); no backup has one."),
    ],
    ids=["nested", "long integer", "long float"],
)
def test_json_no_backup_can_be_is_one_sentence(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence, text, message):
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == message
    assert lk_sqlite.list_deals() == []


def test_a_backup_larger_than_the_limit_is_refused_before_it_is_read(
    run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence, monkeypatch
):
    from leankanban.commands import transfer
    from leankanban.services import backup as backups

    lk_sqlite.add_deal("Acme")
    backup = tmp_path / "backup.json"
    assert run("export", "-o", str(backup)).exit_code == 0
    monkeypatch.setattr(backups, "MAX_BACKUP_BYTES", 1024 * 1024)
    backup.write_bytes(backup.read_bytes() + b" " * (1024 * 1024))
    result = run("import", str(backup))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "backup.json is larger than the 1 MB a backup (or any JSON file) can be."
    # A CSV export that size is not a backup: the limit is not for it.
    big = tmp_path / "big.csv"
    big.write_bytes(b"title,stage\n" + b"Acme,Leads\n" * 100_000)
    assert transfer._read(big).data == big.read_bytes()


def test_salesforce_currency_and_probability_reach_the_deals(run, lk_sqlite: LeanKanban, tmp_path: Path):
    path = tmp_path / "Opportunity.csv"
    path.write_text(
        "Id,Name,StageName,Amount,CurrencyIsoCode,Probability\n"
        "006A,Acme,Prospecting,1000,USD,35\n006B,Globex,Prospecting,2000,,\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    deals = {d.title: d for d in lk_sqlite.list_deals(board="salesforce")}
    assert (deals["Acme"].currency, deals["Acme"].probability) == ("USD", 35)
    assert (deals["Globex"].currency, deals["Globex"].probability) == ("EUR", None)


def test_currency_option_is_the_currency_of_rows_without_one(run, lk_sqlite: LeanKanban, tmp_path: Path):
    path = tmp_path / "deals.csv"
    path.write_text("title,stage,value,currency\nAcme,Discovery,100,\nGlobex,Discovery,200,GBP\n", encoding="utf-8")
    result = run("import", str(path), "--currency", "usd")
    assert result.exit_code == 0, result.output
    assert {d.title: d.currency for d in lk_sqlite.list_deals(board="csv")} == {"Acme": "USD", "Globex": "GBP"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("Opportunity.csv", "Id,Name,StageName,Amount\n006A,Acme,Prospecting,1000\n"),
        ("hubspot.csv", '"Record ID","Deal Name","Deal Stage","Amount"\n"1","Acme","Contract Sent","1000"\n'),
        ("pipedrive.csv", "Deal - ID,Deal - Title,Deal - Stage,Deal - Value\n1,Acme,Proposal,1000\n"),
    ],
)
def test_currency_option_applies_to_every_csv_importer(run, lk_sqlite: LeanKanban, tmp_path: Path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run("import", str(path), "--currency", "USD")
    assert result.exit_code == 0, result.output
    (board,) = [b.name for b in lk_sqlite.list_boards() if b.name != "pipeline"]
    assert [d.currency for d in lk_sqlite.list_deals(board=board)] == ["USD"]


def test_a_bad_currency_option_is_one_sentence(run, generic_csv: Path, one_sentence):
    result = run("import", str(generic_csv), *MAP, "--currency", "dollars")
    assert result.exit_code == 1
    assert "'dollars' is not a three-letter currency code" in one_sentence(result.stderr)
