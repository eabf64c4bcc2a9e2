"""Properties of the report's capped lists over generated boards: a page is the first
`limit` entries of the whole list, and the counts and values never depend on the limit."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.model import Board
from leankanban.reports.model import build_report
from tests.unit.metrics.metrics_story import LEAN, Story, at

BOARD = Board(name="generated", stages=LEAN, stall_days=14)
NOW, SINCE = at(40), at(33)
OPEN = ("Leads", "Qualifying", "Discovery", "Proposal", "Negotiation")
LISTS = ("moved", "new_deals", "blocked", "stalled", "ageing", "deals", "next_steps")

deal = st.tuples(
    st.sampled_from(OPEN),  # created in
    st.integers(0, 39),  # on day
    st.integers(0, 5).map(lambda n: n * 500),  # value: ties are common
    st.sampled_from(("EUR", "EUR", "EUR", "USD")),
    st.sampled_from(("none", "move", "win", "lose", "block")),  # then, on day created + 0.5
    st.one_of(st.none(), st.integers(0, 20)),  # next step due, days before now
)


def story(deals: list[tuple]) -> Story:
    s = Story(LEAN)
    for n, (stage, day, value, currency, then, due) in enumerate(deals, start=1):
        s.add(n, stage, day, value=value, currency=currency)
        later = day + 0.5
        if then == "move" and stage != "Negotiation":
            s.move(n, OPEN[OPEN.index(stage) + 1], later)
        elif then == "win":
            s.win(n, later)
        elif then == "lose":
            s.lose(n, later)
        elif then == "block":
            s.block(n, later)
        if due is not None:
            s.deals[n].next_step, s.deals[n].next_step_due = "Call", date.fromordinal(NOW.date().toordinal() - due)
    return s


@settings(max_examples=40, deadline=None)
@given(st.lists(deal, max_size=25), st.integers(1, 12))
def test_a_page_is_the_head_of_the_whole_list_with_the_same_totals(deals, limit):
    s = story(deals)
    whole = build_report(BOARD, LEAN, s.deal_list, s.events, NOW, SINCE, forecast_seed=1, limit=None, trials=200)
    page = build_report(BOARD, LEAN, s.deal_list, s.events, NOW, SINCE, forecast_seed=1, limit=limit, trials=200)
    for name in LISTS:
        every, some = getattr(whole, name), getattr(page, name)
        assert every.total == len(every.items), name
        assert (some.total, some.value) == (every.total, every.value), name
        assert some.items == every.items[:limit], name
        assert some.capped == (every.total > limit), name
    for closes in ("won", "lost"):
        every, some = getattr(whole, closes), getattr(page, closes)
        assert (some.count, some.value) == (every.count, every.value) and some.deals == every.deals[:limit]
    # The deals list: every open deal and every deal closed in the period (won, lost after
    # commitment, or qualified out before it).
    qualified_out = whole.qualified_out.period_count if whole.qualified_out is not None else 0
    assert whole.deals.total == (
        sum(1 for d in s.deal_list if d.status.value == "open") + whole.won.count + whole.lost.count + qualified_out
    )
