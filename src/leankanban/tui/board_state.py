"""Plain functions over the board the TUI holds in memory (no I/O, no widgets).

The screen keeps one `BoardView` of domain objects. After a move it patches
that view with the moved deal instead of reloading ten thousand deals, and
reloads only when the database changed in some other way.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from leankanban.domain.model import BoardView, ColumnView, Deal

_EPOCH = datetime.min.replace(tzinfo=UTC)


def _order(deal: Deal) -> tuple[datetime, int]:
    """The order board_view() gives: oldest in stage first, then by id."""
    return (deal.stage_entered_at or _EPOCH, deal.id or 0)


def locate(view: BoardView, deal_id: int | None) -> tuple[int, int] | None:
    """(column index, card index) of the deal, or None when it is not on the board."""
    if deal_id is None:
        return None
    for column_index, column in enumerate(view.columns):
        for card_index, deal in enumerate(column.deals):
            if deal.id == deal_id:
                return column_index, card_index
    return None


def totals(deals: tuple[Deal, ...]) -> tuple[tuple[str, Decimal], ...]:
    """Summed value per currency, sorted by currency (as the service gives it)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for deal in deals:
        sums[deal.currency] += deal.value
    return tuple(sorted(sums.items()))


def apply_move(view: BoardView, moved: Deal) -> BoardView:
    """The view with `moved` taken out of its old column and put in its new one."""
    columns: list[ColumnView] = []
    for column in view.columns:
        deals = column.deals
        if any(deal.id == moved.id for deal in deals):
            deals = tuple(deal for deal in deals if deal.id != moved.id)
        if column.stage.name == moved.stage:
            ordered = list(deals)
            bisect.insort(ordered, moved, key=_order)
            deals = tuple(ordered)
        if deals is not column.deals:
            column = replace(column, deals=deals, totals=totals(deals))
        columns.append(column)
    return replace(view, columns=tuple(columns))
