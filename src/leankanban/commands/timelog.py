"""Time logs and allocation: `log`, `allocation` and `allocation set`.

`log DEAL_ID DURATION` logs time on a deal; `log - DURATION` logs time outside
any deal. A duration that starts with a minus (`log 1 -5m`) is read as the
duration it is (and refused in one sentence), not as options.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand

from leankanban.commands import printing
from leankanban.commands.policies import CardOption, WhyOption, because
from leankanban.commands.sprint import TableOrJson
from leankanban.commands.state import state
from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity

#: Dash-then-digit tokens (`-5m`, `-1h30m`, `-3`): values, never options.
_NEGATIVE = re.compile(r"-\d[\w.:]*")

allocation_app = typer.Typer(
    help="Share of logged time per activity, per person and for the team, against the board's target "
    "(no command: show it).",
    invoke_without_command=True,
)


class LogCommand(TyperCommand):
    """Reads `-5m` as a value (then refused by the duration check), not as the options -5 and -m."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        # Options that take a value (duck-typed: Typer bundles its own click).
        takes_value = {
            name
            for p in self.params
            if getattr(p, "param_type_name", "") == "option" and not getattr(p, "is_flag", False)
            for name in p.opts
        }
        out: list[str] = []
        literal = value_next = False
        for token in args:
            if not (literal or value_next) and _NEGATIVE.fullmatch(token):
                token = " " + token  # no longer looks like an option; stripped again below
            value_next = not literal and token in takes_value
            literal = literal or token == "--"
            out.append(token)
        return super().parse_args(ctx, out)


def _deal_id(raw: str) -> int | None:
    text = raw.strip()
    if text == "-":
        return None
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise InvalidInput(f"'{text}' is not a deal id; give a number from `deals`, or - for time outside a deal.")


def log(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(metavar="DEAL_ID|-", help="The deal the time went to, or - for time outside a deal.")],
    duration: Annotated[str, typer.Argument(metavar="DURATION", help="How long: 45m, 1h, 1h30m or 1.5h (at most 24h).")],
    category: Annotated[
        str | None,
        typer.Option("--category", "-c", metavar="origination|influence|support", help="What kind of work: finding and winning deals (origination), helping others' deals (influence), or keeping customers going (support); on a work card, the card's."),
    ] = None,
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="What it was, e.g. 'Call with Acme CFO'.")] = "",
) -> None:
    """Log time spent, by activity, on a deal or (with -) outside one."""
    app = state(ctx)
    deal_id = _deal_id(deal)
    logged = app.services().log_time(duration.strip(), deal_id=deal_id, category=category, note=note, board=app.board)
    where = f"deal {deal_id}" if deal_id is not None else "no deal"
    typer.echo(f"Logged {sp.format_minutes(logged.minutes)} of {logged.category.value} on {where}.")


# --- allocation -----------------------------------------------------------------------


def _share(row: sp.Allocation, activity: Activity) -> str:
    share = row.share(activity)
    return "-" if share is None else f"{share:g}%"


def allocation_record(rows: list[sp.Allocation], since: str) -> dict[str, Any]:
    target = rows[-1].target if rows else {}
    return {
        "since": since,
        "target": {a.value: target.get(a, 0) for a in Activity},
        "people": [
            {
                "person": row.person or None,
                "team": row.person == "",
                "minutes_total": row.total,
                "minutes": {a.value: row.minutes.get(a, 0) for a in Activity},
                "share": {a.value: row.share(a) for a in Activity},
            }
            for row in rows
        ],
    }


def _cell(row: sp.Allocation, activity: Activity) -> Text:
    """`62% / 50%`, in yellow when 10 points or more off the target."""
    share = row.share(activity)
    target = row.target.get(activity, 0)
    style = "yellow" if share is not None and abs(share - target) >= 10 else ""
    return Text(f"{_share(row, activity)} / {target}%", style=style)


@allocation_app.callback()
def allocation(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", "-s", metavar="30d|DATE", help="Start of the period: days (30d), weeks (4w) before now, or a date (UTC).")] = "30d",
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """Show the actual share of logged time per activity (actual / target), per person and for the team."""
    if ctx.invoked_subcommand is not None:
        return
    from leankanban.services import reports

    app = state(ctx)
    services = app.services()
    start = reports.parse_since(since, services.clock())
    rows = services.time_allocation(board=app.board, since=start)
    if format is TableOrJson.json:
        typer.echo(printing.to_json(allocation_record(rows, printing.iso(start) or "")))
        return
    table = Table(box=box.SIMPLE_HEAD, title=Text(f"Time since {start.date().isoformat()} (actual / target)", style="bold"), title_justify="left")
    table.add_column("Person", overflow="fold")
    table.add_column("Logged", justify="right")
    for activity in Activity:
        table.add_column(activity.value.capitalize(), justify="right")
    for row in rows:
        person = printing.t(row.person) if row.person else Text("Team", style="bold")
        table.add_row(person, sp.format_minutes(row.total) if row.total else "-", *(_cell(row, a) for a in Activity))
    printing.make_console().print(table)
    if rows and not rows[-1].total:
        printing.make_console().print(Text("No time logged yet; log some with `leankanban log DEAL_ID 45m --category origination`.", style="dim"))


@allocation_app.command("set")
def set_allocation(
    ctx: typer.Context,
    origination: Annotated[int | None, typer.Option("--origination", min=0, max=100, metavar="PERCENT", help="Share for finding and winning new deals.")] = None,
    influence: Annotated[int | None, typer.Option("--influence", min=0, max=100, metavar="PERCENT", help="Share for helping others' deals.")] = None,
    support: Annotated[int | None, typer.Option("--support", min=0, max=100, metavar="PERCENT", help="Share for supporting customers.")] = None,
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Set the board's target allocation; the shares must add up to 100 (an omitted one is 0)."""
    given = {"origination": origination, "influence": influence, "support": support}
    shares = {name: value for name, value in given.items() if value is not None}
    if not shares:
        raise InvalidInput("Give the target shares, e.g. --origination 50 --influence 30 --support 20.")
    app = state(ctx)
    saved = app.services().set_allocation(shares, board=app.board, because=because(why, card))
    typer.echo("Target allocation: " + ", ".join(f"{a.value} {v}%" for a, v in saved.items()) + ".")

