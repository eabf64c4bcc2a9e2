"""Issue 3 rules at the domain level."""

from datetime import UTC, date, datetime, timedelta

import pytest

from leankanban.domain import rules
from leankanban.domain.errors import (
    DiscardReasonRequired,
    InvalidInput,
    LaneLimitExceeded,
    QualificationMissing,
)
from leankanban.domain.model import (
    Answer,
    Board,
    Contact,
    Criterion,
    Deal,
    DealStatus,
    DealType,
    Lane,
    LaneLimit,
    Priority,
    Qualification,
    Stage,
)

NOW = datetime(2026, 11, 20, tzinfo=UTC)
BASE = Board(
    name="pipeline",
    stages=rules.template("lean-sales"),
    criteria=(Criterion("Budget", 0, frozenset({"Proposal"})), Criterion("Authority", 1, frozenset({"Proposal"}))),
    discard_reasons=rules.DEFAULT_DISCARD_REASONS,
    lane_limits=(LaneLimit(Lane.OWNER, "ann", 2),),
)


def deal(stage="Discovery", **kw) -> Deal:
    return Deal(title="Acme", stage=stage, owner=kw.pop("owner", "ann"), **kw)


def yes(*names):
    return {n: Qualification(Answer.YES) for n in names}


def test_cannot_enter_a_gated_stage_without_yes_answers():
    with pytest.raises(QualificationMissing) as caught:
        rules.check_move(BASE, deal(qualification={"Budget": Qualification(Answer.NO)}), BASE.stage("Proposal"), {})
    assert caught.value.missing == ["Budget", "Authority"]


def test_can_enter_a_gated_stage_with_every_answer_yes():
    decision = rules.check_move(BASE, deal(qualification=yes("Budget", "Authority")), BASE.stage("Proposal"), {})
    assert decision.to_stage.name == "Proposal"


def test_ungated_stages_need_nothing():
    rules.check_move(BASE, deal(), BASE.stage("Negotiation"), {})


def test_discard_needs_a_reason_even_as_a_plain_move():
    with pytest.raises(DiscardReasonRequired):
        rules.check_move(BASE, deal(), BASE.stage("Lost"), {})
    assert rules.check_move(BASE, deal(), BASE.stage("Lost"), {}, discard_reason="Timing").status is DealStatus.LOST


def test_check_discard_normalises_and_asks_for_the_competitor():
    assert rules.check_discard(BASE, deal(), "no BUDGET", None) == ("No budget", None)
    assert rules.check_discard(BASE, deal(), "Lost to competitor", " Initrode ") == ("Lost to competitor", "Initrode")
    with pytest.raises(InvalidInput, match="competitor"):
        rules.check_discard(BASE, deal(), "Lost to competitor", "")
    with pytest.raises(InvalidInput, match="already lost"):
        rules.check_discard(BASE, deal(status=DealStatus.LOST), "Timing", None)


def test_person_limit_counts_only_entry_into_active_work():
    counts = {(Lane.OWNER, "ann"): 2}
    with pytest.raises(LaneLimitExceeded):
        rules.check_move(BASE, deal("Qualifying"), BASE.stage("Discovery"), {}, lane_counts=counts)
    # Already active: moving along does not add load.
    rules.check_move(BASE, deal("Discovery"), BASE.stage("Negotiation"), {}, lane_counts=counts)
    # Someone else's deal is not in ann's lane.
    rules.check_move(BASE, deal("Qualifying", owner="bob"), BASE.stage("Discovery"), {}, lane_counts=counts)
    decision = rules.check_move(
        BASE, deal("Qualifying"), BASE.stage("Discovery"), {}, lane_counts=counts, override_reason="cover"
    )
    assert decision.overridden


def test_lane_change_of_an_active_deal():
    counts = {(Lane.OWNER, "ann"): 2}
    before = deal("Discovery", owner="bob")
    with pytest.raises(LaneLimitExceeded):
        rules.check_lane_change(BASE, before, deal("Discovery", owner="ann"), counts)
    assert rules.check_lane_change(BASE, deal("Leads", owner="bob"), deal("Leads"), counts) is None


def test_lane_counts_of_open_active_deals():
    deals = [deal("Discovery"), deal("Proposal"), deal("Leads"), deal("Won", status=DealStatus.WON), deal("Proposal", owner="bob")]
    assert rules.lane_counts_of(BASE, deals) == {(Lane.OWNER, "ann"): 2, (Lane.OWNER, "bob"): 1}


def test_a_deal_sits_in_one_lane_per_dimension():
    d = deal("Leads", owner="bob", account="Acme", deal_type=DealType.RENEWAL, priority=Priority.EXPEDITE)
    assert [rules.lane_value(d, lane) for lane in Lane] == ["", "bob", "renewal", "expedite", "Acme"]


