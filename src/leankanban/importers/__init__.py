"""Import parsers: CRM and board exports -> ImportBatch. Pure parsing, no database.

    batch = read_import("Opportunity.csv", history="OpportunityHistory.csv", accounts="Account.csv")
    batch = apply_stage_map(batch, {"Closed Won": "Won"}, board_stage_names)

Errors are values where a row merely cannot be a deal (`batch.skipped`),
and `ImportFailed` (file, line, column) where the file cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, tzinfo
from pathlib import Path

from leankanban.domain.errors import InvalidInput
from leankanban.importers import generic, hubspot, kanboard, pipedrive, salesforce, trello
from leankanban.importers.common import ParseOptions
from leankanban.importers.detect import FORMATS, detect_format
from leankanban.importers.errors import ImportFailed, UnmappedStages
from leankanban.importers.generic import FIELDS, parse_column_map
from leankanban.importers.model import ImportBatch, ImportedDeal, ImportedStage, Skip, StageEntry
from leankanban.importers.stagemap import apply_stage_map, parse_stage_map
from leankanban.importers.textio import RawFile, control_warning, decode, text_chunks

__all__ = [
    "FIELDS",
    "FORMATS",
    "ImportBatch",
    "ImportFailed",
    "ImportedDeal",
    "ImportedStage",
    "ParseOptions",
    "RawFile",
    "Skip",
    "StageEntry",
    "UnmappedStages",
    "apply_stage_map",
    "detect_format",
    "parse_column_map",
    "parse_import",
    "parse_stage_map",
    "read_import",
]

_ALIASES = {"generic": "csv", "sfdc": "salesforce", "hs": "hubspot"}


def read_import(
    path: str | Path,
    *,
    format: str | None = None,
    history: str | Path | None = None,
    accounts: str | Path | None = None,
    mapping: Mapping[str, str] | None = None,
    dayfirst: bool = False,
    tz: tzinfo = UTC,
    currency: str = "EUR",
) -> ImportBatch:
    """Read an export file (and its companions) into an ImportBatch.

    `format` overrides detection (one of FORMATS; `generic` means `csv`).
    `history` is a Salesforce OpportunityHistory or Kanboard transitions file;
    `accounts` a Salesforce Account file; `mapping` maps CSV columns to deal
    fields (implies the generic format unless `format` says otherwise).
    """
    return parse_import(
        RawFile.read(path),
        format=format,
        history=RawFile.read(history) if history is not None else None,
        accounts=RawFile.read(accounts) if accounts is not None else None,
        mapping=mapping,
        options=ParseOptions(dayfirst=dayfirst, tz=tz, currency=currency),
    )


def parse_import(
    raw: RawFile,
    *,
    format: str | None = None,
    history: RawFile | None = None,
    accounts: RawFile | None = None,
    mapping: Mapping[str, str] | None = None,
    options: ParseOptions = ParseOptions(),
) -> ImportBatch:
    """Like read_import, over bytes already in memory.

    Control characters in the files' text are kept; one warning per file
    names the lines that hold them. `raw`'s bytes are let go once decoded
    (when the caller holds no other reference to them), before its rows are read.
    """
    raw = raw.decoded()  # its text, or for a big file of wide text its checked bytes (text None)
    batch = _parse(
        raw, raw.text, format=format, history=history, accounts=accounts, mapping=mapping, options=options
    )
    notes = [control_warning(raw.name, raw.text if raw.text is not None else text_chunks(raw))]
    notes += [control_warning(f.name, decode(f)) for f in (history, accounts) if f is not None]
    notes = [n for n in notes if n is not None]
    return replace(batch, warnings=(*batch.warnings, *notes)) if notes else batch


def _parse(
    raw: RawFile,
    text: str | None,
    *,
    format: str | None,
    history: RawFile | None,
    accounts: RawFile | None,
    mapping: Mapping[str, str] | None,
    options: ParseOptions,
) -> ImportBatch:
    if format is not None:
        name = _ALIASES.get(format.strip().casefold(), format.strip().casefold())
        if name not in FORMATS:
            raise InvalidInput(f"There is no import format '{format}' (formats: {', '.join(FORMATS)}).", field="format")
    elif mapping:
        name = "csv"
    else:
        name = detect_format(raw, text)
    if history is not None and name not in ("salesforce", "kanboard"):
        raise InvalidInput(f"A history file only goes with Salesforce or Kanboard imports, not {name}.", field="history")
    if accounts is not None and name != "salesforce":
        raise InvalidInput(f"An accounts file only goes with Salesforce imports, not {name}.", field="accounts")
    if mapping and name != "csv":
        raise InvalidInput(f"A column mapping only goes with generic CSV imports, not {name}.", field="map")
    if name == "salesforce":
        return salesforce.parse(raw, history=history, accounts=accounts, options=options, text=text)
    if name == "hubspot":
        return hubspot.parse(raw, options=options, text=text)
    if name == "pipedrive":
        return pipedrive.parse(raw, options=options, text=text)
    if name == "trello":
        return trello.parse(raw, options=options, text=text)
    if name == "kanboard":
        return kanboard.parse(raw, history=history, options=options, text=text)
    return generic.parse(raw, mapping=mapping, options=options, text=text)
