"""Closing deals: discard, win, reopen, and the board's discard reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from leankanban.commands import printing
from leankanban.commands.deals import DealId, Override, TableOrJson
from leankanban.commands.policies import CardOption, WhyOption, because
from leankanban.commands.state import state
from leankanban.text import money_code_last

if TYPE_CHECKING:
    from leankanban.services import MoveResult

reasons_app = typer.Typer(
    help="The board's discard reasons (no command: list them).",
    invoke_without_command=True,
)

Format = Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")]


def _warn(result: MoveResult) -> None:
    for warning in result.warnings:
        printing.say(f"Warning: {warning}", err=True)


def discard(
    ctx: typer.Context,
    deal_id: DealId,
    reason: Annotated[str, typer.Option("--reason", "-r", help="One of the board's discard reasons (see `reasons`).")],
    competitor: Annotated[
        str | None, typer.Option("--competitor", "-c", help="Who won it instead (needed when lost to a competitor).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", "-n", help="Anything worth remembering about it.")] = None,
) -> None:
    """Qualify out or lose a deal from any stage, with a reason."""
    result = state(ctx).services().discard(deal_id, reason, competitor=competitor, note=note)
    _warn(result)
    printing.say(f"Discarded deal {deal_id} ({result.deal.lost_reason}); it is in {result.deal.stage}.")


def win(
    ctx: typer.Context,
    deal_id: DealId,
    value: Annotated[str | None, typer.Option("--value", "-v", help="The final value, if it changed.")] = None,
) -> None:
    """Close a deal as won."""
    result = state(ctx).services().win(deal_id, value=value)
    _warn(result)
    deal = result.deal
    printing.say(f"Won deal {deal_id} at {money_code_last(deal.value, deal.currency)}; it is in {deal.stage}.")


def reopen(
    ctx: typer.Context,
    deal_id: DealId,
    stage: Annotated[
        str | None, typer.Option("--stage", "-s", help="Open stage to reopen into (default: the last one it was in).")
    ] = None,
    override: Override = None,
) -> None:
    """Bring a won or lost deal back onto the board."""
    result = state(ctx).services().reopen(deal_id, stage=stage, override_reason=override)
    _warn(result)
    printing.say(f"Reopened deal {deal_id} in {result.deal.stage}.")


def _print_reasons(reasons: tuple[str, ...], format: TableOrJson) -> None:
    if format is TableOrJson.json:
        typer.echo(printing.to_json(list(reasons)))
    else:
        for reason in reasons:
            printing.say(reason)


@reasons_app.callback()
def reasons(ctx: typer.Context, format: Format = TableOrJson.table) -> None:
    """List the board's discard reasons, or replace them with `set`."""
    if ctx.invoked_subcommand is None:
        app = state(ctx)
        _print_reasons(app.services().get_board(app.board).discard_reasons, format)


@reasons_app.command("list")
def list_reasons(ctx: typer.Context, format: Format = TableOrJson.table) -> None:
    """List the board's discard reasons, one a line."""
    app = state(ctx)
    _print_reasons(app.services().get_board(app.board).discard_reasons, format)


@reasons_app.command("set")
def set_reasons(
    ctx: typer.Context,
    reasons: Annotated[list[str], typer.Argument(metavar="REASON...", help="Every reason, in order, e.g. 'No budget' 'Timing'.")],
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Replace the board's discard reasons (closed deals keep theirs)."""
    app = state(ctx)
    board = app.services().set_discard_reasons(reasons, board=app.board, because=because(why, card))
    printing.say(f"Discard reasons: {', '.join(board.discard_reasons)}.")


@reasons_app.command("define")
def define_reason(
    ctx: typer.Context,
    reason: Annotated[str, typer.Argument(metavar="REASON", help="One of the board's discard reasons.")],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="When it applies ('' clears it; Markdown allowed).")],
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Write down when a discard reason applies (shown by leankanban policies)."""
    app = state(ctx)
    app.services().define_reason(reason, text, board=app.board, because=because(why, card))
    printing.say("Definition written (leankanban policies shows it).")
