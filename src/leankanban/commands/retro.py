"""Retrospectives: `retro deal|sprint|why|list|show`, and `insights`.

Parse -> service -> render. With no item options, `retro deal`, `retro sprint`
and `retro why` ask for the items one a line, but only at a terminal; a
script (stdin not a terminal) gets one sentence naming the options instead,
so it never waits for input.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from leankanban.commands import printing
from leankanban.commands.detail import board_of
from leankanban.commands.state import state
from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, NotFound
from leankanban.text import markdown as md
from leankanban.text import visible

if TYPE_CHECKING:
    from leankanban.services import LeanKanban

retro_app = typer.Typer(
    help="Retrospectives on a sprint or a deal, and 5-whys; each --improve item becomes an improvement card.",
    no_args_is_help=True,
)

#: How many times `retro why` asks "Why?" at a terminal.
PROMPTED_WHYS = 5


class TextFormat(str, enum.Enum):
    text = "text"
    md = "md"
    json = "json"


class ListFormat(str, enum.Enum):
    table = "table"
    json = "json"
    md = "md"


Well = Annotated[list[str] | None, typer.Option("--well", "-w", metavar="TEXT", help="What went well (repeat for more).")]
NotWell = Annotated[
    list[str] | None, typer.Option("--not-well", "-n", metavar="TEXT", help="What did not go well (repeat for more).")
]
Improve = Annotated[
    list[str] | None,
    typer.Option("--improve", "-i", metavar="TEXT", help="What to improve (repeat); each becomes an improvement card."),
]
Tag = Annotated[list[str] | None, typer.Option("--tag", "-t", metavar="TAG", help="Tag the items (repeat, or 'a,b').")]

ITEM_OPTIONS = "--well, --not-well or --improve"


# --- asking at a terminal ---------------------------------------------------------------


def stdin_is_terminal() -> bool:
    """Whether a person can answer prompts (tests replace this)."""
    return sys.stdin.isatty()


def ask_list(question: str, *, limit: int | None = None) -> list[str]:
    """Ask for items one a line until an empty line (or `limit` answers)."""
    typer.echo(f"{question} One a line; an empty line ends the list.")
    answers: list[str] = []
    while limit is None or len(answers) < limit:
        line = typer.prompt("  -", default="", show_default=False, prompt_suffix=" ")
        if not line.strip():
            break
        answers.append(line.strip())
    return answers


def split_tags(tags: Sequence[str] | None) -> list[str]:
    """`--tag a --tag 'b, c'` -> ['a', 'b', 'c']."""
    return [t for raw in tags or () for t in raw.replace(",", " ").split()]


@dataclass
class Items:
    well: list[str]
    not_well: list[str]
    improve: list[str]
    tags: list[str]

    @property
    def empty(self) -> bool:
        return not (self.well or self.not_well or self.improve)

    def kwargs(self) -> dict[str, Any]:
        return {"well": self.well, "not_well": self.not_well, "improve": self.improve, "tags": self.tags}


def gather_items(
    well: Sequence[str] | None,
    not_well: Sequence[str] | None,
    improve: Sequence[str] | None,
    tags: Sequence[str] | None,
    *,
    refusal: str,
) -> Items:
    """The items given as options; with none, ask at a terminal, else refuse with `refusal`."""
    items = Items(list(well or ()), list(not_well or ()), list(improve or ()), split_tags(tags))
    if not items.empty:
        return items
    if not stdin_is_terminal():
        raise InvalidInput(refusal)
    items.well = ask_list(sp.ITEM_LABELS[sp.ItemKind.WELL] + "?")
    items.not_well = ask_list(sp.ITEM_LABELS[sp.ItemKind.NOT_WELL] + "?")
    items.improve = ask_list(sp.ITEM_LABELS[sp.ItemKind.IMPROVE] + "? Each becomes an improvement card.")
    if not items.empty and not items.tags:
        raw = typer.prompt("Tags (e.g. 'pricing, demo'; empty for none)", default="", show_default=False)
        items.tags = split_tags([raw])
    return items


# --- what a retro looks like --------------------------------------------------------


def _sprint_numbers(services: LeanKanban, board: str | None) -> dict[int, int]:
    return {s.id: s.number for s in services.list_sprints(board=board)}


def _deal_title(services: LeanKanban, deal_id: int) -> str:
    try:
        return services.get_deal(deal_id).title
    except NotFound:
        return ""


def about(retro: sp.Retro, services: LeanKanban, sprints: dict[int, int]) -> str:
    """What a retro is about, in words (user text included as is)."""
    if retro.kind is sp.RetroKind.SPRINT:
        number = sprints.get(retro.sprint_id or 0)
        return f"Sprint {number}" if number is not None else "a sprint"
    if retro.kind is sp.RetroKind.DEAL and retro.deal_id is not None:
        title = _deal_title(services, retro.deal_id)
        return f"deal #{retro.deal_id} {title}".strip()
    return retro.problem


def _board_names(services: LeanKanban) -> dict[int | None, str]:
    return {b.id: b.name for b in services.list_boards()}


def card_boards(services: LeanKanban, retro: sp.Retro) -> dict[int, str]:
    """Improvement card id -> the board it is on."""
    names = _board_names(services)
    out = {}
    for item in retro.items:
        if item.card_id is not None:
            try:
                out[item.card_id] = names.get(services.get_deal(item.card_id).board_id, "")
            except NotFound:
                out[item.card_id] = ""
    return out


def retro_record(retro: sp.Retro, services: LeanKanban, sprints: dict[int, int]) -> dict[str, Any]:
    boards = card_boards(services, retro)
    return {
        "id": retro.id,
        "kind": retro.kind.value,
        "created_at": printing.iso(retro.created_at),
        "actor": retro.actor,
        "sprint": sprints.get(retro.sprint_id) if retro.sprint_id is not None else None,
        "deal_id": retro.deal_id,
        "about": about(retro, services, sprints),
        "items": [
            {
                "kind": item.kind.value,
                "text": item.text,
                "tags": list(item.tags),
                "card_id": item.card_id,
                "card_board": boards.get(item.card_id) if item.card_id is not None else None,
            }
            for item in retro.items
        ],
        "problem": retro.problem,
        "whys": list(retro.whys),
        "root_cause": retro.root_cause,
        "tags": list(retro.tags),
    }


def _counts(retro: sp.Retro) -> str:
    counts = {kind: len(_listed_items(retro, kind)) for kind in sp.ItemKind}
    text = f"{counts[sp.ItemKind.WELL]} well, {counts[sp.ItemKind.NOT_WELL]} not well, {counts[sp.ItemKind.IMPROVE]} to improve"
    if retro.whys:
        text += f", {len(retro.whys)} whys"
    return text


def _listed_items(retro: sp.Retro, kind: sp.ItemKind) -> list[sp.RetroItem]:
    return [i for i in retro.items if i.kind is kind]


def retro_renderable(retro: sp.Retro, services: LeanKanban, sprints: dict[int, int]) -> RenderableType:
    boards = card_boards(services, retro)
    title = Text.assemble(
        (f"Retro #{retro.id}", "bold"), f" · {retro.kind.value} · ", visible(about(retro, services, sprints))
    )
    meta = Text(f"{printing.local_time(retro.created_at)} by ", style="dim")
    meta.append(visible(retro.actor or "-"))
    parts: list[RenderableType] = [title, meta]
    for kind in sp.ItemKind:
        items = _listed_items(retro, kind)
        if not items:
            continue
        parts.append(Text(""))
        parts.append(Text(sp.ITEM_LABELS[kind], style="bold"))
        for item in items:
            line = Text("  - ")
            line.append(visible(item.text))
            if item.card_id is not None:
                line.append(f"  (card #{item.card_id} on ", style="dim")
                line.append(visible(boards.get(item.card_id, "")), style="dim")
                line.append(")", style="dim")
            parts.append(line)
    if retro.whys:
        parts += [Text(""), Text("5 whys", style="bold"), Text.assemble("  Problem: ", visible(retro.problem))]
        for number, why in enumerate(retro.whys, 1):
            parts.append(Text.assemble(f"  Why {number}: ", visible(why)))
        parts.append(Text.assemble(("  Root cause: ", "bold"), visible(retro.root_cause)))
    if retro.tags:
        parts += [Text(""), Text.assemble(("Tags: ", "dim"), visible(", ".join(retro.tags)))]
    return Group(*parts)


def retro_markdown(retro: sp.Retro, services: LeanKanban, sprints: dict[int, int]) -> str:
    boards = card_boards(services, retro)
    lines = [
        f"## Retro #{retro.id}: {md(about(retro, services, sprints))}",
        "",
        f"*{retro.kind.value} retro, {printing.local_time(retro.created_at)} by {md(retro.actor) or '-'}*",
    ]
    for kind in sp.ItemKind:
        items = _listed_items(retro, kind)
        if not items:
            continue
        lines += ["", f"### {sp.ITEM_LABELS[kind]}", ""]
        for item in items:
            card = f" (card #{item.card_id} on {md(boards.get(item.card_id, ''))})" if item.card_id is not None else ""
            lines.append(f"- {md(item.text)}{card}")
    if retro.whys:
        lines += ["", "### 5 whys", "", f"**Problem:** {md(retro.problem)}", ""]
        lines += [f"{n}. Why? {md(why)}" for n, why in enumerate(retro.whys, 1)]
        lines += ["", f"**Root cause:** {md(retro.root_cause)}"]
    if retro.tags:
        lines += ["", "Tags: " + ", ".join(md(t) for t in retro.tags)]
    return "\n".join(lines) + "\n"


def echo_saved(services: LeanKanban, retro: sp.Retro, what: str) -> None:
    """`Saved retro #3 on Sprint 1: ...`, then the improvement cards and where they went."""
    typer.echo(f"Saved retro #{retro.id} on {visible(what)}: {_counts(retro)}.")
    cards = [i for i in retro.items if i.card_id is not None]
    if not cards:
        return
    boards = card_boards(services, retro)
    names = sorted(set(boards.values()))
    where = ", ".join(f"'{visible(n)}'" for n in names)
    typer.echo(f"Improvement cards on board {where} (see `leankanban --board {visible(names[0])} deals`):")
    for item in cards:
        typer.echo(f"  #{item.card_id} {visible(item.text)}")


# --- commands -------------------------------------------------------------------------


@retro_app.command("deal")
def deal_retro(
    ctx: typer.Context,
    deal_id: Annotated[int, typer.Argument(metavar="DEAL_ID", help="The deal the retro is about (won, lost or open).", min=1)],
    well: Well = None,
    not_well: NotWell = None,
    improve: Improve = None,
    tag: Tag = None,
) -> None:
    """Hold a retro on one deal; with no items given, ask for them at a terminal."""
    app = state(ctx)
    services = app.services()
    deal = services.get_deal(deal_id)  # an unknown deal fails before any question
    items = gather_items(
        well, not_well, improve, tag,
        refusal=f"Give the retro's items with {ITEM_OPTIONS} (each can repeat), or run it at a terminal to be asked.",
    )
    retro = services.create_retro("deal", deal_id=deal_id, **items.kwargs())
    echo_saved(services, retro, f"deal #{deal_id} {deal.title}")


@retro_app.command("sprint")
def sprint_retro(
    ctx: typer.Context,
    number: Annotated[int | None, typer.Argument(metavar="NUMBER", help="The sprint (default: the open one, else the latest).", min=1)] = None,
    well: Well = None,
    not_well: NotWell = None,
    improve: Improve = None,
    tag: Tag = None,
) -> None:
    """Hold a retro on a sprint (another one, or after `sprint close --no-retro`)."""
    app = state(ctx)
    services = app.services()
    sprint = services.get_sprint(number, board=app.board)
    items = gather_items(
        well, not_well, improve, tag,
        refusal=f"Give the retro's items with {ITEM_OPTIONS} (each can repeat), or run it at a terminal to be asked.",
    )
    retro = services.create_retro("sprint", board=app.board, sprint=sprint.number, **items.kwargs())
    echo_saved(services, retro, sprint.name)


@retro_app.command("why")
def why(
    ctx: typer.Context,
    problem: Annotated[str, typer.Argument(metavar="PROBLEM", help="What went wrong, e.g. 'Acme went dark after the demo'.")],
    whys: Annotated[
        list[str] | None,
        typer.Option("--why", metavar="TEXT", help="The answer to the next 'why?' (repeat, in order; the last is the root cause)."),
    ] = None,
    retro_id: Annotated[int | None, typer.Option("--retro", "-r", metavar="ID", help="Add the chain to this retro instead of saving it alone.", min=1)] = None,
    tag: Tag = None,
) -> None:
    """Ask 'why?' until the root cause (5 whys); with no --why, ask at a terminal."""
    app = state(ctx)
    services = app.services()
    if retro_id is not None:
        services.get_retro(retro_id)  # an unknown retro fails before any question
    answers = list(whys or ())
    if not answers:
        if not stdin_is_terminal():
            raise InvalidInput(
                "Give the answers with --why (repeat it, in order; the last is the root cause), "
                "or run it at a terminal to be asked."
            )
        typer.echo(f"Problem: {visible(problem)}")
        for _ in range(PROMPTED_WHYS):
            answer = typer.prompt("Why?", default="", show_default=False, prompt_suffix=" ")
            if not answer.strip():
                break
            answers.append(answer)
    retro = services.retro_why(problem, answers, board=app.board, retro_id=retro_id, tags=split_tags(tag))
    typer.echo(f"Saved the 5 whys in retro #{retro.id}; root cause: {visible(retro.root_cause)}")


@retro_app.command("list")
def list_retros(
    ctx: typer.Context,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="table, json, or md (to paste into a wiki or chat).")] = ListFormat.table,
) -> None:
    """List the board's retros, oldest first."""
    app = state(ctx)
    services = app.services()
    retros = services.list_retros(board=app.board)
    sprints = _sprint_numbers(services, app.board)
    if format is ListFormat.json:
        typer.echo(printing.to_json([retro_record(r, services, sprints) for r in retros]))
        return
    if format is ListFormat.md:
        lines = ["| ID | When | Kind | About | Items | Tags |", "|---|---|---|---|---|---|"]
        for r in retros:
            lines.append(
                f"| {r.id} | {printing.local_time(r.created_at)} | {r.kind.value} | {md(about(r, services, sprints))} "
                f"| {_counts(r)} | {', '.join(md(t) for t in r.tags)} |"
            )
        typer.echo("\n".join(lines))
        return
    if not retros:
        printing.make_console().print(Text("No retros yet; hold one with `retro sprint` or `retro deal DEAL_ID`.", style="dim"))
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("ID", justify="right", style="dim")
    table.add_column("When")
    table.add_column("Kind")
    table.add_column("About", overflow="fold", ratio=2)
    table.add_column("Items", overflow="fold")
    table.add_column("Tags", overflow="fold", ratio=1)
    for r in retros:
        table.add_row(
            str(r.id), printing.local_time(r.created_at), r.kind.value, printing.t(about(r, services, sprints)),
            _counts(r), printing.t(", ".join(r.tags)),
        )
    printing.make_console().print(table)


