"""JSON that would crash the parser (deep nesting, a 5,000-digit number) is one sentence."""

from __future__ import annotations

import pytest

from leankanban.importers import ImportFailed, RawFile, read_import
from leankanban.importers.textio import load_json

LONG_NUMBER = '{"lists": [], "cards": [], "n": ' + "7" * 5000 + "}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "Cannot import board.json: the JSON is nested too deeply."),
        (LONG_NUMBER, "Cannot import board.json: the JSON holds a number too long to read."),
        (
            '{"lists": [',
            "Cannot import board.json (line 1, column 12): the JSON is broken or cut short (Expecting value).",
        ),
    ],
    ids=["deep", "long-number", "cut-short"],
)
def test_hostile_json_is_one_sentence(text, message):
    with pytest.raises(ImportFailed) as err:
        load_json(RawFile("board.json", text.encode()))
    assert str(err.value) == message


@pytest.mark.parametrize("text", [LONG_NUMBER, '{"lists": [], "cards": [' * 50_000], ids=["long-number", "deep"])
def test_hostile_json_through_detection(write, text):
    with pytest.raises(ImportFailed, match="JSON"):
        read_import(write("board.json", text))


def test_ordinary_json_loads():
    assert load_json(RawFile("b.json", b'{"a": [1, 2.5, "x", 1e400]}')) == {"a": [1, 2.5, "x", float("inf")]}
