"""Every key binding of a screen, as a table, and what the marks on a card mean."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

#: What the marks on a card mean (shown under the keys on the board's help).
LEGEND = (
    ("⊘ reason", "blocked (the card is tinted; the header counts them)"),
    ("zz", "stalled: no movement or activity for the board's stall period"),
    ("⚑", "qualification needs review"),
    ("4d", "days in stage: green fresh, amber ageing, red stale (stage's stale-after days)"),
    ("▌owner · 3", "swimlane: lane name, its cards here, its WIP limit on the board"),
)


def binding_rows(screen: Screen) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(keys, description) for every binding of `screen` and the app, as the bindings declare them."""
    rows: list[tuple[str, str]] = []
    for binding in [*screen.BINDINGS, *screen.app.BINDINGS]:
        if not isinstance(binding, Binding) or binding.system:
            continue
        keys = [key.strip() for key in binding.key.split(",")]
        shown = " ".join(screen.app.get_key_display(Binding(key, binding.action)) for key in keys)
        rows.append((shown, binding.tooltip or binding.description or binding.action))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="close"),
    ]

    def __init__(self, rows: list[tuple[str, str]], *, legend: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__()
        self.rows = rows
        self.legend = legend

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Static(Text("Keys"), id="dialog-title")
            table: DataTable[Text] = DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Does")
            for keys, description in self.rows:
                table.add_row(Text(keys), Text(description))
            for mark, meaning in self.legend:
                table.add_row(Text(mark), Text(meaning))
            yield table
            yield Static(Text("Esc or ? closes this."), id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)
