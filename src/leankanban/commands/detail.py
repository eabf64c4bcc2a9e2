"""One deal up close: show, note, contacts, undo."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from leankanban.commands import printing, tables
from leankanban.commands.deals import DealId
from leankanban.commands.state import state
from leankanban.domain.model import Board

if TYPE_CHECKING:
    from leankanban.services import LeanKanban


class TextOrJson(str, enum.Enum):
    text = "text"
    json = "json"


contact_app = typer.Typer(help="Add or remove the people on a deal.", no_args_is_help=True)


def board_of(services: LeanKanban, board_id: int | None) -> Board:
    """The board a deal is on (which need not be the --board in use)."""
    for board in services.list_boards():
        if board.id == board_id:
            return board
    return services.get_board()  # pragma: no cover - a deal always has a board


def show(
    ctx: typer.Context,
    deal_id: DealId,
    format: Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")] = TextOrJson.text,
) -> None:
    """Show every field of a deal, its contacts, answers and timeline."""
    services = state(ctx).services()
    deal = services.get_deal(deal_id)
    board = board_of(services, deal.board_id)
    timeline = services.timeline(deal_id)
    now = services.clock()
    changed = services.policy_changes_of_card(deal_id)  # an improvement card's policy changes
    if format is TextOrJson.json:
        record = printing.full_deal_record(deal, now, board, timeline)
        if changed:
            record["policy_changes"] = [printing.event_record(e) for e in changed]
        typer.echo(printing.to_json(record))
    else:
        linked = None if deal.linked_deal_id is None else services.get_deal(deal.linked_deal_id)
        console = printing.make_console()
        console.print(tables.deal_renderable(deal, now, board, timeline, linked=linked))
        if changed:
            console.print(Text("Policies changed for this card", style="bold"))
            console.print(tables.events_table(changed))


def note(
    ctx: typer.Context,
    deal_id: DealId,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note, e.g. 'Called Jo; wants a demo'.")],
) -> None:
    """Add a note to a deal's timeline."""
    event = state(ctx).services().add_note(deal_id, text)
    typer.echo(f"Added a note to deal {event.deal_id}.")


@contact_app.command("add")
def add_contact(
    ctx: typer.Context,
    deal_id: DealId,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The person's name.")],
    role: Annotated[
        str,
        typer.Option("--role", "-r", metavar="decision_maker|champion|detractor|influencer|user", help="Their part in the decision."),
    ] = "influencer",
    stance: Annotated[
        str, typer.Option("--stance", "-s", metavar="supportive|neutral|opposed|unknown", help="How they feel about the deal.")
    ] = "unknown",
    email: Annotated[str, typer.Option("--email", "-e", help="Their email address.")] = "",
) -> None:
    """Add a contact to a deal."""
    contact = state(ctx).services().add_contact(deal_id, name, role=role, stance=stance, email=email)
    printing.say(f"Added {contact.name} ({contact.role.value}, {contact.stance.value}) to deal {deal_id}.")


@contact_app.command("remove")
def remove_contact(
    ctx: typer.Context,
    deal_id: DealId,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The contact's name (case-insensitive).")],
) -> None:
    """Remove a contact from a deal."""
    state(ctx).services().remove_contact(deal_id, name)
    printing.say(f"Removed {name.strip()} from deal {deal_id}.")


def undo(
    ctx: typer.Context,
    event_id: Annotated[int, typer.Argument(metavar="EVENT_ID", help="The change to undo (ids are in `history`).", min=1)],
) -> None:
    """Undo a move or an edit by recording the opposite change."""
    marker = state(ctx).services().undo(event_id)
    typer.echo(f"Undid event {event_id} on deal {marker.deal_id}.")
