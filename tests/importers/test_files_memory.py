"""How much of a file is held while it is read: one row's cells at a time, not the whole table."""

from __future__ import annotations

import codecs
import io
import tracemalloc

import pytest

from leankanban.importers import ImportFailed, RawFile, parse_import, read_import, textio
from leankanban.importers.textio import Rows, _Lines, decode, read_table


def _rows_text(count: int) -> str:
    return "title,stage,note\n" + "".join(f"Deal {i},Demo,{'x' * 40}\n" for i in range(count))


def test_reading_a_table_holds_one_row_at_a_time_not_a_copy_of_the_text():
    text = _rows_text(20_000)
    tracemalloc.start()
    try:
        table = read_table(RawFile("d.csv", b""), text)
        count = sum(1 for _line, _cells in table.rows)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == len(table.rows) == 20_000
    # Every row's cells held at once would be several times the text, an io.StringIO copy four times it.
    assert peak < len(text) // 4


def test_rows_read_the_same_each_time_and_compare_as_a_list():
    table = read_table(RawFile("d.csv", b'a,b\n"one\ntwo",x\n\n3\n'))
    assert isinstance(table.rows, Rows)
    assert list(table.rows) == list(table.rows) == [(2, ["one\ntwo", "x"]), (5, ["3", ""])]
    assert table.rows == [(2, ["one\ntwo", "x"]), (5, ["3", ""])]
    assert table.rows != [(2, ["one\ntwo", "x"])]


@pytest.mark.parametrize(
    "text",
    ["a\nb\n", "a\r\nb\r\n", "a\rb\r", "a\r\rb", "a\n\r\nb", "no end", "", "\n", "\r", "v\x0bt\x0cn\x85l\u2028s\x1ce"],
    ids=["lf", "crlf", "cr", "cr-cr", "lf-crlf", "no-end", "empty", "lf-only", "cr-only", "not-line-ends"],
)
def test_lines_split_as_a_file_opened_with_newline_empty(text):
    lines = _Lines(text, 0)
    assert list(lines) == io.StringIO(text, newline="").readlines()
    assert lines.end == len(text)


def test_old_mac_line_ends_keep_line_numbers():
    table = read_table(RawFile("d.csv", b"title,stage\rA,Demo\r\rB,Demo\r"))
    assert table.rows == [(2, ["A", "Demo"]), (4, ["B", "Demo"])]


def test_a_broken_end_of_file_is_found_before_any_row_is_read(write):
    # The bad value on line 2 is not reached: the whole file is checked first, as before.
    data = b"title,stage,value\nA,Demo,lots\n" + b"B,Demo,1\n" * 1000 + b'C,"Demo\n'
    with pytest.raises(ImportFailed, match="never closed") as err:
        read_import(write("d.csv", data))
    assert err.value.line == 1003


def test_a_decoded_file_holds_its_text_instead_of_its_bytes():
    raw = RawFile("d.csv", "title,stage\nCafé,Demo\n".encode("cp1252"))
    decoded = raw.decoded()
    assert (decoded.name, decoded.data, decoded.text) == ("d.csv", b"", "title,stage\nCafé,Demo\n")
    assert decoded.decoded() is decoded
    assert decode(decoded) == decode(raw)


def test_a_decoded_file_imports_as_its_bytes_do():
    raw = RawFile("d.csv", b"title,stage,value\nA\x1b,Demo,5\nB,Won,7\n")
    assert parse_import(raw.decoded()) == parse_import(raw)
    assert "control character" in parse_import(raw.decoded()).warnings[-1]


def test_a_file_that_cannot_be_decoded_is_refused_by_decoded():
    with pytest.raises(ImportFailed, match="binary data"):
        RawFile("d.csv", b"title,stage\nA\x00,Demo\n").decoded()


_WIDE = [
    "title,stage,value\nCafé €,Demo,5\nB 🚀,Won,7\n".encode(),
    codecs.BOM_UTF8 + "title;stage\r\nZoë – A;Demo\r\n\r\nB;Lost\r\n".encode(),
    "title,stage,value\nPrix €,Demo,\"1.234,50 €\"\n".encode("cp1252"),
    "sep=;\ntitle;stage\nA €;Demo\n".encode() + b"\x1a",
    "title,stage\nA\x1b[1m €,Demo\nB,Demo\nC\x07,Demo\n".encode(),
    "title,stage\nA €,Demo\n\"B,Demo\nC,Demo\n".encode(),
    b"title,stage\n" + "€".encode(),
    '{"lists": [], "cards": [], "name": "€"}'.encode(),
]


@pytest.mark.parametrize("data", _WIDE, ids=["utf8", "bom-crlf", "cp1252", "sep-eof", "control", "open-quote", "no-rows", "json"])
def test_a_big_file_of_wide_text_reads_from_its_bytes_as_from_its_text(data, monkeypatch):
    def attempt():
        try:
            return parse_import(RawFile("d.csv", data))
        except ImportFailed as err:
            return (err.line, err.column, str(err))

    as_text = attempt()
    monkeypatch.setattr(textio, "_WIDE_OVER", 0)  # every file counts as big
    monkeypatch.setattr(textio, "_CHUNK", 8)  # and control characters are looked for in several pieces
    decoded = RawFile("d.csv", data).decoded()
    assert (decoded.text, decoded.codec) == (None, "cp1252" if b"\x80" in data and b"\xe2" not in data else "utf-8")
    assert attempt() == as_text


def test_a_big_file_of_narrow_text_keeps_its_text(monkeypatch):
    monkeypatch.setattr(textio, "_WIDE_OVER", 0)
    decoded = RawFile("d.csv", "title,stage\nCafé,Demo\n".encode()).decoded()
    assert (decoded.data, decoded.text, decoded.codec) == (b"", "title,stage\nCafé,Demo\n", None)
