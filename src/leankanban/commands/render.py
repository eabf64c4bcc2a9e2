"""Renderers: domain objects in, text or Rich renderables out.

Every piece of user text goes through `t(...)`: a `Text`, never Rich markup (so
a title like `[bold]x[/]` prints as typed), of the text as
`leankanban.text.visible` shows it (so `ESC[31m` in a title prints as
`\\x1b[31m` and never drives the terminal). `make_console()` checks once more
on the way out, and `say()` makes plain lines (confirmations, warnings)
visible. JSON keeps the exact text; CSV cells come from `text.csv_cell`.
No database access here.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer
from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderHook, RenderResult
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from leankanban.domain import rules
from leankanban.domain.model import (
    Board,
    BoardView,
    ColumnView,
    Deal,
    Event,
    EventKind,
    Stage,
    label,
    wip_state,
)
from leankanban.text import csv_cell, money_code_last, visible

if TYPE_CHECKING:
    from leankanban.services import StageSummary

#: Width used when output is not a terminal and COLUMNS is not set.
PIPE_WIDTH = 160

WIP_STYLES = {"over": "bold red", "at": "yellow", "under": "cyan", "ok": ""}

DEAL_FIELDS = (
    "id",
    "title",
    "account",
    "stage",
    "status",
    "value",
    "currency",
    "owner",
    "next_step",
    "created_at",
    "stage_entered_at",
    "closed_at",
    "days_in_stage",
    "lost_reason",
    "external_source",
    "external_id",
    "deal_type",
    "priority",
    "activity",
    "expected_close",
    "next_step_due",
    "tags",
    "helpers",
    "probability",
    "blocked_reason",
    "blocked_since",
    "last_activity_at",
    "stalled",
    "needs_review",
)

#: How a blocked card is marked wherever deals are listed.
BLOCKED_MARK = "BLOCKED"


def make_console(*, stderr: bool = False) -> Console:
    """A console that never reads markup or emoji codes in strings, and shows any
    control character that reaches it as an escape.

    Piped output gets a fixed width (or $COLUMNS) rather than Rich's 80.
    """
    console = Console(stderr=stderr, markup=False, emoji=False, highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    console.push_render_hook(_ShowControls())
    return console


class _Visible:
    """A renderable's text as `visible` shows it, line breaks kept; cursor controls pass."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(visible(segment.text, multiline=True), segment.style)


class _ShowControls(RenderHook):
    """The last check before the terminal: user text was made visible where it was put
    in a table or a line; anything missed there is shown here, never obeyed. (A live
    display, such as the import's progress bar, draws past render hooks: its text is
    made visible where it is built.)"""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_Visible(r) for r in renderables]


def t(text: str | None, style: str = "") -> Text:
    """User text as a Text: never markup, its controls shown as escapes."""
    return Text(visible(text), style=style)


def say(message: str, *, err: bool = False) -> None:
    """One line for a person (a confirmation, a warning), with any name in it made visible."""
    typer.echo(visible(message), err=err)


# --- small formatters ----------------------------------------------------------


def totals_text(totals: Iterable[tuple[str, Decimal]]) -> str:
    parts = [money_code_last(amount, currency) for currency, amount in totals]
    return " + ".join(parts) if parts else "0"


def limit_text(number: int | None) -> str:
    return "-" if number is None else str(number)


def wip_text(stage: Stage, count: int) -> str:
    """`3/5` against a maximum, else the bare count; a minimum shows as `min 3`."""
    text = f"{count}/{stage.wip_max}" if stage.wip_max is not None else str(count)
    if stage.wip_min is not None:
        text += f" (min {stage.wip_min})"
    return text


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


# --- deals -----------------------------------------------------------------------


def deal_flags(deal: Deal, now: datetime, board: Board) -> dict[str, bool]:
    """Blocked, stalled and needs-review, by the board's own settings."""
    return {
        "blocked": deal.is_blocked,
        "stalled": rules.is_stalled(deal, now, board.stall_days),
        "needs_review": rules.needs_review(deal, now, board.review_days),
    }


