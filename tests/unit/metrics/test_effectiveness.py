"""Effectiveness by time and pipeline value against the target allocation (hand-computed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.model import Activity
from leankanban.metrics import flow
from leankanban.metrics.effectiveness import NO_PIPELINE, NO_TIME, effectiveness, targets, value_category
from tests.unit.metrics.metrics_story import LEAN, Story, at

O, I, S = Activity.ORIGINATION, Activity.INFLUENCE, Activity.SUPPORT
WINDOW = flow.Period(at(10), at(20))
TARGET = {O: 50, I: 30, S: 20}


def story() -> Story:
    s = Story(LEAN)
    s.add(1, "Leads", 12, value=1000, owner="ann")  # created in the window: origination
    s.add(2, "Discovery", 2, value=4000, owner="ann").move(2, "Proposal", 15)  # advanced: influence
    s.add(3, "Proposal", 1, value=2000, owner="bob").win(3, 14)  # won: influence
    s.add(4, "Discovery", 3, value=500, owner="bob").move(4, "Proposal", 11).move(4, "Discovery", 13)  # back again
    s.add(5, "Proposal", 4, value=800, owner="bob").lose(5, 16)  # lost: not advanced
    s.add(6, "Discovery", 5, value=300, owner="ann")  # untouched in the window
    s.add(7, "Leads", 11, value=700, owner="cy")  # given the category support: not pipeline
    s.add(8, "Leads", 12, value=600, owner="bob")  # created in the window, but given the category influence
    s.add(9, "Discovery", 5, value=900, owner="ann", currency="USD").move(9, "Proposal", 15)  # other currency
    s.add(10, "Leads", 25, value=5000, owner="dee")  # after the window
    s.add(11, "Discovery", 2, value=400, owner="bob").move(11, "Proposal", 5)  # advanced before the window
    s.add(12, "Discovery", 2, value=350, owner="ann").lose(12, 5).move(12, "Negotiation", 12)  # reopened
    s.deals[7].activity = S
    s.deals[8].activity = I
    return s


MINUTES = {"ann": {O: 120, I: 60}, "Bob": {S: 30}, "cy": {S: 90, I: 30}}


def mix(s: Story | None = None, minutes=MINUTES, target=TARGET):  # type: ignore[no-untyped-def]
    s = s or story()
    lines = flow.timelines(LEAN, s.deal_list, s.events, now=at(30))
    return effectiveness(lines, LEAN, WINDOW, "EUR", minutes, target)


def test_pipeline_value_created_advanced_or_won_per_owner_and_team():
    m = mix()
    assert [p.person for p in m.people] == ["ann", "Bob", "cy"]
    ann, bob, cy = m.people
    assert ann.value.value == {O: Decimal("1000"), I: Decimal("4000")}
    assert (ann.value.total, ann.value.shares) == (Decimal("5000"), {O: 0.2, I: 0.8})
    assert bob.value.value == {O: Decimal("0"), I: Decimal("2600")}
    assert (bob.value.deals, bob.value.won_value, bob.value.shares) == ({O: 0, I: 2}, Decimal("2000"), {O: 0.0, I: 1.0})
    assert (cy.value.total, cy.value.shares, cy.value.reason) == (Decimal("0"), {O: None, I: None}, NO_PIPELINE)
    team = m.team.value
    assert (team.value, team.deals, team.won_value) == ({O: Decimal("1000"), I: Decimal("6600")}, {O: 1, I: 3},
                                                        Decimal("2000"))
    assert team.shares == {O: pytest.approx(1000 / 7600), I: pytest.approx(6600 / 7600)}
    assert team.reason is None


def test_the_category_of_each_deal():
    s = story()
    lines = {line.deal.id: line for line in flow.timelines(LEAN, s.deal_list, s.events, now=at(30))}
    positions = {st_.name: st_.position for st_ in LEAN if st_.kind.value == "open"}
    found = {deal_id: value_category(line, positions, WINDOW) for deal_id, line in lines.items()}
    assert found == {1: O, 2: I, 3: I, 4: None, 5: None, 6: None, 7: None, 8: I, 9: I, 10: None, 11: None, 12: None}


def test_time_shares_per_person_who_logged_and_team():
    ann, bob, cy = mix().people
    assert (ann.time.total, ann.time.shares) == (180, {O: pytest.approx(2 / 3), I: pytest.approx(1 / 3), S: 0.0})
    assert (bob.time.minutes, bob.time.shares) == ({O: 0, I: 0, S: 30}, {O: 0.0, I: 0.0, S: 1.0})  # only support
    assert cy.time.shares == {O: 0.0, I: 0.25, S: 0.75}
    team = mix().team.time
    assert (team.minutes, team.total) == ({O: 120, I: 90, S: 120}, 330)
    assert team.shares == {O: pytest.approx(120 / 330), I: pytest.approx(90 / 330), S: pytest.approx(120 / 330)}


def test_targets_for_time_and_value():
    m = mix()
    assert m.target == {O: 0.5, I: 0.3, S: 0.2}
    assert m.value_target == {O: 0.625, I: 0.375}
    assert targets(None) == (None, None)
    assert targets({O: 0, I: 0, S: 100}) == ({O: 0.0, I: 0.0, S: 1.0}, None)


def test_nothing_logged_and_no_deals_give_reasons_not_zero_percent():
    m = mix(Story(LEAN), minutes={}, target=None)
    assert m.people == ()
    assert (m.team.time.total, m.team.time.shares, m.team.time.reason) == (0, dict.fromkeys(Activity), NO_TIME)
    assert (m.team.value.shares, m.team.value.reason) == ({O: None, I: None}, NO_PIPELINE)
    assert (m.target, m.value_target) == (None, None)


def test_a_person_with_deals_but_no_time_has_a_reason_for_time():
    ann = mix(minutes={}).people[0]
    assert (ann.person, ann.time.shares[O], ann.time.reason) == ("ann", None, NO_TIME)
    assert ann.value.reason is None


def test_the_old_default_is_gone_a_story_without_categories_is_classified_by_what_happened():
    s = Story(LEAN)
    s.add(1, "Leads", 1, value=100).add(2, "Leads", 12, value=300).move(1, "Qualifying", 12)
    assert all(d.activity is None for d in s.deal_list)
    assert mix(s).team.value.value == {O: Decimal("300"), I: Decimal("100")}


# -- invariants over generated histories --------------------------------------------

OWNERS = ("ann", "Ann", "bob", "")
STAGE_NAMES = [st_.name for st_ in LEAN]


@st.composite
def histories(draw):  # type: ignore[no-untyped-def]
    s = Story(LEAN)
    for deal_id in range(1, draw(st.integers(0, 8)) + 1):
        day = draw(st.integers(0, 29))
        s.add(deal_id, draw(st.sampled_from(STAGE_NAMES[:5])), day, value=draw(st.integers(0, 5000)),
              owner=draw(st.sampled_from(OWNERS)), currency=draw(st.sampled_from(("EUR", "EUR", "USD"))))
        s.deals[deal_id].activity = draw(st.sampled_from((None, None, O, I, S)))
        for _ in range(draw(st.integers(0, 4))):
            day += draw(st.integers(0, 5))
            to = draw(st.sampled_from(STAGE_NAMES))
            if to != s.deals[deal_id].stage:
                s.move(deal_id, to, day)
    minutes = draw(st.dictionaries(st.sampled_from(("ann", "ANN", "bob", "cy")),
                                   st.dictionaries(st.sampled_from(list(Activity)), st.integers(0, 600)), max_size=4))
    start = draw(st.integers(0, 30))
    window = flow.Period(at(start), at(start + draw(st.integers(0, 30))))
    target = draw(st.sampled_from((None, TARGET, {O: 0, I: 0, S: 100}, {O: 100, I: 0, S: 0})))
    return s, minutes, window, target


def _shares_ok(shares: dict) -> None:  # type: ignore[type-arg]
    values = list(shares.values())
    if all(v is None for v in values):
        return
    assert all(v is not None and 0 <= v <= 1 for v in values)
    assert sum(values) == pytest.approx(1)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_shares_are_fractions_that_sum_to_one_or_all_undefined(history):  # type: ignore[no-untyped-def]
    s, minutes, window, target = history
    lines = flow.timelines(LEAN, s.deal_list, s.events, now=at(70))
    m = effectiveness(lines, LEAN, window, "EUR", minutes, target)
    for person in (*m.people, m.team):
        _shares_ok(person.time.shares)
        _shares_ok(person.value.shares)
        assert (person.time.reason is None) == (person.time.total > 0)
        assert (person.value.reason is None) == (person.value.total > 0)
        assert 0 <= person.value.won_value <= person.value.total
    assert m.team.time.total == sum(n for logged in minutes.values() for n in logged.values())
    assert sum((p.value.total for p in m.people), Decimal(0)) <= m.team.value.total
    assert m.team.value.total <= sum((d.value for d in s.deal_list if d.currency == "EUR"), Decimal(0))
    if m.value_target is not None:
        assert sum(m.value_target.values()) == pytest.approx(1)
