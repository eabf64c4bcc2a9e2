"""Sales sprints: `sprint start|show|list|close|commit` and `sprint objective add|tick`.

Parse -> service -> render. `sprint close` holds the sprint's retro in the
same transaction: give the items as options, or at a terminal answer the
questions; a script must pass items or --no-retro (it is never asked).
"""

from __future__ import annotations

import enum
from datetime import UTC, date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from leankanban.commands import printing
from leankanban.commands.retro import ITEM_OPTIONS, Improve, NotWell, Tag, Well, echo_saved, gather_items
from leankanban.commands.state import state
from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, NotFound
from leankanban.domain.model import Deal
from leankanban.reports.shared import number
from leankanban.text import amount, money_code_last, visible

if TYPE_CHECKING:
    from leankanban.services import LeanKanban

sprint_app = typer.Typer(
    help="Time-boxed sales sprints: a goal, objectives, committed deals, a burn-up and a retro at the end "
    "(no command: show the current sprint).",
    invoke_without_command=True,
)
objective_app = typer.Typer(help="The open sprint's measurable objectives.", no_args_is_help=True)
sprint_app.add_typer(objective_app, name="objective")

SPARK = "▁▂▃▄▅▆▇█"
BAR_WIDTH = 20


class TextOrJson(str, enum.Enum):
    text = "text"
    json = "json"


class TableOrJson(str, enum.Enum):
    table = "table"
    json = "json"


# --- small formatters -----------------------------------------------------------------


def sparkline(values: list[Decimal], top: Decimal) -> str:
    """One character per day, from ▁ (nothing) to █ (`top`)."""
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[max(0, min(7, round(float(v / top) * 7)))] for v in values)


def bar(done: float, total: float) -> str:
    """`██████░░░░ 60%` (capped at a full bar; the percentage is not)."""
    if total <= 0:
        return ""
    share = done / total
    filled = max(0, min(BAR_WIDTH, round(share * BAR_WIDTH)))
    return "█" * filled + "░" * (BAR_WIDTH - filled) + f" {share:.0%}"


def _today(services: LeanKanban) -> date:
    return services.clock().astimezone(UTC).date()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def velocity_text(v: sp.Velocity) -> str:
    return (
        f"won {amount(v.won_value)} ({_plural(v.won_count, 'deal')}), {_plural(v.deals_advanced, 'deal')} advanced, "
        f"objectives {v.objectives_met}/{v.objectives_total} met"
    )


def _committed(services: LeanKanban, sprint: sp.Sprint) -> list[Deal]:
    deals = []
    for deal_id in sprint.committed:
        try:
            deals.append(services.get_deal(deal_id))
        except NotFound:  # pragma: no cover - a committed deal is not deleted
            continue
    return deals


# --- records ------------------------------------------------------------------------


def objective_record(o: sp.Objective) -> dict[str, Any]:
    return {
        "id": o.id,
        "text": o.text,
        "progress": o.progress,
        "target": o.target,
        "done": o.done,
        "done_at": printing.iso(o.done_at),
        "deal_id": o.deal_id,
        "carried_from": o.carried_from,
    }


def velocity_record(v: sp.Velocity | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "won_value": number(v.won_value),
        "won_count": v.won_count,
        "deals_advanced": v.deals_advanced,
        "objectives_met": v.objectives_met,
        "objectives_total": v.objectives_total,
    }


def point_record(p: sp.BurnUpPoint) -> dict[str, Any]:
    return {
        "day": p.day.isoformat(),
        "won_value": number(p.won_value),
        "objectives_done": p.objectives_done,
        "ideal_value": number(p.ideal_value),
        "ideal_objectives": p.ideal_objectives,
    }


def sprint_summary(sprint: sp.Sprint) -> dict[str, Any]:
    """A sprint in `sprint list --format json`."""
    return {
        "number": sprint.number,
        "start": sprint.start.isoformat(),
        "end": sprint.end.isoformat(),
        "status": sprint.status.value,
        "goal": sprint.goal,
        "target_value": number(sprint.target_value),
        "closed_at": printing.iso(sprint.closed_at),
        "objectives_met": sum(1 for o in sprint.objectives if o.done),
        "objectives_total": len(sprint.objectives),
        "velocity": velocity_record(sprint.velocity),
    }


# --- commands ------------------------------------------------------------------------


@sprint_app.callback()
def sprint(ctx: typer.Context) -> None:
    """Show the current sprint, or run one of the commands below."""
    if ctx.invoked_subcommand is None:
        show(ctx, None, TextOrJson.text)


