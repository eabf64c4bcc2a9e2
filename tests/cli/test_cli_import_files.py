"""`leankanban import` on real files: what is refused in one sentence, what imports with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from leankanban.importers import textio
from leankanban.services import LeanKanban

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def nothing_written(lk: LeanKanban) -> bool:
    return [b.name for b in lk.list_boards()] == ["pipeline"] and lk.list_deals() == []


def test_dev_zero_is_refused_in_one_sentence(run, one_sentence):
    result = run("import", "/dev/zero")
    assert result.exit_code == 1
    message = "Cannot import zero: it is a device, not a file; give the path of an export file."
    assert one_sentence(result.stderr) == message


def test_a_folder_is_refused_in_one_sentence(run, tmp_path: Path, one_sentence):
    result = run("import", str(tmp_path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == f"Cannot import {tmp_path.name}: it is a folder, not a file."


def test_a_file_over_the_cap_is_refused(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence, monkeypatch):
    monkeypatch.setattr(textio, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.csv"
    path.write_bytes(b"title,stage\n" + b"A,Demo\n" * 100)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith("Cannot import big.csv: it is larger than 100 bytes")
    assert nothing_written(lk_sqlite)


def test_an_escape_character_in_a_title_imports_with_one_warning(run, lk_sqlite: LeanKanban):
    result = run("import", str(FIXTURES / "hubspot" / "deals_escape.csv"))
    assert result.exit_code == 0, result.stderr
    assert "12 created" in result.stdout.splitlines()[0]
    assert result.stdout.count("control character") == 1
    assert "\x1b" not in result.stdout
    assert len(lk_sqlite.list_deals(board="hubspot")) == 12


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name,Email\n", "Cannot import contacts.csv: it has a header but no rows; nothing was imported."),
        (b"", "Cannot import contacts.csv: the file is empty; nothing was imported."),
    ],
    ids=["header-only", "empty"],
)
def test_a_file_without_rows_creates_nothing(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence, data, message):
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    result = run("import", str(path), "--map", "Name=title", "--map", "Email=stage")
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == message
    assert nothing_written(lk_sqlite)


def test_a_recognised_export_without_rows_creates_nothing(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    path = tmp_path / "deals.csv"
    path.write_bytes(b'"Record ID","Deal Name","Deal Stage","Amount"\r\n')
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "Cannot import deals.csv: it has a header but no rows; nothing was imported."
    assert nothing_written(lk_sqlite)


def test_a_cut_quote_is_an_error_naming_its_line(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    path = tmp_path / "leads.csv"
    path.write_text('title,stage\nGlobex,Demo\n"Acme,Leads\nInitech,Demo\n', encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith("Cannot import leads.csv (line 3, column 1): a quote")
    assert nothing_written(lk_sqlite)


def test_a_file_mixing_encodings_names_the_line(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    path = tmp_path / "deals.csv"
    path.write_bytes("title,stage\nCafé,Demo\n".encode() + "Société,Demo\n".encode("cp1252") + "Zoë,Demo\n".encode())
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith("Cannot import deals.csv (line 3): the encoding changes")
    assert nothing_written(lk_sqlite)


def test_a_5000_digit_json_number_is_one_sentence(run, lk_sqlite: LeanKanban, tmp_path: Path, one_sentence):
    path = tmp_path / "board.json"
    path.write_text('{"lists": [], "cards": [{"n": ' + "9" * 5000 + "}]}", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "Cannot import board.json: the JSON holds a number too long to read."
    assert nothing_written(lk_sqlite)


def test_deeply_nested_json_is_one_sentence(run, tmp_path: Path, one_sentence):
    path = tmp_path / "board.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr) == "Cannot import board.json: the JSON is nested too deeply."