@retro_app.command("show")
def show(
    ctx: typer.Context,
    retro_id: Annotated[int, typer.Argument(metavar="ID", help="The retro's id (see `retro list`).", min=1)],
    format: Annotated[TextFormat, typer.Option("--format", "-f", help="text, md (to share) or json.")] = TextFormat.text,
) -> None:
    """Show one retro: what went well, what did not, what to improve (with its cards), and any 5 whys."""
    services = state(ctx).services()
    retro = services.get_retro(retro_id)
    board = board_of(services, retro.board_id)
    sprints = _sprint_numbers(services, board.name)
    if format is TextFormat.json:
        typer.echo(printing.to_json(retro_record(retro, services, sprints)))
    elif format is TextFormat.md:
        typer.echo(retro_markdown(retro, services, sprints), nl=False)
    else:
        printing.make_console().print(retro_renderable(retro, services, sprints))


# --- insights ---------------------------------------------------------------------------


def insights_record(found: sp.Insights, since: str) -> dict[str, Any]:
    stage = found.top_discard_stage
    return {
        "since": since,
        "loss_reasons": [{"reason": r, "count": n} for r, n in found.loss_reasons],
        "retro_tags": [{"tag": t, "count": n} for t, n in found.retro_tags],
        "top_discard_stage": None if stage is None else {"stage": stage[0], "count": stage[1]},
        "win_rate_by_tag": found.win_rate_by_tag,
        "improvements_per_month": [{"month": m, "done": n} for m, n in found.improvements_per_month],
        "months_meeting_goal": found.months_meeting_goal,
        "months": found.months,
        "goal_per_month": 1,
    }


