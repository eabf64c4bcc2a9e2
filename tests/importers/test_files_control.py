"""A control character inside a cell is text, not a binary file; NUL bytes still are."""

from __future__ import annotations

import pytest

from leankanban.importers import ImportFailed, RawFile, read_import
from leankanban.importers.textio import control_warning, decode, read_table


def test_an_escape_character_in_one_title_imports_every_row_and_warns_once(fixtures):
    batch = read_import(fixtures / "hubspot" / "deals_escape.csv")
    assert len(batch.deals) == 12
    assert "Wonka Sweets" in {d.account for d in batch.deals}
    notes = [w for w in batch.warnings if "control character" in w]
    assert notes == ["deals_escape.csv line 13 holds a control character (ESC); the text was kept as written."]
    # ... and the title reaches the deal exactly as the file has it (made safe only where shown).
    assert "Wonka Sweets - \x1b[31mRenewal\x1b[0m" in {d.title for d in batch.deals}


def test_control_characters_are_kept_exactly_in_the_cells():
    table = read_table(RawFile("d.csv", b"title,stage\nA\x1b[1mB\x07,Demo\n"))
    assert table.rows == [(2, ["A\x1b[1mB\x07", "Demo"])]


def test_the_warning_counts_the_lines_and_names_the_first_few():
    text = "title,stage\n" + "".join(f"T\x1b{i},Demo\n" if i % 2 else f"T{i},Demo\n" for i in range(20))
    assert control_warning("d.csv", text) == (
        "d.csv has control characters on 10 lines (3, 5, 7, 9, 11, ...); the text was kept as written."
    )
    assert control_warning("d.csv", "title,stage\tx\r\nA,Demo\n") is None


def test_companion_files_are_checked_too(fixtures, write):
    history = (fixtures / "salesforce" / "powerbi_OpportunityHistory.csv").read_bytes().replace(b"\n", b"\x07\n", 1)
    batch = read_import(
        fixtures / "salesforce" / "powerbi_Opportunity.csv", history=write("OpportunityHistory.csv", history)
    )
    note = "OpportunityHistory.csv line 1 holds a control character (BEL); the text was kept as written."
    assert note in batch.warnings


def test_a_nul_byte_is_still_binary():
    with pytest.raises(ImportFailed, match="binary") as err:
        decode(RawFile("d.csv", b"title,stage\nA,\x00Demo\n"))
    assert (err.value.line, err.value.column) == (2, 3)


def test_mostly_control_bytes_is_binary():
    with pytest.raises(ImportFailed, match="binary"):
        decode(RawFile("d.bin", bytes(range(1, 32)) * 200))
