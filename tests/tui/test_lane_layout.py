"""The swimlane layout and its cursor, as plain functions (tui/lanes.py; no app)."""

from __future__ import annotations

from leankanban.domain.model import Lane
from leankanban.tui import lanes
from leankanban.tui.display import LaneSection

H = 4  # card height for these tests


def sections(*lanes_and_counts: tuple[str, int]) -> tuple[LaneSection, ...]:
    out, start = [], 0
    for value, count in lanes_and_counts:
        out.append(LaneSection(value, start, count, value or "(nobody)"))
        start += count
    return tuple(out)


LEADS = sections(("ann", 2), ("bob", 1))
QUALIFYING = sections(("bob", 3))
DISCOVERY = sections(("ann", 1), ("", 1))


def layout(collapsed: frozenset[str] = frozenset()) -> lanes.LaneLayout:
    return lanes.lane_layout([LEADS, QUALIFYING, DISCOVERY], Lane.OWNER, collapsed, H)


def cells(column: tuple[LaneSection, ...]) -> dict[str, LaneSection]:
    return {section.value: section for section in column}


def test_each_lane_is_as_tall_as_its_fullest_column_and_starts_on_one_line():
    board = layout()
    assert [(band.value, band.top, band.slots) for band in board.bands] == [("ann", 0, 2), ("bob", 9, 3), ("", 22, 1)]
    assert board.height == 27
    assert board.band_at(0) == 0 and board.band_at(8) == 0 and board.band_at(9) == 1 and board.band_at(26) == 2
    assert board.cell("bob", 1) == (14, 17)


def test_a_collapsed_lane_is_its_header_line():
    board = layout(frozenset({"bob"}))
    assert [(band.value, band.top) for band in board.bands] == [("ann", 0), ("bob", 9), ("", 10)]
    assert board.cell("bob", 2) == (9, 9)
    assert layout() == layout() and layout() != board


def test_step_walks_a_lane_then_the_next_lanes_first_card():
    board = layout()
    assert lanes.step(board, cells(LEADS), LEADS, (0, None), +1) == (1, None)
    assert lanes.step(board, cells(LEADS), LEADS, (1, None), +1) == (2, None)
    assert lanes.step(board, cells(LEADS), LEADS, (2, None), +1) == (2, None)  # no card of nobody's in Leads
    assert lanes.step(board, cells(LEADS), LEADS, (2, None), -1) == (1, None)
    # From an empty cell (bob in Discovery): the next lane with a card here.
    assert lanes.step(board, cells(DISCOVERY), DISCOVERY, (None, "bob"), +1) == (1, None)
    assert lanes.step(board, cells(DISCOVERY), DISCOVERY, (None, "bob"), -1) == (0, None)
    # A collapsed lane is one stop.
    folded = layout(frozenset({"ann"}))
    assert lanes.step(folded, cells(LEADS), LEADS, (2, None), -1) == (None, "ann")
    assert lanes.edge(folded, cells(LEADS), LEADS, last=False) == (None, "ann")
    assert lanes.edge(folded, cells(LEADS), LEADS, last=True) == (2, None)


def test_across_keeps_the_lane_and_the_nearest_slot():
    board = layout()
    assert lanes.across(board, cells(QUALIFYING), "bob", 0) == (0, None)
    assert lanes.across(board, cells(QUALIFYING), "bob", 5) == (2, None)
    assert lanes.across(board, cells(QUALIFYING), "ann", 1) == (None, "ann")  # the lane's empty cell
    assert lanes.across(layout(frozenset({"bob"})), cells(QUALIFYING), "bob", 1) == (None, "bob")


def test_settle_puts_the_focus_on_a_collapsed_lanes_header_and_back():
    folded = layout(frozenset({"ann"}))
    assert lanes.settle(folded, cells(LEADS), LEADS, 1, None) == (1, "ann")
    assert lanes.settle(layout(), cells(LEADS), LEADS, 2, "ann") == (0, None)
    assert lanes.settle(layout(), cells(QUALIFYING), QUALIFYING, 0, "ann") == (0, "ann")  # an empty cell stays
    assert lanes.settle(layout(), cells(QUALIFYING), QUALIFYING, 0, "gone") == (0, None)


def test_scrolling_keeps_the_focused_card_and_the_line_above_in_view():
    board = layout()
    assert lanes.follow(board, "ann", 0, 0, 10, scroll=True) == 0
    # bob's third card (lines 18-21) in a window of 10 lines (9 and a hint line).
    top = lanes.follow(board, "bob", 2, 0, 10, scroll=True)
    assert top <= 17 and top + 9 > 20
    assert lanes.follow(board, "bob", 0, top, 10, scroll=True) == 9  # back up: its header shows
    assert lanes.follow(board, None, 0, 99, 10, scroll=False) == 27 - 9  # kept inside the layout
    assert lanes.hidden_counts(board, QUALIFYING, 14, 18) == (1, 1)  # cards on lines 10, 14, 18


def test_hidden_counts_agree_with_counting_card_by_card():
    board = layout(frozenset({""}))  # nobody's lane collapsed: its cards start on its header line
    column = sections(("ann", 2), ("bob", 3), ("", 1))
    for top in range(board.height + 1):
        for bottom in range(top, board.height + 2):
            starts = [
                band.top if band.collapsed else band.top + 1 + slot * H
                for band in board.bands
                for section in column if section.value == band.value
                for slot in range(section.count)
            ]
            expected = (sum(1 for s in starts if s < top), sum(1 for s in starts if s >= bottom))
            assert lanes.hidden_counts(board, column, top, bottom) == expected, (top, bottom)


def test_a_new_layout_reuses_the_order_and_unchanged_bands_of_the_last():
    first = layout()
    again = lanes.lane_layout([LEADS, QUALIFYING, DISCOVERY], Lane.OWNER, frozenset(), H, first)
    assert again == first and all(a is b for a, b in zip(again.bands, first.bands, strict=True))
    fewer = lanes.lane_layout([LEADS, sections(("bob", 1)), DISCOVERY], Lane.OWNER, frozenset(), H, first)
    assert [band.slots for band in fewer.bands] == [2, 1, 1] and fewer.bands[0] is first.bands[0]
