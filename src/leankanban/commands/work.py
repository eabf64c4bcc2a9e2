"""All the work on the board: `load`, each person's WIP on every board (domain/work.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from leankanban.commands import printing
from leankanban.commands.deals import TableOrJson
from leankanban.commands.state import state
from leankanban.domain.work import PersonLoad


def load_record(loads: list[PersonLoad]) -> list[dict[str, Any]]:
    return [
        {"person": p.person, "deals": p.deals, "work_cards": p.work, "total": p.total, "limit": p.limit,
         "over_limit": p.over_limit}
        for p in loads
    ]


def load(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option("--person", "-p", metavar="NAME", help="Only this person.")] = None,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """Each person's work in progress on every board: deals and work cards, against their WIP limit."""
    found = state(ctx).services().load(person=person)
    if format is TableOrJson.json:
        typer.echo(printing.to_json(load_record(found)))
        return
    console = printing.make_console()
    if not found:
        console.print(Text("Nobody has work in progress; set a person's limit with `lane limit owner NAME N`.", style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAD, title=Text("Work in progress on every board", style="bold"), title_justify="left")
    table.add_column("Person", overflow="fold")
    table.add_column("Deals", justify="right")
    table.add_column("Work cards", justify="right")
    table.add_column("Total", justify="right")
    table.add_column("Limit", justify="right")
    for p in found:
        style = "bold red" if p.over_limit else ("yellow" if p.limit is not None and p.total == p.limit else "")
        table.add_row(printing.t(p.person), str(p.deals), str(p.work), Text(str(p.total), style=style),
                      "-" if p.limit is None else str(p.limit))
    console.print(table)