def deal_record(deal: Deal, now: datetime, board: Board) -> dict[str, Any]:
    """A deal as JSON-ready data: ISO 8601 times and dates, the value as a number."""
    flags = deal_flags(deal, now, board)
    return {
        "id": deal.id,
        "title": deal.title,
        "account": deal.account,
        "stage": deal.stage,
        "status": deal.status.value,
        "value": float(deal.value),
        "currency": deal.currency,
        "owner": deal.owner,
        "next_step": deal.next_step,
        "created_at": iso(deal.created_at),
        "stage_entered_at": iso(deal.stage_entered_at),
        "closed_at": iso(deal.closed_at),
        "days_in_stage": deal.days_in_stage(now),
        "lost_reason": deal.lost_reason,
        "external_source": deal.external_source,
        "external_id": deal.external_id,
        "deal_type": deal.deal_type.value,
        "priority": deal.priority.value,
        "activity": deal.activity.value,
        "expected_close": iso_date(deal.expected_close),
        "next_step_due": iso_date(deal.next_step_due),
        "tags": list(deal.tags),
        "helpers": list(deal.helpers),
        "probability": deal.probability,
        "blocked_reason": deal.blocked_reason,
        "blocked_since": iso(deal.blocked_since),
        "last_activity_at": iso(deal.last_activity_at),
        "stalled": flags["stalled"],
        "needs_review": flags["needs_review"],
    }


def full_deal_record(deal: Deal, now: datetime, board: Board, timeline: Sequence[Event]) -> dict[str, Any]:
    """`show --format json`: the deal record plus contacts, answers and the timeline (newest first)."""
    record = deal_record(deal, now, board)
    record["board"] = board.name
    record["contacts"] = [
        {"name": c.name, "role": c.role.value, "stance": c.stance.value, "email": c.email} for c in deal.contacts
    ]
    record["qualification"] = {
        name: {"answer": q.answer.value, "note": q.note, "actor": q.actor, "at": iso(q.at)}
        for name, q in deal.qualification.items()
    }
    record["timeline"] = [event_record(e) for e in timeline]
    return record


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def deals_csv(deals: Sequence[Deal], now: datetime, board: Board) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DEAL_FIELDS)
    for deal in deals:
        record = deal_record(deal, now, board)
        record["value"] = str(deal.value)
        writer.writerow([csv_cell(record[name]) for name in DEAL_FIELDS])
    return out.getvalue()


def status_text(deal: Deal, now: datetime, board: Board) -> Text:
    """The status, with BLOCKED / stalled / review under it when they apply."""
    flags = deal_flags(deal, now, board)
    text = Text(deal.status.value)
    for flag, word, style in (
        ("blocked", BLOCKED_MARK, "bold red"),
        ("stalled", "stalled", "yellow"),
        ("needs_review", "review", "magenta"),
    ):
        if flags[flag]:
            text.append("\n")
            text.append(word, style=style)
    return text


