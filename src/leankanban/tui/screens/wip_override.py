"""The override dialog: explains a move refused by a WIP limit or a block, and offers
an override with a reason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from leankanban.domain.errors import DealBlocked, LaneLimitExceeded, WipLimitExceeded
from leankanban.tui.format import visible


class WipOverrideDialog(ModalScreen[str | None]):
    """Dismissed with the override reason, or None when the user cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self, error: WipLimitExceeded | LaneLimitExceeded | DealBlocked, *, deal_title: str, policy: str = ""
    ) -> None:
        super().__init__()
        self.error = error
        self.deal_title = deal_title
        #: The entry policy of the stage the move was going to, quoted under the reason.
        self.policy = policy

    def _explain(self) -> tuple[str, Text]:
        """The dialog's title and why the move was refused."""
        error, title = self.error, visible(self.deal_title)
        if isinstance(error, DealBlocked):
            return "The deal is blocked", Text(
                f"'{title}' is blocked: {visible(error.reason)}.\n\n"
                "A blocked deal cannot move forward until it is unblocked (b); it can still move "
                "back, be won or be discarded. Move it on anyway only if you must, and say why "
                "(the reason is recorded in the deal's history)."
            )
        if isinstance(error, WipLimitExceeded):
            limit = (
                f"Stage '{visible(error.stage)}' is at its WIP limit: "
                f"{error.current} deals for a limit of {error.limit}."
            )
        else:  # a swimlane's limit, e.g. an owner's personal WIP limit
            limit = visible(str(error))
        return "WIP limit reached", Text(
            f"{limit}\n\n"
            f"Moving '{title}' there takes it over the limit. "
            "Finish or discard a deal there first, or override the limit and say why "
            "(the reason is recorded in the deal's history)."
        )

    def compose(self) -> ComposeResult:
        title, why = self._explain()
        with Vertical(id="dialog"):
            yield Static(Text(title), id="dialog-title")
            yield Static(why, id="wip-why")
            if self.policy:
                yield Static(Text("Entry policy of the stage:\n" + visible(self.policy, multiline=True)), id="wip-policy")
            yield Label("Reason for the override")
            yield Input(placeholder="e.g. the customer asked for a contract today", id="reason")
            yield Static("", id="reason-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Override", variant="warning", id="override")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Button.Pressed, "#override")
    @on(Input.Submitted, "#reason")
    def _override(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", Static).update(Text("An override needs a reason."))
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
