"""The report's tables as RFC 4180 CSV; cells a spreadsheet would run as a formula
(`= + - @`, tab, CR first) are defused by `leankanban.text.csv_cell`.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from leankanban.reports.model import (
    StandupReport,
)
from leankanban.reports.shared import iso
from leankanban.text import csv_cell as cell


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _plain(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def stages_csv(report: StandupReport) -> str:
    """One row per stage: name, kind, count, value, weighted_value, wip_min, wip_max, wip_state."""
    return _csv(
        ["stage", "kind", "count", "value", "weighted_value", "currency", "wip_min", "wip_max", "wip_state"],
        [
            [cell(s.name), s.kind.value, s.count, _plain(s.value), _plain(s.weighted_value), report.currency,
             "" if s.wip_min is None else s.wip_min, "" if s.wip_max is None else s.wip_max, s.wip_state]
            for s in report.stages
        ],
    )


def deals_csv(report: StandupReport) -> str:
    """One row per deal the report shows of its open deals and those closed in the period:
    the biggest first, at most the report's limit (`--limit all`: every one)."""
    return _csv(
        ["deal_id", "title", "account", "owner", "stage", "status", "value", "currency", "age_days", "age_band",
         "blocked", "idle_days", "next_step", "closed_at"],
        [
            [d.deal_id, cell(d.title), cell(d.account), cell(d.owner), cell(d.stage), d.status.value,
             _plain(d.value), d.currency, f"{d.age_days:.2f}", d.age_band.value, "yes" if d.blocked else "no",
             f"{d.idle_days:.2f}", cell(d.next_step), iso(d.closed_at) or ""]
            for d in report.deals
        ],
    )


def next_steps_csv(report: StandupReport) -> str:
    """One row per next step due today or overdue that the report shows: the most overdue
    first, at most the report's limit."""
    return _csv(
        ["deal_id", "title", "owner", "stage", "next_step", "due", "days_overdue"],
        [[n.deal_id, cell(n.title), cell(n.owner), cell(n.stage), cell(n.next_step), iso(n.due), n.days_overdue]
         for n in report.next_steps],
    )


def discards_csv(report: StandupReport) -> str:
    """One row per stage: deals lost from it and that left it over the history, and the discard rate."""
    rows = [] if report.sales is None else report.sales.discards.by_stage
    return _csv(
        ["stage", "lost", "left", "rate", "reasons"],
        [[cell(x.stage), x.lost, x.left, "" if x.rate is None else f"{x.rate:.4f}",
          cell("; ".join(f"{k}={n}" for k, n in x.reasons.items()))] for x in rows],
    )


