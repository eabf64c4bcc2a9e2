"""HubSpot deals export (every field quoted).

Columns: `Record ID, Deal Name, Deal Stage, Amount, Close Date, Deal owner,
Create Date, Pipeline, Associated Company`, plus one `Date entered "<Stage>
(<Pipeline>)"` column per stage: their order is the pipeline order, and
their values are each deal's stage history.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, time

from leankanban.domain.model import StageKind
from leankanban.importers.common import Cells, ParseOptions, SeenIds, clip, plural
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip, StageEntry
from leankanban.importers.stages import STATUS_OF, build_stages, outcome_kind
from leankanban.importers.textio import RawFile, Table, read_table

SOURCE = "hubspot"

TITLE = ("Deal Name",)
STAGE = ("Deal Stage",)
ID = ("Record ID", "Deal ID")
AMOUNT = ("Amount", "Amount in company currency")
CURRENCY = ("Currency", "Deal currency code", "Deal Currency Code")
CLOSE_DATE = ("Close Date",)
CREATED = ("Create Date", "Created Date", "Create date")
OWNER = ("Deal owner", "Deal Owner", "HubSpot Owner")
PIPELINE = ("Pipeline",)
ACCOUNT = ("Associated Company", "Associated Company (Primary)", "Company name", "Associated Company Name")
LOST_REASON = ("Closed Lost Reason", "Closed lost reason", "Lost Reason")

_ENTERED = re.compile(r'^date entered\s+"?(.+?)\s*\(([^()]*)\)"?\s*$', re.I)


def matches(header: list[str]) -> bool:
    probe = Table("", header, [])
    return probe.has(*TITLE) and (probe.has(*STAGE) or probe.has(*ID))


def parse(raw: RawFile, *, options: ParseOptions = ParseOptions(), text: str | None = None) -> ImportBatch:
    table = read_table(raw, text)
    cells = Cells(table, options)
    col = table.find
    title_col, stage_col = table.require(*TITLE), table.require(*STAGE)
    id_col, amount_col, currency_col = col(*ID), col(*AMOUNT), col(*CURRENCY)
    close_col, created_col, owner_col = col(*CLOSE_DATE), col(*CREATED), col(*OWNER)
    pipeline_col, account_col, lost_col = col(*PIPELINE), col(*ACCOUNT), col(*LOST_REASON)

    # Date entered "<Stage> (<Pipeline>)": column index -> (stage, pipeline), in header order.
    entered: list[tuple[int, str, str]] = []
    for index, name in enumerate(table.header):
        match = _ENTERED.match(name)
        if match:
            entered.append((index, clip(match.group(1), 60), match.group(2).strip()))
    by_pipeline: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for index, stage, pipeline in entered:
        by_pipeline[pipeline.casefold()].append((index, stage))

    skipped: list[Skip] = []
    written_any = False
    warnings: list[str] = []
    deals: list[ImportedDeal] = []
    seen_ids = SeenIds(raw.name)
    appearance: list[str] = []
    pipelines: list[str] = []
    for line, row in table.rows:
        title = clip(row[title_col])
        stage = clip(row[stage_col], 60)
        if not title:
            skipped.append(Skip(line, "the deal has no name", raw.name))
            continue
        if not stage:
            skipped.append(Skip(line, f"'{title}' has no deal stage", raw.name))
            continue
        external_id = cells.text(row, id_col) or None
        if seen_ids.duplicate(external_id, line, skipped):
            continue
        pipeline = cells.text(row, pipeline_col)
        if pipeline and pipeline not in pipelines:
            pipelines.append(pipeline)
        if stage not in appearance:
            appearance.append(stage)
        columns = by_pipeline.get(pipeline.casefold()) if pipeline else None
        if columns is None:
            columns = [(index, name) for index, name, _p in entered]
        found: list[tuple[datetime, int, str]] = []
        for order, (index, name) in enumerate(columns):
            at = cells.datetime(line, row, index)
            if at is not None:
                found.append((at, order, name))
        found.sort()
        history = tuple(StageEntry(name, at) for at, _o, name in found)
        value, written_currency = cells.amount(line, row, amount_col)
        written_any = written_any or written_currency is not None
        deals.append(
            ImportedDeal(
                source=SOURCE,
                external_id=external_id,
                title=title,
                stage=stage,
                account=clip(cells.text(row, account_col)),
                value=value,
                currency=cells.currency(line, row, currency_col, written_currency),
                owner=clip(cells.text(row, owner_col)),
                created_at=cells.datetime(line, row, created_col),
                closed_at=cells.datetime(line, row, close_col),  # settled below
                lost_reason=clip(cells.text(row, lost_col)) or None,
                expected_close=cells.date(line, row, close_col),
                history=history,
                line=line,
            )
        )

    # Pipeline order: the Date entered columns (of the pipelines in the file), then first appearance.
    in_file = {p.casefold() for p in pipelines}
    ordered: list[str] = []
    for _index, stage, pipeline in entered:
        if not in_file or pipeline.casefold() in in_file:
            ordered.append(stage)
    ordered = list(dict.fromkeys([*ordered, *appearance]))
    kinds = {name: outcome_kind(name) or StageKind.OPEN for name in ordered}
    stages = build_stages(ordered, kinds)

    settled: list[ImportedDeal] = []
    for deal in deals:
        kind = kinds[deal.stage]
        closed_at = None
        if kind is not StageKind.OPEN:
            entry = next((e for e in reversed(deal.history) if e.stage == deal.stage), None)
            if entry is not None:
                closed_at = entry.at
            elif deal.expected_close is not None:
                closed_at = datetime.combine(deal.expected_close, time(), options.tz).astimezone(UTC)
        settled.append(
            replace(
                deal,
                status=STATUS_OF[kind],
                closed_at=closed_at,
                lost_reason=deal.lost_reason if kind is StageKind.LOST else None,
                expected_close=deal.expected_close if kind is StageKind.OPEN else None,
            )
        )
    if len(pipelines) > 1:
        warnings.append(
            f"The file holds {plural(len(pipelines), 'pipeline')} ({', '.join(pipelines)}); "
            "their stages are merged by name."
        )
    if currency_col is None and not written_any and settled:
        warnings.append(f"The file names no currency; amounts are taken as {options.currency}.")
    if not entered and settled:
        warnings.append("The file has no 'Date entered' columns, so deals come without stage history.")
    return ImportBatch(SOURCE, stages, tuple(settled), tuple(skipped), tuple(warnings))

