"""The report's effectiveness on a real database: time logged and deals created and moved
by two people (and a third who only logs support), hand-computed."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from leankanban.domain.model import Activity
from leankanban.reports.render import to_dict, to_markdown
from leankanban.services import LeanKanban, reports
from tests.conftest import FakeClock

O, I, S = Activity.ORIGINATION, Activity.INFLUENCE, Activity.SUPPORT


def as_person(lk: LeanKanban, name: str) -> LeanKanban:
    return LeanKanban(lk.engine, actor=name, clock=lk.clock)


def two_people(lk: LeanKanban, clock: FakeClock) -> None:
    ann, bob, dee = lk, as_person(lk, "bob"), as_person(lk, "Dee")
    clock.advance(days=-40)  # before the 30-day history window
    old_a = ann.add_deal("Old A", stage="Discovery", value="5000", customer_value="Saves time")
    old_b = bob.add_deal("Old B", stage="Proposal", value="2000", customer_value="Saves time")
    old_c = bob.add_deal("Old C", stage="Discovery", value="700", customer_value="Saves time")
    bob.add_deal("Old D", stage="Discovery", value="900")  # never touched again
    ann.log_time("3h", category="support")  # before the window: not counted
    clock.advance(days=30)  # 10 days ago: in the window
    ann.move_deal(old_a.id, "Proposal")  # advanced: influence for ann
    bob.win(old_b.id)  # won: influence for bob
    bob.move_deal(old_c.id, "Proposal")
    bob.move_deal(old_c.id, "Discovery")  # and back: not advanced
    ann.add_deal("New A", value="1000")  # created: origination for ann
    ann.add_deal("Partner deal", value="400", activity="influence")  # someone else's opportunity
    bob.add_deal("New B", value="3000")  # origination for bob
    bob.add_deal("Help desk", value="250", activity="support")  # support: not pipeline
    ann.log_time("2h", category="origination")
    ann.log_time("1h", category="influence")
    bob.log_time("30m", category="support")
    bob.log_time("1h30m", category="influence")
    dee.log_time("1h", category="support")  # only support time, owns nothing
    clock.advance(days=10)


def test_time_and_pipeline_shares_per_person_and_team(lk: LeanKanban, clock: FakeClock):
    two_people(lk, clock)
    e = reports.report(lk, seed=1, history_days=30).effectiveness
    assert [p.person for p in e.people] == ["ann", "bob", "Dee"]
    ann, bob, dee = ({a.activity: a for a in p.activities} for p in e.people)

    assert (e.people[0].total_minutes, [ann[a].time_share for a in (O, I, S)]) == (
        180, [pytest.approx(2 / 3), pytest.approx(1 / 3), 0.0])
    assert (ann[O].value, ann[I].value, ann[I].deals) == (Decimal("1000.00"), Decimal("5400.00"), 2)
    assert (ann[O].value_share, ann[I].value_share) == (0.15625, 0.84375)  # of 6,400

    assert (e.people[1].total_minutes, [bob[a].time_share for a in (O, I, S)]) == (120, [0.0, 0.75, 0.25])
    assert (bob[O].value, bob[I].value, e.people[1].won_value) == (Decimal("3000.00"), Decimal("2000.00"),
                                                                    Decimal("2000.00"))
    assert (bob[O].value_share, bob[I].value_share) == (0.6, 0.4)

    assert [dee[a].time_share for a in (O, I, S)] == [0.0, 0.0, 1.0]
    assert (e.people[2].pipeline_value, e.people[2].value_reason) == (0, "no pipeline value created or advanced")
    assert dee[O].value_share is None

    team = {a.activity: a for a in e.team.activities}
    assert (e.team.total_minutes, [team[a].minutes for a in (O, I, S)]) == (360, [120, 150, 90])
    assert (team[O].value, team[I].value, e.team.won_value) == (Decimal("4000.00"), Decimal("7400.00"),
                                                               Decimal("2000.00"))
    assert (team[O].time_target, team[O].value_target, team[I].value_target) == (0.5, 0.625, 0.375)


def test_the_fast_read_gives_the_same_effectiveness_as_reading_everything(lk: LeanKanban, clock: FakeClock):
    two_people(lk, clock)
    fast = reports.report(lk, seed=1, history_days=30)
    full = reports.report(lk, seed=1, history_days=30, everything=True)
    assert fast.effectiveness == full.effectiveness
    assert reports.report(lk, seed=1, history_days=30, owner="BOB").effectiveness.team.pipeline_value == Decimal(
        "5000.00")


def test_the_json_and_markdown_say_it_and_show_names_as_text(lk: LeanKanban, clock: FakeClock):
    two_people(lk, clock)
    lk.add_deal("Pipe", value="10", owner="a|b *c*")
    r = reports.report(lk, seed=1, history_days=30)
    data = json.loads(json.dumps(to_dict(r)))["effectiveness"]
    assert (data["currency"], data["target"], data["value_target"]) == (
        "EUR", {"origination": 0.5, "influence": 0.3, "support": 0.2}, {"origination": 0.625, "influence": 0.375})
    assert [p["person"] for p in data["people"]] == ["ann", "a|b *c*", "bob", "Dee"]
    assert data["people"][3]["value_reason"] == "no pipeline value created or advanced"
    assert data["people"][1]["time_reason"] == "no time logged"
    assert data["team"]["activities"][2] == {
        "activity": "support", "minutes": 90, "time_share": 0.25, "time_target": 0.2, "value": None, "deals": None,
        "value_share": None, "value_target": None}
    page = to_markdown(r)
    assert "a\\|b \\*c\\*" in page and "| ann | EUR 1,000.00 (16%) | EUR 5,400.00 (84%) | EUR 0.00 |" in page
