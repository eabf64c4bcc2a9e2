"""The sprint screen (`p`): goal, objectives, committed deals, burn-up, improvements.

Start a sprint (`s`), add (`a`) and tick (`t`) objectives, and close it
(`c`) with its retrospective. The burn-up is drawn by plotext as text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from leankanban.domain import sprints as sp
from leankanban.domain.errors import LeanKanbanError
from leankanban.services import LeanKanban
from leankanban.text import amount
from leankanban.tui.format import visible
from leankanban.tui.screens.metrics import plain_chart
from leankanban.tui.screens.retro import RetroAnswers, RetroDialog
from leankanban.tui.widgets.plot import PlotView


@dataclass(frozen=True)
class SprintPlan:
    length: str
    goal: str
    target: str


@dataclass(frozen=True)
class ObjectivePlan:
    text: str
    target: int


class StartSprintDialog(ModalScreen[SprintPlan | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="start-cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Start a sprint"), id="dialog-title")
            yield Label("Length")
            yield Select([("1 week", "1w"), ("2 weeks", "2w"), ("4 weeks", "4w")], value="2w", allow_blank=False,
                         id="length")
            yield Label("Goal")
            yield Input(placeholder="e.g. Close Hooli and book 5 demos", id="goal")
            yield Label("Target won value (optional)")
            yield Input(placeholder="e.g. 200000", id="target")
            with Horizontal(classes="buttons"):
                yield Button("Start", variant="primary", id="start")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#start")
    @on(Input.Submitted)
    def _start(self) -> None:
        self.dismiss(
            SprintPlan(
                length=str(self.query_one("#length", Select).value),
                goal=self.query_one("#goal", Input).value,
                target=self.query_one("#target", Input).value,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ObjectiveDialog(ModalScreen[ObjectivePlan | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="objective-cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("New objective"), id="dialog-title")
            yield Label("A measurable outcome")
            yield Input(placeholder="e.g. Book 5 discovery meetings", id="text")
            yield Label("Count to reach")
            yield Input(value="1", id="count", type="integer")
            yield Static("", id="objective-error", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button("Add", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#add")
    @on(Input.Submitted)
    def _add(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        count = self.query_one("#count", Input).value.strip() or "1"
        if not text:
            self.query_one("#objective-error", Static).update(Text("Describe the objective."))
            return
        self.dismiss(ObjectivePlan(text, int(count)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def burn_up_chart(points: list[sp.BurnUpPoint], sprint: sp.Sprint, *, width: int, height: int) -> str:
    """Won value (and the ideal line) per sprint day, drawn as text."""
    from leankanban.charts import plotext

    plt = plotext()

    plt.clear_figure()
    plt.plotsize(max(width, 30), max(height, 8))
    plt.theme("clear")
    plt.title("Burn-up: won value")
    days = list(range(1, sprint.days + 1))
    won = [float(p.won_value) for p in points]
    if won:
        plt.plot(days[: len(won)], won, label="won", marker="dot")
    if sprint.target_value is not None:
        ideal = [float(sprint.target_value) * d / sprint.days for d in days]
        plt.plot(days, ideal, label="ideal")
    plt.xlabel("sprint day")
    return plt.build()


class SprintScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q,p", "close", "Board", id="sprint-close-screen", tooltip="Back to the board"),
        Binding("s", "start", "Start sprint", id="sprint-start", tooltip="Start a sprint (when none is open)"),
        Binding("a", "add_objective", "Objective", id="sprint-objective", tooltip="Add an objective"),
        Binding("t", "tick", "Tick", id="sprint-tick", tooltip="Add progress to the selected objective"),
        Binding("c", "close_sprint", "Close sprint", id="sprint-close", tooltip="Close the sprint and hold its retro"),
        Binding("r", "refresh", "Refresh", id="sprint-refresh", tooltip="Read the sprint again"),
    ]

    def __init__(self, services: LeanKanban, *, board: str | None) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.sprint: sp.Sprint | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="sprint"):
            with VerticalScroll(id="sprint-left"):
                yield Static(Text(""), id="sprint-summary")
                yield DataTable(id="objectives", cursor_type="row", zebra_stripes=True)
                yield Static(Text(""), id="sprint-deals")
                yield Static(Text(""), id="sprint-improvements")
            yield PlotView(id="burn-up")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#objectives", DataTable)
        table.add_columns("#", "Objective", "Progress", "Met")
        self.sub_title = f"{self.board or 'board'} · sprint"
        self.refresh_sprint()

    def refresh_sprint(self) -> None:
        try:
            sprints = self.services.list_sprints(board=self.board)
        except LeanKanbanError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        open_ones = [s for s in sprints if s.status is sp.SprintStatus.OPEN]
        self.sprint = open_ones[0] if open_ones else (sprints[-1] if sprints else None)
        self._show()

    def _show(self) -> None:
        summary = self.query_one("#sprint-summary", Static)
        table = self.query_one("#objectives", DataTable)
        table.clear()
        sprint = self.sprint
        if sprint is None:
            summary.update(Text("No sprint yet. Press s to start one."))
            self.query_one("#sprint-deals", Static).update("")
            self.query_one("#sprint-improvements", Static).update("")
            self.query_one("#burn-up", PlotView).show(None)
            return
        today = self.services.clock().date()
        state = "open" if sprint.status is sp.SprintStatus.OPEN else "closed"
        lines = [
            Text.assemble((f"{sprint.name}", "bold"), f" · {state}"),
            Text.assemble(("Goal    ", "dim"), visible(sprint.goal) or "-"),
            Text.assemble(
                ("Dates   ", "dim"),
                f"{sprint.start.isoformat()} to {sprint.end.isoformat()} · day {sprint.day_number(today)} of {sprint.days}",
            ),
            Text.assemble(("Target  ", "dim"), amount(sprint.target_value, cents=False)),
        ]
        if sprint.velocity is not None:
            v = sprint.velocity
            lines.append(
                Text.assemble(
                    ("Velocity ", "dim"),
                    f"won {amount(v.won_value, cents=False)} ({v.won_count} deals), {v.deals_advanced} advanced, "
                    f"objectives {v.objectives_met}/{v.objectives_total}",
                )
            )
        summary.update(Group(*lines))
        for objective in sprint.objectives:
            table.add_row(
                str(objective.id),
                Text(visible(objective.text)),
                f"{objective.progress}/{objective.target}",
                "yes" if objective.done else "",
                key=str(objective.id),
            )
        deals = []
        for deal_id in sprint.committed:
            try:
                deal = self.services.get_deal(deal_id)
            except LeanKanbanError:
                continue
            deals.append(Text.assemble(f"  #{deal.id} ", visible(deal.title), (f"  {visible(deal.stage)}", "dim")))
        self.query_one("#sprint-deals", Static).update(
            Group(Text("Committed deals", style="bold"), *(deals or [Text("  none", style="dim")]))
        )
        improvements = self.services.open_improvements(board=self.board)
        rows = [Text.assemble(f"  #{d.id} ", visible(d.title), (f"  {visible(d.stage)}", "dim")) for d in improvements]
        self.query_one("#sprint-improvements", Static).update(
            Group(Text("Open improvements", style="bold"), *(rows or [Text("  none", style="dim")]))
        )
        self._draw_chart()

    def _draw_chart(self) -> None:
        if self.sprint is None:
            return
        sprint = self.sprint
        points = self.services.burn_up(sprint.number, board=self.board)
        done = points[-1].objectives_done if points else 0
        footer = Text(f"objectives met: {done} of {len(sprint.objectives)}")

        def draw(width: int, height: int) -> Group:
            return Group(plain_chart(burn_up_chart(points, sprint, width=width, height=height - 1)), footer)

        self.query_one("#burn-up", PlotView).show(draw)

    def _call(self, call, done: str | None = None) -> bool:
        try:
            call()
        except LeanKanbanError as err:
            self.notify(str(err), severity="error", markup=False)
            return False
        if done:
            self.notify(done, markup=False)
        self.refresh_sprint()
        return True

    def action_start(self) -> None:
        def started(plan: SprintPlan | None) -> None:
            if plan is not None:
                self._call(
                    lambda: self.services.start_sprint(
                        board=self.board, length=plan.length, goal=plan.goal, target_value=plan.target or None
                    ),
                    "Sprint started.",
                )

        self.app.push_screen(StartSprintDialog(), started)

    def action_add_objective(self) -> None:
        def added(plan: ObjectivePlan | None) -> None:
            if plan is not None:
                self._call(lambda: self.services.add_objective(plan.text, board=self.board, target=plan.target))

        self.app.push_screen(ObjectiveDialog(), added)

    def action_tick(self) -> None:
        table = self.query_one("#objectives", DataTable)
        if self.sprint is None or not self.sprint.objectives or table.cursor_row is None:
            self.notify("Select an objective first.", markup=False)
            return
        objective = self.sprint.objectives[table.cursor_row]
        self._call(lambda: self.services.tick_objective(objective.id, board=self.board))
        table.move_cursor(row=min(table.cursor_row, table.row_count - 1))

    def action_close_sprint(self) -> None:
        if self.sprint is None or self.sprint.status is not sp.SprintStatus.OPEN:
            self.notify("No sprint is open.", markup=False)
            return
        title = f"Close {self.sprint.name}: retrospective (leave empty to close without one)"

        def closed(answers: RetroAnswers | None) -> None:
            if answers is None:
                return
            self._call(
                lambda: self.services.close_sprint(
                    board=self.board,
                    carry_over=answers.carry_over,
                    retro=not answers.empty,
                    well=answers.well,
                    not_well=answers.not_well,
                    improve=answers.improve,
                    tags=answers.tags,
                ),
                "Sprint closed." + (f" {len(answers.improve)} improvement card(s) made." if answers.improve else ""),
            )

        self.app.push_screen(
            RetroDialog(title, offer_carry_over=True, allow_empty=True, skip_label="Cancel"), closed
        )

    def action_refresh(self) -> None:
        self.refresh_sprint()

    def action_close(self) -> None:
        self.dismiss(None)
