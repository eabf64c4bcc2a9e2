"""`leankanban policies` (the board's explicit policies, one page a team can review) and
`leankanban policy set|log` (write a stage's entry and exit policy; every policy change)."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import typer

from leankanban.commands import printing, tables
from leankanban.commands.deals import TableOrJson
from leankanban.commands.state import state
from leankanban.reports.policies import policies_markdown, policies_record

if TYPE_CHECKING:
    from leankanban.domain.model import PolicyReason

__all__ = ["policies", "policies_markdown", "policies_record", "policy_app"]

#: `--why TEXT` and `--card ID` on every command that changes a policy: the change's
#: `policy_changed` events say why, and link to the improvement card that asked for it.
WhyOption = Annotated[
    str | None,
    typer.Option("--why", metavar="TEXT", help="Why the policy changes (what the retro decided, say); kept in `policy log`."),
]
CardOption = Annotated[
    int | None,
    typer.Option("--card", metavar="ID", help="The improvement card (from a retro) that asked for this change."),
]


def because(why: str | None, card: int | None) -> PolicyReason | None:
    """The `PolicyReason` of `--why` and `--card` (None when neither is given)."""
    if why is None and card is None:
        return None
    from leankanban.domain.model import PolicyReason

    return PolicyReason(why or "", card)


policy_app = typer.Typer(help="A stage's explicit policies, and the record of every policy change.", no_args_is_help=True)


@policy_app.command("set")
def set_policy(
    ctx: typer.Context,
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="The stage (case-insensitive).")],
    entry: Annotated[
        str | None, typer.Option("--entry", metavar="TEXT", help="What must be true for a deal to enter ('' clears it).")
    ] = None,
    exit_: Annotated[
        str | None, typer.Option("--exit", metavar="TEXT", help="What must be true for a deal to leave ('' clears it).")
    ] = None,
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Write down a stage's entry and exit policies (Markdown allowed, shown as written)."""
    from leankanban.services import UNSET

    app = state(ctx)
    changed = app.services().set_stage_policy(
        stage, board=app.board, entry=UNSET if entry is None else entry, exit=UNSET if exit_ is None else exit_,
        because=because(why, card),
    )
    printing.say(f"Stage '{changed.name}': policies written (leankanban policies shows them).")


@policy_app.command("log")
def policy_log(
    ctx: typer.Context,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """Every change of the board's policies: stages, WIP limits, criteria, reasons, settings, targets."""
    app = state(ctx)
    events = app.services().policy_history(board=app.board)
    if format is TableOrJson.json:
        typer.echo(printing.to_json([printing.event_record(e) for e in events]))
        return
    if not events:
        typer.echo("No policy has changed on this board yet.")
        return
    printing.make_console().print(tables.events_table(events))


class PageFormat(str, enum.Enum):
    text = "text"
    md = "md"
    json = "json"


def policies(
    ctx: typer.Context,
    format: Annotated[PageFormat, typer.Option("--format", "-f", help="text, md (a page to review) or json.")] = PageFormat.text,
) -> None:
    """The board's explicit policies on one page: stages with WIP limits, entry and exit
    policies and gates; criteria and discard reasons with their definitions."""
    app = state(ctx)
    board = app.services().get_board(app.board)
    if format is PageFormat.json:
        typer.echo(printing.to_json(policies_record(board)))
    elif format is PageFormat.md:
        typer.echo(policies_markdown(board), nl=False)
    else:
        for line in policies_markdown(board).rstrip("\n").splitlines():
            printing.say(line)  # each line's user text is made visible already; say keeps it so
