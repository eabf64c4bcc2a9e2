"""The report's fast deal read gives the deals the repository gives, lists included."""

from __future__ import annotations

from datetime import timedelta

from leankanban.services import LeanKanban
from leankanban.store import readers
from leankanban.store import repository as repo
from tests.conftest import FakeClock


def test_fast_deals_equal_the_repositorys_with_tags_and_helpers(lk: LeanKanban, clock: FakeClock) -> None:
    lk.add_deal("Tagged", stage="Discovery", value="100", owner="ann", tags=["inbound", "référence"],
                helpers=["bob"])
    lk.add_deal("Same tags", stage="Proposal", value="200", owner="bob", tags=["inbound", "référence"],
                customer_value="Saves EUR 9k", customer_impact="9000")
    lk.add_deal("Bare", stage="Leads", value="300", owner="cy")
    with lk.read() as session:
        board = repo.board_row(session=session, name=None)
        names = {s.id: s.name for s in repo.load_board(session=session, row=board).stages}
        fast = readers.deals(readers.report_deals(session, board.id, clock.now - timedelta(days=1)), names)
    by_id = {d.id: d for d in lk.list_deals()}
    assert {d.id: (d.tags, d.helpers) for d in fast} == {i: (d.tags, d.helpers) for i, d in by_id.items()}
    assert {d.title: d.tags for d in fast}["Tagged"] == ("inbound", "référence")
    assert {d.id: (d.customer_value, d.customer_impact) for d in fast} == {
        i: (d.customer_value, d.customer_impact) for i, d in by_id.items()
    }
    for deal in fast:
        expected = by_id[deal.id]
        assert (deal.title, deal.stage, deal.value, deal.owner, deal.created_at) == (
            expected.title, expected.stage, expected.value, expected.owner, expected.created_at
        )
