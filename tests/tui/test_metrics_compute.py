"""The metrics screen's compute path: a big summary is laid out in the worker, as Rich prints it."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leankanban.tui.screens.metrics import lay_out


def test_a_summary_laid_out_in_the_worker_reads_as_rich_prints_it() -> None:
    table = Table(title="Deals")
    for name in ("Deal", "Stage", "Value"):
        table.add_column(name)
    for n in range(40):
        table.add_row(f"Deal {n} with a title long enough to wrap", "Discovery", f"{n * 1000:,}")
    renderable = Table.grid()
    renderable.add_row(Text("Stand-up report", style="bold"))
    renderable.add_row(table)
    console = Console(width=60, file=io.StringIO(), record=True)
    console.print(renderable)
    laid = lay_out(renderable, 60)
    assert [line.rstrip() for line in laid.plain.splitlines()] == [
        line.rstrip() for line in console.export_text().splitlines()
    ]
    assert any(span.style for span in laid.spans)  # the styles come along
