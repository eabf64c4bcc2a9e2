"""Hypothesis strategies for generated board histories, written with metrics_story.Story.

A history is up to 30 deals, each added to an open stage of the lean template on a
quarter-day and then moved a few times: towards a close (won, lost after commitment,
qualified out of an upstream stage) or at random to any stage (reopens and moves back
happen too), with reasons or none.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st

from leankanban.domain.model import StageKind
from tests.unit.metrics.metrics_story import LEAN, Story, at

OPEN_STAGES = [s.name for s in LEAN if s.kind is StageKind.OPEN]
ALL_STAGES = [s.name for s in LEAN]
UPSTREAM_STAGES = [s.name for s in LEAN if s.kind is StageKind.OPEN and s.upstream]
ACTIVE_STAGES = [name for name in OPEN_STAGES if name not in UPSTREAM_STAGES]
REASONS = [None, "price", "not a fit", "timing"]
#: How a deal's moves are chosen: a path towards one kind of close, or at random.
PATHS = {
    "qualified out": lambda draw: [draw(st.sampled_from(UPSTREAM_STAGES)), "Lost"],
    "lost": lambda draw: [draw(st.sampled_from(ACTIVE_STAGES)), "Lost"],
    "won": lambda draw: [draw(st.sampled_from(ACTIVE_STAGES)), "Won"],
    "random": lambda draw: draw(st.lists(st.sampled_from(ALL_STAGES), max_size=4)),
}


@st.composite
def histories(draw, max_deals: int = 30) -> Story:
    story = Story()
    for deal_id in range(1, draw(st.integers(0, max_deals)) + 1):
        day = draw(st.integers(0, 160)) / 4
        path = PATHS[draw(st.sampled_from(sorted(PATHS)))](draw)
        first = path.pop(0) if path and path[0] in OPEN_STAGES else draw(st.sampled_from(OPEN_STAGES))
        story.add(deal_id, first, day, value=draw(st.integers(0, 50_000)), owner=draw(st.sampled_from(["ann", "bob"])))
        for to in path:
            day += draw(st.integers(0, 40)) / 4
            if to != story.deals[deal_id].stage:
                story.move(deal_id, to, day, reason=draw(st.sampled_from(REASONS)))
    return story


def now_after(story: Story) -> datetime:
    """A moment after every event of `story` (and at least day 1)."""
    last = max((e.at for e in story.events), default=at(0))
    return max(last, at(1)) + timedelta(hours=6)
