"""leankanban.text: the one place that makes text safe to show and formats money."""

from __future__ import annotations

import string
import subprocess
import sys
import unicodedata
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from leankanban import text
from leankanban.text import (
    FORMULA_PREFIXES,
    amount,
    compact_money,
    csv_cell,
    html,
    markdown,
    money,
    money_cents,
    money_code_last,
    one_line,
    visible,
)

#: The same hostile strings every surface's test uses (tests/hostile.py re-exports them).
from tests.hostile import HOSTILE, RAW_DANGER, assert_harmless

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def unsafe(char: str) -> bool:
    return unicodedata.category(char) in text.UNSAFE_CATEGORIES


# -- visible -----------------------------------------------------------------------


def test_terminal_sequences_become_visible_escapes() -> None:
    assert visible("Acme\x1b]0;pwned\x07") == "Acme\\x1b]0;pwned\\x07"
    assert visible("\x1b]52;c;cHduZWQ=\x07") == "\\x1b]52;c;cHduZWQ=\\x07"
    assert visible("\x1b]0;x\x1b\\") == "\\x1b]0;x\\x1b\\"
    assert visible("\x1b[31mred\x1b[2J") == "\\x1b[31mred\\x1b[2J"
    assert visible("\x9b31m") == "\\x9b31m"
    assert visible("del\x7f") == "del\\x7f"


def test_bidi_zero_width_and_soft_hyphen_are_shown() -> None:
    for char in BIDI + "\u200b\u2060\ufeff\u00ad\u2028\u2029":
        assert visible(f"a{char}b") == f"a{text.escape(char)}b"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("Ac\u200bme") == "Ac\\u200bme"
    assert visible("co\u00adop") == "co\\xadop"


def test_one_line_contexts_show_newlines_and_tabs_notes_keep_line_breaks() -> None:
    assert visible("two\nlines\tand a tab") == "two\\x0alines\\x09and a tab"
    assert visible("two\r\nlines\n\x1b[2J", multiline=True) == "two\nlines\n\\x1b[2J"
    assert visible("tab\there", multiline=True) == "tab\\x09here"


def test_joiners_inside_emoji_and_words_stay() -> None:
    assert visible("Zoë · 東京 👩‍💻") == "Zoë · 東京 👩‍💻"
    assert visible("می\u200cخواهم") == "می\u200cخواهم"
    assert visible("a\u200db") == "a\\u200db"
    assert visible("\u200d👩") == "\\u200d👩"


def test_markup_and_plain_text_are_untouched() -> None:
    assert visible("[bold red]x[/]") == "[bold red]x[/]"
    assert visible("12\u00a0000 €") == "12\u00a0000 €"
    assert visible(None) == "" and visible("") == ""


def test_escapes_cover_astral_characters() -> None:
    assert visible("\U000e0041") == "\\U000e0041"  # a tag character (ASCII smuggling)
    assert visible("\ud800") == "\\ud800"  # a lone surrogate cannot even be encoded


@given(st.text())
@example("".join(HOSTILE))
@example("\ud800\U000e0041\u200d")
def test_visible_output_is_printable_and_hides_nothing(raw: str) -> None:
    shown = visible(raw)
    for index, char in enumerate(shown):
        if char in text.JOINERS:
            assert shown[index - 1] in raw and shown[index + 1] in raw  # kept, between two letters/symbols
            continue
        assert not unsafe(char), (raw, shown)
    shown.encode("utf-8")  # no lone surrogate is left
    assert not (set(shown) & set(BIDI + "\u200b\u2060\ufeff\u00ad"))


@given(st.text())
def test_visible_is_idempotent(raw: str) -> None:
    assert visible(visible(raw)) == visible(raw)
    assert visible(visible(raw, multiline=True), multiline=True) == visible(raw, multiline=True)


@given(st.text(alphabet=st.sampled_from(string.printable[:95])))
def test_visible_is_the_identity_on_printable_ascii(raw: str) -> None:
    assert visible(raw) == raw


@given(st.text())
def test_multiline_keeps_only_line_breaks(raw: str) -> None:
    shown = visible(raw, multiline=True)
    assert all(char == "\n" or char in text.JOINERS or not unsafe(char) for char in shown)
    assert shown.count("\n") == raw.replace("\r\n", "\n").count("\n")


# -- one_line ----------------------------------------------------------------------


