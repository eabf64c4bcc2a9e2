"""The discard dialog: one of the board's reasons (required), a competitor when the reason names one, a note."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from leankanban.tui.format import literal, visible


@dataclass(frozen=True, slots=True)
class DiscardChoice:
    reason: str
    competitor: str = ""
    note: str = ""


def names_a_competitor(reason: str) -> bool:
    """Whether the reason asks who won (the services require the name for such reasons)."""
    return "competitor" in reason.casefold()


class DiscardDialog(ModalScreen[DiscardChoice | None]):
    """Dismissed with the choice, or None. OK stays disabled until a reason is chosen."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        reasons: list[str],
        *,
        deal_title: str,
        initial: DiscardChoice | None = None,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.reasons = reasons
        self.deal_title = deal_title
        self.initial = initial
        self.error = error

    def compose(self) -> ComposeResult:
        initial = self.initial
        with Vertical(id="dialog"):
            yield Static(Text("Discard the deal"), id="dialog-title")
            yield Static(
                Text(f"'{visible(self.deal_title)}' goes to the lost outcome. Why?"), classes="dialog-why"
            )
            with RadioSet(id="reasons"):
                for number, reason in enumerate(self.reasons):
                    yield RadioButton(
                        literal(reason), value=initial is not None and initial.reason == reason, id=f"reason-{number}"
                    )
            with Vertical(id="competitor-field"):
                yield Label("Lost to which competitor?")
                yield Input(initial.competitor if initial else "", placeholder="competitor", id="competitor")
            yield Label("Note (optional)")
            yield Input(initial.note if initial else "", placeholder="what happened", id="note")
            yield Static(Text(visible(self.error)), id="discard-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Discard", variant="error", id="ok", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._reason_changed()
        self.query_one("#reasons", RadioSet).focus()

    def chosen(self) -> str | None:
        pressed = self.query_one("#reasons", RadioSet).pressed_index
        return None if pressed < 0 else self.reasons[pressed]

    @on(RadioSet.Changed, "#reasons")
    def _reason_changed(self) -> None:
        reason = self.chosen()
        self.query_one("#ok", Button).disabled = reason is None
        self.query_one("#competitor-field").set_class(not (reason and names_a_competitor(reason)), "-hidden")

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        reason = self.chosen()
        if reason is None:
            self.query_one("#discard-error", Static).update(Text("Choose a reason first."))
            return
        competitor = self.query_one("#competitor", Input).value.strip() if names_a_competitor(reason) else ""
        self.dismiss(DiscardChoice(reason, competitor, self.query_one("#note", Input).value.strip()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
