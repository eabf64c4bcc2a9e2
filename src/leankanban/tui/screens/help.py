"""Every key binding, as a table."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="close"),
    ]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Keys"), id="dialog-title")
            table: DataTable[Text] = DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Does")
            for keys, description in self.rows:
                table.add_row(Text(keys), Text(description))
            yield table
            yield Static(Text("Esc or ? closes this."), id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)
