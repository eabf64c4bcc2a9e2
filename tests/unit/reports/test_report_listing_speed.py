"""The report's fast paths give what the plain ones give: a list cut down by its key's
first item (`sections.listing(first=)`) shows the entries the whole key shows."""

from __future__ import annotations

from decimal import Decimal
from operator import itemgetter

from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.model import Deal
from leankanban.reports import sections

# (days, value, currency, id): few distinct values, so ties are the rule.
entry = st.tuples(st.integers(0, 4).map(float), st.integers(0, 3).map(lambda n: Decimal(n * 100)),
                  st.sampled_from(("EUR", "USD")), st.integers(1, 8))


def _deal(row: tuple) -> Deal:
    days, value, currency, deal_id = row
    return Deal(title=f"deal {deal_id}", stage="Leads", value=value, currency=currency, id=deal_id)


@settings(max_examples=200, deadline=None)
@given(st.lists(entry, max_size=40), st.integers(1, 12))
def test_a_list_cut_by_its_first_key_shows_what_the_whole_key_shows(rows, limit):
    entries = [(row[0], _deal(row)) for row in rows]  # some deals twice: they are priced once

    def shown(**first):
        return sections.listing(
            entries, limit, currency="EUR", deal=lambda e: e[1], make=lambda e: e,
            key=lambda e: (e[0], e[1].value, sections.lower_id(e[1])), **first,
        )

    plain, cut = shown(), shown(first=itemgetter(0))
    assert [id(e) for e in cut.items] == [id(e) for e in plain.items]
    assert (cut.total, cut.value) == (plain.total, plain.value)
