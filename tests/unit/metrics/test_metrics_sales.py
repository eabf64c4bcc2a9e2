"""Sales metrics on hand-counted histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from leankanban.domain.model import Deal, DealStatus
from leankanban.metrics import flow, sales
from leankanban.metrics.flow import Period
from tests.unit.metrics.metrics_story import LEAN, Story, at

ALL = Period(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))


def lines(story: Story, now: datetime) -> list[flow.Timeline]:
    return flow.timelines(story.stages, story.deal_list, story.events, now=now)


def test_win_rate_by_owner_leaves_out_owners_with_nothing_closed():
    story = (
        Story()
        .add(1, owner="ann").win(1, 2)
        .add(2, owner="ann").win(2, 3)
        .add(3, owner="ann").lose(3, 4)
        .add(4, owner="bob").lose(4, 5)
        .add(5, owner="cy")
    )
    history = lines(story, at(10))
    by_owner = sales.win_rate_by(history, ALL, key=lambda d: d.owner, need=1)
    assert {k: (v.won, v.lost) for k, v in by_owner.items()} == {"ann": (2, 1), "bob": (0, 1)}
    assert by_owner["ann"].rate == pytest.approx(2 / 3)
    assert by_owner["bob"].rate == 0.0
    assert sales.win_rate(history, ALL, need=1).rate == 0.5
    # With the report's minimum (MIN_CLOSES = 5), four closes are not enough history.
    assert sales.win_rate(history, ALL).rate is None
    assert sales.win_rate(history, ALL).reason == "not enough history (4 closed, need 5)"


def test_win_rate_with_no_closed_deals_is_none():
    assert sales.win_rate([], ALL).rate is None
    story = Story().add(1)
    assert sales.win_rate(lines(story, at(1)), ALL).rate is None


def discard_story() -> Story:
    return (
        Story()
        .add(1, "Discovery", 0).lose(1, 2, "no budget")
        .add(2, "Discovery", 0).move(2, "Proposal", 1).lose(2, 3, "price")
        .add(3, "Discovery", 0).move(3, "Proposal", 1).win(3, 4)
        .add(4, "Leads", 0).lose(4, 1, "not a fit")
        .add(5, "Discovery", 0).move(5, "Proposal", 2)
        .add(6, "Negotiation", 0).lose(6, 2, None)
    )


def test_discard_rate_per_stage_is_losses_over_deals_that_left_it():
    result = sales.discards(lines(discard_story(), at(10)), ALL, LEAN, need=1)
    assert result.total == 4
    rows = {name: (d.lost, d.left, d.rate) for name, d in result.by_stage.items()}
    assert rows == {
        "Leads": (1, 1, 1.0),
        "Qualifying": (0, 0, None),
        "Discovery": (1, 4, 0.25),
        "Proposal": (1, 2, 0.5),
        "Negotiation": (1, 1, 1.0),
    }
    assert result.share("Discovery") == 0.25
    assert result.by_stage["Proposal"].reasons == {"price": 1}
    # With the report's minimum of 5 deals that left a stage, none of these rates is given.
    few = sales.discards(lines(discard_story(), at(10)), ALL, LEAN).by_stage["Discovery"]
    assert (few.rate, few.sample.reason) == (None, "not enough history (4 left the stage, need 5)")


def test_discards_are_counted_by_reason():
    result = sales.discards(lines(discard_story(), at(10)), ALL)
    assert result.reasons == {"no budget": 1, "price": 1, "not a fit": 1, "unspecified": 1}


def test_default_stage_probabilities_rise_with_position():
    chance = sales.stage_probabilities(LEAN)
    sixth = Decimal(1) / Decimal(6)
    assert chance["Leads"] == sixth
    assert chance["Discovery"] == Decimal(3) / Decimal(6)
    assert (chance["Won"], chance["Lost"]) == (Decimal(1), Decimal(0))
    assert sales.stage_probabilities(LEAN, {"Proposal": 0.9})["Proposal"] == Decimal("0.9")
    with pytest.raises(ValueError):
        sales.stage_probabilities(LEAN, {"Proposal": 2})


def pipeline_deals() -> list[Deal]:
    return [
        Deal("a", "Leads", value=Decimal("600")),
        Deal("b", "Discovery", value=Decimal("1000")),
        Deal("c", "Discovery", value=Decimal("3000")),
        Deal("d", "Proposal", value=Decimal("900")),
        Deal("e", "Negotiation", value=Decimal("1200"), currency="USD"),
        Deal("f", "Won", value=Decimal("5000"), status=DealStatus.WON),
    ]


def test_weighted_pipeline_by_stage():
    pipe = sales.pipeline(pipeline_deals(), LEAN)
    assert pipe.currency == "EUR"
    assert (pipe.count, pipe.value, pipe.weighted, pipe.other_currency) == (
        5, Decimal("5500.00"), Decimal("2700.00"), 1
    )
    assert pipe.by_stage["Leads"].weighted == Decimal("100.00")
    assert pipe.by_stage["Discovery"].weighted == Decimal("2000.00")
    assert pipe.by_stage["Proposal"].weighted == Decimal("600.00")
    assert (pipe.by_stage["Negotiation"].count, pipe.by_stage["Negotiation"].value) == (1, Decimal("0.00"))


def test_weighted_pipeline_with_overrides_and_without_upstream():
    pipe = sales.pipeline(pipeline_deals(), LEAN, probabilities={"Proposal": "0.5"}, include_upstream=False)
    assert "Leads" not in pipe.by_stage
    assert (pipe.value, pipe.weighted) == (Decimal("4900.00"), Decimal("2450.00"))


def test_a_deals_own_probability_weighs_it_instead_of_its_stages():
    deals = pipeline_deals()
    deals[2].probability = 90  # c: 3000 in Discovery (3/6) at the owner's 90% instead
    deals[3].probability = 0  # d: 900 in Proposal, written off by its owner
    pipe = sales.pipeline(deals, LEAN)
    # Discovery: 1000 x 3/6 + 3000 x 90% = 500 + 2700; Proposal: 900 x 0%.
    assert pipe.by_stage["Discovery"].weighted == Decimal("3200.00")
    assert pipe.by_stage["Proposal"].weighted == Decimal("0.00")
    assert (pipe.value, pipe.weighted) == (Decimal("5500.00"), Decimal("3300.00"))  # + Leads 100


def test_pipeline_coverage_against_a_target():
    cover = sales.coverage(sales.pipeline(pipeline_deals(), LEAN), "2750")
    assert cover.ratio == 2.0
    assert cover.weighted_ratio == pytest.approx(2700 / 2750)
    assert sales.coverage(sales.pipeline([], LEAN), 0).ratio is None


def test_sales_velocity_is_money_per_day():
    story = (
        Story()
        .add(1, value=1000).win(1, 10)
        .add(2, value=3000).win(2, 20)
        .add(3, value=9999).lose(3, 5)
        .add(4, value=9999).lose(4, 6)
        .add(5, "Discovery", 21).add(6, "Proposal", 21).add(7, "Negotiation", 21)
        .add(8, "Leads", 21)
    )
    v = sales.velocity(lines(story, at(22)), LEAN, ALL, need=4)
    assert (v.open_deals, v.avg_won_value, v.avg_cycle_days) == (3, Decimal("2000.00"), 15.0)
    assert v.win_rate.rate == 0.5
    # 3 deals x 2000 x 0.5 / 15 days
    assert v.per_day == Decimal("200.00")
    few = sales.velocity(lines(story, at(22)), LEAN, ALL)  # 4 committed closes, the report needs 5
    assert (few.per_day, few.reason) == (None, "not enough history (4 closed, need 5)")


def test_sales_velocity_is_none_without_wins():
    story = Story().add(1).lose(1, 2).add(2)
    assert sales.velocity(lines(story, at(3)), LEAN, ALL).per_day is None
    assert sales.velocity([], LEAN, ALL).per_day is None


def test_stalled_share_of_open_pipeline():
    story = (
        Story()
        .add(1, "Discovery", 0, value=1000)
        .add(2, "Proposal", 0, value=3000).note(2, 10)
        .add(3, "Leads", 1, value=6000)
        .add(4, "Discovery", 0, value=50000).win(4, 1)
    )
    result = sales.stalled(lines(story, at(16)), at(16), stall_days=14)
    assert [(s.deal.id, s.idle_days) for s in result.deals] == [(1, 16.0), (3, 15.0)]
    assert (result.count, result.open_count) == (2, 3)
    assert (result.value, result.open_value) == (Decimal("7000.00"), Decimal("10000.00"))
    assert result.share_count == pytest.approx(2 / 3)
    assert result.share_value == 0.7


def test_nothing_open_means_no_stalled_share():
    result = sales.stalled([], at(0))
    assert (result.count, result.share_count, result.share_value) == (0, None, None)


def test_main_currency_is_the_most_common_then_alphabetical():
    usd = Deal("x", "Leads", currency="USD")
    eur = Deal("y", "Leads", currency="EUR")
    assert sales.main_currency([usd, usd, eur]) == "USD"
    assert sales.main_currency([usd, eur]) == "EUR"
    assert sales.main_currency([], default="GBP") == "GBP"


def test_velocity_ignores_won_values_in_another_currency():
    story = Story().add(1, value=1000).win(1, 10).add(2, value=500, currency="USD").win(2, 10).add(3, "Proposal", 11)
    v = sales.velocity(lines(story, at(12)), LEAN, ALL, currency="EUR", need=2)
    assert v.avg_won_value == Decimal("1000.00")
    assert v.per_day == Decimal("100.00")


def test_period_shorter_than_history():
    story = Story().add(1).win(1, 1).add(2).win(2, 20)
    recent = Period(at(10), at(21))
    assert sales.win_rate(lines(story, at(21)), recent).won == 1
    assert recent.length_days == pytest.approx(11)
    assert timedelta(days=recent.length_days) == timedelta(days=11)


def test_velocity_is_undefined_while_wins_took_under_a_day():
    # Deals won minutes after they started (a board filled in on its first day) say nothing
    # about how long a deal takes: no velocity, rather than more than the pipeline a day.
    from leankanban.metrics.sales import Velocity, WinRate

    fast = Velocity("EUR", open_deals=2, avg_won_value=Decimal("300"), win_rate=WinRate(won=3, lost=1, need=4),
                    avg_cycle_days=0.0001)
    assert fast.per_day is None
    assert fast.reason == "not enough history (the wins took 0.0 days on average, need at least 1)"
    day = Velocity("EUR", open_deals=2, avg_won_value=Decimal("300"), win_rate=WinRate(won=3, lost=1, need=4),
                   avg_cycle_days=1.0)
    assert day.per_day == Decimal("450.00")  # 2 x 300 x 0.75 / 1 day
