"""A quote that opens a cell and never closes is an error naming its line, not one giant cell."""

from __future__ import annotations

import pytest

from leankanban.importers import ImportFailed, RawFile, read_import
from leankanban.importers.textio import read_table


def test_a_quote_never_closed_names_the_line_it_opened_on():
    data = b'title,stage\nA,Demo\n"Acme,Leads\nB,Demo\nC,Demo\n'
    with pytest.raises(ImportFailed) as err:
        read_table(RawFile("d.csv", data))
    assert (err.value.line, err.value.column) == (3, 1)
    assert str(err.value) == (
        'Cannot import d.csv (line 3, column 1): a quote (") opens a cell here and is never closed, '
        "so the rest of the file would be that one cell."
    )


def test_a_quote_never_closed_on_the_last_line_without_a_newline():
    with pytest.raises(ImportFailed, match="never closed") as err:
        read_table(RawFile("d.csv", b'title,stage\nA,"Demo'))
    assert (err.value.line, err.value.column) == (2, 3)


def test_a_quote_never_closed_after_a_closed_multiline_cell():
    data = b'title,stage,note\nA,Demo,"one\ntwo",x\nB,Demo,"open\nC,Demo\n'
    with pytest.raises(ImportFailed) as err:
        read_table(RawFile("d.csv", data))
    assert (err.value.line, err.value.column) == (4, 8)


def test_a_quote_never_closed_in_a_multiline_record_names_the_right_line():
    data = b'title,stage,note\r\nA,Demo,"one\r\ntwo" x,"three\r\nfour\r\n'
    with pytest.raises(ImportFailed) as err:
        read_table(RawFile("d.csv", data))
    assert (err.value.line, err.value.column) == (3, 8)


def test_the_excel_sep_line_is_counted():
    with pytest.raises(ImportFailed) as err:
        read_table(RawFile("d.csv", b'sep=;\ntitle;stage\nA;"Demo\nB;Demo\n'))
    assert (err.value.line, err.value.column) == (3, 3)


def test_a_quote_never_closed_past_the_field_size_limit(write):
    data = b'title,stage\n"Acme,Leads\n' + b"B,Demo\n" * 30_000
    with pytest.raises(ImportFailed, match="never closed") as err:
        read_import(write("d.csv", data))
    assert err.value.line == 2


@pytest.mark.parametrize(
    "data",
    [
        b'title,stage\n"A ""quoted"" title",Demo\n',
        b'title,stage\nA 5" screen,Demo\n',
        b'title,stage\n"A" and more,Demo\n',
        b'title,stage\n"multi\nline",Demo\n',
        b'title,stage\r\n"x",Demo\r\n',
        b'title;stage\n"a;b";"c ""d"""\n',
    ],
    ids=["doubled", "inch-mark", "text-after-quote", "multiline", "crlf", "semicolon"],
)
def test_closed_or_literal_quotes_are_fine(data):
    assert len(read_table(RawFile("d.csv", data)).rows) == 1
