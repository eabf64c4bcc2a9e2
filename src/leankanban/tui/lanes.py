"""Swimlanes across the board: one vertical layout that every column shares.

A lane is a horizontal band through every column: a header line (its name,
and in each column that column's count, value and the lane's WIP limit),
then as many card slots as the lane has cards in its fullest column. Lane k
therefore starts on the same line in every column, and one scroll offset
(`LaneView.top`) serves them all. A collapsed lane is its header line only.

Pure functions over the shown columns' lane sections (`tui.display`): no
widgets and no I/O. The layout costs O(lanes x columns) to build and the
screen rebuilds it only when a column's sections or the collapsed lanes
change; the cursor functions look up one lane at a time.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from leankanban.domain import rules
from leankanban.domain.model import Lane
from leankanban.tui.display import LaneSection


@dataclass(frozen=True, slots=True)
class LaneBand:
    """One lane across the board: header on line `top`, then `slots` cards (none shown when collapsed)."""

    value: str
    name: str
    top: int
    slots: int
    collapsed: bool = False


@dataclass(frozen=True, slots=True)
class LaneLayout:
    """The lanes in order, with their lines; `height` lines in all."""

    bands: tuple[LaneBand, ...] = ()
    card_height: int = 1
    height: int = 0
    #: The first line of each band (for bisection) and each lane's band, by value.
    tops: tuple[int, ...] = field(default=(), compare=False)
    positions: Mapping[str, int] = field(default_factory=dict, compare=False)

    def band_at(self, line: int) -> int:
        """The band that line `line` belongs to (0 for lines above the first)."""
        return max(0, bisect.bisect_right(self.tops, line) - 1)

    def band_of(self, value: str) -> LaneBand | None:
        position = self.positions.get(value)
        return None if position is None else self.bands[position]

    def cell(self, value: str, slot: int) -> tuple[int, int]:
        """The first and last line of card slot `slot` in lane `value` (the header for a collapsed lane)."""
        band = self.bands[self.positions[value]]
        if band.collapsed:
            return band.top, band.top
        first = band.top + 1 + slot * self.card_height
        return first, first + self.card_height - 1


def lane_layout(
    columns: Sequence[Sequence[LaneSection]],
    lane: Lane,
    collapsed: frozenset[str],
    card_height: int,
    previous: LaneLayout | None = None,
) -> LaneLayout:
    """The board's lanes from the lane sections of every shown column.

    With the `previous` layout of the same grouping, its order is reused when the
    lanes are the same ones (a move seldom adds or removes a lane), and so are
    its unchanged bands, so comparing the two layouts is quick.
    """
    slots: dict[str, int] = {}
    names: dict[str, str] = {}
    for sections in columns:
        for section in sections:
            if section.count > slots.get(section.value, 0):
                slots[section.value] = section.count
                names[section.value] = section.name
    if previous is not None and len(previous.bands) == len(slots) and all(v in slots for v in previous.positions):
        order: Sequence[str] = [band.value for band in previous.bands]
        old: Sequence[LaneBand | None] = previous.bands
    else:
        order, old = sorted(slots, key=rules.lane_sort_key(lane)), [None] * len(slots)
    bands: list[LaneBand] = []
    line = 0
    for value, was in zip(order, old, strict=True):
        folded, count = value in collapsed, slots[value]
        if was is None or was.top != line or was.slots != count or was.collapsed is not folded:
            was = LaneBand(value, names[value], line, count, folded)
        bands.append(was)
        line += 1 + (0 if folded else count * card_height)
    return LaneLayout(
        tuple(bands),
        card_height,
        line,
        tuple(band.top for band in bands),
        {band.value: number for number, band in enumerate(bands)},
    )


@dataclass(frozen=True, slots=True, eq=False)
class LaneView:
    """What every column needs to draw its part of the lanes: the layout, the
    first line in view, and the lane whose empty cell or collapsed header has the
    focus in the active column (None when a card has it)."""

    layout: LaneLayout
    top: int = 0
    focus: str | None = None


def scroll_to(top: int, first: int, last: int, room: int, total: int) -> int:
    """The first line to show so that lines `first`..`last` are in a window of `room` lines.

    The line above a card is kept in view too (its lane header, or the gap under
    the card above, which the sticky lane header may cover); a card taller than
    the window shows its top.
    """
    room = max(1, room)
    if last - room + 1 > top:
        top = last - room + 1
    if first - 1 < top:
        top = first - 1
    return max(0, min(top, total - room))


def section_at(sections: Sequence[LaneSection], index: int) -> LaneSection | None:
    """The lane section holding shown deal `index`."""
    position = bisect.bisect_right(sections, index, key=lambda section: section.start) - 1
    if position < 0:
        return None
    section = sections[position]
    return section if index < section.start + section.count else None


#: Where the focus is in one column: (index of the focused card, lane of the
#: focused empty cell or collapsed header); one of them is None.
Spot = tuple[int | None, str | None]


def step(
    layout: LaneLayout, cells: Mapping[str, LaneSection], sections: Sequence[LaneSection], spot: Spot, by: int
) -> Spot:
    """One card down (`by` = +1) or up (-1) in a column: through a lane's cards, then
    on to the next lane's first (or the previous lane's last) card. A collapsed lane
    is one stop (its header); a lane with no card in this column is passed over.
    From the last stop, the focus stays."""
    index, focus = spot
    if index is not None and focus is None:
        section = section_at(sections, index)
        if section is None:
            return spot
        if section.start <= index + by < section.start + section.count:
            return index + by, None
        focus = section.value
    position = -1 if focus is None else layout.positions.get(focus)
    if position is None:
        return spot
    bands = layout.bands
    if focus is None and by < 0:
        position = len(bands)
    order = range(position + 1, len(bands)) if by > 0 else range(position - 1, -1, -1)
    for number in order:
        band = bands[number]
        if band.collapsed:
            return None, band.value
        found = cells.get(band.value)
        if found is not None:
            return (found.start if by > 0 else found.start + found.count - 1), None
    return spot


def edge(layout: LaneLayout, cells: Mapping[str, LaneSection], sections: Sequence[LaneSection], last: bool) -> Spot:
    """The first (or last) stop of a column."""
    return step(layout, cells, sections, (None, None), -1 if last else +1)


def across(layout: LaneLayout, cells: Mapping[str, LaneSection], value: str, slot: int) -> Spot:
    """The spot in another column for lane `value`, card slot `slot`: the nearest card
    of the same lane there, else the lane's empty cell (its header when collapsed)."""
    band = layout.band_of(value)
    if band is None:
        return None, None
    found = cells.get(value)
    if band.collapsed or found is None:
        return None, value
    return found.start + min(slot, found.count - 1), None


