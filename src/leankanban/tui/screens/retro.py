"""The retro dialog: what went well, what did not, what to improve.

Used at a sprint's close and right after a deal is won or lost. Each text
area takes one item per line; every `improve` line becomes a card on the
Improvements board when the retro is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea


@dataclass(frozen=True)
class RetroAnswers:
    well: list[str] = field(default_factory=list)
    not_well: list[str] = field(default_factory=list)
    improve: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    carry_over: bool = False

    @property
    def empty(self) -> bool:
        return not (self.well or self.not_well or self.improve)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class RetroDialog(ModalScreen[RetroAnswers | None]):
    """Dismissed with the answers, or None when skipped."""

    BINDINGS = [
        Binding("escape", "skip", "Skip", id="retro-skip"),
        Binding("ctrl+s", "save", "Save", id="retro-save"),
    ]

    def __init__(
        self,
        title: str,
        *,
        offer_carry_over: bool = False,
        allow_empty: bool = False,
        skip_label: str = "Skip",
    ) -> None:
        super().__init__()
        self.heading = title
        self.offer_carry_over = offer_carry_over
        self.allow_empty = allow_empty
        self.skip_label = skip_label

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.heading), id="dialog-title")
            yield Static(Text("One item per line. Each 'to improve' line becomes an improvement card."),
                         classes="dialog-why")
            yield Label("What went well")
            yield TextArea(id="well", soft_wrap=True)
            yield Label("What did not go well")
            yield TextArea(id="not-well", soft_wrap=True)
            yield Label("What to improve")
            yield TextArea(id="improve", soft_wrap=True)
            yield Label("Tags (comma separated, e.g. pricing, champion)")
            yield Input(id="tags")
            if self.offer_carry_over:
                yield Checkbox("Carry unfinished objectives over to the next sprint", id="carry")
            yield Static("", id="retro-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Save retro", variant="primary", id="save")
                yield Button(self.skip_label, id="skip")

    def on_mount(self) -> None:
        self.query_one("#well", TextArea).focus()

    def answers(self) -> RetroAnswers:
        tags = [t.strip() for t in self.query_one("#tags", Input).value.replace(",", " ").split() if t.strip()]
        carry = self.query("#carry")
        return RetroAnswers(
            well=_lines(self.query_one("#well", TextArea).text),
            not_well=_lines(self.query_one("#not-well", TextArea).text),
            improve=_lines(self.query_one("#improve", TextArea).text),
            tags=tags,
            carry_over=bool(carry) and self.query_one("#carry", Checkbox).value,
        )

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#tags")  # Enter in the one-line field saves, as in every dialog
    def action_save(self) -> None:
        answers = self.answers()
        if answers.empty and not self.allow_empty:
            self.query_one("#retro-error", Static).update(
                Text("Write at least one item, or skip the retro.")
            )
            return
        self.dismiss(answers)

    @on(Button.Pressed, "#skip")
    def action_skip(self) -> None:
        self.dismiss(None)
