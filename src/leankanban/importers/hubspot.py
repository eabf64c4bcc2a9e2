"""HubSpot deals export (every field quoted).

Columns: `Record ID, Deal Name, Deal Stage, Amount, Close Date, Deal owner,
Create Date, Pipeline, Associated Company`, plus one `Date entered "<Stage>
(<Pipeline>)"` column per stage: their order is the pipeline order, and
their values are each deal's stage history.
"""

from __future__ import annotations

import re
from collections import defaultdict

from leankanban.importers.common import Cells, ParseOptions, clip
from leankanban.importers.model import ImportBatch, StageEntry
from leankanban.importers.pipeline import (
    STAGE_TEXT,
    ColumnMap,
    Row,
    RowReader,
    closed_when_entered,
    kind_of,
    kinds_by_name,
    settle_row,
)
from leankanban.importers.stages import build_stages
from leankanban.importers.textio import RawFile, read_table

SOURCE = "hubspot"

COLUMNS = ColumnMap(
    source=SOURCE,
    title=("Deal Name",),
    stage=("Deal Stage",),
    external_id=("Record ID", "Deal ID"),
    value=("Amount", "Amount in company currency"),
    currency=("Currency", "Deal currency code", "Deal Currency Code"),
    expected_close=("Close Date",),
    created_at=("Create Date", "Created Date", "Create date"),
    owner=("Deal owner", "Deal Owner", "HubSpot Owner"),
    pipeline=("Pipeline",),
    account=("Associated Company", "Associated Company (Primary)", "Company name", "Associated Company Name"),
    lost_reason=("Closed Lost Reason", "Closed lost reason", "Lost Reason"),
    no_title="the deal has no name",
    no_stage="'{title}' has no deal stage",
)

_ENTERED = re.compile(r'^date entered\s+"?(.+?)\s*\(([^()]*)\)"?\s*$', re.I)


def matches(header: list[str]) -> bool:
    return COLUMNS.has(header, "title") and (COLUMNS.has(header, "stage") or COLUMNS.has(header, "external_id"))


class _Entered:
    """The `Date entered "<Stage> (<Pipeline>)"` columns: the pipeline order and each deal's history."""

    def __init__(self, header: list[str]) -> None:
        self.columns: list[tuple[int, str, str]] = []  # (index, stage, pipeline) in header order
        for index, name in enumerate(header):
            match = _ENTERED.match(name)
            if match:
                self.columns.append((index, clip(match.group(1), STAGE_TEXT), match.group(2).strip()))
        self.by_pipeline: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for index, stage, pipeline in self.columns:
            self.by_pipeline[pipeline.casefold()].append((index, stage))
        self.every = [(index, stage) for index, stage, _pipeline in self.columns]

    def history(self, cells: Cells, row: Row, pipeline: str) -> tuple[StageEntry, ...]:
        """The stages the deal entered, by time (ties in pipeline order)."""
        columns = self.by_pipeline.get(pipeline.casefold(), self.every) if pipeline else self.every
        found = []
        assert row.line is not None
        for order, (index, stage) in enumerate(columns):
            if row.cells[index]:
                at = cells.datetime(row.line, row.cells, index)
                if at is not None:
                    found.append((at, order, stage))
        found.sort()
        return tuple(StageEntry(stage, at) for at, _order, stage in found)

    def order(self, pipelines: list[str], appearance: list[str]) -> list[str]:
        """Pipeline order: the columns of the pipelines in the file, then first appearance."""
        in_file = {p.casefold() for p in pipelines}
        ordered = [stage for _i, stage, pipeline in self.columns if not in_file or pipeline.casefold() in in_file]
        return list(dict.fromkeys([*ordered, *appearance]))


def parse(raw: RawFile, *, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    reader = RowReader(read_table(raw, text), options, COLUMNS)
    entered = _Entered(reader.table.header)
    closed_at = closed_when_entered(options.tz)
    deals = []
    for row in reader.rows():  # a stage's name says its kind, so each row settles at once
        row.history = entered.history(reader.cells, row, reader.text(row.cells, "pipeline"))
        deals.append(settle_row(SOURCE, row, kind_of(row.stage), closed_at))
    kinds = kinds_by_name(entered.order(list(reader.pipelines), list(reader.appearance)))
    warnings = [*reader.pipeline_warnings(), *reader.currency_warnings(deals)]
    if not entered.columns and deals:
        warnings.append("The file has no 'Date entered' columns, so deals come without stage history.")
    return reader.batch(build_stages(list(kinds), kinds), deals, warnings)
