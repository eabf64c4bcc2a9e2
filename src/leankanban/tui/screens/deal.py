"""The deal screen: every field of one deal, its contacts and qualification, and its timeline.

Opened with `enter` on a card. From here: add a note, edit every field, add
or remove a contact, answer the qualification criteria. It reads the deal in
a thread worker and calls the services for each change (small, single-deal
writes); it is dismissed with True when anything changed, so the board
reloads.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from leankanban.domain.errors import InvalidInput, LeanKanbanError
from leankanban.domain.model import Board, Deal, Event, label
from leankanban.services import EDITABLE_FIELDS, LeanKanban
from leankanban.tui.format import visible
from leankanban.tui.messages import DealRead, ServiceFailed
from leankanban.tui.screens.board_picker import BoardPicker
from leankanban.tui.screens.deal_form import DealForm
from leankanban.tui.screens.help import HelpScreen, binding_rows
from leankanban.tui.screens.prompts import ContactChoice, ContactDialog, TextPrompt
from leankanban.tui.screens.qualify import QualifyAnswer, QualifyDialog
from leankanban.tui.undo import UndoEntry, UndoStack, own_events
from leankanban.tui.widgets.deal_view import DealFacts, Timeline


class DealScreen(Screen[bool]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="deal-back", tooltip="Back to the board"),
        Binding("n", "add_note", "Note", id="deal-note", tooltip="Add a note to the deal's timeline"),
        Binding("e", "edit", "Edit", id="deal-edit", tooltip="Edit every field of the deal"),
        Binding("c", "add_contact", "Add contact", id="deal-add-contact", tooltip="Add a contact (role, stance)"),
        Binding("C", "remove_contact", "Remove contact", key_display="C", id="deal-remove-contact",
                tooltip="Remove one of the deal's contacts"),
        Binding("a", "answer", "Qualify", id="deal-qualify", tooltip="Answer the qualification criteria"),
        Binding("question_mark", "help", "Help", key_display="?", id="deal-help", tooltip="This list of keys"),
    ]

    def __init__(self, services: LeanKanban, deal_id: int, *, board: Board, undo: UndoStack) -> None:
        super().__init__()
        self.services = services
        self.deal_id = deal_id
        self.board = board
        self.undo = undo
        self.deal: Deal | None = None
        self.events: list[Event] = []
        self.now: datetime = services.clock()
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="deal-body"):
            with VerticalScroll(id="deal-facts"):
                yield DealFacts(id="deal-fields")
            with VerticalScroll(id="deal-timeline"):
                yield Static(Text("Timeline"), classes="section-title")
                yield Timeline(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    # -- reading -------------------------------------------------------------

    def reload(self) -> None:
        self._read(self.deal_id)

    @work(thread=True, exclusive=True, group="deal-read", exit_on_error=False)
    def _read(self, deal_id: int) -> None:
        try:
            deal = self.services.get_deal(deal_id)
            events = self.services.timeline(deal_id)
            now = self.services.clock()
        except LeanKanbanError as err:
            self.post_message(ServiceFailed(str(err)))
            return
        self.post_message(DealRead(deal, events, now))

    def on_deal_read(self, message: DealRead) -> None:
        self.deal, self.events, self.now = message.deal, message.events, message.now
        self.sub_title = f"#{message.deal.id} {visible(message.deal.title)}"
        self.query_one(DealFacts).show(message.deal, self.board, message.now)
        self.query_one(Timeline).show(message.events)

    def on_service_failed(self, message: ServiceFailed) -> None:
        self.notify(message.message, title="Not done", severity="error", markup=False)
        if self.deal is None:
            self.query_one(DealFacts).show_error(message.message)

    # -- actions ----------------------------------------------------------------

    def _done(self, what: str) -> None:
        self.changed = True
        self.notify(what, markup=False)
        self.reload()

    def _fail(self, err: LeanKanbanError) -> None:
        self.notify(str(err), title="Not done", severity="error", markup=False)

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(binding_rows(self)))

    def action_add_note(self, error: str | None = None, initial: str = "") -> None:
        def noted(text: str | None) -> None:
            if not text:
                return
            try:
                self.services.add_note(self.deal_id, text)
            except InvalidInput as err:
                self.action_add_note(str(err), text)
                return
            except LeanKanbanError as err:
                self._fail(err)
                return
            self._done("Note added.")

        self.app.push_screen(
            TextPrompt("Add a note", prompt="Note", placeholder="what happened, what was agreed…",
                       ok="Add", initial=initial, error=error),
            noted,
        )

    def action_edit(self) -> None:
        if self.deal is None:
            return
        before = self.deal
        stages = [s.name for s in self.board.stages]

        def saved(deal: Deal | None) -> None:
            if deal is None:
                return
            changed = [name for name in EDITABLE_FIELDS if getattr(before, name) != getattr(deal, name)]
            if changed:
                record_edit(self.services, self.undo, before, changed)
            self.deal = deal  # the saved version at once: an edit right away starts from it, not the old one
            self._done("Saved.")

        self.app.push_screen(DealForm(self.services, board=self.board.name, stages=stages, deal=before), saved)

    def action_add_contact(self, error: str | None = None, initial: ContactChoice | None = None) -> None:
        def added(choice: ContactChoice | None) -> None:
            if choice is None:
                return
            try:
                self.services.add_contact(
                    self.deal_id, choice.name, role=choice.role, stance=choice.stance, email=choice.email
                )
            except InvalidInput as err:
                self.action_add_contact(str(err), choice)
                return
            except LeanKanbanError as err:
                self._fail(err)
                return
            self._done(f"Contact {visible(choice.name)} added.")

        self.app.push_screen(ContactDialog(initial=initial, error=error), added)

    def action_remove_contact(self) -> None:
        if self.deal is None or not self.deal.contacts:
            self.notify("The deal has no contacts to remove.", severity="warning")
            return

        def picked(name: str | None) -> None:
            if name is None:
                return
            try:
                self.services.remove_contact(self.deal_id, name)
            except LeanKanbanError as err:
                self._fail(err)
                return
            self._done(f"Contact {visible(name)} removed.")

        names = [contact.name for contact in self.deal.contacts]
        self.app.push_screen(BoardPicker(names, title="Remove which contact?"), picked)

    def action_answer(self) -> None:
        if self.deal is None:
            return
        if not self.board.criteria:
            self.notify("This board has no qualification criteria.", severity="warning")
            return
        criteria = [c.name for c in sorted(self.board.criteria, key=lambda c: c.position)]

        def answered(answers: list[QualifyAnswer] | None) -> None:
            if answers:
                if qualify_all(self.services, self.deal_id, answers, self.notify):
                    self._done(f"{len(answers)} answer(s) recorded.")
                else:
                    self.reload()

        self.app.push_screen(
            QualifyDialog(criteria, deal_title=self.deal.title, current=self.deal.qualification), answered
        )


def qualify_all(services: LeanKanban, deal_id: int, answers: list[QualifyAnswer], notify) -> bool:  # type: ignore[no-untyped-def]
    """Record each answer; stop and say why at the first the services refuse."""
    for given in answers:
        try:
            services.qualify(deal_id, given.criterion, given.answer, note=given.note)
        except LeanKanbanError as err:
            notify(str(err), title="Not recorded", severity="error", markup=False)
            return False
    return True


def record_edit(services: LeanKanban, undo: UndoStack, before: Deal, fields: list[str]) -> None:
    """Push the edit just made (its events by this actor) onto the session's undo stack."""
    if before.id is None:
        return
    try:
        ids = own_events(services.history(before.id), services.actor, fields=fields)
    except LeanKanbanError:
        return
    names = ", ".join(label(name) for name in fields)
    undo.push(UndoEntry(f"edit of '{visible(before.title)}' ({names})", before.id, ids))
