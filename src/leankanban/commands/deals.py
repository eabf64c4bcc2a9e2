"""Deal commands: add, move, edit, history, deals. Parse -> service -> render."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from leankanban.commands import render
from leankanban.commands.state import state
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus


class ListFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(str, enum.Enum):
    table = "table"
    json = "json"


DealId = Annotated[int, typer.Argument(metavar="DEAL_ID", help="The deal's id (as printed by `add` and `deals`).", min=1)]
Override = Annotated[
    str | None,
    typer.Option("--override", metavar="REASON", help="Go over a WIP limit anyway; the reason is recorded."),
]


def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What the deal is, e.g. 'Acme rollout'.")],
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Stage to start in (default: the first).")] = None,
    account: Annotated[str, typer.Option("--account", "-a", help="The customer account.")] = "",
    value: Annotated[str | None, typer.Option("--value", "-v", help="Deal value, e.g. 12000 or 1,234.50.")] = None,
    currency: Annotated[str, typer.Option("--currency", "-c", help="Three-letter currency code.")] = "EUR",
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="Who owns it (default: $LEANKANBAN_USER).")] = None,
    next_step: Annotated[str, typer.Option("--next-step", "-n", help="The next concrete step.")] = "",
    override: Override = None,
) -> None:
    """Add a deal and print its id."""
    app = state(ctx)
    deal = app.services().add_deal(
        title,
        board=app.board,
        stage=stage,
        account=account,
        value=value,
        currency=currency,
        owner=owner,
        next_step=next_step,
        override_reason=override,
    )
    typer.echo(deal.id)


def move(
    ctx: typer.Context,
    deal_id: DealId,
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="The stage to move it to (case-insensitive).")],
    override: Override = None,
) -> None:
    """Move a deal to another stage, within the WIP limits."""
    result = state(ctx).services().move_deal(deal_id, stage, override_reason=override)
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    typer.echo(f"Moved deal {result.deal.id} to {result.deal.stage}.")


def edit(
    ctx: typer.Context,
    deal_id: DealId,
    title: Annotated[str | None, typer.Option("--title", "-t", help="New title.")] = None,
    account: Annotated[str | None, typer.Option("--account", "-a", help="New account.")] = None,
    value: Annotated[str | None, typer.Option("--value", "-v", help="New value.")] = None,
    currency: Annotated[str | None, typer.Option("--currency", "-c", help="New currency code.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="New owner.")] = None,
    next_step: Annotated[str | None, typer.Option("--next-step", "-n", help="New next step ('' clears it).")] = None,
    override: Override = None,
) -> None:
    """Change a deal's title, account, value, currency, owner or next step."""
    given = {"title": title, "account": account, "value": value, "currency": currency, "owner": owner, "next_step": next_step}
    changes = {name: raw for name, raw in given.items() if raw is not None}
    if not changes:
        raise InvalidInput("Nothing to change; give at least one of --title, --account, --value, --currency, --owner, --next-step.")
    services = state(ctx).services()
    before = services.get_deal(deal_id)
    after = services.edit_deal(deal_id, override_reason=override, **changes)
    changed = [name.replace("_", " ") for name in changes if getattr(before, name) != getattr(after, name)]
    if changed:
        typer.echo(f"Updated deal {deal_id}: {', '.join(changed)}.")
    else:
        typer.echo(f"Deal {deal_id} already had those values; nothing changed.")


def history(
    ctx: typer.Context,
    deal_id: DealId,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """Show everything that happened to a deal, oldest first."""
    services = state(ctx).services()
    deal = services.get_deal(deal_id)
    events = services.history(deal_id)
    if format is TableOrJson.json:
        typer.echo(render.to_json([render.event_record(e) for e in events]))
    else:
        render.make_console().print(render.history_table(deal, events))


def deals(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Only deals in this stage.")] = None,
    status: Annotated[DealStatus | None, typer.Option("--status", help="Only open, won or lost deals.")] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """List the deals on the board (table, JSON or CSV)."""
    app = state(ctx)
    services = app.services()
    found = services.list_deals(board=app.board, stage=stage, status=status)
    now = services.clock()
    if format is ListFormat.json:
        typer.echo(render.to_json([render.deal_record(d, now) for d in found]))
    elif format is ListFormat.csv:
        typer.echo(render.deals_csv(found, now), nl=False)
    else:
        board = services.get_board(app.board)
        render.make_console().print(render.deals_table(found, now, board=board))
