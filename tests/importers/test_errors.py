"""Files that cannot be imported fail with one sentence naming file, line and column."""

from __future__ import annotations

import pytest

from leankanban.domain.errors import InvalidInput, LeanKanbanError
from leankanban.importers import FORMATS, ImportFailed, RawFile, detect_format, parse_import, read_import


def test_missing_required_column_is_named(write):
    path = write("opps.csv", "Name,Amount,CloseDate\nA,1,2024-01-01\n")
    with pytest.raises(ImportFailed) as err:
        read_import(path, format="salesforce")
    assert (err.value.file, err.value.line, err.value.column) == ("opps.csv", 1, "StageName")
    assert str(err.value) == (
        "Cannot import opps.csv (line 1, column 'StageName'): the header has no 'StageName' or 'Stage' or 'Opportunity: Stage' column."
    )


def test_bad_date_names_line_and_column(write):
    path = write(
        "deals.csv",
        '"Record ID","Deal Name","Deal Stage","Create Date"\n"1","A","Won","2024-01-02"\n"2","B","Won","31/31/2024"\n',
    )
    with pytest.raises(ImportFailed) as err:
        read_import(path)
    assert (err.value.line, err.value.column) == (3, "Create Date")
    assert str(err.value).startswith("Cannot import deals.csv (line 3, column 'Create Date'): '31/31/2024'")
    assert isinstance(err.value, LeanKanbanError) and err.value.exit_code == 1


def test_month_over_twelve_hints_at_dayfirst(write):
    path = write("d.csv", "title,stage,created_at\nA,Demo,13/01/2024\n")
    with pytest.raises(ImportFailed, match="day-first"):
        read_import(path)
    assert read_import(path, dayfirst=True).deals[0].created_at.day == 13


def test_negative_amount_names_line_and_column(write):
    path = write("d.csv", "title,stage,value\nA,Demo,5\nB,Demo,-5\n")
    with pytest.raises(ImportFailed) as err:
        read_import(path)
    assert (err.value.line, err.value.column) == (3, "value") and "negative" in str(err.value)


def test_binary_file_names_the_first_bad_byte(write):
    path = write("deals.csv", b"title,stage\nAcme,\x00\x01\x02\x03Demo\n")
    with pytest.raises(ImportFailed) as err:
        read_import(path)
    assert (err.value.line, err.value.column) == (2, 6)
    assert "binary" in str(err.value)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
        (b"%PDF-1.7\n", "PDF"),
        (b"\xff\xfe" + "title".encode("utf-16-le") + b"\x00\xd8", "UTF-16"),
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
    ],
)
def test_unreadable_files(write, data, words):
    with pytest.raises(ImportFailed, match=words):
        read_import(write("deals.csv", data))


def test_unrecognised_format_lists_the_columns(write):
    with pytest.raises(ImportFailed, match="not recognised .columns: foo, bar"):
        read_import(write("x.csv", "foo,bar\n1,2\n"))


def test_missing_file_is_an_import_error(tmp_path):
    with pytest.raises(ImportFailed, match="cannot be read"):
        read_import(tmp_path / "nope.csv")


def test_json_that_is_not_a_trello_board(write):
    with pytest.raises(ImportFailed, match="not a Trello board"):
        read_import(write("x.json", '{"deals": []}'))


def test_deep_json_nesting_is_an_import_error(write):
    with pytest.raises(ImportFailed):
        read_import(write("x.json", "[" * 100_000))


def test_unknown_format_and_misplaced_companions_are_input_errors(write):
    path = write("d.csv", "title,stage\nA,Demo\n")
    with pytest.raises(InvalidInput, match="no import format 'excel'"):
        read_import(path, format="excel")
    with pytest.raises(InvalidInput, match="history"):
        read_import(path, history=path)
    with pytest.raises(InvalidInput, match="accounts"):
        read_import(path, format="generic", accounts=path)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("t.json", b'{"name": "b", "lists": [], "cards": []}', "trello"),
        ("p.csv", b"Deal - ID,Deal - Title,Deal - Stage\n", "pipedrive"),
        ("h.csv", b'"Record ID","Deal Name","Deal Stage"\n', "hubspot"),
        ("s.csv", b"Id,Name,StageName,Amount\n", "salesforce"),
        ("r.csv", b"Opportunity Name,Account Name,Stage,Amount\n", "salesforce"),
        ("k.csv", b"Task Id,Project,Status,Column,Title\n", "kanboard"),
        ("g.csv", b"Title;Stage;Value\n", "csv"),
    ],
)
def test_detect_format(name, data, expected):
    assert detect_format(RawFile(name, data)) == expected
    assert expected in FORMATS


def test_format_override_beats_detection(fixtures):
    raw = RawFile.read(fixtures / "pipedrive" / "deals.csv")
    batch = parse_import(raw, format="csv", mapping={"Deal - Title": "title", "Deal - Stage": "stage"})
    assert batch.source == "csv" and len(batch.deals) == 6
