"""Work cards and a person's WIP on every board, at the domain level (domain/work.py)."""

import pytest

from leankanban.domain import rules, work
from leankanban.domain.errors import InvalidInput, LaneLimitExceeded, PersonLimitExceeded
from leankanban.domain.model import Activity, Board, Deal, Lane, LaneLimit

SALES = Board(name="pipeline", id=1, stages=rules.template("lean-sales"), template="lean-sales",
              lane_limits=(LaneLimit(Lane.OWNER, "ann", 9),))
WORK = Board(name="Work", id=2, stages=rules.template("activities"), template="activities")


def card(stage="To do", **kw) -> Deal:
    return Deal(title="Renewal plan", stage=stage, owner=kw.pop("owner", "ann"), **kw)


def test_the_activities_template_counts_doing_only():
    stages = {s.name: s for s in rules.template("activities")}
    assert list(stages) == ["To do", "Doing", "Done"]
    assert [s.name for s in stages.values() if s.is_active] == ["Doing"]
    assert stages["Done"].is_closed


def test_activities_and_improvements_boards_hold_work_cards():
    assert work.is_work_board(WORK) and work.is_work_board("improvements")
    assert not work.is_work_board(SALES) and not work.is_work_board("blank")


def test_a_person_limit_is_the_smallest_owner_lane_limit_of_any_board():
    limits = [LaneLimit(Lane.OWNER, "ann", 4), LaneLimit(Lane.TYPE, "renewal", 1), LaneLimit(Lane.OWNER, "ann", 3),
              LaneLimit(Lane.OWNER, "bob", 5)]
    assert work.person_limits(limits) == {"ann": 3, "bob": 5}


def test_loads_split_deals_and_work_cards_per_person():
    found = work.loads([("ann", False, 2), ("ann", True, 1), ("bob", True, 1), ("", False, 4)], {"ann": 3, "cy": 2})
    assert found == [
        work.PersonLoad("ann", deals=2, work=1, limit=3),
        work.PersonLoad("bob", deals=0, work=1, limit=None),
        work.PersonLoad("cy", deals=0, work=0, limit=2),
    ]
    assert found[0].total == 3 and found[0].adding() and not found[0].over_limit


def test_cannot_start_a_work_card_when_deals_and_work_cards_reach_the_limit():
    people = {"ann": work.PersonLoad("ann", deals=2, work=1, limit=3)}
    with pytest.raises(PersonLimitExceeded) as caught:
        rules.check_move(WORK, card(), WORK.stage("Doing"), {}, people=people)
    assert isinstance(caught.value, LaneLimitExceeded)
    assert (caught.value.current, caught.value.limit, caught.value.deals, caught.value.work) == (3, 3, 2, 1)
    assert str(caught.value) == (
        "ann's WIP limit is reached (3/3: 2 deals and 1 work card in progress on all boards); "
        "finish something first, or override with a reason."
    )


def test_the_limit_counts_on_every_board_not_the_one_that_set_it():
    # The work board sets no limit; ann's limit (from another board) applies here too.
    people = {"ann": work.PersonLoad("ann", deals=1, work=0, limit=2)}
    decision = rules.check_move(WORK, card(), WORK.stage("Doing"), {}, people=people)
    assert decision.to_stage.name == "Doing"
    # On the sales board the board's own limit (9) is not counted on its own: people's is.
    with pytest.raises(PersonLimitExceeded):
        rules.check_move(SALES, card("Qualifying"), SALES.stage("Discovery"), {},
                         people={"ann": work.PersonLoad("ann", deals=1, work=1, limit=2)})


def test_an_override_goes_past_a_person_limit_with_a_warning():
    people = {"ann": work.PersonLoad("ann", deals=1, work=1, limit=2)}
    decision = rules.check_move(WORK, card(), WORK.stage("Doing"), {}, people=people, override_reason="customer down")
    assert decision.overridden and "owner lane 'ann'" in decision.warnings[0]