@sprint_app.command("start")
def start(
    ctx: typer.Context,
    length: Annotated[str, typer.Option("--length", "-l", metavar="1w|2w|4w|Nd", help="How long it runs from today: 1w, 2w, 4w, or days such as 10d.")] = "2w",
    goal: Annotated[str, typer.Option("--goal", "-g", metavar="TEXT", help="What the team wants to achieve, in a sentence.")] = "",
    target_value: Annotated[str | None, typer.Option("--target-value", "-v", metavar="N", help="Value to win in the sprint, e.g. 50000 (the burn-up aims at it).")] = None,
) -> None:
    """Start the board's next sprint today (one sprint is open at a time)."""
    app = state(ctx)
    started = app.services().start_sprint(board=app.board, length=length, goal=goal, target_value=target_value)
    typer.echo(
        f"Started {started.name}: {started.start.isoformat()} to {started.end.isoformat()} ({_plural(started.days, 'day')})."
    )
    carried = [o for o in started.objectives if o.carried_from is not None]
    if carried:
        typer.echo(f"Carried over {_plural(len(carried), 'objective')} from the last sprint.")
    typer.echo("Next: `leankanban sprint objective add TEXT` and `leankanban sprint commit DEAL_ID`.")


def sprint_record(services: LeanKanban, sprint: sp.Sprint, board: str, points: list[sp.BurnUpPoint]) -> dict[str, Any]:
    today = _today(services)
    return {
        "board": board,
        **sprint_summary(sprint),
        # The instant its burn-up counts wins from (DEFINITIONS.md, "Sprint burn-up").
        "started_at": sprint.begins.isoformat(),
        "days": sprint.days,
        "day": sprint.day_number(today),
        "objectives": [objective_record(o) for o in sprint.objectives],
        "committed": [
            {"id": d.id, "title": d.title, "stage": d.stage, "status": d.status.value, "value": number(d.value), "currency": d.currency}
            for d in _committed(services, sprint)
        ],
        "burn_up": [point_record(p) for p in points],
        "open_improvements": [
            {"id": d.id, "title": d.title, "stage": d.stage} for d in services.open_improvements(board=board)
        ],
    }


def _burn_up_lines(sprint: sp.Sprint, points: list[sp.BurnUpPoint]) -> list[Text]:
    if not points:
        return []
    last = points[-1]
    won = [p.won_value for p in points]
    top = max([sprint.target_value or Decimal(0), *won])
    value = Text.assemble(("Won      ", "bold"), sparkline(won, top), f"  {amount(last.won_value)}")
    if sprint.target_value:
        value.append(f" of {amount(sprint.target_value)}  {bar(float(last.won_value), float(sprint.target_value))}")
    lines = [value]
    total = len(sprint.objectives)
    if total:
        done = [Decimal(p.objectives_done) for p in points]
        lines.append(
            Text.assemble(
                ("Done     ", "bold"), sparkline(done, Decimal(total)),
                f"  {last.objectives_done} of {total} objectives  {bar(last.objectives_done, total)}",
            )
        )
    return lines


def _burn_up_table(sprint: sp.Sprint, points: list[sp.BurnUpPoint]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=Text("Burn-up", style="bold"), title_justify="left")
    table.add_column("Day", justify="right", style="dim")
    table.add_column("Date")
    table.add_column("Won", justify="right")
    table.add_column("Ideal", justify="right", style="dim")
    table.add_column("Objectives", justify="right")
    table.add_column("Ideal", justify="right", style="dim")
    for day, p in enumerate(points, 1):
        table.add_row(
            str(day), p.day.isoformat(), amount(p.won_value), amount(p.ideal_value, cents=False),
            str(p.objectives_done), f"{p.ideal_objectives:g}",
        )
    return table


