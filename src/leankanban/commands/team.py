"""`leankanban team`: the people of a team on a shared PostgreSQL database and their roles."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from leankanban.commands import printing
from leankanban.commands.deals import TableOrJson
from leankanban.commands.state import state

team_app = typer.Typer(help="The team's people and roles (on a shared PostgreSQL database).", no_args_is_help=True)


class Role(str, enum.Enum):
    rep = "rep"
    manager = "manager"


@team_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Their database login (a PostgreSQL role).")],
    role: Annotated[Role, typer.Option("--role", "-r", help="rep: works the deals; manager: also changes policies.")],
    with_password: Annotated[
        bool, typer.Option("--with-password", help="Ask for a password for the login (typed, not shown).")
    ] = False,
) -> None:
    """Add a person as a rep or a manager, or change their role (run by a manager or the owner)."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True) if with_password else None
    new = state(ctx).services(ensure_board=False).add_to_team(name, role.value, password=password)
    verb = "Added" if new else "Updated"
    printing.say(f"{verb} {name} as a {role.value}.")


@team_app.command("list")
def list_(
    ctx: typer.Context,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """Everyone who may work on this database, with their role."""
    people = state(ctx).services(ensure_board=False).team()
    if format is TableOrJson.json:
        typer.echo(printing.to_json([{"name": p.name, "role": p.role} for p in people]))
        return
    from rich.table import Table

    table = Table("Name", "Role", box=None)
    for p in people:
        table.add_row(printing.t(p.name), p.role)
    printing.make_console().print(table)