def hidden_counts(layout: LaneLayout, sections: Sequence[LaneSection], top: int, bottom: int) -> tuple[int, int]:
    """Cards of one column that start above line `top`, and at or below line `bottom`
    (a collapsed lane's cards start on its header line). O(log lanes): a scroll
    through thousands of account lanes costs no more than through four owners."""
    if not sections:
        return 0, 0
    positions, height = layout.positions, layout.card_height
    total = sections[-1].start + sections[-1].count

    def band_number(section: LaneSection) -> int:
        return positions.get(section.value, -1)

    def cards_before(band: int, line: int) -> int:
        """Cards of the column in bands before `band`, and in `band` starting before `line`."""
        position = bisect.bisect_left(sections, band, key=band_number)
        if position == len(sections):
            return total
        section = sections[position]
        if band_number(section) != band:
            return section.start
        lane = layout.bands[band]
        if lane.collapsed:
            return section.start + (section.count if lane.top < line else 0)
        return section.start + min(section.count, max(0, -(-(line - lane.top - 1) // height)))

    return cards_before(layout.band_at(top), top), total - cards_before(layout.band_at(bottom), bottom)


def settle(
    layout: LaneLayout, cells: Mapping[str, LaneSection], sections: Sequence[LaneSection], cursor: int, focus: str | None
) -> tuple[int, str | None]:
    """The focus of a column made consistent with the layout: a card in a collapsed lane
    is never focused (its header is); a focused empty cell gives way to the lane's
    first card once there is one; a lane that is gone gives way to the cursor's card."""
    if focus is not None:
        band = layout.band_of(focus)
        if band is None:
            focus = None
        elif not band.collapsed and focus in cells:
            return cells[focus].start, None
    if focus is None and sections:
        section = section_at(sections, cursor)
        band = None if section is None else layout.band_of(section.value)
        if band is not None and band.collapsed:
            focus = band.value
    return cursor, focus


def spot_of(sections: Sequence[LaneSection], cursor: int, focus: str | None) -> tuple[str | None, int]:
    """The lane a column's focus is in (its card's or its cell's) and the card slot in that lane."""
    if focus is not None:
        return focus, 0
    section = section_at(sections, cursor) if sections else None
    return (None, 0) if section is None else (section.value, cursor - section.start)


def follow(layout: LaneLayout, value: str | None, slot: int, top: int, height: int, *, scroll: bool) -> int:
    """The first line to show in a window of `height` lines: moved so lane `value`'s
    slot is in view when `scroll`, and kept inside the layout (the last line is the
    scroll hint when the lanes do not all fit)."""
    if height <= 0:
        return top
    room = height - (1 if layout.height > height else 0)
    if scroll and value is not None and layout.band_of(value) is not None:
        first, last = layout.cell(value, slot)
        top = scroll_to(top, first, max(first, last - 1), room, layout.height)
    return max(0, min(top, layout.height - room))


class Cells:
    """Each shown column's lane sections by lane value, rebuilt when its sections change."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Sequence[LaneSection], dict[str, LaneSection]]] = {}

    def of(self, column: int, sections: Sequence[LaneSection]) -> dict[str, LaneSection]:
        hit = self._cache.get(column)
        if hit is None or hit[0] is not sections:
            hit = self._cache[column] = (sections, {section.value: section for section in sections})
        return hit[1]