def deals_table(deals: Sequence[Deal], now: datetime, *, board: Board) -> RenderableType:
    if not deals:
        return Text("No deals.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=t(board.name, style="bold"), title_justify="left")
    table.add_column("ID", justify="right", style="dim")
    table.add_column("Title", overflow="fold", ratio=3)
    table.add_column("Account", overflow="fold", ratio=2)
    table.add_column("Stage")
    table.add_column("Status", min_width=7)
    table.add_column("Value", justify="right", no_wrap=True, min_width=max(len(money_code_last(d.value, d.currency)) for d in deals))
    table.add_column("Owner", overflow="fold")
    table.add_column("Days", justify="right")
    table.add_column("Next step", overflow="fold", ratio=2)
    for deal in deals:
        table.add_row(
            str(deal.id),
            t(deal.title),
            t(deal.account),
            t(deal.stage),
            status_text(deal, now, board),
            money_code_last(deal.value, deal.currency),
            t(deal.owner),
            str(deal.days_in_stage(now)),
            t(deal.next_step),
        )
    return table


# --- history ---------------------------------------------------------------------


def event_record(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "deal_id": event.deal_id,
        "kind": event.kind.value,
        "at": iso(event.at),
        "actor": event.actor,
        "from_stage": event.from_stage,
        "to_stage": event.to_stage,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
    }


def event_detail(event: Event) -> Text:
    """What happened, in words; every piece of user text stays literal."""
    kind = event.kind
    v = visible
    if kind is EventKind.CREATED:
        return Text.assemble("in ", v(event.to_stage))
    if kind is EventKind.NOTE:
        return Text(v(event.new_value, multiline=True))
    if kind is EventKind.EDITED and event.field == "contacts":
        if event.new_value:
            return Text.assemble("contact added: ", v(event.new_value))
        return Text.assemble("contact removed: ", v(event.old_value))
    if kind is EventKind.EDITED:
        return Text.assemble(v(event.field), ": ", v(repr(event.old_value)), " -> ", v(repr(event.new_value)))
    if kind is EventKind.WIP_OVERRIDE:
        if event.to_stage:
            return Text.assemble("into ", v(event.to_stage), ", because: ", v(event.reason))
        return Text.assemble("because: ", v(event.reason))
    if kind is EventKind.QUALIFIED:
        detail = Text.assemble(v(event.field), ": ", v(event.new_value))
        if event.old_value:
            detail.append(f" (was {v(event.old_value)})")
        if event.reason:
            detail.append(" · ")
            detail.append(v(event.reason))
        return detail
    if kind in (EventKind.BLOCKED, EventKind.UNBLOCKED):
        return Text(v(event.reason))
    if kind is EventKind.UNDONE:
        return Text(f"undid event {v(event.old_value)}")
    detail = Text.assemble(v(event.from_stage), " -> ", v(event.to_stage))
    if event.reason:
        detail.append(" (")
        detail.append(v(event.reason))
        competitor = (event.data or {}).get("competitor")
        if competitor:
            detail.append(": ")
            detail.append(v(competitor))
        detail.append(")")
    if kind in (EventKind.LOST, EventKind.WON) and event.new_value:
        detail.append(" · ")
        detail.append(v(event.new_value))
    return detail


EVENT_STYLES = {
    EventKind.WIP_OVERRIDE: "bold red",
    EventKind.BLOCKED: "red",
    EventKind.WON: "green",
    EventKind.LOST: "magenta",
    EventKind.NOTE: "cyan",
}


def events_table(events: Sequence[Event], *, title: Text | None = None) -> Table:
    """Events with their ids (which `undo` takes)."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("ID", justify="right", style="dim")
    table.add_column("When")
    table.add_column("Event")
    table.add_column("By", overflow="fold")
    table.add_column("Details", overflow="fold", ratio=1)
    for event in events:
        table.add_row(
            str(event.id),
            local_time(event.at),
            Text(event.kind.value, style=EVENT_STYLES.get(event.kind, "")),
            t(event.actor),
            event_detail(event),
        )
    return table


def history_table(deal: Deal, events: Sequence[Event]) -> RenderableType:
    return events_table(events, title=Text.assemble(f"#{deal.id} ", (visible(deal.title), "bold")))


# --- one deal in full ----------------------------------------------------------


def _day(day: date | None) -> str:
    return "-" if day is None else day.isoformat()


def deal_fields(deal: Deal, now: datetime, board: Board) -> Table:
    """Every field of a deal as `Label  value` rows."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    flags = deal_flags(deal, now, board)
    stage = t(deal.stage)
    stage.append(f" · {deal.days_in_stage(now)} days in stage", style="dim")
    rows: list[tuple[str, Text | str]] = [
        ("Account", t(deal.account or "-")),
        ("Value", money_code_last(deal.value, deal.currency)),
        ("Board", t(board.name)),
        ("Stage", stage),
        ("Status", deal.status.value),
        ("Owner", t(deal.owner or "-")),
        ("Helpers", t(", ".join(deal.helpers) or "-")),
        ("Type", label(deal.deal_type)),
        ("Priority", label(deal.priority) + " (class of service)"),
        ("Activity", label(deal.activity)),
        ("Expected close", _day(deal.expected_close)),
        ("Win probability", "stage's" if deal.probability is None else f"{deal.probability}% (the deal's own)"),
    ]
    next_step = t(deal.next_step or "-")
    if deal.next_step_due is not None:
        next_step.append(f" (due {deal.next_step_due.isoformat()})")
    rows.append(("Next step", next_step))
    rows.append(("Tags", t(", ".join(deal.tags) or "-")))
    if deal.is_blocked:
        blocked = t(deal.blocked_reason, style="bold red")
        if deal.blocked_since is not None:
            blocked.append(f" (since {local_time(deal.blocked_since)})", style="dim")
        rows.append(("Blocked", blocked))
    if flags["stalled"] or flags["needs_review"]:
        warn = [w for w, on in (("stalled", flags["stalled"]), ("needs review", flags["needs_review"])) if on]
        rows.append(("Attention", Text(", ".join(warn), style="yellow")))
    if deal.created_at is not None:
        rows.append(("Created", local_time(deal.created_at)))
    if deal.last_activity_at is not None:
        rows.append(("Last activity", local_time(deal.last_activity_at)))
    if deal.closed_at is not None:
        rows.append(("Closed at", local_time(deal.closed_at)))
    if deal.lost_reason:
        rows.append(("Lost reason", t(deal.lost_reason)))
    if deal.external_source:
        rows.append(("Imported from", t(f"{deal.external_source} {deal.external_id or ''}".strip())))
    for name, value in rows:
        grid.add_row(name, value)
    return grid


def contacts_table(deal: Deal) -> RenderableType:
    if not deal.contacts:
        return Text("No contacts.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=Text("Contacts", style="bold"), title_justify="left")
    table.add_column("Name", overflow="fold")
    table.add_column("Role")
    table.add_column("Stance")
    table.add_column("Email", overflow="fold")
    for contact in deal.contacts:
        table.add_row(t(contact.name), label(contact.role), label(contact.stance), t(contact.email))
    return table


ANSWER_STYLES = {"yes": "green", "no": "red", "unknown": "yellow"}


def qualification_table(deal: Deal, board: Board) -> RenderableType:
    """The board's criteria with this deal's answers (unanswered ones too)."""
    if not board.criteria:
        return Text("The board has no qualification criteria.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=Text("Qualification", style="bold"), title_justify="left")
    table.add_column("Criterion", overflow="fold")
    table.add_column("Answer")
    table.add_column("Note", overflow="fold", ratio=1)
    table.add_column("By", overflow="fold")
    table.add_column("When")
    table.add_column("Gates", overflow="fold")
    for criterion in sorted(board.criteria, key=lambda c: c.position):
        answer = deal.qualification.get(criterion.name)
        gates = t(", ".join(gated_stages(board, criterion.required_for)))
        if answer is None:
            table.add_row(t(criterion.name), Text("-", style="dim"), "", "", "", gates)
            continue
        table.add_row(
            t(criterion.name),
            Text(answer.answer.value, style=ANSWER_STYLES.get(answer.answer.value, "")),
            t(answer.note),
            t(answer.actor),
            local_time(answer.at) if answer.at else "",
            gates,
        )
    return table


def deal_renderable(deal: Deal, now: datetime, board: Board, timeline: Sequence[Event]) -> RenderableType:
    """`show`: the fields, contacts, qualification and the timeline, newest first."""
    title = Text.assemble(f"#{deal.id} ", (visible(deal.title), "bold"))
    if deal.is_blocked:
        title.append(f"  {BLOCKED_MARK}", style="bold red")
    return Group(
        title,
        deal_fields(deal, now, board),
        Text(""),
        contacts_table(deal),
        qualification_table(deal, board),
        events_table(timeline, title=Text("Timeline (newest first)", style="bold")),
    )


# --- board policies --------------------------------------------------------------


def gated_stages(board: Board, names: Iterable[str]) -> list[str]:
    """Stage names in board order."""
    order = {s.name: s.position for s in board.stages}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def criterion_record(board: Board, criterion: Any) -> dict[str, Any]:
    return {
        "name": criterion.name,
        "position": criterion.position + 1,
        "required_for": gated_stages(board, criterion.required_for),
    }


def criteria_table(board: Board) -> RenderableType:
    if not board.criteria:
        return Text("No qualification criteria; add one with `criteria add NAME`.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=t(board.name, style="bold"), title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Criterion", overflow="fold")
    table.add_column("Required for", overflow="fold", ratio=1)
    for criterion in sorted(board.criteria, key=lambda c: c.position):
        gates = gated_stages(board, criterion.required_for)
        table.add_row(
            str(criterion.position + 1),
            t(criterion.name),
            t(", ".join(gates)) if gates else Text("-", style="dim"),
        )
    return table


def lane_record(limit: Any) -> dict[str, Any]:
    return {"dimension": limit.dimension.value, "value": limit.value, "wip_max": limit.wip_max}


def lanes_table(board: Board) -> RenderableType:
    if not board.lane_limits:
        return Text("No lane or person WIP limits; set one with `lane limit owner NAME N`.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=t(board.name, style="bold"), title_justify="left")
    table.add_column("Lane")
    table.add_column("Value", overflow="fold")
    table.add_column("WIP max", justify="right")
    for limit in board.lane_limits:
        table.add_row(limit.dimension.value, t(label(limit.value)), str(limit.wip_max))
    return table


def settings_record(board: Board) -> dict[str, Any]:
    return {
        "board": board.name,
        "review_days": board.review_days,
        "stall_days": board.stall_days,
        "stale_after_days": {s.name: s.stale_after_days for s in board.stages if not s.is_closed},
    }


# --- stages and boards -------------------------------------------------------


def stage_record(summary: StageSummary) -> dict[str, Any]:
    """Positions count from 1, as `stage add --position` and `stage reorder` take them."""
    stage = summary.stage
    return {
        "name": stage.name,
        "position": stage.position + 1,
        "kind": stage.kind.value,
        "wip_min": stage.wip_min,
        "wip_max": stage.wip_max,
        "count": summary.count,
        "upstream": stage.upstream,
        "value": {currency: float(amount) for currency, amount in summary.totals},
    }


def stages_table(board: Board, summaries: Sequence[StageSummary]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, title=t(board.name, style="bold"), title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Stage", overflow="fold")
    table.add_column("Kind")
    table.add_column("Min", justify="right")
    table.add_column("Max", justify="right")
    table.add_column("Deals", justify="right")
    table.add_column("Value", justify="right")
    for summary in summaries:
        stage = summary.stage
        table.add_row(
            str(stage.position + 1),
            t(stage.name),
            stage.kind.value + (" (upstream)" if stage.upstream else ""),
            limit_text(stage.wip_min),
            limit_text(stage.wip_max),
            Text(wip_text(stage, summary.count), style=WIP_STYLES[wip_state(stage, summary.count)]),
            totals_text(summary.totals),
        )
    return table


def board_record(board: Board, *, default: bool) -> dict[str, Any]:
    return {
        "name": board.name,
        "template": board.template,
        "default": default,
        "stages": [stage.name for stage in board.stages],
    }


def boards_table(boards: Sequence[Board]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Board", overflow="fold")
    table.add_column("Template")
    table.add_column("Stages", overflow="fold", ratio=1)
    for index, board in enumerate(boards):
        name = t(board.name)
        if index == 0:
            name.append(" (default)", style="dim")
        table.add_row(name, t(board.template), t(", ".join(s.name for s in board.stages)))
    return table


def card(deal: Deal, now: datetime) -> Panel:
    body = Text()
    if deal.is_blocked:
        body.append(BLOCKED_MARK, style="bold red")
        body.append("\n")
        body.append(visible(deal.blocked_reason), style="red")
        body.append("\n")
    body.append(visible(deal.title), style="bold")
    if deal.account:
        body.append("\n")
        body.append(visible(deal.account))
    body.append("\n")
    body.append(money_code_last(deal.value, deal.currency), style="green")
    body.append("\n")
    footer = f"{visible(deal.owner)} · " if deal.owner else ""
    body.append(f"{footer}{deal.days_in_stage(now)}d", style="dim")
    return Panel(
        body,
        title=f"#{deal.id}",
        title_align="left",
        box=box.HEAVY if deal.is_blocked else box.ROUNDED,
        border_style="red" if deal.is_blocked else "",
        padding=(0, 1),
    )


def column_header(column: ColumnView) -> Text:
    header = t(column.stage.name, style="bold")
    header.append("\n")
    header.append(wip_text(column.stage, column.count), style=WIP_STYLES[column.wip_state] or "dim")
    blocked = sum(1 for deal in column.deals if deal.is_blocked)
    if blocked:
        header.append(" · ", style="dim")
        header.append(f"{blocked} blocked", style="bold red")
    header.append("\n")
    header.append(totals_text(column.totals), style="green")
    return header


def board_renderable(view: BoardView, now: datetime) -> RenderableType:
    """The whole board once: one column per stage, one card per deal."""
    open_deals = sum(c.count for c in view.columns if not c.stage.is_closed)
    title = Text.assemble((visible(view.board.name), "bold"), f" · {open_deals} open deal{'s' if open_deals != 1 else ''}")
    table = Table(box=box.SQUARE, title=title, title_justify="left", expand=True, show_lines=False)
    for column in view.columns:
        table.add_column(column_header(column), ratio=1, overflow="fold", vertical="top")
    cells: list[RenderableType] = []
    for column in view.columns:
        if column.deals:
            cells.append(Group(*(card(deal, now) for deal in column.deals)))
        else:
            cells.append(Text("-", style="dim"))
    table.add_row(*cells)
    return table
