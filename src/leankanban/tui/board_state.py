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


def index_in(column: ColumnView, deal: Deal) -> int | None:
    """Where `deal` sits in `column` (kept in board order), found by bisection instead of a scan."""
    index = bisect.bisect_left(column.deals, _order(deal), key=_order)
    if index < len(column.deals) and column.deals[index].id == deal.id:
        return index
    return None


def totals(deals: tuple[Deal, ...]) -> tuple[tuple[str, Decimal], ...]:
    """Summed value per currency, sorted by currency (as the service gives it)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for deal in deals:
        sums[deal.currency] += deal.value
    return tuple(sorted(sums.items()))


def _find(view: BoardView, deal_id: int | None, hint: tuple[int, int] | None) -> tuple[int, int] | None:
    """Where the deal is: at `hint` if it is still there (no scan), else by searching."""
    if hint is not None:
        column, index = hint
        if column < len(view.columns):
            deals = view.columns[column].deals
            if index < len(deals) and deals[index].id == deal_id:
                return hint
    return locate(view, deal_id)


def _without(column: ColumnView, index: int) -> ColumnView:
    gone = column.deals[index]
    deals = column.deals[:index] + column.deals[index + 1 :]
    sums = dict(column.totals)
    left = sums.get(gone.currency, Decimal(0)) - gone.value
    if left or any(deal.currency == gone.currency for deal in deals):
        sums[gone.currency] = left
    else:
        sums.pop(gone.currency, None)
    return replace(column, deals=deals, totals=tuple(sorted(sums.items())))


def _with(column: ColumnView, deal: Deal) -> tuple[ColumnView, int]:
    index = bisect.bisect_right(column.deals, _order(deal), key=_order)
    deals = column.deals[:index] + (deal,) + column.deals[index:]
    sums = dict(column.totals)
    sums[deal.currency] = sums.get(deal.currency, Decimal(0)) + deal.value
    return replace(column, deals=deals, totals=tuple(sorted(sums.items()))), index


def apply_move(
    view: BoardView, moved: Deal, *, hint: tuple[int, int] | None = None
) -> tuple[BoardView, tuple[int, int] | None]:
    """The view with `moved` taken out of its old column and put in its new one.

    `hint` is where the deal was last seen (column, index), which spares a
    search through every deal. Returns the new view and the deal's new place
    (None when its stage is not on this board). Columns that did not change
    are the same objects as before.
    """
    columns = list(view.columns)
    found = _find(view, moved.id, hint)
    if found is not None:
        before = columns[found[0]].deals[found[1]]
        if not moved.contacts and before.contacts:
            # A move's result carries no contacts; they did not change, keep them (the filter reads them).
            moved = replace(moved, contacts=before.contacts)
        columns[found[0]] = _without(columns[found[0]], found[1])
    place: tuple[int, int] | None = None
    for number, column in enumerate(columns):
        if column.stage.name == moved.stage:
            columns[number], index = _with(column, moved)
            place = (number, index)
            break
    return replace(view, columns=tuple(columns)), place
