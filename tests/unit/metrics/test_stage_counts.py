"""The cumulative flow's one sweep over the visits counts what asking every deal at every
moment counts (`Timeline.stage_at`), for generated timelines and moments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leankanban.domain.model import Deal, DealStatus
from leankanban.metrics import flow

ORIGIN = datetime(2026, 1, 5, tzinfo=UTC)
STAGES = ("Leads", "Discovery", "Proposal", "Won", "Gone")  # "Gone": a stage the board no longer has


@st.composite
def timeline(draw: st.DrawFn, deal_id: int) -> flow.Timeline:
    hours = draw(st.lists(st.integers(0, 24 * 10), min_size=1, max_size=6))
    entered = [ORIGIN + timedelta(hours=h) for h in sorted(hours)]  # ties included
    names = draw(st.lists(st.sampled_from(STAGES), min_size=len(entered), max_size=len(entered)))
    visits = tuple(
        flow.StageVisit(name, at, entered[i + 1] if i + 1 < len(entered) else None)
        for i, (name, at) in enumerate(zip(names, entered, strict=True))
    )
    deal = Deal(title=f"Deal {deal_id}", stage=names[-1], id=deal_id)
    return flow.Timeline(deal=deal, created_at=entered[0], visits=visits, status=DealStatus.OPEN,
                         started_at=None, closed_at=None, _entered=tuple(entered) if deal_id % 2 else ())


@st.composite
def board(draw: st.DrawFn) -> list[flow.Timeline]:
    count = draw(st.integers(0, 12))
    return [draw(timeline(n)) for n in range(count)]


moments = st.lists(st.integers(-24, 24 * 12).map(lambda h: ORIGIN + timedelta(hours=h)), max_size=15)


@settings(max_examples=150, deadline=None)
@given(board(), moments)
def test_stage_counts_equals_stage_at_for_every_deal_and_moment(lines: list[flow.Timeline], at: list[datetime]) -> None:
    expected = [Counter(s for line in lines if (s := line.stage_at(m)) is not None) for m in at]
    assert [Counter(found) for found in flow.stage_counts(lines, at)] == expected


@settings(max_examples=100, deadline=None)
@given(board(), st.integers(1, 12))
def test_cumulative_flow_equals_counting_each_deal_each_day(lines: list[flow.Timeline], span: int) -> None:
    from tests.unit.metrics.metrics_story import LEAN

    now = ORIGIN + timedelta(days=span, hours=5)
    days = flow.Period(ORIGIN - timedelta(days=1), now).days()
    rows = flow.cumulative_flow(LEAN, lines, days, now=now)
    names = [s.name for s in sorted(LEAN, key=lambda s: s.position)]
    for row in rows:
        moment = min(flow.end_of_day(row.day), now) - timedelta(microseconds=1)
        expected = dict.fromkeys(names, 0)
        for line in lines:  # the definition: each deal asked at the day's snapshot, in deal order
            stage = line.stage_at(moment)
            if stage is not None:
                expected[stage] = expected.get(stage, 0) + 1
        assert list(row.counts.items()) == list(expected.items())  # the order of a stage no longer there too
