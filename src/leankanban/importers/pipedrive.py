"""Pipedrive deals export (`Deal - Field` headers).

`Deal - Status` (open/won/lost) decides the outcome: Pipedrive keeps a won
or lost deal in the stage it was in, so such deals go to the board's Won or
Lost stage, entered at `Deal - Won time` / `Deal - Lost time`.
"""

from __future__ import annotations

from datetime import datetime

from leankanban.domain.model import DealStatus
from leankanban.importers.common import ParseOptions
from leankanban.importers.model import ImportBatch
from leankanban.importers.pipeline import ColumnMap, Row, RowReader, settle_by_status
from leankanban.importers.stages import status_from_name
from leankanban.importers.textio import RawFile, read_table

SOURCE = "pipedrive"

COLUMNS = ColumnMap(
    source=SOURCE,
    title=("Deal - Title",),
    stage=("Deal - Stage",),
    external_id=("Deal - ID",),
    value=("Deal - Value",),
    currency=("Deal - Currency", "Deal - Currency of Value"),
    status=("Deal - Status",),
    owner=("Deal - Owner", "Deal - Creator"),
    account=("Deal - Organization", "Deal - Organisation", "Organization - Name"),
    lost_reason=("Deal - Lost reason",),
    created_at=("Deal - Deal created", "Deal - Add time", "Deal - Created"),
    closed_at=("Deal - Deal closed on", "Deal - Close time"),
    expected_close=("Deal - Expected close date",),
    pipeline=("Deal - Pipeline",),
)
WON_TIME = ("Deal - Won time",)
LOST_TIME = ("Deal - Lost time",)

_STATUSES = {"open": DealStatus.OPEN, "won": DealStatus.WON, "lost": DealStatus.LOST}


def matches(header: list[str]) -> bool:
    return any(h.strip().casefold().startswith("deal - ") for h in header) and COLUMNS.has(header, "title")


def _status(reader: RowReader, line: int, cells: list[str], title: str, stage: str) -> DealStatus | str:
    raw = reader.text(cells, "status").casefold()
    if raw == "deleted":
        return f"'{title}' is deleted in Pipedrive"
    if raw and raw not in _STATUSES:
        raise reader.table.fail(line, reader.index["status"], f"'{raw}' is not open, won or lost")  # type: ignore[arg-type]
    return _STATUSES.get(raw) or status_from_name(stage)


def parse(raw: RawFile, *, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    reader = RowReader(read_table(raw, text), options, COLUMNS)
    won_col, lost_col = reader.table.find(*WON_TIME), reader.table.find(*LOST_TIME)

    def closed_at(row: Row, status: DealStatus) -> datetime | None:
        index = won_col if status is DealStatus.WON else lost_col
        assert row.line is not None
        return reader.cells.datetime(row.line, row.cells, index) or row.closed_at

    stages, deals = settle_by_status(reader, list(reader.rows(status=_status)), closed_at)
    return reader.batch(stages, deals, reader.pipeline_warnings())
