"""Getting data in and out: `import` (CRM exports, board exports, backups) and `export`."""

from __future__ import annotations

import enum
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from leankanban.commands import printing
from leankanban.commands.deals import echo_csv
from leankanban.commands.state import state
from leankanban.domain.errors import InvalidInput, LeanKanbanError
from leankanban.files import write_private
from leankanban.importers import FORMATS, ParseOptions, RawFile, parse_column_map, parse_import, parse_stage_map
from leankanban.text import one_line, visible

if TYPE_CHECKING:
    from leankanban.services import LeanKanban
    from leankanban.services.imports import ImportSummary

Progress = Callable[[int, int], None]


class ExportFormat(str, enum.Enum):
    json = "json"
    csv = "csv"


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CRM or board export, or a leankanban backup (JSON).")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help=f"The file's format: {', '.join(FORMATS)} (default: detected)."
        ),
    ] = None,
    history: Annotated[
        Path | None,
        typer.Option("--history", metavar="FILE", help="Stage history: Salesforce OpportunityHistory or Kanboard transitions."),
    ] = None,
    accounts: Annotated[
        Path | None, typer.Option("--accounts", metavar="FILE", help="Salesforce Account export, for account names.")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", metavar="COLUMN=FIELD", help="Read a CSV column as a deal field (repeatable)."),
    ] = None,
    board: Annotated[
        str | None,
        typer.Option("--board", "-b", metavar="NAME", help="Existing board to import into (default: the global --board, else a new board named after the source)."),
    ] = None,
    stage_map: Annotated[
        list[str] | None,
        typer.Option("--stage-map", metavar="SOURCE=BOARD", help="Put a source stage into a board stage (repeatable)."),
    ] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Read ambiguous dates as day/month (01/02 is 1 February).")] = False,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency", metavar="CODE", help="Currency of rows the file gives none for (default EUR; a currency column wins)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and report, but write nothing.")] = False,
) -> None:
    """Import deals from a CRM or board export, or restore a backup."""
    columns = parse_column_map(mapping or [])
    stages = parse_stage_map(stage_map or [])
    options = ParseOptions(dayfirst=dayfirst) if currency is None else ParseOptions(dayfirst=dayfirst, currency=currency)
    app = state(ctx)
    target = board or app.board
    raw = _read(file)
    backup = _backup(raw)
    if backup is not None:
        given = [flag for flag, on in (
            ("--format", format), ("--history", history), ("--accounts", accounts), ("--map", columns),
            ("--board", board), ("--stage-map", stages), ("--dayfirst", dayfirst), ("--currency", currency),
            ("--dry-run", dry_run),
        ) if on]
        if given:
            raise InvalidInput(f"{raw.name} is a leankanban backup, restored whole; leave out {', '.join(given)}.")
        _restore(app.services(ensure_board=False), backup, raw.name)
        return
    name = raw.name
    with import_gc():
        history_file = RawFile.read(history) if history is not None else None
        accounts_file = RawFile.read(accounts) if accounts is not None else None
        # Only the text is held from here (the bytes go before the rows are read), and
        # not that either once parsed: a big export's bytes, text and deals held together
        # were most of an import's peak memory (bench/README.md, Import).
        raw = raw.decoded()
        batch = parse_import(
            raw, format=format, history=history_file, accounts=accounts_file, mapping=columns or None, options=options
        )
        del raw
        from leankanban.services.imports import import_batch  # here: it loads the services and SQLAlchemy

        services = app.services(ensure_board=target is not None)
        with _progress_bar(visible(f"Importing {name}")) as progress:
            summary = import_batch(services, batch, board=target, stage_map=stages, dry_run=dry_run, progress=progress)
    typer.echo(summary_text(summary, name))


