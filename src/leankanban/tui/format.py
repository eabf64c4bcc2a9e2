"""Turning user data into Rich Text, literally.

Everything a user typed (titles, accounts, owners, board names) goes through
`literal()` before it reaches the screen: it becomes a `rich.text.Text`, never
markup, and control characters are shown as visible escapes (`\\x1b`) so a
deal title cannot drive the terminal.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from rich.style import Style
from rich.text import Text

from leankanban.domain.model import ColumnView, Stage

#: Bidirectional overrides and isolates ("Trojan Source"): shown, not obeyed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def visible(text: str) -> str:
    """`text` with control characters replaced by repr-style escapes.

    >>> visible("a\\x1b[31mb")
    'a\\\\x1b[31mb'
    """
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Zl", "Zp") or char in _BIDI_CONTROLS:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def literal(text: str, style: Style | str = "") -> Text:
    """User text as a Text object: markup is not parsed, controls are escaped."""
    return Text(visible(text), style=style, no_wrap=True, overflow="ellipsis", end="")


def money(amount: Decimal, currency: str) -> str:
    """`EUR 12,000` (cents only when there are some)."""
    if amount == amount.to_integral_value():
        return f"{visible(currency)} {amount:,.0f}"
    return f"{visible(currency)} {amount:,.2f}"


def compact_money(amount: Decimal, currency: str) -> str:
    """`EUR 4.5k`, `EUR 12k`, `EUR 680M`: for headers and narrow cards, where space is short."""
    for limit, suffix in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k")):
        if amount >= limit:
            scaled = amount / limit
            digits = "1f" if scaled < 10 else "0f"
            return f"{visible(currency)} {scaled:,.{digits}}{suffix}"
    return f"{visible(currency)} {amount:,.0f}"


def wip_label(stage: Stage, count: int) -> str:
    """`3/5 · min 3`, `3/5`, `min 3 · 2` or the bare count when there are no limits."""
    parts: list[str] = []
    if stage.wip_max is not None:
        parts.append(f"WIP {count}/{stage.wip_max}")
    if stage.wip_min is not None:
        parts.append(f"min {stage.wip_min}")
    if not parts:
        return "no limit"
    return " · ".join(parts)


def totals_label(column: ColumnView) -> str:
    if not column.totals:
        return "—"
    return " ".join(compact_money(amount, currency) for currency, amount in column.totals)
