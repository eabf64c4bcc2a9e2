"""The stand-up report shows the board's policies briefly, in every format: each open stage
that has one (or a gate), and how much is written down, with where the whole page is."""

from __future__ import annotations

import json

import pytest

from leankanban.reports.render import to_html, to_json, to_markdown, to_text
from leankanban.services import LeanKanban, reports
from tests.conftest import FakeClock

HOSTILE = "Saves [b]EUR 140k[/b] <script>x</script> | *a year* " + "and more " * 10


@pytest.fixture
def standup(lk: LeanKanban, clock: FakeClock):
    deal_id = lk.add_deal("Acme rollout", stage="Discovery", value="50000", customer_value=HOSTILE,
                          customer_impact="140000").id
    lk.add_deal("Globex pilot", stage="Leads", value="4000")
    lk.set_stage_policy("Proposal", entry="The buyer agreed the value\nand named the signer", exit="Proposal walked through")
    lk.define_criterion("Budget", "They said a number")
    clock.advance(hours=1)
    lk.move_deal(deal_id, "Proposal")
    clock.advance(hours=1)
    return reports.report(lk, since="1d", seed=1)


def test_json_shows_the_policies_briefly(standup):
    policies = json.loads(to_json(standup))["policies"]
    assert policies["stages"] == [{
        "stage": "Proposal", "entry_policy": "The buyer agreed the value\nand named the signer",
        "exit_policy": "Proposal walked through", "gated_by": ["Customer value quantified"],
    }]
    assert (policies["open_stages"], policies["criteria"], policies["criteria_defined"]) == (5, 7, 2)
    assert (policies["discard_reasons"], policies["discard_reasons_defined"]) == (6, 0)


def test_text_shows_the_policies_and_where_the_page_is(standup):
    text = to_text(standup, width=160)
    assert ("Proposal: gated by Customer value quantified; entry: The buyer agreed the value; "
            "exit: Proposal walked through") in text
    assert "1 of 5 open stages have written policies; 2 of 7 criteria and 0 of 6 discard reasons are defined. " \
           "`leankanban policies` shows them all." in text


def test_markdown_shows_the_policies_briefly_and_escaped(lk: LeanKanban, standup):
    md = to_markdown(standup)
    assert "## Policies" in md
    assert "- **Proposal**: gated by Customer value quantified; entry: The buyer agreed the value; " \
           "exit: Proposal walked through" in md
    lk.set_stage_policy("Discovery", entry="Pain | *named* <b>")
    md = to_markdown(reports.report(lk, since="1d", seed=1))
    assert "- **Discovery**: entry: Pain \\| \\*named\\* \\<b\\>" in md


def test_html_shows_the_policies_briefly_and_escaped(lk: LeanKanban, standup):
    html = to_html(standup)
    assert "<h2>Policies</h2>" in html
    assert "<li><b>Proposal</b>: gated by Customer value quantified; entry: The buyer agreed the value;" in html
    lk.set_stage_policy("Discovery", entry="<script>x</script>")
    html = to_html(reports.report(lk, since="1d", seed=1))
    assert "<li><b>Discovery</b>: entry: &lt;script&gt;x&lt;/script&gt;</li>" in html
    assert "<script>" not in html


def test_a_board_without_policies_points_to_the_command(lk: LeanKanban):
    lk.init_board("plain", "blank")
    text = to_text(reports.report(lk, board="plain", since="1d", seed=1), width=160)
    assert "0 of 2 open stages have written policies; 0 of 0 criteria and 0 of 6 discard reasons" in text
