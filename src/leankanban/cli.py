"""The `leankanban` command: parse -> service -> render.

`leankanban` alone opens the TUI (imported only then, so every other command
starts without loading Textual). Commands live in `leankanban.commands`;
`COMMANDS` below says which module holds each one. `main()` imports only the
module of the command it was asked for (`leankanban report` never loads the
importers, the TUI or the other commands' renderers), and everything for
`--help`, no command or an unknown one, and none for `--version`. The database
code (SQLAlchemy, SQLModel) is imported only by a command that opens the
database, never for `--help`, `--version` or shell completion.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from leankanban import __version__
from leankanban.commands.state import State, state
from leankanban.config import BOARD_ENV, DB_ENV, Settings, resolve_db
from leankanban.domain.errors import LeanKanbanError

EXIT_CODES = """\
Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 refused by a board policy
(WIP or lane limit, qualification gate, missing discard reason),
4 not found, 5 conflict (duplicate name, stage not empty, a clashing change
saved at the same moment), 6 database error (cannot open it, missing folder,
disk full, read-only, damaged, connection lost, written by a newer version).
"""

class LeanKanbanGroup(TyperGroup):
    """Turns any LeanKanbanError, in any command, into one plain sentence and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LeanKanbanError as err:
            from leankanban.text import one_line

            typer.echo(one_line(str(err)), err=True)
            raise typer.Exit(err.exit_code) from None


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"leankanban {__version__}")
        raise typer.Exit()


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


def _import_tui() -> None:
    """Load the board screen's code (Textual's with it) and its first read's while main()
    holds collection off; if it cannot load, `_open_tui` says so."""
    importlib.import_module("leankanban.store.first_read")
    with contextlib.suppress(ImportError):
        importlib.import_module("leankanban.tui.app")


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No garbage collection while long-lived modules load; then set them aside for good
    (`gc.freeze()`), see main()."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _opened(app_state: State) -> Any:
    """The services over the configured database, opened the usual way (see `State.services`)."""
    with _collection_paused():
        importlib.import_module("leankanban.services")
    return app_state.services()


def _open_tui(ctx: typer.Context) -> None:
    """The board screen. On an existing, current SQLite file with the board asked for, the
    board is first read without the services (store/first_read.py) and they open after
    the first frame is painted (tui/app.py, `StartingServices`); otherwise they open
    first, as for any command (the default board made, migrations run, errors said)."""
    from leankanban.store.first_read import read_board

    app_state = state(ctx)
    first = read_board(app_state.settings.db, app_state.board)
    services = None
    if first is None:
        services = _opened(app_state)
        services.get_board(app_state.board)  # an unknown --board fails here, before the screen opens
    try:
        from leankanban.tui.app import run_tui
    except ImportError as err:
        typer.echo(f"The board screen is not available ({err}); try `leankanban board`.", err=True)
        raise typer.Exit(1) from None
    if services is None:
        assert first is not None
        from leankanban.tui.app import StartingServices

        # On SQLite the person acting is the configured one (`services.person`).
        services = StartingServices(
            lambda: _opened(app_state), first, board=app_state.board, actor=app_state.settings.actor
        )
    run_tui(services, board=app_state.board)