def sprint_renderable(services: LeanKanban, sprint: sp.Sprint, points: list[sp.BurnUpPoint], board: str) -> RenderableType:
    today = _today(services)
    title = Text.assemble((sprint.name, "bold"), " · ", visible(board), f" · {sprint.status.value}")
    parts: list[RenderableType] = [title]
    if sprint.goal:
        parts.append(Text.assemble(("Goal     ", "bold"), visible(sprint.goal)))
    dates = f"{sprint.start.isoformat()} to {sprint.end.isoformat()}"
    if sprint.status is sp.SprintStatus.OPEN:
        dates += f" · day {sprint.day_number(today)} of {sprint.days}"
        if today > sprint.end:
            dates += " (past its end; close it with `sprint close`)"
    elif sprint.closed_at is not None:
        dates += f" · closed {printing.local_time(sprint.closed_at)}"
    parts.append(Text.assemble(("Dates    ", "bold"), dates))
    parts.append(Text.assemble(("Target   ", "bold"), amount(sprint.target_value) if sprint.target_value is not None else "none set"))
    if sprint.velocity is not None:
        parts.append(Text.assemble(("Velocity ", "bold"), velocity_text(sprint.velocity)))
    parts += _burn_up_lines(sprint, points)

    parts.append(Text(""))
    if sprint.objectives:
        table = Table(box=box.SIMPLE_HEAD, title=Text("Objectives", style="bold"), title_justify="left")
        table.add_column("ID", justify="right", style="dim")
        table.add_column("Objective", overflow="fold", ratio=1)
        table.add_column("Progress", justify="right")
        table.add_column("Done")
        table.add_column("Deal", justify="right")
        for o in sprint.objectives:
            text = printing.t(o.text)
            if o.carried_from is not None:
                text.append(" (carried over)", style="dim")
            table.add_row(
                str(o.id), text, f"{o.progress}/{o.target}",
                Text("done", style="green") if o.done else Text("-", style="dim"),
                f"#{o.deal_id}" if o.deal_id is not None else "",
            )
        parts.append(table)
    else:
        parts.append(Text("No objectives yet; add one with `sprint objective add TEXT --target N`.", style="dim"))

    deals = _committed(services, sprint)
    if deals:
        table = Table(box=box.SIMPLE_HEAD, title=Text("Committed deals", style="bold"), title_justify="left")
        table.add_column("ID", justify="right", style="dim")
        table.add_column("Deal", overflow="fold", ratio=1)
        table.add_column("Stage")
        table.add_column("Status")
        table.add_column("Value", justify="right", no_wrap=True)
        for d in deals:
            table.add_row(str(d.id), printing.t(d.title), printing.t(d.stage), d.status.value, money_code_last(d.value, d.currency))
        parts.append(table)
    else:
        parts.append(Text("No committed deals; commit one with `sprint commit DEAL_ID`.", style="dim"))

    if points:
        parts.append(_burn_up_table(sprint, points))

    improvements = services.open_improvements(board=board)
    if improvements:
        parts.append(Text("Open improvements from retros", style="bold"))
        for d in improvements:
            parts.append(Text.assemble(f"  #{d.id} ", visible(d.title), (f"  ({visible(d.stage)})", "dim")))
    return Group(*parts)


@sprint_app.command("show")
def show(
    ctx: typer.Context,
    sprint_number: Annotated[int | None, typer.Argument(metavar="NUMBER", help="Which sprint (default: the open one, else the latest).", min=1)] = None,
    format: Annotated[TextOrJson, typer.Option("--format", "-f", help="text, or json (with every burn-up point).")] = TextOrJson.text,
) -> None:
    """Show a sprint: goal, dates, objectives, committed deals, the burn-up and open improvements."""
    app = state(ctx)
    services = app.services()
    board = services.get_board(app.board).name
    found = services.get_sprint(sprint_number, board=board)
    points = services.burn_up(found.number, board=board)
    if format is TextOrJson.json:
        typer.echo(printing.to_json(sprint_record(services, found, board, points)))
    else:
        printing.make_console().print(sprint_renderable(services, found, points, board))


