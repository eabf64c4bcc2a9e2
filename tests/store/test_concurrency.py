"""Two writers racing for the last slot in a column: exactly one gets it."""

import threading

from leankanban.domain.errors import WipLimitExceeded
from leankanban.services import LeanKanban, open_database


def test_concurrent_moves_never_break_a_wip_limit(db_url):
    setup = LeanKanban(open_database(db_url), actor="setup")
    setup.ensure_default_board()
    setup.set_stage_limits("Negotiation", wip_max=3)
    for i in range(2):
        setup.add_deal(f"already {i}", stage="Negotiation")
    racers = [setup.add_deal(f"racer {i}", stage="Proposal", customer_value="Saves time").id for i in range(4)]

    barrier = threading.Barrier(len(racers))
    outcomes: dict[int, str] = {}

    def race(deal_id: int) -> None:
        # Each racer has its own engine, like another terminal or teammate.
        engine = open_database(db_url)
        lk = LeanKanban(engine, actor=f"rep{deal_id}")
        barrier.wait()
        try:
            lk.move_deal(deal_id, "Negotiation")
            outcomes[deal_id] = "moved"
        except WipLimitExceeded:
            outcomes[deal_id] = "refused"
        finally:
            engine.dispose()

    threads = [threading.Thread(target=race, args=(d,)) for d in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["moved", "refused", "refused", "refused"]
    assert len(setup.list_deals(stage="Negotiation")) == 3
    setup.engine.dispose()
