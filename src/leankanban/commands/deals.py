"""Deal commands: add, move, edit, history, deals. Parse -> service -> render."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated

import typer

from leankanban.commands import printing, tables
from leankanban.commands.state import state
from leankanban.domain import defaults, rules
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus


class ListFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(str, enum.Enum):
    table = "table"
    json = "json"


DealId = Annotated[int, typer.Argument(metavar="DEAL_ID", help="The deal's id (as printed by `add` and `deals`).", min=1)]
Override = Annotated[
    str | None,
    typer.Option("--override", metavar="REASON", help="Go over a WIP limit (or move a blocked deal forward) anyway; the reason is recorded."),
]
DealType = Annotated[
    str | None,
    typer.Option("--type", metavar="new_logo|expansion|renewal", help="What kind of deal it is."),
]
Priority = Annotated[
    str | None,
    typer.Option(
        "--priority", metavar="expedite|fixed_date|standard|intangible", help="Class of service (how urgent)."
    ),
]
Activity = Annotated[
    str | None,
    typer.Option(
        "--activity", "--category", metavar="origination|influence|support|none",
        help="Where the owner's effort goes, a work card's category (none: no category, the default).",
    ),
]
Estimate = Annotated[
    str | None,
    typer.Option("--estimate", metavar="DURATION|none", help="A work card's estimate: 45m, 2h, 1h30m (at most 40h)."),
]
LinkedDeal = Annotated[
    str | None,
    typer.Option("--deal", metavar="DEAL_ID|none", help="The deal a work card does work for."),
]
ExpectedClose = Annotated[
    str | None, typer.Option("--expected-close", metavar="DATE", help="Expected close date, YYYY-MM-DD.")
]
NextStepDue = Annotated[
    str | None, typer.Option("--next-step-due", metavar="DATE", help="When the next step is due, YYYY-MM-DD.")
]
Tags = Annotated[str | None, typer.Option("--tags", metavar="'a,b'", help="Tags, separated by commas.")]
Probability = Annotated[
    str | None,
    typer.Option("--probability", metavar="PERCENT|none", help="The deal's own win probability, 0-100 (none: its stage's)."),
]
Helpers = Annotated[
    str | None, typer.Option("--helpers", metavar="'bob,cy'", help="People helping the owner, separated by commas.")
]
CustomerValue = Annotated[
    str | None,
    typer.Option(
        "--customer-value", metavar="TEXT",
        help="What the deal is worth to the customer, in their terms: more revenue, less cost, a risk gone "
        "('' clears it). On a lean-sales board it lets the deal into Proposal.",
    ),
]
Impact = Annotated[
    str | None,
    typer.Option(
        "--impact", metavar="AMOUNT|none",
        help="That customer value as an amount in the deal's currency, e.g. 120000 (none: no estimate).",
    ),
]

#: Edit options in the order `edit` names them when none is given.
EDIT_OPTIONS = {
    "title": "--title",
    "account": "--account",
    "value": "--value",
    "currency": "--currency",
    "owner": "--owner",
    "next_step": "--next-step",
    "deal_type": "--type",
    "priority": "--priority",
    "activity": "--activity",
    "expected_close": "--expected-close",
    "next_step_due": "--next-step-due",
    "tags": "--tags",
    "helpers": "--helpers",
    "probability": "--probability",
    "linked_deal_id": "--deal",
    "estimate_minutes": "--estimate",
    "customer_value": "--customer-value",
    "customer_impact": "--impact",
}


def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="What the deal is, e.g. 'Acme rollout'.")],
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Stage to start in (default: the first).")] = None,
    account: Annotated[str, typer.Option("--account", "-a", help="The customer account.")] = "",
    value: Annotated[str | None, typer.Option("--value", "-v", help="Deal value, e.g. 12000 or 1,234.50.")] = None,
    currency: Annotated[str, typer.Option("--currency", "-c", help="Three-letter currency code.")] = defaults.CURRENCY,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="Who owns it (default: $LEANKANBAN_USER).")] = None,
    next_step: Annotated[str, typer.Option("--next-step", "-n", help="The next concrete step.")] = "",
    deal_type: DealType = None,
    priority: Priority = None,
    activity: Activity = None,
    expected_close: ExpectedClose = None,
    next_step_due: NextStepDue = None,
    tags: Tags = None,
    helpers: Helpers = None,
    probability: Probability = None,
    estimate: Estimate = None,
    linked_deal: LinkedDeal = None,
    customer_value: CustomerValue = None,
    impact: Impact = None,
    override: Override = None,
) -> None:
    """Add a deal (or, on an activities board, a work card) and print its id."""
    app = state(ctx)
    deal = app.services().add_deal(
        title,
        board=app.board,
        stage=stage,
        account=account,
        value=value,
        currency=currency,
        owner=owner,
        next_step=next_step,
        override_reason=override,
        deal_type=deal_type,
        priority=priority,
        activity=activity,
        expected_close=expected_close,
        next_step_due=next_step_due,
        tags=tags,
        helpers=helpers,
        probability=probability,
        estimate_minutes=estimate,
        linked_deal_id=linked_deal,
        customer_value=customer_value,
        customer_impact=impact,
    )
    typer.echo(deal.id)


def move(
    ctx: typer.Context,
    deal_id: DealId,
    stage: Annotated[str, typer.Argument(metavar="STAGE", help="The stage to move it to (case-insensitive).")],
    override: Override = None,
    from_stage: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="STAGE",
            help="The stage you saw the deal in: if someone moved it since, nothing changes.",
        ),
    ] = None,
) -> None:
    """Move a deal to another stage, within the WIP limits and blocks."""
    result = state(ctx).services().move_deal(deal_id, stage, override_reason=override, from_stage=from_stage)
    for warning in result.warnings:
        printing.say(f"Warning: {warning}", err=True)
    printing.say(f"Moved deal {result.deal.id} to {result.deal.stage}.")


def edit(
    ctx: typer.Context,
    deal_id: DealId,
    title: Annotated[str | None, typer.Option("--title", "-t", help="New title.")] = None,
    account: Annotated[str | None, typer.Option("--account", "-a", help="New account.")] = None,
    value: Annotated[str | None, typer.Option("--value", "-v", help="New value.")] = None,
    currency: Annotated[str | None, typer.Option("--currency", "-c", help="New currency code.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="New owner.")] = None,
    next_step: Annotated[str | None, typer.Option("--next-step", "-n", help="New next step ('' clears it).")] = None,
    deal_type: DealType = None,
    priority: Priority = None,
    activity: Activity = None,
    expected_close: ExpectedClose = None,
    next_step_due: NextStepDue = None,
    tags: Tags = None,
    helpers: Helpers = None,
    probability: Probability = None,
    estimate: Estimate = None,
    linked_deal: LinkedDeal = None,
    customer_value: CustomerValue = None,
    impact: Impact = None,
    override: Override = None,
    if_version: Annotated[
        int | None,
        typer.Option(
            "--if-version",
            metavar="N",
            help="The deal's version you saw ('version' in show --format json): if it changed since, nothing changes.",
        ),
    ] = None,
) -> None:
    """Change any of a deal's fields ('' clears dates, tags and helpers)."""
    given = {
        "title": title,
        "account": account,
        "value": value,
        "currency": currency,
        "owner": owner,
        "next_step": next_step,
        "deal_type": deal_type,
        "priority": priority,
        "activity": activity,
        "expected_close": expected_close,
        "next_step_due": next_step_due,
        "tags": tags,
        "helpers": helpers,
        "probability": probability,
        "linked_deal_id": linked_deal,
        "estimate_minutes": estimate,
        "customer_value": customer_value,
        "customer_impact": impact,
    }
    changes = {name: raw for name, raw in given.items() if raw is not None}
    if not changes:
        raise InvalidInput(f"Nothing to change; give at least one of {', '.join(EDIT_OPTIONS.values())}.")
    services = state(ctx).services()
    before = services.get_deal(deal_id)
    after = services.edit_deal(deal_id, override_reason=override, seen_version=if_version, **changes)
    changed = [EDIT_OPTIONS[name].lstrip("-").replace("-", " ") for name in changes if getattr(before, name) != getattr(after, name)]
    if changed:
        printing.say(f"Updated deal {deal_id}: {', '.join(changed)}.")
    else:
        typer.echo(f"Deal {deal_id} already had those values; nothing changed.")


