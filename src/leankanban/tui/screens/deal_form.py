"""The deal form, for new deals and edits: the services validate, errors show by their field."""

from __future__ import annotations

import enum

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from leankanban.domain import defaults
from leankanban.domain.errors import (
    InvalidInput,
    LeanKanbanError,
    UnknownStage,
    WipLimitExceeded,
)
from leankanban.domain.model import Activity, Deal, DealType, Priority, label
from leankanban.domain.rules import NO_ACTIVITY
from leankanban.domain.sprints import format_minutes
from leankanban.domain.work import is_work_board
from leankanban.services import EDITABLE_FIELDS, LeanKanban, clean_field
from leankanban.text import visible
from leankanban.tui.format import literal
from leankanban.tui.screens.wip_override import WipOverrideDialog

#: The form's fields, in order: (field name, label, enum for a Select or None for a text input).
FIELDS: tuple[tuple[str, str, type[enum.Enum] | None], ...] = (
    ("title", "Title", None),
    ("account", "Account", None),
    ("value", "Value", None),
    ("currency", "Currency", None),
    ("owner", "Owner", None),
    ("helpers", "Helpers", None),
    ("deal_type", "Type", DealType),
    ("priority", "Priority", Priority),
    ("activity", "Activity", Activity),
    ("expected_close", "Close by", None),
    ("next_step", "Next step", None),
    ("next_step_due", "Step due", None),
    ("tags", "Tags", None),
    ("probability", "Win %", None),
    ("customer_value", "Cust. value", None),
    ("customer_impact", "Impact", None),
)
#: A work card's own fields (on an activities board, domain/work.py), after the others.
WORK_FIELDS: tuple[tuple[str, str, type[enum.Enum] | None], ...] = (
    ("estimate_minutes", "Estimate", None),
    ("linked_deal_id", "For deal", None),
)
#: What a work card calls a field the form shows on every card.
WORK_TITLES = {"activity": "Category"}
TEXT_FIELDS = tuple((name, title) for name, title, choices in FIELDS if choices is None)
SELECT_FIELDS = tuple((name, title, choices) for name, title, choices in FIELDS if choices is not None)
#: Selects that may be left without a value: the option that says so, listed first (the
#: services read it as no value). A deal has no activity category unless someone gives it one.
NONE_CHOICES = {"activity": NO_ACTIVITY}

PLACEHOLDERS = {
    "helpers": "names, comma separated",
    "tags": "tags, comma separated",
    "expected_close": "YYYY-MM-DD",
    "next_step_due": "YYYY-MM-DD",
    "value": "0",
    "probability": "the stage's",
    "estimate_minutes": "45m, 2h, 1h30m",
    "linked_deal_id": "deal id",
    "customer_value": "in the customer's terms: more revenue, less cost, a risk gone",
    "customer_impact": "that value as an amount (optional)",
}

#: InvalidInput.field as the services name it -> the form field that shows it.
ERROR_FIELDS = {name: name for name, _, _ in (*FIELDS, *WORK_FIELDS)} | {
    "next step": "next_step",
    "deal type": "deal_type",
    "next step due": "next_step_due",
    "expected close": "expected_close",
}


