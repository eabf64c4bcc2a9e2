"""The retro screen (`i`): past retrospectives and what the history teaches.

Left: every retro on the board; right: the highlighted retro's items, its
5-whys and improvement cards, then insights across retros and closed deals
(loss reasons, retro tags, where deals are discarded, win rate by tag, and
the improvement cadence against the goal of one a month).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from leankanban.domain import sprints as sp
from leankanban.domain.errors import LeanKanbanError
from leankanban.services import LeanKanban
from leankanban.tui.format import visible


def retro_detail(retro: sp.Retro) -> RenderableType:
    lines: list[Text] = [Text.assemble((f"Retro #{retro.id}", "bold"), f" · {retro.kind.value}")]
    for kind, heading in sp.ITEM_LABELS.items():
        items = [i for i in retro.items if i.kind is kind]
        if not items:
            continue
        lines.append(Text(heading, style="bold"))
        for item in items:
            card = f"  (card #{item.card_id})" if item.card_id else ""
            lines.append(Text.assemble("  - ", visible(item.text), (card, "dim")))
    if retro.whys:
        lines.append(Text("5 whys", style="bold"))
        lines.append(Text.assemble("  Problem: ", visible(retro.problem)))
        for n, why in enumerate(retro.whys, 1):
            lines.append(Text.assemble(f"  {n}. Why? ", visible(why)))
        lines.append(Text.assemble("  Root cause: ", (visible(retro.root_cause), "bold")))
    if retro.tags:
        lines.append(Text.assemble(("Tags: ", "dim"), visible(", ".join(retro.tags))))
    return Group(*lines)


def insights_view(found: sp.Insights) -> RenderableType:
    lines = [Text("Insights", style="bold underline")]
    lines.append(Text("Most frequent loss reasons", style="bold"))
    lines += [Text(f"  {visible(r)}: {n}") for r, n in found.loss_reasons[:5]] or [Text("  none yet", style="dim")]
    lines.append(Text("Most frequent retro tags", style="bold"))
    lines += [Text(f"  {visible(t)}: {n}") for t, n in found.retro_tags[:5]] or [Text("  none yet", style="dim")]
    stage = found.top_discard_stage
    lines.append(Text.assemble(("Most discards from: ", "bold"), visible(stage[0]) + f" ({stage[1]})" if stage else "-"))
    lines.append(Text("Win rate by tag", style="bold"))
    lines += [Text(f"  {visible(t)}: {rate:.0%}") for t, rate in found.win_rate_by_tag.items()] or [
        Text("  no closed deals with tags", style="dim")
    ]
    lines.append(
        Text.assemble(
            ("Improvements finished per month ", "bold"),
            f"(goal: at least one; {found.cadence()})",
        )
    )
    lines += [Text(f"  {month}: {count}", style="" if count else "dim") for month, count in found.improvements_per_month]
    return Group(*lines)


class RetrosScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q,i", "close", "Board", id="retros-close", tooltip="Back to the board"),
        Binding("r", "refresh", "Refresh", id="retros-refresh", tooltip="Read the retros again"),
    ]

    def __init__(self, services: LeanKanban, *, board: str | None) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.retros: list[sp.Retro] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="retros"):
            yield DataTable(id="retro-list", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="retro-right"):
                yield Static(Text(""), id="retro-detail")
                yield Static(Text(""), id="retro-insights")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.board or 'board'} · retrospectives"
        self.query_one("#retro-list", DataTable).add_columns("#", "Kind", "When", "About", "Items", "Tags")
        self.read()

    def read(self) -> None:
        try:
            self.retros = list(reversed(self.services.list_retros(board=self.board)))
            found = self.services.insights(board=self.board)
        except LeanKanbanError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        table = self.query_one("#retro-list", DataTable)
        table.clear()
        for retro in self.retros:
            about = retro.problem if retro.kind is sp.RetroKind.WHYS else (
                f"deal #{retro.deal_id}" if retro.deal_id else f"sprint id {retro.sprint_id}"
            )
            table.add_row(
                str(retro.id),
                retro.kind.value,
                retro.created_at.strftime("%Y-%m-%d"),
                Text(visible(about)),
                str(len(retro.items)),
                Text(visible(", ".join(retro.tags))),
                key=str(retro.id),
            )
        self.query_one("#retro-insights", Static).update(insights_view(found))
        self.show_retro(0)
        if not self.retros:
            self.query_one("#retro-detail", Static).update(
                Text("No retros yet: they come from sprint close (p, c), after a win or a loss, or the CLI.")
            )

    def show_retro(self, row: int) -> None:
        if 0 <= row < len(self.retros):
            self.query_one("#retro-detail", Static).update(retro_detail(self.retros[row]))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_retro(event.cursor_row)

    def action_refresh(self) -> None:
        self.read()

    def action_close(self) -> None:
        self.dismiss(None)
