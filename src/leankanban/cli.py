"""The `leankanban` command: parse -> service -> render.

`leankanban` alone opens the TUI (imported only then, so every other command
starts without loading Textual). Commands live in `leankanban.commands`.
"""

from __future__ import annotations

import gc

# Importing the app (SQLAlchemy, SQLModel, Typer ...) makes a few hundred thousand objects
# that live as long as the process: no garbage collection passes over them while they pile up
# (about 0.1-0.2 s of a command's start), and after `gc.freeze()` below none do.
gc.disable()

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from leankanban import __version__
from leankanban.commands import boards, deals, detail, flow, outcomes, qualify, stages, transfer
from leankanban.commands import report as report_commands
from leankanban.commands import retro, sprint, timelog
from leankanban.commands.render import one_line
from leankanban.commands.state import State, state
from leankanban.config import BOARD_ENV, DB_ENV, Settings
from leankanban.domain.errors import LeanKanbanError

gc.freeze()
gc.enable()

EXIT_CODES = """\
Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 refused by a board policy
(WIP or lane limit, qualification gate, missing discard reason),
4 not found, 5 conflict (duplicate name, stage not empty), 6 database error.
"""

class LeanKanbanGroup(TyperGroup):
    """Turns any LeanKanbanError, in any command, into one plain sentence and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LeanKanbanError as err:
            typer.echo(one_line(str(err)), err=True)
            raise typer.Exit(err.exit_code) from None


app = typer.Typer(
    name="leankanban",
    cls=LeanKanbanGroup,
    help="A keyboard-first terminal Kanban for lean B2B sales teams. Run without a command to open the board.",
    epilog=EXIT_CODES,
    invoke_without_command=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"leankanban {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=DB_ENV,
            metavar="PATH_OR_URL",
            help="SQLite file or postgresql:// URL (default: leankanban.db in your user data folder).",
            show_envvar=True,
        ),
    ] = None,
    board: Annotated[
        str | None,
        typer.Option("--board", "-b", envvar=BOARD_ENV, metavar="NAME", help="Board to use (default: the first).", show_envvar=True),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options; with no command, open the board in the TUI."""
    ctx.obj = State(Settings.load(db=db, board=board), on_close=ctx.call_on_close)
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        _open_tui(ctx)


def _open_tui(ctx: typer.Context) -> None:
    app_state = state(ctx)
    services = app_state.services()
    services.get_board(app_state.board)  # an unknown --board fails here, before the screen opens
    try:
        from leankanban.tui.app import run_tui
    except ImportError as err:
        typer.echo(f"The board screen is not available ({err}); try `leankanban board`.", err=True)
        raise typer.Exit(1) from None
    run_tui(services, board=app_state.board)


# Deals
app.command("add")(deals.add)
app.command("move")(deals.move)
app.command("edit")(deals.edit)
app.command("history")(deals.history)
app.command("deals")(deals.deals)
app.command("show")(detail.show)
app.command("note")(detail.note)
app.add_typer(detail.contact_app, name="contact")
app.command("undo")(detail.undo)
# Qualification and outcomes
app.add_typer(qualify.criteria_app, name="criteria")
app.command("qualify")(qualify.qualify)
app.command("discard")(outcomes.discard)
app.command("win")(outcomes.win)
app.command("reopen")(outcomes.reopen)
app.add_typer(outcomes.reasons_app, name="reasons")
# Flow policies
app.command("block")(flow.block)
app.command("unblock")(flow.unblock)
app.command("settings")(flow.settings)
app.add_typer(flow.lane_app, name="lane")
# Boards
app.command("board")(boards.board)
app.command("boards")(boards.boards)
app.command("init")(boards.init)
# Stages
app.command("stages")(stages.stages)
app.add_typer(stages.stage_app, name="stage")
# Import and export
app.command("import")(transfer.import_)
app.command("export")(transfer.export)
# Reports and charts
app.command("report")(report_commands.report)
app.command("chart")(report_commands.chart)
# Sprints, retros and time
app.add_typer(sprint.sprint_app, name="sprint")
app.add_typer(retro.retro_app, name="retro")
app.command("insights")(retro.insights)
app.command("log", cls=timelog.LogCommand)(timelog.log)
app.add_typer(timelog.allocation_app, name="allocation")


def main() -> None:
    app(prog_name="leankanban")