class DealForm(ModalScreen[Deal | None]):
    """New deal (no `deal`) or edit (`deal`); dismissed with the saved deal or None.

    Every editable field: text inputs, Selects for type / priority / activity,
    dates as YYYY-MM-DD, tags and helpers as comma lists. Nothing is written
    until the services accept every field, so a rejected form leaves the
    database as it was; the error shows under its field.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        services: LeanKanban,
        *,
        board: str,
        stages: list[str],
        stage: str | None = None,
        deal: Deal | None = None,
        work_card: bool | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.stages = stages
        self.deal = deal
        self.stage = deal.stage if deal is not None else (stage or stages[0])
        #: On an activities board the form has a work card's fields too (None: look the board up).
        self.work_card = is_work_board(services.get_board(board)) if work_card is None else work_card
        self.fields = (*FIELDS, *WORK_FIELDS) if self.work_card else FIELDS

    def _initial(self, name: str) -> str:
        """What a field shows at first: its value with controls as escapes (an Input shows text raw)."""
        return visible(self._current(name))

    def _current(self, name: str) -> str:
        deal = self.deal
        if deal is None:
            return {"currency": defaults.CURRENCY, "owner": self.services.actor}.get(name, "")
        if name == "value":
            return "" if not deal.value else f"{deal.value:f}"
        if name == "estimate_minutes":
            return "" if deal.estimate_minutes is None else format_minutes(deal.estimate_minutes)
        current = getattr(deal, name)
        if isinstance(current, tuple):
            return ", ".join(current)
        if current is None:
            return ""
        return current.isoformat() if hasattr(current, "isoformat") else str(current)

    def _initial_choice(self, name: str, choices: type[enum.Enum]) -> enum.Enum | str:
        current = getattr(self.deal, name) if self.deal is not None else None
        if current is not None:
            return current
        if name in NONE_CHOICES:
            return NONE_CHOICES[name]
        return next(iter(choices)) if name != "priority" else Priority.STANDARD

    @staticmethod
    def _options(name: str, choices: type[enum.Enum]) -> list[tuple[str, enum.Enum | str]]:
        none = [(NONE_CHOICES[name], NONE_CHOICES[name])] if name in NONE_CHOICES else []
        return [*none, *((label(member), member) for member in choices)]

    def compose(self) -> ComposeResult:
        what = "work card" if self.work_card else "deal"
        heading = f"New {what}" if self.deal is None else f"Edit {what} #{self.deal.id}"
        with VerticalScroll(id="dialog", classes="form"):
            yield Static(Text(heading), id="dialog-title")
            for name, title, choices in self.fields:
                with Horizontal(classes="field"):
                    yield Label(WORK_TITLES.get(name, title) if self.work_card else title, classes="field-label")
                    if choices is None:
                        yield Input(
                            self._initial(name),
                            placeholder=PLACEHOLDERS.get(name, ""),
                            id=name,
                            select_on_focus=True,  # typing replaces a pre-filled value
                            compact=True,
                        )
                    else:
                        yield Select(
                            self._options(name, choices),
                            value=self._initial_choice(name, choices),
                            allow_blank=False,
                            id=name,
                            compact=True,
                        )
                yield Static("", id=f"{name}-error", classes="field-error")
            with Horizontal(classes="field"):
                yield Label("Stage", classes="field-label")
                yield Select(
                    [(literal(name), name) for name in self.stages],
                    value=self.stage,
                    allow_blank=False,
                    disabled=self.deal is not None,
                    id="stage",
                    compact=True,
                )
            yield Static("", id="stage-error", classes="field-error")
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _values(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, _, choices in self.fields:
            if choices is not None:
                continue
            typed = self.query_one(f"#{name}", Input).value
            # A field left as shown keeps its exact text; only what was typed is new.
            values[name] = self._current(name) if typed == self._initial(name) else typed
        for name, _, _ in SELECT_FIELDS:
            values[name] = self.query_one(f"#{name}", Select).value
        return values

    def _clear_errors(self) -> None:
        for widget in self.query(".field-error").results(Static):
            widget.update("")
            widget.remove_class("-shown")

    def _error(self, target: str, message: str) -> None:
        """Show `message` under the field `target` (or under the form)."""
        widget = self.query_one(f"#{target}-error", Static)
        widget.update(Text(visible(message)))
        widget.add_class("-shown")

    def _show_error(self, field: str | None, message: str) -> None:
        target = ERROR_FIELDS.get(field or "", "form")
        self._error(target, message)
        if target != "form":
            self.query_one(f"#{target}").focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        self._clear_errors()
        self._save(override_reason=None)

    def _field_errors(self, values: dict[str, object]) -> dict[str, str]:
        """Every field that the services would refuse, with why (each checked by the one
        `clean_field` the services use), so all show at once rather than one per save."""
        problems: dict[str, str] = {}
        for name, raw in values.items():
            if name not in EDITABLE_FIELDS:
                continue
            try:
                clean_field(name, raw)
            except InvalidInput as err:
                problems[ERROR_FIELDS.get(err.field or "", name)] = str(err)
        return problems

    def _save(self, override_reason: str | None) -> None:
        values = self._values()
        problems = self._field_errors(values)
        if problems:
            for target, message in problems.items():
                self._error(target, message)
            self.query_one(f"#{next(iter(problems))}").focus()
            return
        try:
            if self.deal is None:
                stage = self.query_one("#stage", Select).value
                details = dict(values)
                saved = self.services.add_deal(
                    str(details.pop("title")),
                    board=self.board,
                    stage=str(stage),
                    override_reason=override_reason,
                    **details,
                )
            else:
                assert self.deal.id is not None
                # The version shown: if someone changed the deal meanwhile, nothing is saved and the form says who.
                saved = self.services.edit_deal(self.deal.id, seen_version=self.deal.version, **values)
        except WipLimitExceeded as err:
            self._ask_override(err, str(values["title"]))
            return
        except InvalidInput as err:
            self._show_error(err.field, str(err))
            return
        except UnknownStage as err:
            self._error("stage", str(err))
            return
        except LeanKanbanError as err:
            self._show_error(None, str(err))
            return
        self.dismiss(saved)

    def _ask_override(self, error: WipLimitExceeded, title: str) -> None:
        self._error("stage", str(error))

        def overridden(reason: str | None) -> None:
            if reason:
                self._save(override_reason=reason)

        self.app.push_screen(WipOverrideDialog(error, deal_title=title.strip() or "the new deal"), overridden)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
