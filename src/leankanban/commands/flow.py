"""Flow policies: blockers, the board's review and stall periods, lane and person WIP limits."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from leankanban.commands import printing, tables
from leankanban.commands.deals import DealId, TableOrJson
from leankanban.commands.policies import CardOption, WhyOption, because
from leankanban.commands.stages import CLEAR_WORDS
from leankanban.commands.state import state
from leankanban.domain.model import Board
from leankanban.text import amount, visible

lane_app = typer.Typer(help="WIP limits per swimlane: per person (owner), deal type or priority.", no_args_is_help=True)


class LaneDimension(str, enum.Enum):
    owner = "owner"
    type = "type"
    priority = "priority"


def parse_limit(raw: str, param_hint: str) -> int | None:
    """A whole number, or None for `none`/`off`."""
    if raw.strip().lower() in CLEAR_WORDS:
        return None
    try:
        return int(raw)
    except ValueError:
        raise typer.BadParameter(f"'{visible(raw)}' is not a whole number or 'none'.", param_hint=param_hint) from None


def block(
    ctx: typer.Context,
    deal_id: DealId,
    reason: Annotated[str, typer.Option("--reason", "-r", help="What the deal is waiting for.")],
) -> None:
    """Mark a deal as blocked, with what blocks it."""
    deal = state(ctx).services().block(deal_id, reason)
    printing.say(f"Blocked deal {deal.id}: {deal.blocked_reason}.")


def unblock(ctx: typer.Context, deal_id: DealId) -> None:
    """Clear a deal's blocker."""
    deal = state(ctx).services().unblock(deal_id)
    typer.echo(f"Unblocked deal {deal.id}.")


def _settings_text(board: Board) -> str:
    stale = ", ".join(
        f"{visible(s.name)} {s.stale_after_days}" for s in board.stages if not s.is_closed and s.stale_after_days is not None
    )
    lines = [
        f"Board '{visible(board.name)}':",
        f"  review qualification every {board.review_days} days (--review-days)",
        f"  a deal is stalled after {board.stall_days} days without activity (--stall-days)",
        f"  stages stale after (days): {stale or 'none set'} (`stage set STAGE --stale-after N`)",
        f"  pipeline target: {'none set' if board.pipeline_target is None else amount(board.pipeline_target, cents=True)}"
        " (--pipeline-target)",
        f"  delivery capacity: {'none set' if board.capacity_per_week is None else board.capacity_per_week}"
        " won deals a week (--capacity-per-week)",
    ]
    return "\n".join(lines)


def settings(
    ctx: typer.Context,
    review_days: Annotated[
        int | None, typer.Option("--review-days", metavar="N", help="Days before a deal's qualification needs review.")
    ] = None,
    stall_days: Annotated[
        int | None, typer.Option("--stall-days", metavar="N", help="Days without activity before a deal is stalled.")
    ] = None,
    pipeline_target: Annotated[
        str | None,
        typer.Option("--pipeline-target", metavar="AMOUNT|none",
                     help="Pipeline the report measures coverage against (e.g. 500000); 'none' removes it."),
    ] = None,
    capacity_per_week: Annotated[
        str | None,
        typer.Option("--capacity-per-week", metavar="N|none",
                     help="Won deals delivery can take on per week; 'none' removes it."),
    ] = None,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Show or change the board's settings: review, stall, target, capacity."""
    app = state(ctx)
    services = app.services()
    changes: dict[str, object] = {}
    if pipeline_target is not None:
        changes["pipeline_target"] = None if pipeline_target.strip().lower() in CLEAR_WORDS else pipeline_target
    if capacity_per_week is not None:
        changes["capacity_per_week"] = parse_limit(capacity_per_week, "--capacity-per-week")
    if review_days is None and stall_days is None and not changes:
        board = services.get_board(app.board)
    else:
        board = services.set_board_settings(
            board=app.board, review_days=review_days, stall_days=stall_days, because=because(why, card),
            **changes,  # type: ignore[arg-type]
        )
    if format is TableOrJson.json:
        record = printing.settings_record(board)
        record.setdefault("pipeline_target", None if board.pipeline_target is None else float(board.pipeline_target))
        record.setdefault("capacity_per_week", board.capacity_per_week)
        typer.echo(printing.to_json(record))
    else:
        typer.echo(_settings_text(board))


@lane_app.command("limit")
def lane_limit(
    ctx: typer.Context,
    dimension: Annotated[LaneDimension, typer.Argument(metavar="owner|type|priority", help="What the lane groups by.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="A person, a deal type or a priority.")],
    limit: Annotated[str, typer.Argument(metavar="N|none", help="Most active deals in the lane; 'none' removes it.")],
    why: WhyOption = None,
    card: CardOption = None,
) -> None:
    """Set or remove a WIP limit on one lane (owner NAME is a person's limit)."""
    wip_max = parse_limit(limit, "N|none")
    app = state(ctx)
    board = app.services().set_lane_limit(dimension.value, value, wip_max, board=app.board, because=because(why, card))
    lanes = [f"{lane.value} {lane.wip_max}" for lane in board.lane_limits if lane.dimension.value == dimension.value]
    printing.say(f"WIP limits on {dimension.value}: {', '.join(lanes) if lanes else 'none'}.")


@lane_app.command("list")
def lane_list(
    ctx: typer.Context,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """List the lane and person WIP limits."""
    app = state(ctx)
    board = app.services().get_board(app.board)
    if format is TableOrJson.json:
        typer.echo(printing.to_json([printing.lane_record(lane) for lane in board.lane_limits]))
    else:
        printing.make_console().print(tables.lanes_table(board))
