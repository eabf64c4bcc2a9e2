"""Qualification: the board's criteria (`criteria ...`) and a deal's answers (`qualify`)."""

from __future__ import annotations

from typing import Annotated

import typer

from leankanban.commands import printing, tables
from leankanban.commands.deals import DealId, TableOrJson
from leankanban.commands.policies import CardOption, WhyOption, because
from leankanban.commands.state import state
from leankanban.domain.model import Answer, Board

criteria_app = typer.Typer(
    help="Qualification criteria and the stages they gate (no command: list them).",
    invoke_without_command=True,
)

CriterionName = Annotated[str, typer.Argument(metavar="NAME", help="The criterion's name (case-insensitive).")]
Format = Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")]


def print_criteria(board: Board, format: TableOrJson) -> None:
    if format is TableOrJson.json:
        ordered = sorted(board.criteria, key=lambda c: c.position)
        typer.echo(printing.to_json([printing.criterion_record(board, c) for c in ordered]))
    else:
        printing.make_console().print(tables.criteria_table(board))


@criteria_app.callback()
def criteria(ctx: typer.Context, format: Format = TableOrJson.table) -> None:
    """List the board's qualification criteria, or change them."""
    if ctx.invoked_subcommand is None:
        app = state(ctx)
        print_criteria(app.services().get_board(app.board), format)


@criteria_app.command("list")
def list_criteria(ctx: typer.Context, format: Format = TableOrJson.table) -> None:
    """List the criteria with the stages each one gates."""
    app = state(ctx)
    print_criteria(app.services().get_board(app.board), format)


@criteria_app.command("add")
def add_criterion(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new criterion, e.g. 'Budget'.")],
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Add a qualification criterion to the board."""
    app = state(ctx)
    board = app.services().add_criterion(name, board=app.board, because=because(why, card))
    added = max(board.criteria, key=lambda c: c.position)
    printing.say(f"Added criterion '{added.name}'.")


@criteria_app.command("remove")
def remove_criterion(ctx: typer.Context, name: CriterionName, why: WhyOption = None, card: CardOption = None) -> None:
    """Remove a criterion and every deal's answer to it (the history keeps them)."""
    app = state(ctx)
    services = app.services()
    found = services.get_board(app.board).criterion(name)
    services.remove_criterion(name, board=app.board, because=because(why, card))
    printing.say(f"Removed criterion '{found.name}'.")


@criteria_app.command("require")
def require_criterion(
    ctx: typer.Context,
    name: CriterionName,
    stage: Annotated[str, typer.Option("--for", metavar="STAGE", help="The stage that needs a yes to it.")],
    not_: Annotated[bool, typer.Option("--not", help="Stop requiring it for that stage.")] = False,
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Make a yes to a criterion a condition for entering a stage."""
    app = state(ctx)
    board = app.services().require_criterion(name, stage, board=app.board, required=not not_, because=because(why, card))
    criterion = board.criterion(name)
    target = board.stage(stage)
    if not_:
        printing.say(f"'{target.name}' no longer requires '{criterion.name}'.")
    else:
        printing.say(f"Deals need a yes to '{criterion.name}' to enter '{target.name}'.")


def qualify(
    ctx: typer.Context,
    deal_id: DealId,
    criterion: Annotated[str, typer.Argument(metavar="CRITERION", help="The criterion (case-insensitive).")],
    yes: Annotated[bool, typer.Option("--yes", help="The deal meets it.")] = False,
    no: Annotated[bool, typer.Option("--no", help="The deal does not meet it.")] = False,
    unknown: Annotated[bool, typer.Option("--unknown", help="Not known yet.")] = False,
    note: Annotated[str, typer.Option("--note", "-n", metavar="TEXT", help="Why, or where the answer came from.")] = "",
) -> None:
    """Answer a qualification criterion for a deal: --yes, --no or --unknown."""
    chosen = [answer for answer, given in ((Answer.YES, yes), (Answer.NO, no), (Answer.UNKNOWN, unknown)) if given]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --yes, --no or --unknown.", param_hint="answer")
    services = state(ctx).services()
    deal = services.qualify(deal_id, criterion, chosen[0], note=note)
    name = next(n for n in deal.qualification if n.casefold() == criterion.strip().casefold())
    printing.say(f"Deal {deal_id}: {name} = {chosen[0].value}.")


@criteria_app.command("define")
def define_criterion(
    ctx: typer.Context,
    name: CriterionName,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What it means to answer yes ('' clears it; Markdown allowed).")],
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Write down what a qualification criterion means (shown by leankanban policies)."""
    app = state(ctx)
    app.services().define_criterion(name, text, board=app.board, because=because(why, card))
    printing.say("Definition written (leankanban policies shows it).")
