"""What the board shows of its columns: filters and swimlanes, as plain functions.

The screen holds the whole board (`BoardView`); this module derives what each
column displays from it: the deals the filter keeps, grouped into lanes, and
the counts the headers need. No I/O and no widgets; every policy question
(is it stalled? does it match?) goes to `domain.rules`.

Deriving a column is O(deals in it); the screen caches the result by the
column object, so after a move only the two columns that changed are derived
again, and with no filter and no grouping the shown deals are the column's
own tuple (nothing is copied).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from leankanban.domain import defaults, rules
from leankanban.domain.model import (
    Board,
    ColumnView,
    Deal,
    Lane,
)
from leankanban.domain.work import PersonLoad

#: The order `s` cycles swimlane groupings in.
LANE_CYCLE = (Lane.NONE, Lane.OWNER, Lane.TYPE, Lane.PRIORITY, Lane.ACCOUNT)

LANE_NAMES = {
    Lane.NONE: "no lanes",
    Lane.OWNER: "owner",
    Lane.TYPE: "deal type",
    Lane.PRIORITY: "priority",
    Lane.ACCOUNT: "account",
}


def next_lane(lane: Lane) -> Lane:
    return LANE_CYCLE[(LANE_CYCLE.index(lane) + 1) % len(LANE_CYCLE)]


@dataclass(frozen=True, slots=True)
class BoardFilter:
    """What the board narrows to: free text (rules.matches) and quick filters, all of which must hold."""

    text: str = ""
    mine: bool = False
    blocked: bool = False
    stalled: bool = False
    review: bool = False
    #: Deal ids committed to the open sprint, when filtering to them.
    committed: frozenset[int] | None = None

    @property
    def active(self) -> bool:
        return (
            bool(self.text.strip()) or self.mine or self.blocked or self.stalled or self.review
            or self.committed is not None
        )

    @property
    def uses_clock(self) -> bool:
        return self.stalled or self.review

    def describe(self) -> str:
        """`"acme" · mine · blocked`, for the header."""
        parts = [f"“{self.text.strip()}”"] if self.text.strip() else []
        for on, name in (
            (self.mine, "mine"),
            (self.blocked, "blocked"),
            (self.stalled, "stalled"),
            (self.review, "needs review"),
            (self.committed is not None, "in the sprint"),
        ):
            if on:
                parts.append(name)
        return " · ".join(parts)

    def keeps(self, deal: Deal, *, now: datetime, board: Board, actor: str) -> bool:
        if self.committed is not None and deal.id not in self.committed:
            return False
        if self.mine and deal.owner.casefold() != actor.casefold():
            return False
        if self.blocked and not deal.is_blocked:
            return False
        if self.stalled and not rules.is_stalled(deal, now, board.stall_days):
            return False
        if self.review and not rules.needs_review(deal, now, board.review_days):
            return False
        return not self.text.strip() or rules.matches(deal, self.text)


@dataclass(frozen=True, slots=True)
class LaneSection:
    """One swimlane inside a column: shown deals `start` .. `start + count - 1`."""

    value: str
    start: int
    count: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class ShownColumn:
    """A column as displayed: the full column, the deals shown (in lane order), lane sections, counts."""

    column: ColumnView
    deals: tuple[Deal, ...]
    sections: tuple[LaneSection, ...] = ()
    blocked: int = 0

    @property
    def count(self) -> int:
        return len(self.deals)

    @property
    def hidden(self) -> int:
        return self.column.count - len(self.deals)

    def index_of(self, deal_id: int | None) -> int | None:
        for index, deal in enumerate(self.deals):
            if deal.id == deal_id:
                return index
        return None


#: A filter's verdicts by deal: id(deal) -> (the deal, kept?). Deals are not
#: changed in place, so an unchanged deal object keeps its verdict.
Verdicts = dict[int, tuple[Deal, bool]]


def shown_column(
    column: ColumnView,
    *,
    board_filter: BoardFilter,
    lane: Lane,
    now: datetime,
    board: Board,
    actor: str,
    verdicts: Verdicts | None = None,
) -> ShownColumn:
    """The deals of `column` that the filter keeps, grouped by `lane` (stable within a lane).

    `verdicts` remembers the filter's answer per deal object across calls (the
    caller clears it when the filter or the clock changes), so after a move
    only the moved deal is matched again.
    """
    deals = column.deals
    if board_filter.active:
        memo: Verdicts = {} if verdicts is None else verdicts

        def kept(deal: Deal) -> bool:
            hit = memo.get(id(deal))
            if hit is not None and hit[0] is deal:
                return hit[1]
            verdict = board_filter.keeps(deal, now=now, board=board, actor=actor)
            memo[id(deal)] = (deal, verdict)
            return verdict

        deals = tuple(d for d in deals if kept(d))
    blocked = sum(1 for d in column.deals if d.blocked_reason is not None)
    if lane is Lane.NONE or not deals:
        return ShownColumn(column, deals, (), blocked)
    ordered: list[Deal] = []
    sections: list[LaneSection] = []
    for value, group in rules.lanes_of(deals, lane):
        sections.append(LaneSection(value, len(ordered), len(group), rules.lane_name(lane, value)))
        ordered.extend(group)
    return ShownColumn(column, tuple(ordered), tuple(sections), blocked)


@dataclass(frozen=True, slots=True)
class CardContext:
    """What every card needs besides its deal: the clock and the board's settings.

    The screen keeps one and replaces it only when one of these changes, so an
    unchanged column can tell by identity that it need not repaint.
    """

    now: datetime
    stall_days: int = defaults.STALL_DAYS
    review_days: int = defaults.REVIEW_DAYS
    lane: Lane = Lane.NONE
    #: Lane value -> (open deals in active stages on the whole board, limit), for lanes with a limit.
    lane_limits: dict[str, tuple[int, int]] = field(default_factory=dict)

    def lane_state(self, value: str) -> tuple[str, str]:
        """(`WIP 3/4` or "", "ok" / "at" / "over") for the lane `value`."""
        found = self.lane_limits.get(value)
        if found is None:
            return "", "ok"
        count, limit = found
        state = "over" if count > limit else "at" if count == limit else "ok"
        return f"WIP {count}/{limit}", state


def card_context(
    now: datetime,
    board: Board,
    lane: Lane,
    deals: list[Deal] | None = None,
    people: Mapping[str, PersonLoad] | None = None,
) -> CardContext:
    """The context for `board` grouped by `lane`; `deals` (the whole board) only matter for lane limits.

    An owner lane's limit is the person's WIP limit, counted as the services count it
    (domain/work.py): their deals and work cards in progress on every board. With
    `people` (services.load()), owner lanes show that count and limit, so the header
    says what a move into the lane will be checked against; without it, this board's.
    """
    limits: dict[str, tuple[int, int]] = {}
    if lane is Lane.OWNER and people is not None:
        for person in people.values():
            if person.limit is not None:
                limits[person.person] = (person.total, person.limit)
        return CardContext(now, board.stall_days, board.review_days, lane, limits)
    wanted = [limit for limit in board.lane_limits if limit.dimension is lane]
    if wanted and deals is not None:
        counts = rules.lane_counts_of(board, deals)
        for limit in wanted:
            limits[limit.value] = (counts.get((lane, limit.value), 0), limit.wip_max)
    return CardContext(now, board.stall_days, board.review_days, lane, limits)


def locate_shown(columns: list[ShownColumn], deal_id: int | None) -> tuple[int, int] | None:
    """(column, index among the shown deals) of the deal, or None when it is not shown."""
    if deal_id is None:
        return None
    for column_index, shown in enumerate(columns):
        index = shown.index_of(deal_id)
        if index is not None:
            return column_index, index
    return None