def test_a_new_card_in_doing_and_a_reassignment_obey_the_person_limit():
    people = {"bob": work.PersonLoad("bob", deals=0, work=2, limit=2)}
    with pytest.raises(PersonLimitExceeded):
        rules.check_add(WORK.stage("Doing"), {}, board=WORK, deal=card("Doing", owner="bob"), people=people)
    assert rules.check_add(WORK.stage("To do"), {}, board=WORK, deal=card(owner="bob"), people=people) is None
    with pytest.raises(PersonLimitExceeded):
        rules.check_lane_change(WORK, card("Doing"), card("Doing", owner="bob"), {}, people=people)


def test_without_people_an_owner_lane_limit_counts_its_board_only():
    with pytest.raises(LaneLimitExceeded) as caught:
        rules.check_move(SALES, card("Qualifying"), SALES.stage("Discovery"), {}, lane_counts={(Lane.OWNER, "ann"): 9})
    assert not isinstance(caught.value, PersonLimitExceeded)


@pytest.mark.parametrize(("raw", "minutes"), [("2h", 120), ("45m", 45), ("1h30m", 90), ("1.5h", 90), ("40h", 2400),
                                               ("90", 90), ("", None), ("none", None), (None, None)])
def test_estimates_read_as_durations(raw, minutes):
    assert work.parse_estimate(raw) == minutes


@pytest.mark.parametrize(("raw", "says"), [("41h", "at most 40h"), ("soon", "not an estimate"), ("0m", "positive")])
def test_bad_estimates_are_refused_in_one_sentence(raw, says):
    with pytest.raises(InvalidInput, match=says) as caught:
        work.parse_estimate(raw)
    assert caught.value.field == "estimate_minutes"


def test_linked_deals_are_ids():
    assert work.parse_linked_deal("12") == 12 and work.parse_linked_deal("#7") == 7
    assert work.parse_linked_deal("none") is None and work.parse_linked_deal("") is None
    with pytest.raises(InvalidInput, match="not a deal id"):
        work.parse_linked_deal("acme")


def test_only_work_cards_link_to_deals_and_carry_estimates():
    with pytest.raises(InvalidInput, match="Only a work card .* links to a deal"):
        work.check_work_fields(SALES, card(linked_deal_id=3), None)
    with pytest.raises(InvalidInput, match="Only a work card .* has an estimate"):
        work.check_work_fields(SALES, card(estimate_minutes=60), None)
    work.check_work_fields(SALES, card(), None)


def test_a_work_card_links_to_a_deal_that_exists_on_a_deal_board():
    deal = Deal(title="Acme", stage="Discovery", id=3, board_id=1)
    work.check_work_fields(WORK, card(id=8, linked_deal_id=3, estimate_minutes=60), (deal, SALES))
    with pytest.raises(InvalidInput, match="no deal 3"):
        work.check_work_fields(WORK, card(id=8, linked_deal_id=3), None)
    other = Deal(title="Other card", stage="Doing", id=3, board_id=2)
    with pytest.raises(InvalidInput, match="is a work card on 'Work'"):
        work.check_work_fields(WORK, card(id=8, linked_deal_id=3), (other, WORK))


def test_time_on_a_work_card_counts_in_its_category():
    support = card(id=8, activity=Activity.SUPPORT)
    assert work.log_category(support, WORK, None) is Activity.SUPPORT
    assert work.log_category(support, WORK, Activity.SUPPORT) is Activity.SUPPORT
    with pytest.raises(InvalidInput, match="Card 8 is support work"):
        work.log_category(support, WORK, Activity.ORIGINATION)
    assert work.log_category(card(id=9), WORK, Activity.INFLUENCE) is Activity.INFLUENCE
    assert work.log_category(Deal(title="A", stage="Leads", activity=Activity.SUPPORT), SALES,
                             Activity.ORIGINATION) is Activity.ORIGINATION
    with pytest.raises(InvalidInput, match="--category"):
        work.log_category(None, None, None)
