"""Turning user data into Rich Text, literally.

Everything a user typed (titles, accounts, owners, board names) goes through
`literal()` before it reaches the screen: it becomes a `rich.text.Text`, never
markup, and `leankanban.text.visible` shows its control, bidi and zero-width
characters as escapes (`\\x1b`), so a deal title cannot drive the terminal.
Money reads as `leankanban.text` formats it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from rich.cells import cell_len, get_character_cell_size
from rich.style import Style
from rich.text import Text

from leankanban.domain.model import ColumnView, Event, EventKind, Stage, label
from leankanban.text import compact_money, money, visible

__all__ = [
    "compact_money",
    "describe_event",
    "literal",
    "money",
    "totals_label",
    "visible",
    "when",
    "wip_label",
    "wrap_lines",
]


def literal(text: str, style: Style | str = "") -> Text:
    """User text as a Text object: markup is not parsed, controls are escaped."""
    return Text(visible(text), style=style, no_wrap=True, overflow="ellipsis", end="")


def _head(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` cells."""
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > width:
            return text[:index]
    return text


def wrap_lines(text: str, width: int, lines: int = 2) -> list[str]:
    """User text made visible and word-wrapped into at most `lines` lines of `width` cells.

    A word longer than a line is broken; when the text needs more lines than
    it has, the last one ends in `…`, so a cut never goes unseen.

    >>> wrap_lines("Umbrella expansion into three regions", 12)
    ['Umbrella', 'expansion i…']
    """
    rest = visible(text).strip(" ")
    width = max(1, width)
    out: list[str] = []
    while rest and len(out) < lines - 1 and cell_len(rest) > width:
        head = _head(rest, width)
        space = head.rfind(" ") if rest[len(head) : len(head) + 1] != " " else len(head)
        if space > 0:
            head = head[:space]
        out.append(head.rstrip())
        rest = rest[len(head) :].lstrip(" ")
    if rest:
        out.append(rest if cell_len(rest) <= width else _head(rest, width - 1).rstrip() + "…")
    return out


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


def when(moment: datetime | date | None) -> str:
    """`2026-11-02 09:00` (UTC) for a time, `2026-11-02` for a date, `—` for none."""
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def _change(old: str | None, new: str | None) -> str:
    return f"{visible(old or '—')} → {visible(new or '—')}"


def describe_event(event: Event) -> Text:
    """One timeline entry as plain text (user text is never markup)."""
    kind = event.kind
    undo = " (undo)" if (event.data or {}).get("undoes") else ""
    if kind is EventKind.NOTE:
        return Text(f"note: {visible(event.new_value)}")
    if kind is EventKind.CREATED:
        text = f"created in {visible(event.to_stage or '?')}"
    elif kind is EventKind.MOVED:
        text = f"moved {_change(event.from_stage, event.to_stage)}{undo}"
    elif kind is EventKind.EDITED and event.field == "contacts":
        text = f"contact added: {visible(event.new_value)}" if event.new_value else f"contact removed: {visible(event.old_value or '')}"
    elif kind is EventKind.EDITED:
        text = f"{label(event.field or 'field')}: {_change(event.old_value, event.new_value)}{undo}"
    elif kind is EventKind.WIP_OVERRIDE:
        where = f" into {visible(event.to_stage)}" if event.to_stage else ""
        text = f"WIP limit overridden{where}: {visible(event.reason or '')}"
    elif kind is EventKind.BLOCK_OVERRIDE:
        where = f" into {visible(event.to_stage)}" if event.to_stage else ""
        text = f"moved on while blocked{where}: {visible(event.reason or '')}"
    elif kind is EventKind.WON:
        text = "won"
    elif kind is EventKind.LOST:
        text = f"lost: {visible(event.reason or '?')}"
        competitor = (event.data or {}).get("competitor")
        if competitor:
            text += f" (to {visible(competitor)})"
        if event.new_value:
            text += f" — {visible(event.new_value)}"
    elif kind is EventKind.REOPENED:
        text = f"reopened into {visible(event.to_stage or '?')}"
    elif kind is EventKind.BLOCKED:
        text = f"blocked: {visible(event.reason or '')}"
    elif kind is EventKind.UNBLOCKED:
        text = "unblocked" + (f" (was: {visible(event.reason)})" if event.reason else "")
    elif kind is EventKind.QUALIFIED:
        text = f"{visible(event.field or '?')} answered {visible(event.new_value or '?')}"
        if event.old_value:
            text += f" (was {visible(event.old_value)})"
        if event.reason:
            text += f": {visible(event.reason)}"
    elif kind is EventKind.UNDONE:
        text = f"undid change #{visible(event.old_value or '?')}"
    else:  # pragma: no cover - every kind is listed above
        text = label(kind)
    return Text(text)