def test_one_line_joins_lines_shows_controls_and_ends_in_a_full_stop() -> None:
    assert one_line("Unknown stage 'x\x1b[2J'.") == "Unknown stage 'x\\x1b[2J'."
    assert one_line("  Cannot open\n  the database \n") == "Cannot open the database."
    assert one_line("connection refused\nIs the server running?", first_line=True) == "connection refused."
    assert one_line("Really?") == "Really?"
    assert one_line("Done...") == "Done."
    assert one_line("", fallback="Database error") == "Database error."


@given(st.text())
def test_one_line_is_one_visible_line(message: str) -> None:
    line = one_line(message)
    assert "\n" not in line and "\r" not in line
    assert not any(unsafe(c) for c in line if c not in text.JOINERS)
    assert line.endswith((".", "?", "!"))


# -- CSV, HTML, Markdown -----------------------------------------------------------


def test_csv_cells_defuse_formulas_and_read_lists_and_flags() -> None:
    assert csv_cell("=HYPERLINK(\"http://evil\")") == "'=HYPERLINK(\"http://evil\")"
    assert [csv_cell(v) for v in ("+1+1", "-2", "@SUM(A1)", "Plain, with comma")] == [
        "'+1+1", "'-2", "'@SUM(A1)", "Plain, with comma",
    ]
    assert csv_cell(None) == "" and csv_cell(True) == "yes" and csv_cell(False) == "no"
    assert csv_cell(["a", "b"]) == "a, b" and csv_cell(12) == "12"
    assert csv_cell("\t=1+1") == "\\x09=1+1" and csv_cell("\r=1") == "\\x0d=1"
    assert csv_cell("two\nlines\x1b[31m") == "two\nlines\\x1b[31m"


@given(st.one_of(st.text(), st.lists(st.text()), st.integers(), st.none(), st.booleans()))
def test_csv_cell_never_starts_like_a_formula(value: object) -> None:
    cell = csv_cell(value)
    assert not cell.startswith(FORMULA_PREFIXES)
    assert "\x1b" not in cell


def test_html_escapes_markup_and_controls() -> None:
    assert html("<script>alert(1)</script>\x1b[31m") == "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[31m"
    assert html("\"a\" & 'b'") == "&quot;a&quot; &amp; &#x27;b&#x27;"
    assert html(None) == ""


def test_markdown_escapes_table_breakers_and_flattens_lines() -> None:
    assert markdown("a|b *c* [x](y)") == r"a\|b \*c\* \[x\](y)"
    assert markdown("two\nlines") == "two lines"
    assert markdown("\u202eevil\x1b[2J") == "\\\\u202eevil\\\\x1b\\[2J"
    assert markdown(None) == ""


def test_the_hostile_strings_come_out_harmless_everywhere() -> None:
    for raw in HOSTILE:
        for shown in (visible(raw), one_line(raw), csv_cell(raw), html(raw), markdown(raw)):
            assert_harmless(shown)
    assert RAW_DANGER  # the check itself knows what to look for


# -- money -------------------------------------------------------------------------


def test_money_reads_the_same_way_on_each_surface() -> None:
    assert money(Decimal("12000.00"), "EUR") == "EUR 12,000"
    assert money(Decimal("99.50"), "USD") == "USD 99.50"
    assert money_code_last(Decimal("12000"), "EUR") == "12,000 EUR"
    assert money_code_last(Decimal("1234.5"), "EUR") == "1,234.50 EUR"
    assert money_cents(Decimal("3000"), "EUR") == "EUR 3,000.00"
    assert money_cents(Decimal("4100")) == "4,100.00"
    assert money_cents(None, "EUR") == "-"
    assert amount(Decimal("50000")) == "50,000" and amount(Decimal("1234.5")) == "1,234.50"
    assert amount(None) == "-" and amount(1234.56, cents=False) == "1,235"
    assert compact_money(Decimal("1234567"), "EUR") == "EUR 1.2M"
    assert compact_money(Decimal("679400000"), "EUR") == "EUR 679M"
    assert compact_money(Decimal("4500"), "EUR") == "EUR 4.5k"
    assert compact_money(Decimal("12000"), "EUR") == "EUR 12k"
    assert compact_money(Decimal("999"), "EUR") == "EUR 999"


def test_a_currency_code_cannot_drive_the_terminal() -> None:
    assert money(Decimal(1), "\x1b[2J") == "\\x1b[2J 1"
    assert money_code_last(Decimal(1), "\x9b") == "1 \\x9b"


def test_text_imports_nothing_but_the_standard_library() -> None:
    code = (
        "import sys\nimport leankanban.text\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rich', 'textual', 'typer', 'sqlalchemy', 'sqlmodel') or "
        "(m.startswith('leankanban.') and m != 'leankanban.text')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