@sprint_app.command("list")
def list_sprints(
    ctx: typer.Context,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the board's sprints with their velocity (won value, deals advanced, objectives met)."""
    app = state(ctx)
    found = app.services().list_sprints(board=app.board)
    if format is TableOrJson.json:
        typer.echo(printing.to_json([sprint_summary(s) for s in found]))
        return
    if not found:
        printing.make_console().print(Text("No sprints yet; start one with `sprint start`.", style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("#", justify="right")
    table.add_column("Start")
    table.add_column("End")
    table.add_column("Status")
    table.add_column("Won", justify="right")
    table.add_column("Deals won", justify="right")
    table.add_column("Advanced", justify="right")
    table.add_column("Objectives", justify="right")
    table.add_column("Goal", overflow="fold", ratio=1)
    for s in found:
        v = s.velocity
        met = sum(1 for o in s.objectives if o.done)
        table.add_row(
            str(s.number), s.start.isoformat(), s.end.isoformat(),
            Text(s.status.value, style="green" if s.status is sp.SprintStatus.OPEN else ""),
            amount(v.won_value) if v else "-", str(v.won_count) if v else "-", str(v.deals_advanced) if v else "-",
            f"{v.objectives_met}/{v.objectives_total}" if v else f"{met}/{len(s.objectives)}",
            printing.t(s.goal),
        )
    printing.make_console().print(table)


@sprint_app.command("close")
def close(
    ctx: typer.Context,
    carry_over: Annotated[bool, typer.Option("--carry-over", help="Carry unfinished objectives into the next sprint.")] = False,
    no_retro: Annotated[bool, typer.Option("--no-retro", help="Close without a retro (hold it later with `retro sprint N`).")] = False,
    well: Well = None,
    not_well: NotWell = None,
    improve: Improve = None,
    tag: Tag = None,
) -> None:
    """Close the open sprint, record its velocity and hold its retro, all at once.

    With no item options and no --no-retro, the retro questions are asked at a
    terminal; a script gets one sentence asking for the options instead.
    """
    app = state(ctx)
    services = app.services()
    items = None
    if not no_retro:
        if services.current_sprint(board=app.board) is None:  # say so before any question
            name = services.get_board(app.board).name
            raise InvalidInput(f"No sprint is open on board '{name}'; start one with `sprint start`.")
        items = gather_items(
            well, not_well, improve, tag,
            refusal=f"Say how the sprint went with {ITEM_OPTIONS} (each can repeat), or pass --no-retro to close it "
            "without a retro; nothing was changed.",
        )
        if items.empty:
            raise InvalidInput("No retro items were given; the sprint is still open (pass --no-retro to close it without one).")
    closed, held = services.close_sprint(
        board=app.board, carry_over=carry_over, retro=not no_retro, **(items.kwargs() if items else {})
    )
    typer.echo(f"Closed {closed.name} ({closed.start.isoformat()} to {closed.end.isoformat()}): {velocity_text(closed.velocity)}.")
    if carry_over and closed.velocity is not None:
        left = closed.velocity.objectives_total - closed.velocity.objectives_met
        if left:
            typer.echo(f"{_plural(left, 'unfinished objective')} will carry over into the next sprint.")
    if held is not None:
        echo_saved(services, held, closed.name)


@sprint_app.command("commit")
def commit(
    ctx: typer.Context,
    deal_id: Annotated[int, typer.Argument(metavar="DEAL_ID", help="The deal to commit to the open sprint.", min=1)],
    remove: Annotated[bool, typer.Option("--remove", help="Take the deal out of the sprint instead.")] = False,
) -> None:
    """Commit a deal to the open sprint (or take it out with --remove)."""
    app = state(ctx)
    services = app.services()
    updated = services.commit_deal(deal_id, board=app.board, remove=remove)
    deal = services.get_deal(deal_id)
    verb = "Took" if remove else "Committed"
    where = "out of" if remove else "to"
    typer.echo(
        f"{verb} deal {deal_id} {visible(deal.title)} ({visible(deal.stage)}) {where} {updated.name}; "
        f"{_plural(len(updated.committed), 'deal')} committed."
    )


@objective_app.command("add")
def add_objective(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="A measurable outcome, e.g. 'Book 5 discovery meetings'.")],
    target: Annotated[int, typer.Option("--target", "-n", metavar="N", help="How many make it met (default 1).")] = 1,
    deal_id: Annotated[int | None, typer.Option("--deal", "-d", metavar="ID", help="The deal it is about, if one.")] = None,
) -> None:
    """Add an objective to the open sprint and print its id."""
    app = state(ctx)
    added = app.services().add_objective(text, board=app.board, target=target, deal_id=deal_id)
    typer.echo(f"Added objective {added.id}: {visible(added.text)} (0/{added.target}).")


@objective_app.command("tick")
def tick_objective(
    ctx: typer.Context,
    objective_id: Annotated[int, typer.Argument(metavar="ID", help="The objective's id (see `sprint show`).", min=1)],
    count: Annotated[int, typer.Option("--count", "-n", metavar="N", help="How much progress to add (negative takes it back).")] = 1,
) -> None:
    """Record progress on an objective; it is met when it reaches its target."""
    app = state(ctx)
    ticked = app.services().tick_objective(objective_id, count=count, board=app.board)
    status = "met" if ticked.done else "not met yet"
    typer.echo(f"Objective {ticked.id}: {ticked.progress}/{ticked.target}, {status}.")