#: Every command: its name -> (module in leankanban.commands, attribute, and for a plain
#: command the click class to use, or "group" for a Typer sub-app). In the order `--help` lists them.
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    # Deals
    "add": ("deals", "add", None),
    "move": ("deals", "move", None),
    "edit": ("deals", "edit", None),
    "history": ("deals", "history", None),
    "deals": ("deals", "deals", None),
    "show": ("detail", "show", None),
    "note": ("detail", "note", None),
    "contact": ("detail", "contact_app", "group"),
    "undo": ("detail", "undo", None),
    # Qualification and outcomes
    "criteria": ("qualify", "criteria_app", "group"),
    "qualify": ("qualify", "qualify", None),
    "discard": ("outcomes", "discard", None),
    "win": ("outcomes", "win", None),
    "reopen": ("outcomes", "reopen", None),
    "reasons": ("outcomes", "reasons_app", "group"),
    # Flow policies
    "block": ("flow", "block", None),
    "unblock": ("flow", "unblock", None),
    "settings": ("flow", "settings", None),
    "lane": ("flow", "lane_app", "group"),
    "load": ("work", "load", None),
    # Boards
    "board": ("boards", "board", None),
    "boards": ("boards", "boards", None),
    "init": ("boards", "init", None),
    # Stages
    "stages": ("stages", "stages", None),
    "stage": ("stages", "stage_app", "group"),
    "policy": ("policies", "policy_app", "group"),
    "policies": ("policies", "policies", None),
    # Import and export
    "import": ("transfer", "import_", None),
    "export": ("transfer", "export", None),
    # Reports and charts
    "report": ("report", "report", None),
    "forecast": ("report", "forecast", None),
    "chart": ("report", "chart", None),
    # Sprints, retros and time
    "sprint": ("sprint", "sprint_app", "group"),
    "retro": ("retro", "retro_app", "group"),
    "insights": ("retro", "insights", None),
    "log": ("timelog", "log", "LogCommand"),
    "allocation": ("timelog", "allocation_app", "group"),
    # The team on a shared database
    "team": ("team", "team_app", "group"),
}


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with just the command `only` (and the
    global options), which then loads nothing the other commands need; `only=""`:
    the global options alone."""
    cli = typer.Typer(
        name="leankanban",
        cls=LeanKanbanGroup,
        help="A keyboard-first terminal Kanban for lean B2B sales teams. Run without a command to open the board.",
        epilog=EXIT_CODES,
        invoke_without_command=True,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    cli.callback()(root)
    for name, (module_name, attribute, kind) in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"leankanban.commands.{module_name}")
        target = getattr(module, attribute)
        if kind == "group":
            cli.add_typer(target, name=name)
        elif kind is None:
            cli.command(name)(target)
        else:
            cli.command(name, cls=getattr(module, kind))(target)
    return cli


#: Commands that read an existing, current SQLite file without the services when they
#: can (store/first_read.py), so main() does not load the database code ahead for them.
READS_WITHOUT_SERVICES = ("deals",)


def _existing_file(options: list[str]) -> bool:
    """Whether the database the global options (or LEANKANBAN_DB, or the default) name is
    an existing file, which such a command may read without the services."""
    target = next((value for flag, value in zip(options, options[1:], strict=False) if flag == "--db"), None)
    target = next((o.partition("=")[2] for o in options if o.startswith("--db=")), target)
    target = resolve_db(target)
    return "://" not in target and os.path.isfile(os.path.expanduser(target))


#: Global options that take a value (the command's name comes after them).
_VALUE_OPTIONS = ("--db", "--board", "-b")


#: Set by the shell when it asks for completions (Typer's `_{PROG}_COMPLETE`).
_COMPLETE_ENV = "_LEANKANBAN_COMPLETE"


def _global_options(args: list[str]) -> tuple[list[str], str | None]:
    """The options before the command, and the command's word (None if there is none)."""
    options: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            return options, None
        if arg in _VALUE_OPTIONS:
            options += [arg, next(rest, "")]
        elif arg.startswith("-"):
            options.append(arg)
        else:
            return options, arg
    return options, None


def command_named(args: list[str]) -> str | None:
    """The command `args` ask for (after the global options), if it is one of COMMANDS."""
    word = _global_options(args)[1]
    return word if word in COMMANDS else None


def __getattr__(name: str) -> Any:
    """`leankanban.cli.app`: the whole app, built on first use (tests, `python -m`)."""
    if name == "app":
        whole = build_app()
        globals()["app"] = whole
        return whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _refuse_undecodable(args: list[str]) -> None:
    """Bytes on the command line that are not UTF-8 text reach Python as lone surrogates,
    which no database stores: say which argument, in one sentence, before anything runs."""
    for position, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            from leankanban.text import visible

            shown = visible(arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
            sys.stderr.write(f"Argument {position} ({shown}) is not UTF-8 text; type it again in a UTF-8 terminal.\n")
            raise SystemExit(1) from None


def main() -> None:
    """The `leankanban` script: build the app for the command asked for, then run it.

    Garbage collection waits while the modules load: they make over 100,000
    objects that live as long as the process, and collecting while they pile
    up, then scanning them in the command's full collections, cost ~0.15 s of
    CPU on `deals` (bench/README.md, "Start-up"); `gc.freeze()` then sets them
    aside for good. A command that opens the database has the database code
    imported in that window too; no command, the board screen's code instead,
    without any command module (the database code loads in a window of its
    own, `_opened`, after the board's first frame or before the screen opens).
    """
    args = sys.argv[1:]
    _refuse_undecodable(args)
    options, word = _global_options(args)
    version = any(o in ("--version", "-V") for o in options)
    helps = any(a in ("--help", "-h") for a in args)
    opens_database = not (version or helps or _COMPLETE_ENV in os.environ) and (word is None or word in COMMANDS)
    # No command (and nothing after `--`): the board screen, for which the root's
    # options are all there is to parse, so no command module is loaded.
    opens_tui = opens_database and word is None and "--" not in args
    with _collection_paused():
        cli = build_app(only="" if version or opens_tui else command_named(args))
        if opens_tui:
            # The board's first read needs no services: `_open_tui` loads them if it does.
            _import_tui()
        elif opens_database and not (word in READS_WITHOUT_SERVICES and _existing_file(options)):
            importlib.import_module("leankanban.services")
    cli(prog_name="leankanban")
