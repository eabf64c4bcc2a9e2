"""Work cards on an activities board, and a person's WIP counted on every board."""

import pytest

from leankanban.domain.errors import InvalidInput, LaneLimitExceeded, PersonLimitExceeded
from leankanban.domain.model import Activity
from leankanban.domain.work import PersonLoad
from leankanban.services import LeanKanban
from leankanban.store import repository as repo


@pytest.fixture
def board(lk: LeanKanban, seeded) -> str:
    """A Work board beside the seeded pipeline (ann: 2 deals in active stages)."""
    return lk.init_board("Work", "activities").name


def test_a_work_card_carries_category_owner_linked_deal_and_estimate(lk: LeanKanban, seeded, board):
    made = lk.add_deal("Account plan Hooli", board=board, activity="support", estimate_minutes="2h",
                       linked_deal_id=str(seeded["Hooli platform"]), owner="bob")
    card = lk.get_deal(made.id)
    assert (card.stage, card.owner, card.activity, card.estimate_minutes, card.linked_deal_id) == (
        "To do", "bob", Activity.SUPPORT, 120, seeded["Hooli platform"])
    edited = lk.edit_deal(made.id, estimate_minutes="none", linked_deal_id="")
    assert (edited.estimate_minutes, edited.linked_deal_id) == (None, None)
    assert sorted(e.field for e in lk.history(made.id) if e.field) == ["estimate_minutes", "linked_deal_id"]


def test_an_estimate_edit_is_undone_like_any_edit(lk: LeanKanban, board):
    made = lk.add_deal("Security questionnaire", board=board, estimate_minutes="45m")
    changed = lk.edit_deal(made.id, estimate_minutes="3h")
    assert changed.estimate_minutes == 180
    edit = [e for e in lk.history(made.id) if e.field == "estimate_minutes"][-1]
    lk.undo(edit.id)
    assert lk.get_deal(made.id).estimate_minutes == 45


def test_only_work_cards_link_to_deals_and_only_to_deals(lk: LeanKanban, seeded, board):
    with pytest.raises(InvalidInput, match="Only a work card"):
        lk.add_deal("Deal with an estimate", estimate_minutes="1h")
    with pytest.raises(InvalidInput, match="Only a work card"):
        lk.edit_deal(seeded["Acme rollout"], linked_deal_id=str(seeded["Globex pilot"]))
    other = lk.add_deal("Internal request", board=board)
    with pytest.raises(InvalidInput, match="is a work card on 'Work'"):
        lk.add_deal("Follow-up", board=board, linked_deal_id=str(other.id))
    with pytest.raises(InvalidInput, match="There is no deal 999"):
        lk.edit_deal(other.id, linked_deal_id="999")
    assert lk.get_deal(other.id).linked_deal_id is None


def test_load_counts_deals_and_work_cards_on_every_board(lk: LeanKanban, seeded, board):
    lk.set_lane_limit("owner", "ann", 4, board=board)
    card = lk.add_deal("Renewal plan", board=board)
    lk.move_deal(card.id, "Doing")
    lk.add_deal("Still to do", board=board)  # upstream: not in progress
    assert lk.load() == [
        PersonLoad("ann", deals=2, work=1, limit=4),
        PersonLoad("cy", deals=1, work=0, limit=None),
    ]
    assert lk.load(person="bob") == [PersonLoad("bob")]


def test_a_move_is_refused_when_deals_and_work_cards_reach_the_limit_and_changes_nothing(
    lk: LeanKanban, seeded, board
):
    lk.set_lane_limit("owner", "ann", 3)  # on the pipeline: applies to ann everywhere
    first = lk.add_deal("Renewal plan", board=board)
    lk.move_deal(first.id, "Doing")  # 2 deals + 1 work card = 3
    second = lk.add_deal("Support escalation", board=board)
    before_card, before_events = lk.get_deal(second.id), lk.history(second.id)
    work_id = lk.get_board(board).id
    with lk.read() as session:
        revision = repo.revision(session=session, board_id=work_id)
    with pytest.raises(PersonLimitExceeded, match=r"ann's WIP limit is reached \(3/3: 2 deals and 1 work card"):
        lk.move_deal(second.id, "Doing")
    assert lk.get_deal(second.id) == before_card
    assert lk.history(second.id) == before_events
    with lk.read() as session:
        assert repo.revision(session=session, board_id=work_id) == revision
    # And the other way round: a deal does not enter active work past the limit either.
    with pytest.raises(LaneLimitExceeded, match="3/3"):
        lk.move_deal(seeded["Acme rollout"], "Discovery")
    assert lk.get_deal(seeded["Acme rollout"]).stage == "Leads"
    # Finishing a card frees a place.
    lk.move_deal(first.id, "Done")
    assert lk.move_deal(second.id, "Doing").deal.stage == "Doing"


def test_new_cards_in_progress_and_reassignments_obey_the_person_limit(lk: LeanKanban, seeded, board):
    lk.set_lane_limit("owner", "cy", 1, board=board)  # cy has one deal in Proposal
    with pytest.raises(PersonLimitExceeded, match="1 deal and 0 work cards"):
        lk.add_deal("Quick fix", board=board, stage="Doing", owner="cy")
    assert [d.title for d in lk.list_deals(board=board)] == []
    mine = lk.add_deal("Ann's card", board=board, stage="Doing")
    with pytest.raises(PersonLimitExceeded):
        lk.edit_deal(mine.id, owner="cy")
    assert lk.get_deal(mine.id).owner == "ann"
    moved = lk.edit_deal(mine.id, owner="cy", override_reason="cy covers for ann")
    assert moved.owner == "cy"
    assert lk.load(person="cy") == [PersonLoad("cy", deals=1, work=1, limit=1)]


def test_the_smallest_limit_of_any_board_applies(lk: LeanKanban, seeded, board):
    lk.set_lane_limit("owner", "ann", 5)
    lk.set_lane_limit("owner", "ann", 2, board=board)
    with pytest.raises(PersonLimitExceeded, match="2/2"):
        lk.move_deal(seeded["Acme rollout"], "Discovery")
    assert lk.load(person="ann")[0].limit == 2


def test_the_reports_load_per_person_counts_work_cards(lk: LeanKanban, seeded, board):
    from leankanban.services.reports import report

    lk.set_lane_limit("owner", "ann", 2, board=board)  # the limit of the work board applies on the pipeline's report
    card = lk.add_deal("Renewal plan", board=board)
    lk.move_deal(card.id, "Doing", override_reason="renewal due")  # 2 deals + 1 work card: over
    rows = {l.owner: l for l in report(lk).load}
    ann = rows["ann"]
    assert (ann.active, ann.work, ann.wip_max, ann.over_limit) == (2, 1, 2, True)
    assert (rows["cy"].work, rows["cy"].wip_max, rows["cy"].over_limit) == (0, None, False)
    # The work board's own report counts its cards as active, and not again as work elsewhere.
    mine = {l.owner: l for l in report(lk, board=board).load}["ann"]
    assert (mine.active, mine.work, mine.wip_max) == (1, 0, 2)
