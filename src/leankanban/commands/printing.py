"""What the CLI prints besides tables: the console, one-line messages, JSON and CSV records.

Every piece of user text goes through `leankanban.text` (the console also
shows any control character that reaches it as an escape).
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
from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
from rich.segment import Segment
from rich.text import Text

from leankanban.domain import rules
from leankanban.domain.model import (
    Board,
    Deal,
    Event,
    Stage,
)
from leankanban.text import csv_cell, money_code_last, visible

if TYPE_CHECKING:
    from leankanban.services import StageSummary

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
    "customer_value",
    "customer_impact",
)

#: Width used when output is not a terminal and COLUMNS is not set.
PIPE_WIDTH = 160


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
        "version": deal.version,
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
        "activity": None if deal.activity is None else deal.activity.value,
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
        "linked_deal_id": deal.linked_deal_id,
        "estimate_minutes": deal.estimate_minutes,
        "customer_value": deal.customer_value,
        "customer_impact": None if deal.customer_impact is None else float(deal.customer_impact),
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
        record["customer_impact"] = "" if deal.customer_impact is None else str(deal.customer_impact)
        writer.writerow([csv_cell(record[name]) for name in DEAL_FIELDS])
    return out.getvalue()


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
        "data": event.data or None,
    }


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


def lane_record(limit: Any) -> dict[str, Any]:
    return {"dimension": limit.dimension.value, "value": limit.value, "wip_max": limit.wip_max}


def settings_record(board: Board) -> dict[str, Any]:
    return {
        "board": board.name,
        "review_days": board.review_days,
        "stall_days": board.stall_days,
        "stale_after_days": {s.name: s.stale_after_days for s in board.stages if not s.is_closed},
    }


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
        "entry_policy": stage.entry_policy,
        "exit_policy": stage.exit_policy,
    }


def board_record(board: Board, *, default: bool) -> dict[str, Any]:
    return {
        "name": board.name,
        "template": board.template,
        "default": default,
        "stages": [stage.name for stage in board.stages],
    }


