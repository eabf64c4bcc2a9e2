"""Any CSV, with a user mapping from column names to deal fields.

`mapping` is `{"Deal title column": "title", ...}` (from `--map COLUMN=FIELD`).
Columns named exactly like a field (`title`, `stage`, `value` ...) map
themselves. `title` and `stage` are required. A `status` column (open, won,
lost) sends won and lost deals to the Won/Lost stage, like Pipedrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers.errors import ImportFailed
from leankanban.importers.common import Cells, ParseOptions, clip
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip, StageEntry
from leankanban.importers.stages import (
    KIND_OF,
    build_stages,
    order_open_stages,
    outcome_kind,
    outcome_stage_name,
    status_from_name,
)
from leankanban.importers.textio import RawFile, Table, read_table

SOURCE = "csv"

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


def parse(
    raw: RawFile,
    *,
    mapping: Mapping[str, str] | None = None,
    options: ParseOptions = ParseOptions(),
    text: str | None = None,
) -> ImportBatch:
    table = read_table(raw, text)
    cells = Cells(table, options)
    columns = resolve(table, mapping)
    get = columns.get
    title_col, stage_col = columns["title"], columns["stage"]
    id_col, account_col, value_col = get("external_id"), get("account"), get("value")
    currency_col, owner_col, status_col = get("currency"), get("owner"), get("status")
    created_col, closed_col, lost_col, expected_col = (
        get("created_at"),
        get("closed_at"),
        get("lost_reason"),
        get("expected_close"),
    )

    skipped: list[Skip] = []
    written_any = False
    rows = []
    seen: dict[str, int] = {}
    appearance: list[str] = []
    for line, row in table.rows:
        title = clip(row[title_col])
        stage = clip(row[stage_col], 60)
        if not title:
            skipped.append(Skip(line, "the row has no title", raw.name))
            continue
        if status_col is not None:
            raw_status = row[status_col].strip().casefold()
            status = _STATUSES.get(raw_status)
            if status is None:
                status = status_from_name(raw_status)
                if status is DealStatus.OPEN:
                    raise table.fail(line, status_col, f"'{row[status_col].strip()}' is not open, won or lost")
        else:
            status = status_from_name(stage)
        if not stage and status is DealStatus.OPEN:
            skipped.append(Skip(line, f"'{title}' has no stage", raw.name))
            continue
        external_id = cells.text(row, id_col) or None
        if external_id is not None:
            if external_id in seen:
                skipped.append(Skip(line, f"duplicate id {external_id} (first on line {seen[external_id]})", raw.name))
                continue
            seen[external_id] = line
        if stage:
            appearance.append(stage)
        value, written = cells.amount(line, row, value_col)
        written_any = written_any or written is not None
        rows.append(
            (
                line,
                external_id,
                title,
                stage,
                status,
                value,
                cells.currency(line, row, currency_col, written),
                clip(cells.text(row, account_col)),
                clip(cells.text(row, owner_col)),
                cells.datetime(line, row, created_col),
                cells.datetime(line, row, closed_col),
                clip(cells.text(row, lost_col)) or None,
                cells.date(line, row, expected_col),
            )
        )

    names = list(dict.fromkeys(appearance))
    kinds = {n: outcome_kind(n) or StageKind.OPEN for n in names}
    for status in (DealStatus.WON, DealStatus.LOST):
        if any(r[4] is status for r in rows):
            kinds.setdefault(outcome_stage_name(KIND_OF[status], kinds), KIND_OF[status])
    stages = build_stages(order_open_stages([n for n in names if kinds[n] is StageKind.OPEN]), kinds)

    outcome_stage = {k: outcome_stage_name(k, kinds) for k in (StageKind.WON, StageKind.LOST)}
    deals = []
    for line, external_id, title, stage, status, value, currency, account, owner, created, closed, lost, expected in rows:
        if status is not DealStatus.OPEN and kinds.get(stage) is not KIND_OF[status]:
            stage = outcome_stage[KIND_OF[status]]
        elif status is DealStatus.OPEN and kinds.get(stage) is not StageKind.OPEN:
            status = DealStatus.WON if kinds[stage] is StageKind.WON else DealStatus.LOST
        closed_at = closed if status is not DealStatus.OPEN else None
        deals.append(
            ImportedDeal(
                source=SOURCE,
                external_id=external_id,
                title=title,
                stage=stage,
                account=account,
                value=value,
                currency=currency,
                owner=owner,
                status=status,
                created_at=created,
                closed_at=closed_at,
                lost_reason=lost if status is DealStatus.LOST else None,
                expected_close=expected if status is DealStatus.OPEN else None,
                history=(StageEntry(stage, closed_at),) if closed_at is not None else (),
                line=line,
            )
        )
    warnings = []
    if currency_col is None and not written_any and deals:
        warnings.append(f"The file names no currency; amounts are taken as {options.currency}.")
    return ImportBatch(SOURCE, stages, tuple(deals), tuple(skipped), tuple(warnings))
