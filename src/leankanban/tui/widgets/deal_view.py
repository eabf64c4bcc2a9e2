"""The deal screen's two panels: every fact about a deal, and its timeline.

Display only: the screen sets their attributes (`show`); styles come from the
component classes in app.tcss.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from leankanban.domain import rules
from leankanban.domain.model import Board, Deal, Event, label
from leankanban.tui.format import describe_event, literal, money, visible, when


class DealFacts(Widget):
    """Fields, contacts and qualification answers of one deal."""

    COMPONENT_CLASSES = {
        "deal-facts--label",
        "deal-facts--title",
        "deal-facts--heading",
        "deal-facts--muted",
        "deal-facts--blocked",
        "deal-facts--flag",
        "deal-facts--age-fresh",
        "deal-facts--age-ageing",
        "deal-facts--age-stale",
        "deal-facts--answer-yes",
        "deal-facts--answer-no",
        "deal-facts--answer-unknown",
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.deal: Deal | None = None
        self.board: Board | None = None
        self.now: datetime | None = None
        self.error: str | None = None

    def show(self, deal: Deal, board: Board, now: datetime) -> None:
        self.deal, self.board, self.now, self.error = deal, board, now, None
        self.refresh(layout=True)

    def show_error(self, message: str) -> None:
        self.error = message
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        deal, board, now = self.deal, self.board, self.now
        if self.error is not None:
            return Text(visible(self.error))
        if deal is None or board is None or now is None:
            return Text("Reading the deal…")
        style = self.get_component_rich_style
        muted = style("deal-facts--muted", partial=True)
        stage = next((s for s in board.stages if s.name == deal.stage), None)
        days = deal.days_in_stage(now)
        band = rules.age_band(stage, days) if stage is not None else None

        fields = Table.grid(padding=(0, 2))
        fields.add_column(style=style("deal-facts--label", partial=True), no_wrap=True)
        fields.add_column()

        def row(name: str, value: Text | str) -> None:
            fields.add_row(name, value if isinstance(value, Text) else literal(value))

        title = literal(deal.title, style("deal-facts--title", partial=True))
        title.no_wrap = False
        row("Title", title)
        row("Account", deal.account or "—")
        row("Value", money(deal.value, deal.currency))
        row("Owner", deal.owner or "—")
        row("Helpers", ", ".join(deal.helpers) or "—")
        row("Type", label(deal.deal_type))
        row("Priority", label(deal.priority))
        row("Activity", "-" if deal.activity is None else label(deal.activity))
        row("Close by", when(deal.expected_close))
        row("Win %", "the stage's" if deal.probability is None else f"{deal.probability}%")
        row("Next step", deal.next_step or "—")
        row("Step due", when(deal.next_step_due))
        row("Tags", ", ".join(deal.tags) or "—")
        worth = literal(deal.customer_value or "— (e writes what the deal is worth to the customer)")
        worth.no_wrap = False
        row("Cust. value", worth)
        row("Impact", "—" if deal.customer_impact is None else money(deal.customer_impact, deal.currency))
        status = label(deal.status) + (f" — {deal.lost_reason}" if deal.lost_reason else "")
        row("Status", status)
        age = Text(f"{visible(deal.stage)}, {days} days in stage")
        if band:
            age.append(f" ({band})", style=style(f"deal-facts--age-{band}", partial=True))
        row("Stage", age)
        if deal.is_blocked:
            blocked = Text("⊘ ", style=style("deal-facts--blocked", partial=True))
            blocked.append(visible(deal.blocked_reason or ""))
            blocked.append(f" (since {when(deal.blocked_since)})")
            row("Blocked", blocked)
        else:
            row("Blocked", "no")
        flags = []
        if rules.is_stalled(deal, now, board.stall_days):
            flags.append(f"zz stalled: no activity for {board.stall_days}+ days")
        if rules.needs_review(deal, now, board.review_days):
            flags.append(f"⚑ qualification not reviewed for {board.review_days}+ days")
        if flags:
            row("Flags", Text("\n".join(flags), style=style("deal-facts--flag", partial=True)))
        row("Created", when(deal.created_at))

        heading = style("deal-facts--heading", partial=True)
        contacts = Table(title=Text("Contacts", style=heading), title_justify="left", expand=True, show_edge=False)
        for column in ("Name", "Role", "Stance", "Email"):
            contacts.add_column(column)
        for contact in deal.contacts:
            contacts.add_row(literal(contact.name), label(contact.role), label(contact.stance), literal(contact.email))
        if not deal.contacts:
            contacts.add_row(Text("(none: c adds one)", style=muted), "", "", "")

        answers = Table(title=Text("Qualification", style=heading), title_justify="left", expand=True, show_edge=False)
        for column in ("Criterion", "Answer", "Note", "Who", "When", "Gates"):
            answers.add_column(column)
        for criterion in sorted(board.criteria, key=lambda c: c.position):
            given = deal.qualification.get(criterion.name)
            gates = literal(", ".join(sorted(criterion.required_for)) or "—")
            if rules.effective_answer(criterion.name, deal)[1]:
                yes = Text("yes", style=style("deal-facts--answer-yes", partial=True))
                answers.add_row(literal(criterion.name), yes, Text("from customer value", style=muted),
                                "", "", gates)
                continue
            if given is None:
                answers.add_row(literal(criterion.name), Text("—", style=muted), "", "", "", gates)
                continue
            answer_style: Style = style(f"deal-facts--answer-{given.answer.value}", partial=True)
            answers.add_row(
                literal(criterion.name),
                Text(given.answer.value, style=answer_style),
                literal(given.note),
                literal(given.actor),
                when(given.at),
                gates,
            )
        if not board.criteria:
            answers.add_row(Text("(the board has no criteria)", style=muted), "", "", "", "", "")
        return Group(fields, Text(""), contacts, Text(""), answers)


class Timeline(Widget):
    """Notes and history, newest first."""

    COMPONENT_CLASSES = {"timeline--when", "timeline--who", "timeline--note"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.events: list[Event] = []

    def show(self, events: list[Event]) -> None:
        self.events = events
        self.refresh(layout=True)

    def render(self) -> Text:
        style = self.get_component_rich_style
        out = Text()
        for number, event in enumerate(self.events):
            if number:
                out.append("\n")
            out.append(when(event.at), style=style("timeline--when", partial=True))
            out.append("  ")
            out.append(visible(event.actor or "?"), style=style("timeline--who", partial=True))
            out.append("  ")
            entry = describe_event(event)
            if event.kind.value == "note":
                entry.stylize(style("timeline--note", partial=True))
            out.append_text(entry)
        return out or Text("(no history)")