def history(
    ctx: typer.Context,
    deal_id: DealId,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")] = TableOrJson.table,
) -> None:
    """Show everything that happened to a deal, oldest first."""
    services = state(ctx).services()
    deal = services.get_deal(deal_id)
    events = services.history(deal_id)
    if format is TableOrJson.json:
        typer.echo(printing.to_json([printing.event_record(e) for e in events]))
    else:
        printing.make_console().print(tables.history_table(deal, events))


def deals(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option("--stage", "-s", help="Only deals in this stage.")] = None,
    status: Annotated[DealStatus | None, typer.Option("--status", help="Only open, won or lost deals.")] = None,
    stalled: Annotated[bool, typer.Option("--stalled", help="Only deals with no movement or activity for the board's stall period.")] = False,
    needs_review: Annotated[bool, typer.Option("--needs-review", help="Only deals whose qualification is due for review.")] = False,
    blocked: Annotated[bool, typer.Option("--blocked", help="Only blocked deals.")] = False,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="Only deals this person owns.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-q", metavar="TEXT", help="Words to find in title, account, owner, contacts or tags.")
    ] = None,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
    bom: Annotated[bool, typer.Option("--bom", help="With --format csv: start with a UTF-8 byte order mark (for Excel).")] = False,
) -> None:
    """List the deals on the board, narrowed by any filters given."""
    if bom and format is not ListFormat.csv:
        raise typer.BadParameter("--bom only goes with --format csv.", param_hint="--bom")
    app = state(ctx)
    filters = {"stage": stage, "status": status, "stalled": stalled, "needs_review": needs_review, "blocked": blocked}
    read = app.read_deals()  # no services needed on an existing, current SQLite file (bench/README.md)
    if read is not None:
        board, every = read
        now = datetime.now(UTC)
        found = rules.deals_matching(every, board, now, **filters, owner=owner, text=search)
    else:
        services = app.services()
        board = services.get_board(app.board)
        found = services.list_deals(board=app.board, **filters, owner=owner, text=search)
        now = services.clock()
    if format is ListFormat.json:
        typer.echo(printing.to_json([printing.deal_record(d, now, board) for d in found]))
    elif format is ListFormat.csv:
        echo_csv(printing.deals_csv(found, now, board), bom=bom)
    else:
        printing.make_console().print(tables.deals_table(found, now, board=board))


def echo_csv(text: str, *, bom: bool = False) -> None:
    """CSV to stdout as UTF-8 bytes (with a byte order mark when asked), whatever the locale."""
    typer.echo(text.encode("utf-8-sig" if bom else "utf-8"), nl=False)
