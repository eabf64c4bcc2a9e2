"""The CLI's Rich tables and cards: deals, history, one deal in full, policies, stages, boards and the board.

User text is passed as `rich.text.Text` made visible by `leankanban.text`, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from leankanban.domain import rules, work
from leankanban.domain.model import (
    Board,
    BoardView,
    ColumnView,
    Deal,
    Event,
    EventKind,
    Lane,
    label,
    wip_state,
)
from leankanban.domain.sprints import format_minutes
from leankanban.text import money_code_last, visible

if TYPE_CHECKING:
    from leankanban.services import StageSummary

from leankanban.commands.printing import deal_flags, gated_stages, limit_text, local_time, t, totals_text, wip_text

WIP_STYLES = {"over": "bold red", "at": "yellow", "under": "cyan", "ok": ""}

#: How a blocked card is marked wherever deals are listed.
BLOCKED_MARK = "BLOCKED"


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
    if kind is EventKind.POLICY_CHANGED:
        about = Text.assemble(" of ", v(event.to_stage)) if event.to_stage else Text("")
        detail = Text.assemble(
            v(event.field), about, ": ", v(event.old_value or "none"), " -> ", v(event.new_value or "none")
        )
        if event.reason:
            detail.append(" · why: ")
            detail.append(v(event.reason))
        card = (event.data or {}).get("card")
        if card:
            detail.append(f" · card {v(card)}")
        return detail
    if kind is EventKind.BLOCK_OVERRIDE:
        return Text.assemble("while blocked (", v(event.old_value), ") into ", v(event.to_stage), ", because: ", v(event.reason))
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
    EventKind.BLOCK_OVERRIDE: "bold red",
    EventKind.POLICY_CHANGED: "yellow",
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


def _day(day: date | None) -> str:
    return "-" if day is None else day.isoformat()


def deal_fields(deal: Deal, now: datetime, board: Board, *, linked: Deal | None = None) -> Table:
    """Every field of a deal as `Label  value` rows; a work card's category, estimate and
    linked deal (`linked`, when read) too."""
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
        ("Category" if work.is_work_board(board) else "Activity", "-" if deal.activity is None else label(deal.activity)),
        ("Expected close", _day(deal.expected_close)),
        ("Win probability", "stage's" if deal.probability is None else f"{deal.probability}% (the deal's own)"),
        ("Customer value", t(deal.customer_value or "-")),
        ("Customer impact", "-" if deal.customer_impact is None else money_code_last(deal.customer_impact, deal.currency)),
    ]
    next_step = t(deal.next_step or "-")
    if deal.next_step_due is not None:
        next_step.append(f" (due {deal.next_step_due.isoformat()})")
    rows.append(("Next step", next_step))
    rows.append(("Tags", t(", ".join(deal.tags) or "-")))
    if work.is_work_board(board):
        rows.append(("Estimate", "-" if deal.estimate_minutes is None else format_minutes(deal.estimate_minutes)))
        linked_text = t("-") if deal.linked_deal_id is None else t(f"#{deal.linked_deal_id}")
        if linked is not None:
            linked_text.append(" ").append_text(t(linked.title))
        rows.append(("Linked deal", linked_text))
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
        _answer, from_deal = rules.effective_answer(criterion.name, deal)
        if from_deal:
            table.add_row(t(criterion.name), Text("yes", style="green"), "from customer value", "", "", gates)
            continue
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


def deal_renderable(
    deal: Deal, now: datetime, board: Board, timeline: Sequence[Event], *, linked: Deal | None = None
) -> RenderableType:
    """`show`: the fields, contacts, qualification and the timeline, newest first
    (`linked`: a work card's deal)."""
    title = Text.assemble(f"#{deal.id} ", (visible(deal.title), "bold"))
    if deal.is_blocked:
        title.append(f"  {BLOCKED_MARK}", style="bold red")
    return Group(
        title,
        deal_fields(deal, now, board, linked=linked),
        Text(""),
        contacts_table(deal),
        qualification_table(deal, board),
        events_table(timeline, title=Text("Timeline (newest first)", style="bold")),
    )


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


def lanes_renderable(view: BoardView, now: datetime, lane: Lane) -> RenderableType:
    """The board once in swimlanes: one section per lane, each across every stage, with
    the lane's deals and value per stage and its WIP limit where one is set."""
    board = view.board
    per_stage = [dict(rules.lanes_of(column.deals, lane)) for column in view.columns]
    values = sorted({value for stage in per_stage for value in stage}, key=rules.lane_sort_key(lane))
    limits = {limit.value: limit.wip_max for limit in board.lane_limits if limit.dimension is lane}
    active = rules.lane_counts_of(board, (deal for column in view.columns for deal in column.deals)) if limits else {}
    open_deals = sum(c.count for c in view.columns if not c.stage.is_closed)
    title = Text.assemble(
        (visible(board.name), "bold"),
        f" · {open_deals} open deal{'s' if open_deals != 1 else ''} · lanes: {lane.value}",
    )
    sections: list[RenderableType] = [title]
    if not values:
        sections.append(Text("(no deals)", style="dim"))
    for value in values:
        lane_deals = [stage.get(value, []) for stage in per_stage]
        count = sum(len(deals) for deals in lane_deals)
        heading = t(rules.lane_name(lane, value), style="bold")
        heading.append(f" · {count} deal{'s' if count != 1 else ''}")
        if value in limits:
            now_in, wip_max = active.get((lane, value), 0), limits[value]
            state = "over" if now_in > wip_max else "at" if now_in == wip_max else "ok"
            heading.append(" · ")
            heading.append(f"WIP {now_in}/{wip_max}", style=WIP_STYLES[state] or "")
        table = Table(box=box.SQUARE, title=heading, title_justify="left", expand=True, show_lines=False)
        for column, deals in zip(view.columns, lane_deals, strict=True):
            header = t(column.stage.name, style="bold")
            header.append(f"\n{len(deals)}", style="dim")
            if deals:
                header.append(" · ", style="dim")
                header.append(totals_text(_totals(deals)), style="green")
            table.add_column(header, ratio=1, overflow="fold", vertical="top")
        table.add_row(*(Group(*(card(deal, now) for deal in deals)) if deals else Text("-", style="dim")
                        for deals in lane_deals))
        sections.append(table)
    return Group(*sections)


def _totals(deals: Sequence[Deal]) -> list[tuple[str, Decimal]]:
    sums: dict[str, Decimal] = {}
    for deal in deals:
        sums[deal.currency] = sums.get(deal.currency, Decimal(0)) + deal.value
    return sorted(sums.items())
