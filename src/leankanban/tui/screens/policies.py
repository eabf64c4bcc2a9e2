"""A stage's explicit policies (`P` on the board): its WIP limits, the criteria that gate
it with what they mean, and what must be true to enter and to leave it; `e` there
edits the entry and exit policy, with why and the improvement card that asked for it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from leankanban.domain.errors import LeanKanbanError
from leankanban.domain.model import Board, PolicyReason, Stage
from leankanban.tui.format import visible

if TYPE_CHECKING:
    from leankanban.services import LeanKanban


def stage_policies(board: Board, stage: Stage) -> Text:
    """The policies of `stage` as plain text (Markdown shown as written, every control an escape)."""
    limits = [f"min {stage.wip_min}" if stage.wip_min is not None else "", f"max {stage.wip_max}" if stage.wip_max is not None else ""]
    wip = " ".join(x for x in limits if x) or "no limit"
    lines = [f"WIP: {wip}" + ("   (upstream: not yet work in progress)" if stage.upstream else ""), ""]
    gates = [c for c in board.criteria if stage.name in c.required_for]
    if gates:
        lines.append("To enter, answered yes:")
        lines += [f"  • {visible(c.name)}" + (f": {visible(c.definition, multiline=True)}" if c.definition else "") for c in gates]
        lines.append("")
    for label, text in (("Entry", stage.entry_policy), ("Exit", stage.exit_policy)):
        lines.append(f"{label}:")
        lines.append(visible(text, multiline=True) if text else "  (not written yet: leankanban policy set)")
        lines.append("")
    return Text("\n".join(lines).rstrip())


class PoliciesDialog(ModalScreen[None]):
    """The focused column's policies. `e` edits them (given the services), Esc closes."""

    BINDINGS = [
        Binding("escape,q,P", "close", "Close", id="close"),
        Binding("e", "edit", "Edit", id="edit"),
    ]

    def __init__(self, board: Board, stage: Stage, services: LeanKanban | None = None) -> None:
        super().__init__()
        self.board, self.stage, self.services = board, stage, services

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Policies of {visible(self.stage.name)}"), id="dialog-title")
            with VerticalScroll():
                yield Static(stage_policies(self.board, self.stage), id="policies-text")
            hint = "e to edit · " if self.services is not None else ""
            yield Static(Text(f"{hint}Esc to close · leankanban policies shows every stage's"), classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        if self.services is None:
            return

        def saved(stage: Stage | None) -> None:
            if stage is None:
                return
            self.stage = stage
            self.board = replace(self.board, stages=tuple(stage if s.id == stage.id else s for s in self.board.stages))
            self.query_one("#policies-text", Static).update(stage_policies(self.board, stage))
            self.notify(f"Policies of {visible(stage.name)} saved (leankanban policy log shows the change).", markup=False)

        self.app.push_screen(PolicyEditDialog(self.services, self.board.name, self.stage), saved)


class PolicyEditDialog(ModalScreen[Stage | None]):
    """Write a stage's entry and exit policy; why and the improvement card go with the change.

    Saves through `set_stage_policy` in a worker: a refusal (not a manager, a control
    character, a deal that is not an improvement card) is shown here and changes nothing.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "save", "Save", id="save", priority=True),
    ]

    def __init__(self, services: LeanKanban, board: str, stage: Stage) -> None:
        super().__init__()
        self.services, self.board_name, self.stage = services, board, stage

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Policies of {visible(self.stage.name)}"), id="dialog-title")
            yield Static(Text("Markdown allowed, shown as written. Ctrl+S saves."), classes="dialog-why")
            with VerticalScroll(id="policy-fields"):  # scrolls on a short terminal; the buttons stay
                yield Label("To enter: what must be true")
                yield TextArea(self.stage.entry_policy, id="entry", soft_wrap=True)
                yield Label("To leave: what must be true")
                yield TextArea(self.stage.exit_policy, id="exit", soft_wrap=True)
                yield Label("Why it changes (optional; kept in the policy log)")
                yield Input(id="why", placeholder="e.g. retro #4: proposals went out before a demo")
                yield Label("Improvement card that asked for it (optional)")
                yield Input(id="card", placeholder="its id, e.g. 57", type="integer")
            yield Static("", id="policy-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#entry", TextArea).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)  # Enter in a one-line field saves, as in every dialog
    def action_save(self) -> None:
        card = self.query_one("#card", Input).value.strip()
        because = PolicyReason(self.query_one("#why", Input).value, int(card) if card else None)
        self._save(self.query_one("#entry", TextArea).text, self.query_one("#exit", TextArea).text, because)

    @work(thread=True, exclusive=True, group="policy", exit_on_error=False)
    def _save(self, entry: str, exit: str, because: PolicyReason) -> None:
        try:
            stage = self.services.set_stage_policy(
                self.stage.name, board=self.board_name, entry=entry, exit=exit, because=because
            )
        except LeanKanbanError as err:
            self.app.call_from_thread(self.query_one("#policy-error", Static).update, Text(visible(str(err))))
            return
        self.app.call_from_thread(self.dismiss, stage)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
