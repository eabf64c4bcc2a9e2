"""Pipedrive deals export (`Deal - Field` headers).

`Deal - Status` (open/won/lost) decides the outcome: Pipedrive keeps a won
or lost deal in the stage it was in, so such deals go to the board's Won or
Lost stage, entered at `Deal - Won time` / `Deal - Lost time`.
"""

from __future__ import annotations

from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers.common import Cells, ParseOptions, SeenIds, clip, plural
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip, StageEntry
from leankanban.importers.stages import KIND_OF, build_stages, order_open_stages, outcome_kind, outcome_stage_name, status_from_name
from leankanban.importers.textio import RawFile, Table, read_table

SOURCE = "pipedrive"

TITLE = ("Deal - Title",)
STAGE = ("Deal - Stage",)
ID = ("Deal - ID",)
VALUE = ("Deal - Value",)
CURRENCY = ("Deal - Currency", "Deal - Currency of Value")
STATUS = ("Deal - Status",)
OWNER = ("Deal - Owner", "Deal - Creator")
ORGANIZATION = ("Deal - Organization", "Deal - Organisation", "Organization - Name")
LOST_REASON = ("Deal - Lost reason",)
CREATED = ("Deal - Deal created", "Deal - Add time", "Deal - Created")
WON_TIME = ("Deal - Won time",)
LOST_TIME = ("Deal - Lost time",)
CLOSE_TIME = ("Deal - Deal closed on", "Deal - Close time")
EXPECTED = ("Deal - Expected close date",)
PIPELINE = ("Deal - Pipeline",)

_STATUSES = {"open": DealStatus.OPEN, "won": DealStatus.WON, "lost": DealStatus.LOST}


def matches(header: list[str]) -> bool:
    return any(h.strip().casefold().startswith("deal - ") for h in header) and Table("", header, []).has(*TITLE)


def parse(raw: RawFile, *, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    table = read_table(raw, text)
    cells = Cells(table, options)
    col = table.find
    title_col, stage_col = table.require(*TITLE), table.require(*STAGE)
    id_col, value_col, currency_col = col(*ID), col(*VALUE), col(*CURRENCY)
    status_col, owner_col, org_col = col(*STATUS), col(*OWNER), col(*ORGANIZATION)
    lost_col, created_col = col(*LOST_REASON), col(*CREATED)
    won_col, lost_time_col, close_col = col(*WON_TIME), col(*LOST_TIME), col(*CLOSE_TIME)
    expected_col, pipeline_col = col(*EXPECTED), col(*PIPELINE)

    skipped: list[Skip] = []
    warnings: list[str] = []
    rows = []
    seen_ids = SeenIds(raw.name)
    appearance: list[str] = []
    pipelines: list[str] = []
    for line, row in table.rows:
        title = clip(row[title_col])
        stage = clip(row[stage_col], 60)
        if not title:
            skipped.append(Skip(line, "the deal has no title", raw.name))
            continue
        raw_status = cells.text(row, status_col).casefold()
        if raw_status == "deleted":
            skipped.append(Skip(line, f"'{title}' is deleted in Pipedrive", raw.name))
            continue
        if raw_status and raw_status not in _STATUSES:
            raise table.fail(line, status_col, f"'{raw_status}' is not open, won or lost")  # type: ignore[arg-type]
        status = _STATUSES.get(raw_status) or status_from_name(stage)
        if not stage and status is DealStatus.OPEN:
            skipped.append(Skip(line, f"'{title}' has no stage", raw.name))
            continue
        external_id = cells.text(row, id_col) or None
        if seen_ids.duplicate(external_id, line, skipped):
            continue
        pipeline = cells.text(row, pipeline_col)
        if pipeline and pipeline not in pipelines:
            pipelines.append(pipeline)
        if stage and stage not in appearance:
            appearance.append(stage)
        if status is DealStatus.WON:
            closed_at = cells.datetime(line, row, won_col) or cells.datetime(line, row, close_col)
        elif status is DealStatus.LOST:
            closed_at = cells.datetime(line, row, lost_time_col) or cells.datetime(line, row, close_col)
        else:
            closed_at = None
        value, written_currency = cells.amount(line, row, value_col)
        rows.append(
            (
                line,
                external_id,
                title,
                stage,
                status,
                value,
                cells.currency(line, row, currency_col, written_currency),
                clip(cells.text(row, org_col)),
                clip(cells.text(row, owner_col)),
                cells.datetime(line, row, created_col),
                closed_at,
                clip(cells.text(row, lost_col)) or None,
                cells.date(line, row, expected_col),
            )
        )

    kinds = {name: outcome_kind(name) or StageKind.OPEN for name in appearance}
    open_names = order_open_stages([n for n in appearance if kinds[n] is StageKind.OPEN])
    for status in (DealStatus.WON, DealStatus.LOST):
        if any(r[4] is status for r in rows):
            kinds.setdefault(outcome_stage_name(KIND_OF[status], kinds), KIND_OF[status])
    stages = build_stages(open_names, kinds)

    outcome_stage = {k: outcome_stage_name(k, kinds) for k in (StageKind.WON, StageKind.LOST)}
    deals = []
    for line, external_id, title, stage, status, value, currency, account, owner, created, closed_at, lost, expected in rows:
        if status is not DealStatus.OPEN:
            stage = outcome_stage[KIND_OF[status]]
        elif kinds.get(stage) is not StageKind.OPEN:
            status = DealStatus.WON if kinds[stage] is StageKind.WON else DealStatus.LOST
        history = (StageEntry(stage, closed_at),) if closed_at is not None else ()
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
                history=history,
                line=line,
            )
        )
    if len(pipelines) > 1:
        warnings.append(
            f"The file holds {plural(len(pipelines), 'pipeline')} ({', '.join(pipelines)}); "
            "their stages are merged by name."
        )
    return ImportBatch(SOURCE, stages, tuple(deals), tuple(skipped), tuple(warnings))

