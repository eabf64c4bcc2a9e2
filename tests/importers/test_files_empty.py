"""A file with no rows is refused in one sentence by the table reader, for every source."""

from __future__ import annotations

import pytest

from leankanban.importers import FORMATS, ImportFailed, RawFile, parse_import, read_import
from leankanban.importers.textio import read_table


@pytest.mark.parametrize("data", [b"title,stage\n", b"title,stage\n\n\n", b"title,stage", b"sep=;\ntitle;stage\n"])
def test_a_header_without_rows_is_refused_in_one_sentence(data):
    with pytest.raises(ImportFailed) as err:
        read_table(RawFile("contacts.csv", data))
    assert str(err.value) == "Cannot import contacts.csv: it has a header but no rows; nothing was imported."


@pytest.mark.parametrize(
    "header",
    [
        b"Deal - ID,Deal - Title,Deal - Stage\n",
        b'"Record ID","Deal Name","Deal Stage"\n',
        b"Id,Name,StageName,Amount\n",
        b"Task Id,Project,Status,Column,Title\n",
        b"Title;Stage;Value\n",
    ],
    ids=["pipedrive", "hubspot", "salesforce", "kanboard", "csv"],
)
def test_every_csv_source_refuses_a_header_without_rows(header):
    with pytest.raises(ImportFailed, match="header but no rows"):
        parse_import(RawFile("deals.csv", header))


def test_a_header_without_rows_may_be_allowed_for_companion_files():
    assert read_table(RawFile("history.csv", b"a,b\n"), rows_required=False).rows == []


@pytest.mark.parametrize("data", [b"", b"\n \n", "\ufeff".encode()], ids=["nothing", "blank-lines", "bom-only"])
@pytest.mark.parametrize("format", [None, *(f for f in FORMATS if f != "trello")])
def test_an_empty_file_is_refused_in_one_sentence(write, data, format):
    with pytest.raises(ImportFailed) as err:
        read_import(write("contacts.csv", data), format=format)
    assert str(err.value) == "Cannot import contacts.csv: the file is empty; nothing was imported."
