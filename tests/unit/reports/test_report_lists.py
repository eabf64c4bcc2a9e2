"""Every list of the stand-up report is a page: its most important entries first, at most
`limit` of them, with the whole list's count and value (reports.lines.Listing).

The crowd board: now is day 40 (14 February 2026); deals 1-25 were created in Discovery on
day i/2 worth 100 x i; deals 21-25 were blocked on day 2i - 20 (deal 21 the longest);
deals 20-25 moved to Proposal in the period (day 39.1 + i/100); so deals 1-19 are stalled
(EUR 19,000, deal 1 the most idle). Deals 26-30 were created in Leads in the period, worth
10 x (31 - i): the oldest new deal is the biggest. Deals 1-12 have a next step due on
14 - i // 2 February (deal 12 the most overdue, deal 1 due today).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Board
from leankanban.reports.model import DEFAULT_LIMIT, Listing, build_report, parse_limit
from leankanban.reports.render import deals_csv, to_dict, to_html, to_markdown, to_text
from tests.unit.metrics.metrics_story import LEAN, Story, at

BOARD = Board(name="crowd", stages=LEAN, stall_days=14)
NOW, SINCE = at(40), at(39)


def crowd() -> Story:
    s = Story(LEAN)
    for i in range(1, 26):
        s.add(i, "Discovery", i / 2, value=100 * i)
    for i in range(21, 26):
        s.block(i, 2 * i - 20)
    for i in range(20, 26):
        s.move(i, "Proposal", 39.1 + i / 100)
    for i in range(26, 31):
        s.add(i, "Leads", 39.2 + i / 100, value=10 * (31 - i))
    for i in range(1, 13):
        s.deals[i].next_step, s.deals[i].next_step_due = f"Call {i}", date(2026, 2, 14 - i // 2)
    return s


def report(limit: int | None = DEFAULT_LIMIT, s: Story | None = None):
    s = s or crowd()
    return build_report(BOARD, LEAN, s.deal_list, s.events, NOW, SINCE, forecast_seed=1, limit=limit)


def ids(listing: Listing) -> list[int | None]:
    return [entry.deal_id for entry in listing]


def test_each_list_shows_at_most_the_limit_with_the_whole_count_and_value():
    r = report(limit=3)
    assert (r.stalled.shown, r.stalled.total, r.stalled.value) == (3, 19, Decimal("19000.00"))
    assert r.stalled.capped
    assert (r.deals.shown, r.deals.total) == (3, 30)
    assert r.deals.value == Decimal("32500.00") + Decimal("150.00")
    assert (r.blocked.total, r.blocked.value) == (5, Decimal("11500.00"))
    assert (r.ageing.total, r.moved.value) == (25, Decimal("13500.00"))
    assert (r.moved.total, r.new_deals.total, r.next_steps.total) == (6, 5, 12)
    assert all(len(x) == 3 for x in (r.moved, r.new_deals, r.blocked, r.stalled, r.ageing, r.deals, r.next_steps))


def test_the_default_limit_is_ten():
    r = report()
    assert DEFAULT_LIMIT == 10
    assert (len(r.stalled), r.stalled.total) == (10, 19)
    assert (len(r.blocked), r.blocked.total) == (5, 5) and not r.blocked.capped


def test_no_limit_shows_every_entry_in_the_same_order():
    every, some = report(limit=None), report(limit=4)
    for name in ("moved", "new_deals", "blocked", "stalled", "ageing", "deals", "next_steps"):
        whole, page = getattr(every, name), getattr(some, name)
        assert len(whole) == whole.total and not whole.capped
        assert list(page) == list(whole)[:4], name
        assert (page.total, page.value) == (whole.total, whole.value), name


def test_stalled_longest_idle_first_then_the_biggest():
    s = crowd()
    s.add(31, "Discovery", 0.5, value=9999)  # as idle as deal 1, and bigger
    assert ids(report(3, s).stalled) == [31, 1, 2]


def test_blocked_longest_blocked_first():
    assert ids(report(3).blocked) == [21, 22, 23]


def test_ageing_oldest_first():
    assert ids(report(3).ageing) == [1, 2, 3]


def test_next_steps_most_overdue_first_then_the_biggest():
    # Due 14 - i // 2 February: deal 12 on the 8th, deals 10 and 11 on the 9th, 8 and 9 on the 10th.
    assert ids(report(4).next_steps) == [12, 11, 10, 9]


def test_deals_biggest_first():
    assert ids(report(3).deals) == [25, 24, 23]


def test_moves_and_new_deals_biggest_first_then_newest():
    assert ids(report(3).moved) == [25, 24, 23]
    assert ids(report(3).new_deals) == [26, 27, 28]
    s = crowd()
    s.add(32, "Leads", 39.9, value=40)  # as big as deal 27, and newer
    assert ids(report(3, s).new_deals) == [26, 32, 27]


def test_a_moved_deal_counts_once_in_the_value_of_the_moves():
    s = crowd()
    s.move(25, "Negotiation", 39.8)
    r = report(s=s)
    assert r.moved.total == 7 and r.moved.value == Decimal(sum(100 * i for i in range(20, 26)))


def test_deals_in_another_currency_are_counted_not_valued():
    s = crowd()
    s.add(33, "Discovery", 0.1, value=10**6, currency="USD")
    r = report(s=s)
    assert (r.stalled.total, r.stalled.value) == (20, Decimal("19000.00"))


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
def test_a_limit_below_one_is_refused(limit):
    with pytest.raises(InvalidInput):
        report(limit=limit)


@pytest.mark.parametrize(("text", "limit"), [("5", 5), (" 12 ", 12), ("all", None), ("ALL", None), (None, 10)])
def test_parse_limit(text, limit):
    assert parse_limit(text) == limit


@pytest.mark.parametrize("text", ["0", "-3", "ten", "1.5", "", "\u0663", "1e3"])
def test_parse_limit_refuses_anything_else_in_one_sentence(text):
    with pytest.raises(InvalidInput, match=r"^--limit takes a whole number from 1, or 'all', not '.*'\.$"):
        parse_limit(text)


LISTS = ("moved", "new_deals", "blocked", "stalled", "ageing", "deals", "next_steps")


def test_json_gives_each_list_its_total_value_and_items():
    data = to_dict(report(limit=2))
    for name in LISTS:
        assert set(data[name]) == {"total", "value", "items"}, name
        assert len(data[name]["items"]) == 2, name
    assert data["stalled"]["total"] == 19 and data["stalled"]["value"] == 19000
    assert [d["deal_id"] for d in data["stalled"]["items"]] == [1, 2]
    json.dumps(data)


def test_the_json_of_a_big_board_stays_small():
    s = Story(LEAN)
    for i in range(1, 3001):
        s.add(i, "Discovery", i / 1000, value=i)
    r = build_report(BOARD, LEAN, s.deal_list, s.events, NOW, SINCE, forecast_seed=1)
    data = to_dict(r)
    assert data["deals"]["total"] == data["stalled"]["total"] == data["ageing"]["total"] == 3000
    assert len(json.dumps(data)) < 30_000


def test_text_markdown_and_html_say_what_they_leave_out():
    r = report(limit=3)
    sentence = "showing 3 of 19 stalled deals, EUR 19,000.00"
    for rendered in (to_text(r, width=200), to_markdown(r), to_html(r)):
        assert sentence in rendered
        assert "leankanban deals --stalled" in rendered
        assert "showing 3 of 5 blocked deals, EUR 11,500.00" in rendered
        assert "leankanban deals --blocked" in rendered
        assert "--limit all" in rendered


def test_a_list_that_fits_says_no_more_than_its_count():
    r = report(limit=None)
    for rendered in (to_text(r, width=200), to_markdown(r), to_html(r)):
        assert "showing" not in rendered


def test_deals_csv_is_capped_like_the_report():
    rows = list(csv.reader(io.StringIO(deals_csv(report(limit=4)))))
    assert len(rows) == 1 + 4
    assert len(list(csv.reader(io.StringIO(deals_csv(report(limit=None)))))) == 1 + 30


def closes() -> Story:
    """The crowd, and in the period deals 13-15 won (on day 39.5 + i/100), 16-19 lost."""
    s = crowd()
    for i in range(13, 16):
        s.win(i, 39.5 + i / 100)
    for i in range(16, 20):
        s.lose(i, 39.5 + i / 100, reason="price")
    return s


def test_the_periods_wins_and_losses_show_the_biggest_first_and_count_them_all():
    r = report(limit=2, s=closes())
    assert (r.won.count, r.won.value, [c.deal_id for c in r.won.deals]) == (3, Decimal("4200.00"), [15, 14])
    assert (r.lost.count, r.lost.value, [c.deal_id for c in r.lost.deals]) == (4, Decimal("7000.00"), [19, 18])
    assert r.lost.reasons == {"price": 4}
    assert len(report(limit=None, s=closes()).lost.deals) == 4


def test_html_says_what_it_leaves_out_of_the_wins_and_losses():
    page = to_html(report(limit=2, s=closes()))
    assert "showing 2 of 3 won deals, EUR 4,200.00" in page
    assert "showing 2 of 4 lost deals, EUR 7,000.00" in page
    assert "<code>leankanban deals --status lost</code>" in page


def test_moves_show_the_value_they_are_ordered_by():
    r = report(limit=2)
    assert [(m.deal_id, m.value, m.currency) for m in r.moved] == [(25, Decimal("2500"), "EUR"), (24, Decimal("2400"), "EUR")]
    item = to_dict(r)["moved"]["items"][0]
    assert (item["value"], item["currency"]) == (2500, "EUR")
    for rendered in (to_markdown(r), to_html(r)):
        assert "EUR 2,500.00" in rendered
    assert "Moves (the biggest deals first)" in to_text(r)  # a terminal's table stays narrow


def test_a_report_for_one_person_says_the_deals_command_takes_the_same_owner():
    s = crowd()
    mine = build_report(BOARD, LEAN, s.deal_list, s.events, NOW, SINCE, owner="ANN", forecast_seed=1, limit=2)
    assert "`leankanban deals` takes the same `--owner`" in to_markdown(mine)
    assert "--owner" not in to_markdown(report(limit=2))
