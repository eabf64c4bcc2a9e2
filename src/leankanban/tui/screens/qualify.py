"""Answer qualification criteria: yes / no / unknown each, with an optional note.

Opened by the board when a move is refused for missing criteria (only those
are listed), and by the deal screen for every criterion. Dismissed with the
answers given (criteria left untouched are not in the list), or None.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from leankanban.domain.model import Answer, Qualification
from leankanban.domain.rules import is_derived
from leankanban.tui.format import literal, visible


@dataclass(frozen=True, slots=True)
class QualifyAnswer:
    criterion: str
    answer: Answer
    note: str = ""


ANSWERS = (Answer.YES, Answer.NO, Answer.UNKNOWN)


class QualifyDialog(ModalScreen[list[QualifyAnswer] | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        criteria: list[str],
        *,
        deal_title: str,
        current: dict[str, Qualification] | None = None,
        stage: str | None = None,
        error: str | None = None,
        definitions: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.criteria = criteria
        #: What each criterion means (the board's definitions), shown under its name.
        self.definitions = definitions or {}
        self.deal_title = deal_title
        self.current = current or {}
        self.stage = stage
        self.error = error

    def compose(self) -> ComposeResult:
        if self.stage is not None:
            heading = "Qualification needed"
            why = (
                f"'{visible(self.stage)}' needs these criteria answered yes for "
                f"'{visible(self.deal_title)}'. Answer them and the move is tried again."
            )
            ok = "Save and move"
        else:
            heading = "Qualification"
            why = f"Answer the criteria for '{visible(self.deal_title)}' (untouched ones stay as they are)."
            ok = "Save"
        with Vertical(id="dialog", classes="qualify"):
            yield Static(Text(heading), id="dialog-title")
            yield Static(Text(why), classes="dialog-why")
            with VerticalScroll(id="criteria"):
                for number, name in enumerate(self.criteria):
                    now = self.current.get(name)
                    with Horizontal(classes="criterion"):
                        yield Label(literal(name), classes="criterion-name")
                        with RadioSet(id=f"q-{number}", classes="answers"):
                            for answer in ANSWERS:
                                yield RadioButton(
                                    answer.value,
                                    value=now is not None and now.answer is answer,
                                    id=f"q-{number}-{answer.value}",
                                )
                        yield Input(
                            now.note if now else "", placeholder="note", id=f"q-{number}-note", compact=True
                        )
                    meaning = self.definitions.get(name, "")
                    if is_derived(name):
                        meaning = (meaning + "\n" if meaning else "") + (
                            "Or leave it unanswered and write the deal's customer value (e on the board): "
                            "a written customer value meets it."
                        )
                    if meaning:
                        yield Static(Text(visible(meaning, multiline=True)), classes="criterion-definition")
            yield Static(Text(visible(self.error)), id="qualify-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button(ok, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        if self.criteria:
            self.query_one("#q-0", RadioSet).focus()

    def answers(self) -> list[QualifyAnswer]:
        given = []
        for number, name in enumerate(self.criteria):
            pressed = self.query_one(f"#q-{number}", RadioSet).pressed_index
            if pressed < 0:
                continue
            note = self.query_one(f"#q-{number}-note", Input).value.strip()
            given.append(QualifyAnswer(name, ANSWERS[pressed], note))
        return given

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        given = self.answers()
        if not given:
            self.query_one("#qualify-error", Static).update(Text("Answer at least one criterion, or cancel."))
            return
        self.dismiss(given)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
