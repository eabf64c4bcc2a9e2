"""The deal form, for new deals and edits: the services validate, errors show by their field."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from leankanban.domain.errors import InvalidInput, LeanKanbanError, UnknownStage, WipLimitExceeded
from leankanban.domain.model import Deal
from leankanban.services import LeanKanban
from leankanban.tui.format import literal
from leankanban.tui.screens.wip_override import WipOverrideDialog

#: The form's text fields, in order: (field name, label).
TEXT_FIELDS = (
    ("title", "Title"),
    ("account", "Account"),
    ("value", "Value"),
    ("currency", "Currency"),
    ("owner", "Owner"),
)

#: InvalidInput.field as the services name it -> the form field that shows it.
ERROR_FIELDS = {"title": "title", "account": "account", "value": "value", "currency": "currency", "owner": "owner"}


class DealForm(ModalScreen[Deal | None]):
    """New deal (no `deal`) or edit (`deal`); dismissed with the saved deal or None.

    Nothing is written until the services accept every field, so a rejected
    form leaves the database as it was.
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
    ) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.stages = stages
        self.deal = deal
        self.stage = deal.stage if deal is not None else (stage or stages[0])

    def _initial(self, name: str) -> str:
        deal = self.deal
        if deal is None:
            return {"currency": "EUR", "owner": self.services.actor}.get(name, "")
        if name == "value":
            return "" if not deal.value else f"{deal.value:f}"
        return str(getattr(deal, name))

    def compose(self) -> ComposeResult:
        heading = "New deal" if self.deal is None else f"Edit deal #{self.deal.id}"
        with VerticalScroll(id="dialog", classes="form"):
            yield Static(Text(heading), id="dialog-title")
            for name, label in TEXT_FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(self._initial(name), id=name, select_on_focus=False)
                yield Static("", id=f"{name}-error", classes="field-error")
            with Horizontal(classes="field"):
                yield Label("Stage", classes="field-label")
                yield Select(
                    [(literal(name), name) for name in self.stages],
                    value=self.stage,
                    allow_blank=False,
                    disabled=self.deal is not None,
                    id="stage",
                )
            yield Static("", id="stage-error", classes="field-error")
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Input).value for name, _ in TEXT_FIELDS}

    def _clear_errors(self) -> None:
        for widget in self.query(".field-error").results(Static):
            widget.update("")
            widget.remove_class("-shown")

    def _error(self, target: str, message: str) -> None:
        """Show `message` under the field `target` (or under the form)."""
        widget = self.query_one(f"#{target}-error", Static)
        widget.update(Text(message))
        widget.add_class("-shown")

    def _show_error(self, field: str | None, message: str) -> None:
        target = ERROR_FIELDS.get(field or "", "form")
        self._error(target, message)
        if target != "form":
            self.query_one(f"#{target}", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        self._clear_errors()
        self._save(override_reason=None)

    def _save(self, override_reason: str | None) -> None:
        values = self._values()
        try:
            if self.deal is None:
                stage = self.query_one("#stage", Select).value
                saved = self.services.add_deal(
                    values["title"],
                    board=self.board,
                    stage=str(stage),
                    account=values["account"],
                    value=values["value"],
                    currency=values["currency"],
                    owner=values["owner"],
                    override_reason=override_reason,
                )
            else:
                assert self.deal.id is not None
                saved = self.services.edit_deal(self.deal.id, **values)
        except WipLimitExceeded as err:
            self._ask_override(err, values["title"])
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
