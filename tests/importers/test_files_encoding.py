"""An encoding that changes mid-file is an error naming the first line that does not fit."""

from __future__ import annotations

import pytest

from leankanban.importers import ImportFailed, RawFile
from leankanban.importers.textio import decode


def test_a_windows_1252_line_in_a_utf8_file_is_named():
    data = "title,stage\nCafé,Demo\nRésumé,Demo\n".encode() + "Société,Demo\n".encode("cp1252") + "Zoë,Demo\n".encode()
    with pytest.raises(ImportFailed) as err:
        decode(RawFile("d.csv", data))
    assert err.value.line == 4
    assert str(err.value) == (
        "Cannot import d.csv (line 4): the encoding changes within the file: this line is not UTF-8 "
        "like the rest (it looks like Windows-1252); save the export again as UTF-8."
    )


def test_a_utf8_line_in_a_windows_1252_file_is_named():
    data = "title,stage\nCafé,Demo\nRésumé,Demo\n".encode("cp1252") + "Société,Demo\n".encode() + "Zoë,Demo\n".encode(
        "cp1252"
    )
    with pytest.raises(ImportFailed, match="this line is UTF-8 while the rest is Windows-1252") as err:
        decode(RawFile("d.csv", data))
    assert err.value.line == 4


def test_one_encoding_throughout_is_fine():
    assert decode(RawFile("d.csv", "Société\r\nZoë\r\n".encode("cp1252"))) == "Société\r\nZoë\r\n"
    assert decode(RawFile("d.csv", "Société\nZoë\n".encode())) == "Société\nZoë\n"
