"""Small typed dialogs: a line of text (block reason, note), winning a deal, adding a contact.

They only collect input and dismiss with a typed value (or None on cancel);
the screen that opened them calls the services. When the services refuse the
value, the screen opens the dialog again with `initial` and `error`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from leankanban.domain.model import ContactRole, Stance, label
from leankanban.text import visible


class TextPrompt(ModalScreen[str | None]):
    """One line of text; `required` keeps OK from accepting a blank answer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        title: str,
        *,
        prompt: str,
        why: str = "",
        placeholder: str = "",
        ok: str = "OK",
        required: bool = True,
        initial: str = "",
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.heading = title
        self.prompt = prompt
        self.why = why
        self.placeholder = placeholder
        self.ok = ok
        self.required = required
        self.initial = initial
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.heading), id="dialog-title")
            if self.why:
                yield Static(Text(self.why), classes="dialog-why")
            yield Label(self.prompt)
            yield Input(self.initial, placeholder=self.placeholder, id="text")
            yield Static(Text(visible(self.error)), id="text-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button(self.ok, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#text")
    def _ok(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if self.required and not text:
            self.query_one("#text-error", Static).update(Text(f"{self.prompt} is required."))
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class WinChoice:
    """Close as won; `value` is the final value as typed ("" keeps the deal's value)."""

    value: str = ""


class WinDialog(ModalScreen[WinChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, *, deal_title: str, value: str, initial: WinChoice | None = None, error: str | None = None):
        super().__init__()
        self.deal_title = deal_title
        self.value = value
        self.initial = initial or WinChoice()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Close as won"), id="dialog-title")
            why = Text("Mark '")
            why.append(visible(self.deal_title))
            why.append(f"' as won (now {self.value})? Give the final value if it changed.")
            yield Static(why, classes="dialog-why")
            yield Label("Final value (optional)")
            yield Input(self.initial.value, placeholder="leave empty to keep the value", id="value")
            yield Static(Text(visible(self.error)), id="value-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Won", variant="success", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#value")
    def _ok(self) -> None:
        self.dismiss(WinChoice(self.query_one("#value", Input).value.strip()))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ContactChoice:
    name: str
    role: ContactRole = ContactRole.INFLUENCER
    stance: Stance = Stance.UNKNOWN
    email: str = ""


class ContactDialog(ModalScreen[ContactChoice | None]):
    """A new contact on a deal: name, role, stance and email."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, *, initial: ContactChoice | None = None, error: str | None = None) -> None:
        super().__init__()
        self.initial = initial or ContactChoice("")
        self.error = error

    def compose(self) -> ComposeResult:
        initial = self.initial
        with Vertical(id="dialog", classes="form"):
            yield Static(Text("Add a contact"), id="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Name", classes="field-label")
                yield Input(initial.name, id="name", compact=True)
            with Horizontal(classes="field"):
                yield Label("Role", classes="field-label")
                yield Select(
                    [(label(role), role) for role in ContactRole],
                    value=initial.role,
                    allow_blank=False,
                    id="role",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Stance", classes="field-label")
                yield Select(
                    [(label(stance), stance) for stance in Stance],
                    value=initial.stance,
                    allow_blank=False,
                    id="stance",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Email", classes="field-label")
                yield Input(initial.email, id="email", compact=True)
            yield Static(Text(visible(self.error)), id="contact-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Add", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _ok(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#contact-error", Static).update(Text("A contact needs a name."))
            return
        role = self.query_one("#role", Select).value
        stance = self.query_one("#stance", Select).value
        self.dismiss(
            ContactChoice(
                name,
                role if isinstance(role, ContactRole) else ContactRole.INFLUENCER,
                stance if isinstance(stance, Stance) else Stance.UNKNOWN,
                self.query_one("#email", Input).value.strip(),
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