def _pct(rate: float) -> str:
    return f"{rate:.0%}"


def insights_lines(found: sp.Insights, since: str, *, markdown: bool) -> list[str]:
    esc = md if markdown else visible
    head = (lambda t: f"## {t}") if markdown else (lambda t: t)
    bullet = "- " if markdown else "  "
    lines = [head(f"Insights since {since}"), ""]
    lines.append(head("Most frequent loss reasons") if markdown else "Most frequent loss reasons:")
    lines += [f"{bullet}{esc(r)}: {n}" for r, n in found.loss_reasons[:5]] or [f"{bullet}none lost"]
    stage = found.top_discard_stage
    where = f"{esc(stage[0])} ({stage[1]} deal{'s' if stage[1] != 1 else ''})" if stage else "-"
    lines += ["", f"Most deals are discarded from: {where}", ""]
    lines.append(head("Most frequent retro tags") if markdown else "Most frequent retro tags:")
    lines += [f"{bullet}{esc(t)}: {n}" for t, n in found.retro_tags[:5]] or [f"{bullet}no tagged retro items"]
    lines += ["", head("Win rate by tag") if markdown else "Win rate by tag (won / closed):"]
    rates = sorted(found.win_rate_by_tag.items(), key=lambda kv: (-kv[1], kv[0]))
    lines += [f"{bullet}{esc(t)}: {_pct(r)}" for t, r in rates] or [f"{bullet}no closed deals with tags"]
    lines += ["", head("Improvements finished per month (goal: at least 1)") if markdown else "Improvements finished per month (goal: at least 1):"]
    lines += [
        f"{bullet}{m}: {n}{'' if n >= 1 else ' (in progress)' if m == found.month_in_progress else ' (below goal)'}"
        for m, n in found.improvements_per_month
    ]
    lines.append(f"{found.cadence().capitalize()}.")
    return lines


def insights(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", "-s", metavar="90d|DATE", help="Start of the period: days (90d), weeks (12w) before now, or a date (UTC).")] = "90d",
    format: Annotated[TextFormat, typer.Option("--format", "-f", help="text, json, or md (to share).")] = TextFormat.text,
) -> None:
    """Patterns over closed deals and retros: loss reasons, retro tags, where deals drop, win rate by tag, improvements."""
    from leankanban.services import reports

    app = state(ctx)
    services = app.services()
    start = reports.parse_since(since, services.clock()).date()
    found = services.insights(board=app.board, since=start)
    if format is TextFormat.json:
        typer.echo(printing.to_json(insights_record(found, start.isoformat())))
    else:
        typer.echo("\n".join(insights_lines(found, start.isoformat(), markdown=format is TextFormat.md)))
