"""Renderers: Markdown escaping, CSV tables, Rich text without markup, lazy imports."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

from leankanban.reports import render
from leankanban.reports.model import build_report
from tests.unit.reports.report_board import BOARD, NOW, SINCE, STAGES, TRICKY, story


def report(s=None):
    s = s or story()
    return build_report(BOARD, STAGES, s.deal_list, s.events, NOW, SINCE, forecast_seed=1)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_escapes_a_tricky_title():
    assert render.md(TRICKY) == r"a\|b \*c\* \[x\](y)"
    assert render.md("two\nlines") == "two lines"
    assert render.md(None) == ""


def test_markdown_tables_keep_their_columns_with_a_tricky_title():
    text = render.to_markdown(report())
    rows = [line for line in text.splitlines() if r"a\|b \*c\* \[x\](y)" in line]
    assert len(rows) == 2  # the move and the ageing row
    header = next(line for line in text.splitlines() if line.startswith("| Deal | Owner | From"))
    assert all(unescaped_pipes(row) == unescaped_pipes(header) for row in rows[:1])
    assert TRICKY not in text


def test_markdown_has_the_hand_counted_summary():
    text = render.to_markdown(report())
    assert "# Stand-up: pipeline" in text
    assert "- **Won:** 1 (EUR 3,000.00)" in text
    assert "- **Lost:** 1 (EUR 2,000.00): price (1)" in text
    assert "| Proposal | 2 | 4,100.00 | 2,733.33 | max 1 | over |" in text
    assert "- **Over WIP limit:** Proposal (2/1)" in text
    assert "- Cycle time: not enough history (3 closed, need 10)" in text
    assert "- Win rate: not enough history (3 closed, need 5)" in text


def test_stages_csv_has_one_row_per_stage():
    rows = list(csv.reader(io.StringIO(render.stages_csv(report()))))
    assert rows[0][:5] == ["stage", "kind", "count", "value", "weighted_value"]
    assert rows[4][:5] == ["Proposal", "open", "2", "4100.00", "2733.33"]
    assert len(rows) == 1 + len(STAGES)


def test_deals_csv_keeps_titles_whole_and_defuses_formulas():
    s = story()
    s.add(8, "Discovery", 19.8, title="=HYPERLINK(\"http://x\")")
    rows = list(csv.DictReader(io.StringIO(render.deals_csv(report(s)))))
    by_id = {row["deal_id"]: row for row in rows}
    assert by_id["7"]["title"] == TRICKY
    assert by_id["8"]["title"].startswith("'=")
    assert by_id["2"]["status"] == "lost" and by_id["2"]["closed_at"].startswith("2026-01-24T21:00")
    assert set(by_id) == {"2", "3", "4", "5", "6", "7", "8"}  # open deals and those closed in the period


def test_text_shows_user_text_literally():
    s = story()
    s.add(8, "Discovery", 19.8, title="[bold red]boom[/] \x1b[31m")
    text = render.to_text(report(s), width=140)
    assert "Stand-up: pipeline" in text
    assert TRICKY in text
    assert "[bold red]boom[/]" in text
    assert "\x1b" not in text and "\\x1b[31m" in text


def test_text_in_colour_has_escape_codes_only_from_styles():
    text = render.to_text(report(), width=140, color=True)
    assert "\x1b[" in text


def test_reports_and_metrics_import_without_rich_or_textual():
    code = (
        "import sys\n"
        "import leankanban.metrics.flow, leankanban.metrics.sales, leankanban.metrics.forecast\n"
        "import leankanban.reports.model, leankanban.reports.render\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'textual', 'sqlalchemy', 'sqlmodel'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
