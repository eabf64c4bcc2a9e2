"""The metrics' fast paths answer as the rules they stand for."""

from __future__ import annotations

from leankanban.metrics import flow
from tests.unit.metrics.metrics_story import LEAN


def test_active_by_name_answers_as_is_active_for_board_and_gone_stages():
    by_name = {s.name: s for s in LEAN}
    active = flow.active_by_name(by_name)
    for name in [*by_name, "Renamed away", ""]:
        assert active[name] is flow.is_active(by_name.get(name)), name
        assert active[name] is flow.is_active(by_name.get(name)), name  # asked again: the same
