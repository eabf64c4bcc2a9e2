"""Pipedrive deals export (`Deal - Field` headers).

`Deal - Status` (open/won/lost) decides the outcome: Pipedrive keeps a won
or lost deal in the stage it was in, so such deals go to the board's Won or
Lost stage, entered at `Deal - Won time` / `Deal - Lost time`.
"""

from __future__ import annotations

from leankanban.domain.model import DealStatus
from leankanban.importers.common import ParseOptions
from leankanban.importers.model import ImportBatch
from leankanban.importers.pipeline import ColumnMap, RowReader, settle_by_status
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
    time_col = {DealStatus.WON: reader.table.find(*WON_TIME), DealStatus.LOST: reader.table.find(*LOST_TIME)}
    rows = []
    for row in reader.rows(status=_status):
        # A won or lost deal closed at its won or lost time, else at its close time.
        index = time_col.get(row.status)  # type: ignore[arg-type]
        won_or_lost = reader.cells.datetime(row.line, row.cells, index) if index is not None else None  # type: ignore[arg-type]
        row.closed_at = (won_or_lost or row.closed_at) if row.status is not DealStatus.OPEN else None
        rows.append(row)
    stages, deals = settle_by_status(reader, rows)
    return reader.batch(stages, deals, reader.pipeline_warnings())
