"""Any CSV, with a user mapping from column names to deal fields.

`mapping` is `{"Deal title column": "title", ...}` (from `--map COLUMN=FIELD`).
Columns named exactly like a field (`title`, `stage`, `value` ...) map
themselves. `title` and `stage` are required. A `status` column (open, won,
lost) sends won and lost deals to the Won/Lost stage, like Pipedrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus
from leankanban.importers.common import ParseOptions
from leankanban.importers.errors import ImportFailed
from leankanban.importers.model import ImportBatch
from leankanban.importers.pipeline import ColumnMap, RowReader, settle_by_status
from leankanban.importers.stages import status_from_name
from leankanban.importers.textio import RawFile, Table, read_table

SOURCE = "csv"
#: Columns come from the user's mapping and self-named columns (`resolve`), not from header names.
COLUMNS = ColumnMap(source=SOURCE, title=(), stage=(), no_title="the row has no title")

FIELDS = (
    "title",
    "stage",
    "external_id",
    "account",
    "value",
    "currency",
    "owner",
    "status",
    "created_at",
    "closed_at",
    "lost_reason",
    "expected_close",
)
ALIASES = {
    "id": "external_id",
    "amount": "value",
    "name": "title",
    "deal": "title",
    "company": "account",
    "organization": "account",
    "created": "created_at",
    "closed": "closed_at",
    "close_date": "expected_close",
}
_STATUSES = {
    "open": DealStatus.OPEN,
    "won": DealStatus.WON,
    "lost": DealStatus.LOST,
    "": DealStatus.OPEN,
}


def field_name(name: str) -> str | None:
    key = "_".join(name.strip().casefold().replace("-", " ").split())
    if key in FIELDS:
        return key
    return ALIASES.get(key)


def parse_column_map(pairs: Iterable[str]) -> dict[str, str]:
    """`["Deal title=title", "Amount (EUR)=value"]` -> {column: field}; InvalidInput if malformed."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column.strip():
            raise InvalidInput(f"'{pair}' is not COLUMN=FIELD.", field="map")
        known = field_name(field)
        if known is None:
            raise InvalidInput(
                f"'{field.strip()}' is not a deal field (fields: {', '.join(FIELDS)}).", field="map"
            )
        mapping[column.strip()] = known
    return mapping


def resolve(table: Table, mapping: Mapping[str, str] | None) -> dict[str, int]:
    """Field -> column index: explicit mapping first, then self-named columns."""
    columns: dict[str, int] = {}
    for column, field in (mapping or {}).items():
        known = field_name(field)
        if known is None:
            raise InvalidInput(f"'{field}' is not a deal field (fields: {', '.join(FIELDS)}).", field="map")
        columns[known] = table.require(column)
    for index, header in enumerate(table.header):
        known = field_name(header)
        if known is not None and known not in columns and index not in columns.values():
            columns[known] = index
    for required in ("title", "stage"):
        if required not in columns:
            raise _missing(table, required)
    return columns


def _missing(table: Table, field: str) -> ImportFailed:
    return ImportFailed(
        table.file,
        table.header_line,
        None,
        f"no column gives the deal {field}; map one with COLUMN={field}",
    )


def matches(header: list[str]) -> bool:
    fields = {field_name(h) for h in header}
    return "title" in fields and "stage" in fields


def _status(reader: RowReader, line: int, cells: list[str], title: str, stage: str) -> DealStatus:
    """The status column (open, won, lost or an outcome-like word), else the stage's name."""
    index = reader.index["status"]
    if index is None:
        return status_from_name(stage)
    raw = cells[index].strip().casefold()
    status = _STATUSES.get(raw)
    if status is None:
        status = status_from_name(raw)
        if status is DealStatus.OPEN:
            raise reader.table.fail(line, index, f"'{cells[index].strip()}' is not open, won or lost")
    return status


def parse(
    raw: RawFile,
    *,
    mapping: Mapping[str, str] | None = None,
    options: ParseOptions = ParseOptions(),
    text: str | None = None,
) -> ImportBatch:
    table = read_table(raw, text)
    reader = RowReader(table, options, COLUMNS, indexes=resolve(table, mapping))
    stages, deals = settle_by_status(reader, list(reader.rows(status=_status)))
    return reader.batch(stages, deals, reader.currency_warnings(deals))
