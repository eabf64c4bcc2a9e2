"""The flow charts' reads: what the metrics screen draws before the whole report is read.

Two of the four charts, throughput and cycle time, count only deals whose
final close falls in the chart's window (`metrics.flow.closed_in`): no open
deal adds anything to them. They are drawn from the report's own read
(`services.reports.load_inputs`, the one read model every surface uses) in
its forecast-only form asked for no open stage: the deals closed since the
window's start, each with its whole history, the same rows and events the
full read gives those deals, so the same timelines and the same series; on a
mostly-open board of 100,000 deals that is a twentieth of the deals.
The cumulative flow and the ageing chart need the open deals' histories too:
they come from the full report inputs (`reports.report_inputs`).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from leankanban import charts
from leankanban.services import LeanKanban, reports

#: The charts drawn from the closed deals alone (see the module's docstring).
CLOSED_ONLY = ("throughput", "cycle-time")
#: No stage is named this (`rules.validate_stage_name` refuses an empty name), so the
#: forecast-only read loads no open deal at all.
_NO_STAGE = ""


def closed_inputs(lk: LeanKanban, *, board: str | None = None, days: int = charts.DEFAULT_DAYS) -> reports.ReportInputs:
    """The report inputs of the deals closed over the `days` before now, with their histories
    (no open deal): enough for the CLOSED_ONLY charts."""
    now = lk.clock().astimezone(UTC)
    return reports.load_inputs(lk, board=board, start=now - timedelta(days=days), now=now,
                               forecast_stages=(_NO_STAGE,))


def closed_series(
    lk: LeanKanban, *, board: str | None = None, days: int = charts.DEFAULT_DAYS
) -> dict[str, dict[str, Any]]:
    """The CLOSED_ONLY charts' series over the `days` before now, from `closed_inputs`: what
    `charts.chart_series` gives for them over the full report inputs."""
    with reports.paused_gc():
        inputs = closed_inputs(lk, board=board, days=days)
        return {kind: charts.chart_series(kind, inputs, days=days) for kind in CLOSED_ONLY}
