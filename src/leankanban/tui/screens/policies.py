"""A stage's explicit policies (`P` on the board): its WIP limits, the criteria that gate
it with what they mean, and what must be true to enter and to leave it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from leankanban.domain.model import Board, Stage
from leankanban.tui.format import visible


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
    """Read-only: the focused column's policies. Esc closes."""

    BINDINGS = [Binding("escape,q,P", "close", "Close", id="close")]

    def __init__(self, board: Board, stage: Stage) -> None:
        super().__init__()
        self.board, self.stage = board, stage

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(f"Policies of {visible(self.stage.name)}"), id="dialog-title")
            with VerticalScroll():
                yield Static(stage_policies(self.board, self.stage), id="policies-text")
            yield Static(Text("Esc to close · leankanban policies shows every stage's"), classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
