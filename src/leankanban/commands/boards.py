"""Board commands: init, boards, board."""

from __future__ import annotations

import enum
from dataclasses import replace
from typing import Annotated

import typer

from leankanban.commands import printing, tables
from leankanban.commands.deals import TableOrJson
from leankanban.commands.state import state
from leankanban.domain import rules
from leankanban.domain.model import Lane

#: The templates the domain knows, as choices for --template.
Template = enum.Enum("Template", {name.replace("-", "_"): name for name in rules.TEMPLATES}, type=str)  # type: ignore[misc]


def init(
    ctx: typer.Context,
    template: Annotated[
        Template, typer.Option("--template", "-t", help="Stages to start with.")
    ] = Template(rules.DEFAULT_TEMPLATE),  # type: ignore[assignment]
    board: Annotated[
        str | None, typer.Option("--board", "-b", metavar="NAME", help=f"Board name (default: {rules.DEFAULT_BOARD}).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH_OR_URL",
            help="The database to create it in, with its folders (the global --db works too).",
        ),
    ] = None,
) -> None:
    """Create a board from a template (and the database, with its folders, if new)."""
    app = state(ctx)
    if db:
        app.settings = replace(app.settings, db=db, db_is_default=False)
    name = board or app.board or rules.DEFAULT_BOARD
    created = app.services(ensure_board=False, create_folders=True).init_board(name, template.value)
    printing.say(f"Created board '{created.name}' ({created.template}): {', '.join(s.name for s in created.stages)}.")


def boards(
    ctx: typer.Context,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the boards in the database."""
    found = state(ctx).services().list_boards()
    if format is TableOrJson.json:
        typer.echo(printing.to_json([printing.board_record(b, default=i == 0) for i, b in enumerate(found)]))
    else:
        printing.make_console().print(tables.boards_table(found))


class LaneChoice(str, enum.Enum):
    """What `board --lanes` groups by (the swimlanes of the TUI's `s`)."""

    owner = "owner"
    type = "type"
    priority = "priority"
    account = "account"


def board(
    ctx: typer.Context,
    lanes: Annotated[
        LaneChoice | None,
        typer.Option("--lanes", "-l", help="Swimlanes: one section per lane, across every stage."),
    ] = None,
) -> None:
    """Print the board once (no interaction), e.g. for a stand-up or a pipe."""
    app = state(ctx)
    services = app.services()
    view = services.board_view(app.board)
    if lanes is None:
        printing.make_console().print(tables.board_renderable(view, services.clock()))
    else:
        printing.make_console().print(tables.lanes_renderable(view, services.clock(), Lane(lanes.value)))
