"""The stand-up report shows each deal's customer value (short, safe) in its deal lists, in
every format."""

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
    clock.advance(hours=1)
    lk.move_deal(deal_id, "Proposal")
    clock.advance(hours=1)
    return reports.report(lk, since="1d", seed=1)


def test_json_carries_the_customer_value_and_impact_of_each_deal_line(standup):
    data = json.loads(to_json(standup))
    [moved] = data["moved"]["items"]
    assert (moved["customer_value"], moved["customer_impact"]) == (HOSTILE.strip(), 140000)
    by_title = {d["title"]: d for d in data["deals"]["items"]}
    assert by_title["Acme rollout"]["customer_value"] == HOSTILE.strip()
    assert (by_title["Globex pilot"]["customer_value"], by_title["Globex pilot"]["customer_impact"]) == ("", None)
    assert {n["title"]: n["customer_impact"] for n in data["new_deals"]["items"]} == {
        "Acme rollout": 140000, "Globex pilot": None,
    }


def test_text_shows_the_customer_value_short_and_literal(standup):
    text = to_text(standup, width=160)
    assert "Saves [b]EUR 140k[/b] <script>x</script> | *a y…" in text
    assert "(EUR 140k)" in text
    assert "and more and more and more" not in text, "the statement is cut short"


def test_markdown_escapes_the_customer_value(standup):
    md = to_markdown(standup)
    line = next(l for l in md.splitlines() if l.startswith("| Acme rollout — *"))
    assert "\\[b\\]EUR 140k\\[/b\\]" in line and "\\<script\\>" in line and "\\|" in line


def test_html_escapes_the_customer_value(standup):
    html = to_html(standup)
    assert '<span class="worth">Saves [b]EUR 140k[/b] &lt;script&gt;x&lt;/script&gt; | *a y…' in html
    assert "<script>" not in html