@contextmanager
def import_gc() -> Iterator[None]:
    """No cyclic garbage collection while an import parses and writes; one collection after.

    An import allocates a few objects per cell and keeps most of them, so the
    collector's full passes re-walk everything: 2.2 s of a 100,000-row HubSpot
    parse and 1.3 s of its write (bench/README.md, Import). It makes no cycles
    worth collecting meanwhile. Here in the shell, not in the library.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _read(file: Path) -> RawFile:
    """The file's bytes, read by the importers' reader (which caps the size and refuses
    folders and devices); a JSON object (a backup, maybe) of more than MAX_BACKUP_BYTES is refused."""
    from leankanban.services.backup import MAX_BACKUP_BYTES  # here: it loads the services and SQLAlchemy

    raw = RawFile.read(file)
    if len(raw.data) > MAX_BACKUP_BYTES and _looks_like_json(raw.data):
        raise InvalidInput(
            f"{file.name} is larger than the {MAX_BACKUP_BYTES // (1024 * 1024)} MB a backup (or any JSON file) can be."
        )
    return raw


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _backup(raw: RawFile) -> dict[str, Any] | None:
    """The parsed backup when the file is a leankanban backup; None for anything else."""
    if not _looks_like_json(raw.data):
        return None
    from leankanban.services.backup import FORMAT, is_backup, parse_json  # here: they load the services and SQLAlchemy

    try:
        data = parse_json(raw.data, raw.name)
    except ValueError:  # not JSON after all (or not UTF-8): let the importers say why
        return None
    except InvalidInput:  # JSON no backup can hold: refused as a backup only if it says it is one
        if FORMAT.encode() in raw.data[:4096]:
            raise
        return None
    return data if is_backup(data) else None


def _restore(services: LeanKanban, data: dict[str, Any], name: str) -> None:
    from leankanban.services.backup import InvalidBackup, restore

    try:
        counts = restore(services, data)
    except InvalidBackup as err:
        if len(err.problems) == 1:
            raise
        # The sentence, then every problem on its own line (their values are shown escaped).
        typer.echo(one_line(str(err)), err=True)
        for problem in err.problems:
            typer.echo(f"  {visible(problem)}", err=True)
        raise typer.Exit(err.exit_code) from None
    printing.say(
        f"Restored {name}: {counts['boards']} board(s), {counts['deals']} deal(s), "
        f"{counts['events']} event(s), {counts['contacts']} contact(s)."
    )


@contextmanager
def _progress_bar(description: str) -> Iterator[Progress | None]:
    """A Rich progress bar fed by `progress(done, total)`, only when stdout is a terminal."""
    console = printing.make_console()
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as RichProgress

    with RichProgress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    ) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def summary_text(summary: ImportSummary, name: str) -> str:
    """What an import did, in plain lines (no markup is read; controls in names and reasons show as escapes)."""
    verb = "Checked" if summary.dry_run else "Imported"
    onto = "for" if summary.dry_run else "into"
    lines = [
        f"{verb} {name} {onto} board '{summary.board}': "
        f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(summary.skipped)} skipped."
    ]
    for skip in summary.skipped:
        where = f"line {skip.line}" if skip.line is not None else "a record"
        source = f"{skip.file} " if skip.file else ""
        lines.append(f"  skipped {source}{where}: {skip.reason}")
    if summary.stages_added:
        lines.append(f"Stages added: {', '.join(summary.stages_added)}.")
    lines.append(f"History events: {summary.events}.")
    for warning in summary.warnings:
        lines.append(f"Warning: {warning}")
    if summary.dry_run:
        lines.append("Dry run: nothing written.")
    return "\n".join(visible(line) for line in lines)


def export(
    ctx: typer.Context,
    board: Annotated[
        str | None, typer.Option("--board", "-b", metavar="NAME", help="Only this board (JSON default: every board).")
    ] = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="json: a full backup; csv: the deals table.")
    ] = ExportFormat.json,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write here instead of to stdout.")
    ] = None,
    bom: Annotated[bool, typer.Option("--bom", help="With --format csv: UTF-8 with a byte order mark (for Excel).")] = False,
) -> None:
    """Export a full backup (JSON) or the deals table (CSV)."""
    if bom and format is not ExportFormat.csv:
        raise typer.BadParameter("--bom only goes with --format csv.", param_hint="--bom")
    app = state(ctx)
    if format is ExportFormat.json:
        from leankanban.services.backup import export_data  # here: it loads the services and SQLAlchemy

        data = export_data(app.services(ensure_board=False), board=board)
        text = printing.to_json(data) + "\n"
        what = f"{len(data['boards'])} board(s), {sum(len(b['deals']) for b in data['boards'])} deal(s)"
    else:
        services = app.services()
        chosen = services.get_board(board or app.board)
        found = services.list_deals(board=chosen.name)
        text = printing.deals_csv(found, services.clock(), chosen)
        what = f"{len(found)} deal(s) from board '{chosen.name}'"
    if output is None:
        if format is ExportFormat.csv:
            echo_csv(text, bom=bom)
        else:
            typer.echo(text, nl=False)
        return
    try:
        write_private(output, text.encode("utf-8-sig" if bom else "utf-8"))
    except OSError as err:
        raise LeanKanbanError(f"Cannot write {output}: {err.strerror or type(err).__name__}.") from None
    printing.say(f"Exported {what} to {output}.")
