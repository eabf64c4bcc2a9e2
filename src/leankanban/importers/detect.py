"""Tell an export's format from its content: CSV headers or JSON keys."""

from __future__ import annotations

from leankanban.importers import generic, hubspot, kanboard, pipedrive, salesforce, trello
from leankanban.importers.errors import ImportFailed
from leankanban.importers.textio import RawFile, decode, head_text, load_json, read_header

FORMATS = ("salesforce", "hubspot", "pipedrive", "trello", "kanboard", "csv")


def detect_format(raw: RawFile, text: str | None = None) -> str:
    """One of FORMATS, judged by content alone.

    JSON with `lists` and `cards` is Trello. CSV headers: any `Deal - ...`
    with `Deal - Title` is Pipedrive; `Deal Name` with `Deal Stage` or
    `Record ID` is HubSpot; `Name`/`Opportunity Name` with `StageName`/`Stage`
    is Salesforce; `Task Id`, `Column` and `Title` is Kanboard; `title` and
    `stage` columns (or any mapped file) is generic CSV. Companion files
    (OpportunityHistory, Kanboard transitions) are named as such in the error.
    """
    if text is None and (raw.text is not None or raw.codec is None):
        text = decode(raw)
    head = head_text(raw, text)  # a decoded() big file of wide text has no text: its start
    if head.lstrip().startswith(("{", "[")):
        document = load_json(raw, text)
        if trello.matches(document):
            return "trello"
        raise ImportFailed(raw.name, None, None, "it is JSON but not a Trello board export (no lists and cards)")
    header = read_header(raw, head)
    if not header:
        raise ImportFailed(raw.name, None, None, "the file is empty; nothing was imported")
    if pipedrive.matches(header):
        return "pipedrive"
    if hubspot.matches(header):
        return "hubspot"
    if salesforce.is_history(header):
        raise ImportFailed(
            raw.name, 1, None,
            "it is a Salesforce OpportunityHistory export; give it as the history of the Opportunity export",
        )
    if salesforce.matches(header):
        return "salesforce"
    if kanboard.is_transitions(header):
        raise ImportFailed(
            raw.name, 1, None, "it is a Kanboard transitions export; give it as the history of the tasks export"
        )
    if kanboard.matches(header):
        return "kanboard"
    if generic.matches(header):
        return "csv"
    shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
    raise ImportFailed(
        raw.name, 1, None,
        f"its format is not recognised (columns: {shown}); name the format or map columns to title and stage",
    )
