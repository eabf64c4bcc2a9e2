"""Kanboard exports: the tasks CSV and, optionally, the transitions CSV.

Tasks: `Task Id, Project, Status, Category, Swimlane, Column, Position, ...,
Title, Creation date, Modification date, Completion date, ...`.
Transitions: `Id` (the task id), `Task Title, Source column, Destination
column, Executer, Date, Time spent`. Columns named like Won/Lost are
outcomes; a closed task in any other column stays open in that column (with
a warning), since Kanboard does not say whether it was won or lost.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from leankanban.domain.model import StageKind
from leankanban.importers.common import Cells, ParseOptions, clip, plural
from leankanban.importers.model import ImportBatch, StageEntry
from leankanban.importers.pipeline import STAGE_TEXT, ColumnMap, Row, RowReader, entered, kinds_by_name, settle_by_stage
from leankanban.importers.stages import build_stages, order_open_stages
from leankanban.importers.textio import RawFile, Table, read_table

SOURCE = "kanboard"

COLUMNS = ColumnMap(
    source=SOURCE,
    title=("Title",),
    stage=("Column",),
    external_id=("Task Id",),
    status=("Status",),
    created_at=("Creation date",),
    closed_at=("Completion date",),
    expected_close=("Due date",),
    owner=("Assignee Name", "Assignee"),
    no_title="the task has no title",
    no_stage="'{title}' has no column",
    duplicate="duplicate task id {id} (first on line {first})",
)
OWNER_USERNAME = ("Assignee Username",)
_CLOSED = {"closed", "fermé", "geschlossen", "0"}

Move = tuple[datetime, int, str, str]  # (at, order in the file, from column, to column)


def matches(header: list[str]) -> bool:
    return Table("", header, []).has("Task Id") and COLUMNS.has(header, "stage", "title")


def is_transitions(header: list[str]) -> bool:
    probe = Table("", header, [])
    return probe.has("Source column") and probe.has("Destination column")


def _transitions(raw: RawFile, options: ParseOptions) -> tuple[dict[str, list[Move]], list[str]]:
    """Each task's moves by time, and the columns in the order the moves first reach them."""
    table = read_table(raw)
    cells = Cells(table, options)
    id_col = table.require("Id", "Task Id")
    src_col = table.require("Source column")
    dst_col = table.require("Destination column")
    at_col = table.require("Date")
    moves: dict[str, list[Move]] = defaultdict(list)
    order: list[Move] = []
    for i, (line, row) in enumerate(table.rows):
        task_id = row[id_col].strip()
        at = cells.datetime(line, row, at_col)
        if not task_id:
            continue
        if at is None:
            raise table.fail(line, at_col, "a transition needs a date")
        move = (at, i, clip(row[src_col], STAGE_TEXT), clip(row[dst_col], STAGE_TEXT))
        moves[task_id].append(move)
        order.append(move)
    for entries in moves.values():
        entries.sort()
    appearance = [name for _at, _i, src, dst in sorted(order) for name in (src, dst) if name]
    return moves, list(dict.fromkeys(appearance))


def _history(moves: list[Move], created: datetime | None) -> tuple[StageEntry, ...]:
    """A task's stage entries: the first move's source column (since creation), then each destination."""
    history: list[StageEntry] = []
    for at, _i, src, dst in moves:
        if not history and src:
            history.append(StageEntry(src, created if created is not None and created <= at else at))
        if not history or history[-1].stage != dst:
            history.append(StageEntry(dst, at))
    return tuple(history)


def parse(raw: RawFile, *, history: RawFile | None = None, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    reader = RowReader(read_table(raw, text), options, COLUMNS)
    moves, moved_through = _transitions(history, options) if history else ({}, [])
    username_col = reader.table.find(*OWNER_USERNAME)
    rows: list[Row] = []
    closed: list[Row] = []  # Status: closed
    for row in reader.rows():
        row.owner = row.owner or clip(reader.cells.text(row.cells, username_col))
        row.history = _history(moves.get(row.external_id or "", []), row.created_at)
        if reader.text(row.cells, "status").casefold() in _CLOSED:
            closed.append(row)
        rows.append(row)
    names = list(dict.fromkeys([*moved_through, *reader.appearance]))
    kinds = kinds_by_name(names)
    stages = build_stages(order_open_stages([n for n in names if kinds[n] is StageKind.OPEN]), kinds)

    def closed_at(row: Row, kind: StageKind) -> datetime | None:
        return row.closed_at or entered(row.history, row.stage)

    deals = settle_by_stage(SOURCE, rows, kinds, closed_at)
    warnings = []
    closed_open = sum(1 for row in closed if kinds[row.stage] is StageKind.OPEN)
    if closed_open:
        warnings.append(
            f"Imported {plural(closed_open, 'closed task')} as open: Kanboard does not say whether "
            "they were won or lost; map their columns to Won or Lost to close them."
        )
    if deals:
        warnings.append("Kanboard tasks carry no deal value, so values are 0.")
    return reader.batch(stages, deals, warnings)
