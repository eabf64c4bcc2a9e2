"""The time-log dialog (`l`): time spent on the focused deal, by activity."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from leankanban.domain.model import Activity, label
from leankanban.tui.format import visible


@dataclass(frozen=True)
class TimeEntry:
    duration: str
    category: str
    note: str


class LogTimeDialog(ModalScreen[TimeEntry | None]):
    """Dismissed with the entry as typed; the service validates it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="log-cancel")]

    def __init__(self, deal_title: str | None, *, default: Activity | None = None) -> None:
        super().__init__()
        self.deal_title = deal_title
        #: The deal's category, when it has one, is where time on it most likely went.
        self.default = default or Activity.ORIGINATION

    def compose(self) -> ComposeResult:
        about = f"on '{visible(self.deal_title)}'" if self.deal_title else "outside any deal"
        with Vertical(id="dialog"):
            yield Static(Text(f"Log time {about}"), id="dialog-title")
            yield Label("How long (45m, 1h, 1h30m)")
            yield Input(placeholder="45m", id="duration")
            yield Label("Activity")
            yield Select(
                [(label(a).capitalize(), a.value) for a in Activity], value=self.default.value, allow_blank=False,
                id="category",
            )
            yield Label("Note (optional)")
            yield Input(id="note")
            yield Static("", id="log-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Log", variant="primary", id="log")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#duration", Input).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#log-error", Static).update(Text(message))

    @on(Button.Pressed, "#log")
    @on(Input.Submitted)
    def _log(self) -> None:
        duration = self.query_one("#duration", Input).value.strip()
        if not duration:
            self.show_error("Say how long, e.g. 45m.")
            return
        self.dismiss(
            TimeEntry(duration, str(self.query_one("#category", Select).value), self.query_one("#note", Input).value)
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
