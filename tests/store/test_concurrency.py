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


def test_concurrent_moves_on_two_boards_never_break_a_persons_limit(db_url):
    """A person's WIP counts on every board: a deal on the pipeline and work cards on
    the Work board racing for ann's last place, exactly one gets it."""
    from leankanban.domain.errors import PersonLimitExceeded

    setup = LeanKanban(open_database(db_url), actor="ann")
    setup.ensure_default_board()
    setup.init_board("Work", "activities")
    setup.set_lane_limit("owner", "ann", 2)
    setup.add_deal("already in progress", stage="Discovery")
    racers = [setup.add_deal("deal racer", stage="Qualifying").id]
    racers += [setup.add_deal(f"card racer {i}", board="Work").id for i in range(3)]
    targets = {racers[0]: "Discovery", **dict.fromkeys(racers[1:], "Doing")}

    barrier = threading.Barrier(len(racers))
    outcomes: dict[int, str] = {}

    def race(deal_id: int) -> None:
        engine = open_database(db_url)
        lk = LeanKanban(engine, actor="ann")
        barrier.wait()
        try:
            lk.move_deal(deal_id, targets[deal_id])
            outcomes[deal_id] = "moved"
        except PersonLimitExceeded:
            outcomes[deal_id] = "refused"
        finally:
            engine.dispose()

    threads = [threading.Thread(target=race, args=(d,)) for d in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["moved", "refused", "refused", "refused"]
    assert [(p.deals + p.work) for p in setup.load(person="ann")] == [2]
    setup.engine.dispose()
