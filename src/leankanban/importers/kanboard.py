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
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip, StageEntry
from leankanban.importers.stages import STATUS_OF, build_stages, order_open_stages, outcome_kind
from leankanban.importers.textio import RawFile, Table, read_table

SOURCE = "kanboard"


def matches(header: list[str]) -> bool:
    probe = Table("", header, [])
    return probe.has("Task Id") and probe.has("Column") and probe.has("Title")


def is_transitions(header: list[str]) -> bool:
    probe = Table("", header, [])
    return probe.has("Source column") and probe.has("Destination column")


def _transitions(
    raw: RawFile, options: ParseOptions
) -> tuple[dict[str, list[tuple[datetime, int, str, str]]], list[str]]:
    table = read_table(raw)
    cells = Cells(table, options)
    id_col = table.require("Id", "Task Id")
    src_col = table.require("Source column")
    dst_col = table.require("Destination column")
    at_col = table.require("Date")
    moves: dict[str, list[tuple[datetime, int, str, str]]] = defaultdict(list)
    order: list[tuple[datetime, int, str, str]] = []
    for i, (line, row) in enumerate(table.rows):
        task_id = row[id_col].strip()
        at = cells.datetime(line, row, at_col)
        if not task_id:
            continue
        if at is None:
            raise table.fail(line, at_col, "a transition needs a date")
        move = (at, i, clip(row[src_col], 60), clip(row[dst_col], 60))
        moves[task_id].append(move)
        order.append(move)
    for entries in moves.values():
        entries.sort()
    appearance: list[str] = []
    for _at, _i, src, dst in sorted(order):
        appearance.extend(name for name in (src, dst) if name)
    return moves, list(dict.fromkeys(appearance))


def parse(raw: RawFile, *, history: RawFile | None = None, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    table = read_table(raw, text)
    cells = Cells(table, options)
    col = table.find
    id_col, column_col, title_col = table.require("Task Id"), table.require("Column"), table.require("Title")
    status_col = col("Status")
    created_col, completed_col, due_col = col("Creation date"), col("Completion date"), col("Due date")
    owner_col, owner_user_col = col("Assignee Name", "Assignee"), col("Assignee Username")
    moves, appearance = _transitions(history, options) if history else ({}, [])

    skipped: list[Skip] = []
    warnings: list[str] = []
    rows = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        title = clip(row[title_col])
        stage = clip(row[column_col], 60)
        if not title:
            skipped.append(Skip(line, "the task has no title", raw.name))
            continue
        if not stage:
            skipped.append(Skip(line, f"'{title}' has no column", raw.name))
            continue
        task_id = row[id_col].strip() or None
        if task_id is not None:
            if task_id in seen:
                skipped.append(Skip(line, f"duplicate task id {task_id} (first on line {seen[task_id]})", raw.name))
                continue
            seen[task_id] = line
        appearance.append(stage)
        closed = cells.text(row, status_col).casefold() in {"closed", "fermé", "geschlossen", "0"}
        rows.append((line, task_id, title, stage, closed, row))

    names = list(dict.fromkeys(appearance))
    kinds = {n: outcome_kind(n) or StageKind.OPEN for n in names}
    stages = build_stages(order_open_stages([n for n in names if kinds[n] is StageKind.OPEN]), kinds)

    deals = []
    closed_elsewhere = 0
    for line, task_id, title, stage, closed, row in rows:
        kind = kinds[stage]
        created = cells.datetime(line, row, created_col)
        history: list[StageEntry] = []
        for at, _i, src, dst in moves.get(task_id or "", []):
            if not history and src:
                history.append(StageEntry(src, created if created is not None and created <= at else at))
            if not history or history[-1].stage != dst:
                history.append(StageEntry(dst, at))
        closed_at = None
        if kind is not StageKind.OPEN:
            entry = next((e for e in reversed(history) if e.stage == stage), None)
            closed_at = cells.datetime(line, row, completed_col) or (entry.at if entry else None)
        elif closed:
            closed_elsewhere += 1
        deals.append(
            ImportedDeal(
                source=SOURCE,
                external_id=task_id,
                title=title,
                stage=stage,
                owner=clip(cells.text(row, owner_col) or cells.text(row, owner_user_col)),
                currency=options.currency,
                status=STATUS_OF[kind],
                created_at=created,
                closed_at=closed_at,
                expected_close=cells.date(line, row, due_col) if kind is StageKind.OPEN else None,
                history=tuple(history),
                line=line,
            )
        )
    if closed_elsewhere:
        warnings.append(
            f"Imported {plural(closed_elsewhere, 'closed task')} as open: Kanboard does not say whether "
            "they were won or lost; map their columns to Won or Lost to close them."
        )
    if deals:
        warnings.append("Kanboard tasks carry no deal value, so values are 0.")
    return ImportBatch(SOURCE, stages, tuple(deals), tuple(skipped), tuple(warnings))
