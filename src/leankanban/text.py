"""Making text safe to show, and money readable: the one place for both.

Every piece of text a user typed (titles, accounts, names, notes, reasons,
board and stage names) reaches a terminal, a CSV cell, an HTML page or a
Markdown table through this module, on every surface: the CLI's tables and
messages, the TUI, the report in each format, the terminal chart.

* `visible(text)` shows, as an escape such as `\\x1b` or `\\u202e`, every
  character that could drive a terminal or hide what the text says: C0 and C1
  controls (ESC, BEL, DEL, `\\x9b` ...), line and paragraph separators,
  bidirectional overrides, isolates and marks ("Trojan Source"), zero-width
  characters, the soft hyphen, the byte order mark and every other format
  character, and lone surrogates (which cannot even be written as UTF-8).
  Two documented exceptions:

  - one-line contexts (table cells, titles, messages; the default) show `\\n`
    and `\\t` as `\\x0a` and `\\x09`; `visible(text, multiline=True)`, for
    notes and CSV cells, keeps line breaks (`\\r\\n` read as `\\n`) and
    nothing else;
  - a zero-width joiner or non-joiner between two non-ASCII letters, marks
    or symbols is part of the writing, not a disguise (`👩‍💻`, Persian
    `می‌خواهم`), and stays.

* `one_line(message)`: an error message as one visible line ending in a
  full stop.
* `csv_cell(value)`, `html(text)`, `markdown(text)`: text for a spreadsheet,
  a web page and a Markdown table.
* `amount`, `money`, `money_code_last`, `money_cents`, `compact_money`: the
  few ways money reads, each named for where it is used.

JSON output keeps text exactly as typed and does not come here. Pure Python:
nothing here imports Rich, Textual or the database, so any layer may use it.
"""

from __future__ import annotations

import html as _html
import unicodedata
from decimal import Decimal

#: Unicode categories shown as escapes: controls, format characters (bidi, zero-width,
#: soft hyphen, BOM ...), surrogates, and the line and paragraph separators.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

#: Zero-width (non-)joiners: kept between two non-ASCII letters, marks or symbols.
JOINERS = frozenset("\u200c\u200d")

#: Leading characters a spreadsheet would run as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Backslash-escaped in Markdown (GFM) so user text stays text in a table cell.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]<>|~#&!")


def escape(char: str) -> str:
    """One character as a visible escape: `\\x1b`, `\\u202e`, `\\U000e0041`."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _joins(text: str, index: int) -> bool:
    """Whether the joiner at `index` sits between two non-ASCII letters, marks or symbols."""
    if index == 0 or index + 1 >= len(text):
        return False
    return all(ord(c) > 0x7F and unicodedata.category(c)[0] in "LMS" for c in (text[index - 1], text[index + 1]))


def visible(text: str | None, *, multiline: bool = False) -> str:
    """`text` with every control, bidi, zero-width and other format character shown as an escape.

    >>> visible("Acme\\x1b]0;pwned\\x07")
    'Acme\\\\x1b]0;pwned\\\\x07'
    >>> visible("two\\nlines"), visible("two\\r\\nlines", multiline=True)
    ('two\\\\x0alines', 'two\\nlines')
    """
    if not text:
        return ""
    if text.isprintable():  # the usual case: nothing to show
        return text
    if multiline:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    for index, char in enumerate(text):
        if (
            unicodedata.category(char) not in UNSAFE_CATEGORIES
            or (multiline and char == "\n")
            or (char in JOINERS and _joins(text, index))
        ):
            out.append(char)
        else:
            out.append(escape(char))
    return "".join(out)


def one_line(message: str, *, first_line: bool = False, fallback: str = "Something went wrong") -> str:
    """An error message as one visible line ending in a full stop.

    Its lines are joined by spaces, or with `first_line` only the first is kept
    (a database driver's message, whose later lines are detail). An empty
    message gives `fallback`.
    """
    lines = [part.strip() for part in message.splitlines() if part.strip()]
    if not lines:
        return f"{fallback}."
    line = visible(lines[0] if first_line else " ".join(lines))
    if line.endswith(("?", "!")):
        return line
    return line.rstrip(".") + "."


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text and never runs as a formula.

    None is empty, flags are yes/no, lists are `a, b`; controls are shown as
    escapes (line breaks stay: CSV quotes them); a cell that starts like a
    formula (`=`, `+`, `-`, `@`) gets a leading `'`.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    text = visible(str(value), multiline=True)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def html(text: str | None) -> str:
    """User text for HTML: `<script>` shows as `<script>` and never runs; controls are escapes."""
    return _html.escape(visible(text), quote=True)


def markdown(text: str | None) -> str:
    """User text for Markdown (GFM): line breaks become spaces, so it stays in its table cell,
    and special characters are backslash-escaped, so `|`, `*` or `[` cannot break the table."""
    if not text:
        return ""
    flat = visible(" ".join(text.splitlines()))
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in flat)


# -- money ---------------------------------------------------------------------------


def amount(value: Decimal | float | None, *, cents: bool | None = None) -> str:
    """`12,000`, `1,234.50`: with cents when there are some (or always, or never); `-` for none."""
    if value is None:
        return "-"
    if cents is None:
        cents = value % 1 != 0
    return f"{value:,.2f}" if cents else f"{value:,.0f}"


def money(value: Decimal, currency: str) -> str:
    """`EUR 12,000`, `USD 99.50`: the TUI's cards and fields, and messages."""
    return f"{visible(currency)} {amount(value)}"


def money_code_last(value: Decimal, currency: str) -> str:
    """`12,000 EUR`, `1,234.50 EUR`: the CLI's tables and confirmations."""
    return f"{amount(value)} {visible(currency)}"


def money_cents(value: Decimal | None, currency: str = "") -> str:
    """`EUR 12,000.00` (or `12,000.00` without a currency), `-` for none: the report, where amounts line up."""
    if value is None:
        return "-"
    return f"{visible(currency)} {amount(value, cents=True)}".strip()


def compact_money(value: Decimal, currency: str) -> str:
    """`EUR 4.5k`, `EUR 12k`, `EUR 680M`: for headers and narrow cards, where space is short."""
    for limit, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k")):
        if value >= limit:
            scaled = value / limit
            digits = "1f" if scaled < 10 else "0f"
            return f"{visible(currency)} {scaled:,.{digits}}{suffix}"
    return f"{visible(currency)} {value:,.0f}"

