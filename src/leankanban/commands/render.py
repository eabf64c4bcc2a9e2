"""Renderers: domain objects in, text or Rich renderables out.

Every piece of user text goes through `Text(...)` (never Rich markup), so a
title like `[bold]x[/]` prints as typed. No database access here.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from leankanban.domain.model import Board, BoardView, ColumnView, Deal, Event, EventKind, Stage, wip_state
from leankanban.services import StageSummary

#: Width used when output is not a terminal and COLUMNS is not set.
PIPE_WIDTH = 160

WIP_STYLES = {"over": "bold red", "at": "yellow", "under": "cyan", "ok": ""}

#: Leading characters a spreadsheet would read as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

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
)


def make_console(*, stderr: bool = False) -> Console:
    """A console that never reads markup or emoji codes in strings.

    Piped output gets a fixed width (or $COLUMNS) rather than Rich's 80.
    """
    console = Console(stderr=stderr, markup=False, emoji=False, highlight=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = PIPE_WIDTH
    return console


# --- small formatters ----------------------------------------------------------


def money(value: Decimal, currency: str) -> str:
    """`12,000 EUR`, or `1,234.50 EUR` when there are cents."""
    if value == value.to_integral_value():
        return f"{value:,.0f} {currency}"
    return f"{value:,.2f} {currency}"


def totals_text(totals: Iterable[tuple[str, Decimal]]) -> str:
    parts = [money(amount, currency) for currency, amount in totals]
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


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def one_line(message: str) -> str:
    """An error message as one line, whatever the driver put in it."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


# --- deals -----------------------------------------------------------------------


def deal_record(deal: Deal, now: datetime) -> dict[str, Any]:
    """A deal as JSON-ready data: ISO 8601 times, the value as a number."""
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
    }


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def csv_safe(cell: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    if cell is None:
        return ""
    text = str(cell)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def deals_csv(deals: Sequence[Deal], now: datetime) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DEAL_FIELDS)
    for deal in deals:
        record = deal_record(deal, now)
        record["value"] = str(deal.value)
        writer.writerow([csv_safe(record[name]) for name in DEAL_FIELDS])
    return out.getvalue()


def deals_table(deals: Sequence[Deal], now: datetime, *, board: Board) -> RenderableType:
    if not deals:
        return Text("No deals.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, title=Text(board.name, style="bold"), title_justify="left")
    table.add_column("ID", justify="right", style="dim")
    table.add_column("Title", overflow="fold", ratio=3)
    table.add_column("Account", overflow="fold", ratio=2)
    table.add_column("Stage")
    table.add_column("Status")
    table.add_column("Value", justify="right")
    table.add_column("Owner", overflow="fold")
    table.add_column("Days", justify="right")
    table.add_column("Next step", overflow="fold", ratio=2)
    for deal in deals:
        table.add_row(
            str(deal.id),
            Text(deal.title),
            Text(deal.account),
            Text(deal.stage),
            deal.status.value,
            money(deal.value, deal.currency),
            Text(deal.owner),
            str(deal.days_in_stage(now)),
            Text(deal.next_step),
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
    if event.kind is EventKind.CREATED:
        return Text.assemble("in ", event.to_stage or "")
    if event.kind is EventKind.EDITED:
        return Text.assemble(event.field or "", ": ", repr(event.old_value), " -> ", repr(event.new_value))
    if event.kind is EventKind.WIP_OVERRIDE:
        return Text.assemble("into ", event.to_stage or "", ", because: ", event.reason or "")
    detail = Text.assemble(event.from_stage or "", " -> ", event.to_stage or "")
    if event.reason:
        detail.append(f" ({event.reason})")
    return detail


def history_table(deal: Deal, events: Sequence[Event]) -> RenderableType:
    table = Table(
        box=box.SIMPLE_HEAD,
        title=Text.assemble(f"#{deal.id} ", (deal.title, "bold")),
        title_justify="left",
    )
    table.add_column("When")
    table.add_column("Event")
    table.add_column("By", overflow="fold")
    table.add_column("Details", overflow="fold", ratio=1)
    for event in events:
        style = "bold red" if event.kind is EventKind.WIP_OVERRIDE else ""
        table.add_row(local_time(event.at), Text(event.kind.value, style=style), Text(event.actor), event_detail(event))
    return table


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
    table = Table(box=box.SIMPLE_HEAD, title=Text(board.name, style="bold"), title_justify="left")
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
            Text(stage.name),
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
        name = Text(board.name)
        if index == 0:
            name.append(" (default)", style="dim")
        table.add_row(name, board.template, Text(", ".join(s.name for s in board.stages)))
    return table


def card(deal: Deal, now: datetime) -> Panel:
    body = Text()
    body.append(deal.title, style="bold")
    if deal.account:
        body.append("\n")
        body.append(deal.account)
    body.append("\n")
    body.append(money(deal.value, deal.currency), style="green")
    body.append("\n")
    footer = f"{deal.owner} · " if deal.owner else ""
    body.append(f"{footer}{deal.days_in_stage(now)}d", style="dim")
    return Panel(body, title=f"#{deal.id}", title_align="left", box=box.ROUNDED, padding=(0, 1))


def column_header(column: ColumnView) -> Text:
    header = Text(column.stage.name, style="bold")
    header.append("\n")
    header.append(wip_text(column.stage, column.count), style=WIP_STYLES[column.wip_state] or "dim")
    header.append("\n")
    header.append(totals_text(column.totals), style="green")
    return header


def board_renderable(view: BoardView, now: datetime) -> RenderableType:
    """The whole board once: one column per stage, one card per deal."""
    open_deals = sum(c.count for c in view.columns if not c.stage.is_closed)
    title = Text.assemble((view.board.name, "bold"), f" · {open_deals} open deal{'s' if open_deals != 1 else ''}")
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
