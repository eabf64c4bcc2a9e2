"""Pick a board from a list."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from leankanban.tui.format import literal


class BoardPicker(ModalScreen[str | None]):
    """Pick one name (a board, a contact ...); dismissed with it, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, names: list[str], *, current: str | None = None, title: str = "Switch board") -> None:
        super().__init__()
        self.names = names
        self.current = current
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.heading), id="dialog-title")
            yield OptionList(*(Option(literal(name), id=str(i)) for i, name in enumerate(self.names)), id="boards")

    def on_mount(self) -> None:
        boards = self.query_one("#boards", OptionList)
        if self.current in self.names:
            boards.highlighted = self.names.index(self.current)
        boards.focus()

    @on(OptionList.OptionSelected, "#boards")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.names[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
