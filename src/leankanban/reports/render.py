"""Every renderer of a StandupReport (and of `leankanban forecast`), one module per format.

* `to_json`: `to_dict` / `to_json`, the stable schema in SCHEMA.md, and the forecast's;
* `to_markdown`: `to_markdown`, to paste into a wiki or chat;
* `to_csv`: `stages_csv`, `deals_csv`, `next_steps_csv`, `discards_csv`;
* `to_text`: `to_renderable` / `to_text` (Rich), and the forecast's;
* `to_html`: `to_html`, one self-contained page.

This module names them all, for callers that choose a format at run time.
What makes user text safe in each format, and how money reads, comes from
`leankanban.text`, as on every other surface.
"""

from __future__ import annotations

from leankanban.reports.shared import iso, number
from leankanban.reports.to_csv import deals_csv, discards_csv, next_steps_csv, stages_csv
from leankanban.reports.to_html import to_html
from leankanban.reports.to_json import SCHEMA_VERSION, forecast_to_dict, forecast_to_json, to_dict, to_json
from leankanban.reports.to_markdown import to_markdown
from leankanban.reports.to_text import forecast_to_text, to_renderable, to_text
from leankanban.text import markdown as md

__all__ = [
    "SCHEMA_VERSION",
    "deals_csv",
    "discards_csv",
    "forecast_to_dict",
    "forecast_to_json",
    "forecast_to_text",
    "iso",
    "md",
    "next_steps_csv",
    "number",
    "stages_csv",
    "to_dict",
    "to_html",
    "to_json",
    "to_markdown",
    "to_renderable",
    "to_text",
]