def test_lanes_are_ordered_by_enum_or_by_name_with_the_empty_lane_last():
    deals = [
        deal("Leads", owner="", account="beta", priority=Priority.STANDARD),
        deal("Leads", owner="Cy", account="", priority=Priority.EXPEDITE),
        deal("Leads", owner="ann", account="Acme", priority=Priority.STANDARD),
    ]
    owners = [(value, len(group)) for value, group in rules.lanes_of(deals, Lane.OWNER)]
    assert owners == [("ann", 1), ("Cy", 1), ("", 1)]
    assert [value for value, _ in rules.lanes_of(deals, Lane.ACCOUNT)] == ["Acme", "beta", ""]
    assert [value for value, _ in rules.lanes_of(deals, Lane.PRIORITY)] == ["expedite", "standard"]
    assert rules.lanes_of(deals, Lane.PRIORITY)[1][1] == [deals[0], deals[2]]  # stable within a lane


def test_lane_names():
    assert rules.lane_name(Lane.TYPE, "new_logo") == "new logo"
    assert rules.lane_name(Lane.OWNER, "ann_b") == "ann_b"
    assert rules.lane_name(Lane.OWNER, "") == "(nobody)"
    assert rules.lane_name(Lane.ACCOUNT, "") == "(no account)"


def test_an_account_is_no_lane_to_limit():
    assert Lane.ACCOUNT not in rules.LIMITED_LANES and Lane.NONE not in rules.LIMITED_LANES


@pytest.mark.parametrize(("days", "band"), [(0, "fresh"), (4, "fresh"), (5, "ageing"), (9, "ageing"), (10, "stale"), (40, "stale")])
def test_age_bands_against_stale_after(days, band):
    assert rules.age_band(Stage("Proposal", 3, stale_after_days=10), days) == band


def test_no_age_band_without_a_setting():
    assert rules.age_band(Stage("Proposal", 3), 100) is None


def test_stalled_and_needs_review():
    old = NOW - timedelta(days=20)
    stale = deal(created_at=old, stage_entered_at=old, last_activity_at=old)
    assert rules.is_stalled(stale, NOW, 14)
    assert not rules.is_stalled(stale, NOW, 21)
    assert not rules.is_stalled(deal(status=DealStatus.WON, last_activity_at=old), NOW, 14)
    assert rules.needs_review(stale, NOW, 14)
    assert not rules.needs_review(deal(created_at=old, qualified_at=NOW - timedelta(days=1)), NOW, 14)


def test_text_filter_over_title_account_contacts_and_tags():
    d = deal(account="Globex", tags=("pricing",), contacts=(Contact("Hank Scorpio"),))
    assert rules.matches(d, "globex hank")
    assert rules.matches(d, "PRICING")
    assert not rules.matches(d, "initech")
    assert rules.matches(d, "   ")


def test_reopen_goes_back_to_the_last_open_stage():
    lost = deal("Lost", status=DealStatus.LOST)
    assert rules.reopen_stage(BASE, lost, ["Leads", "Proposal", "Lost"], None).name == "Proposal"
    assert rules.reopen_stage(BASE, lost, [], "discovery").name == "Discovery"
    with pytest.raises(InvalidInput):
        rules.reopen_stage(BASE, lost, [], "Won")
    with pytest.raises(InvalidInput):
        rules.reopen_stage(BASE, deal(), [], None)


def test_parsers():
    assert rules.parse_date("2026-01-31") == date(2026, 1, 31)
    assert rules.parse_date("") is None
    with pytest.raises(InvalidInput):
        rules.parse_date("31.01.2026")
    assert rules.parse_tags("A, b a  c") == ("a", "b", "c")
    assert rules.parse_people("ann, bob,ann") == ("ann", "bob")
    assert rules.parse_choice(Priority, "Fixed-Date", "priority") is Priority.FIXED_DATE
    with pytest.raises(InvalidInput, match="expedite"):
        rules.parse_choice(Priority, "urgent", "priority")
    with pytest.raises(InvalidInput):
        rules.validate_days(0, "stall period")


@pytest.mark.parametrize(("raw", "expected"), [
    ("60", 60), ("60%", 60), (" 0 ", 0), ("100 %", 100), (75, 75), (None, None), ("", None), ("none", None),
    ("Stage", None),
])
def test_a_win_probability_is_a_whole_percent_or_the_stages(raw, expected):
    assert rules.parse_probability(raw) == expected


@pytest.mark.parametrize("raw", ["150", "-1", "0.6", "sixty", "60.5%"])
def test_a_win_probability_outside_0_to_100_is_refused_in_one_sentence(raw):
    with pytest.raises(InvalidInput) as caught:
        rules.parse_probability(raw)
    assert caught.value.field == "probability"
    assert "\n" not in str(caught.value) and "0 to 100" in str(caught.value)
