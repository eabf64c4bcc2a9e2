"""Stage commands: `stages` lists them; the `stage` sub-app changes them.

Positions count from 1 here (the first stage is 1), in input and in output.
"""

from __future__ import annotations

from typing import Annotated

import typer

from leankanban.commands import printing, tables
from leankanban.commands.deals import TableOrJson
from leankanban.commands.policies import CardOption, WhyOption, because
from leankanban.commands.state import state
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import StageKind
from leankanban.text import visible

#: Words that clear a limit, as in `--wip-max none`.
CLEAR_WORDS = ("none", "off", "")

stage_app = typer.Typer(
    help="Change the board's stages: WIP limits, add, rename, remove, reorder.",
    no_args_is_help=True,
)

StageName = Annotated[str, typer.Argument(metavar="STAGE", help="The stage's name (case-insensitive).")]
Position = Annotated[int, typer.Argument(metavar="POSITION", help="New position, counting from 1.", min=1)]
LimitText = str | None


def stages(
    ctx: typer.Context,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the board's stages with WIP limits, deal counts and value."""
    app = state(ctx)
    services = app.services()
    summaries = services.stage_summaries(app.board)
    if format is TableOrJson.json:
        typer.echo(printing.to_json([printing.stage_record(s) for s in summaries]))
    else:
        printing.make_console().print(tables.stages_table(services.get_board(app.board), summaries))


def _limit(raw: str | None, clear: bool, option: str) -> int | None:
    """UNSET (keep), None (clear) or a number, from `--wip-x N|none` and `--no-wip-x`."""
    from leankanban.services import UNSET  # here: importing the services loads SQLAlchemy

    if clear and raw is not None:
        raise typer.BadParameter(f"give either --{option} or --no-{option}, not both.", param_hint=f"--{option}")
    if clear:
        return None
    if raw is None:
        return UNSET
    if raw.strip().lower() in CLEAR_WORDS:
        return None
    try:
        return int(raw)
    except ValueError:
        raise typer.BadParameter(f"'{visible(raw)}' is not a whole number or 'none'.", param_hint=f"--{option}") from None


@stage_app.command("set")
def set_limits(
    ctx: typer.Context,
    name: StageName,
    wip_max: Annotated[LimitText, typer.Option("--wip-max", metavar="N|none", help="Most open deals allowed.")] = None,
    wip_min: Annotated[LimitText, typer.Option("--wip-min", metavar="N|none", help="Fewest open deals wanted.")] = None,
    no_wip_max: Annotated[bool, typer.Option("--no-wip-max", help="Remove the maximum.")] = False,
    no_wip_min: Annotated[bool, typer.Option("--no-wip-min", help="Remove the minimum.")] = False,
    stale_after: Annotated[
        LimitText, typer.Option("--stale-after", metavar="N|none", help="Days in the stage before a card is stale.")
    ] = None,
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Set or clear a stage's WIP limits and when its cards turn stale."""
    from leankanban.services import UNSET

    new_max = _limit(wip_max, no_wip_max, "wip-max")
    new_min = _limit(wip_min, no_wip_min, "wip-min")
    new_stale = _limit(stale_after, False, "stale-after")
    if new_max is UNSET and new_min is UNSET and new_stale is UNSET:
        raise InvalidInput(
            "Nothing to change; give --wip-max, --wip-min, --no-wip-max, --no-wip-min or --stale-after."
        )
    app = state(ctx)
    services = app.services()
    changed = services.set_stage_limits(
        name, board=app.board, wip_min=new_min, wip_max=new_max, stale_after_days=new_stale, because=because(why, card)
    )
    stage = changed.stage
    for warning in changed.warnings:
        printing.say(f"Warning: {warning}", err=True)
    if new_max is not UNSET or new_min is not UNSET:
        printing.say(
            f"Stage '{stage.name}': WIP minimum {printing.limit_text(stage.wip_min)}, "
            f"maximum {printing.limit_text(stage.wip_max)}."
        )
    if new_stale is not UNSET:
        after = "never turn stale" if stage.stale_after_days is None else f"turn stale after {stage.stale_after_days} days"
        printing.say(f"Stage '{stage.name}': cards {after}.")


@stage_app.command("add")
def add_stage(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new stage's name.")],
    position: Annotated[
        int | None, typer.Option("--position", "-p", help="Where it goes, counting from 1 (default: before Won/Lost).", min=1)
    ] = None,
    kind: Annotated[StageKind, typer.Option("--kind", "-k", help="Open work, or a won/lost outcome.")] = StageKind.OPEN,
    wip_min: Annotated[int | None, typer.Option("--wip-min", help="Fewest open deals wanted.")] = None,
    wip_max: Annotated[int | None, typer.Option("--wip-max", help="Most open deals allowed.")] = None,
    upstream: Annotated[bool, typer.Option("--upstream", help="Mark it as an upstream (pre-commitment) stage.")] = False,
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Add a stage to the board."""
    app = state(ctx)
    stage = app.services().add_stage(
        name,
        board=app.board,
        position=None if position is None else position - 1,
        kind=kind,
        wip_min=wip_min,
        wip_max=wip_max,
        upstream=upstream,
        because=because(why, card),
    )
    printing.say(f"Added stage '{stage.name}' at position {stage.position + 1}.")


@stage_app.command("rename")
def rename_stage(
    ctx: typer.Context,
    old: StageName,
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new name.")],
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Rename a stage; its deals and history stay with it."""
    app = state(ctx)
    before = app.services().get_board(app.board).stage(old)
    stage = app.services().rename_stage(old, new, board=app.board, because=because(why, card))
    printing.say(f"Renamed stage '{before.name}' to '{stage.name}'.")


@stage_app.command("remove")
def remove_stage(ctx: typer.Context, name: StageName, why: WhyOption = None, card: CardOption = None) -> None:
    """Remove an empty stage."""
    app = state(ctx)
    stage = app.services().get_board(app.board).stage(name)
    app.services().remove_stage(name, board=app.board, because=because(why, card))
    printing.say(f"Removed stage '{stage.name}'.")


@stage_app.command("reorder")
def reorder_stage(
    ctx: typer.Context, name: StageName, position: Position, why: WhyOption = None, card: CardOption = None
) -> None:
    """Move a stage to another position on the board."""
    app = state(ctx)
    order = app.services().reorder_stage(name, position - 1, board=app.board, because=because(why, card))
    printing.say("Stages: " + ", ".join(f"{s.position + 1}. {s.name}" for s in order) + ".")
