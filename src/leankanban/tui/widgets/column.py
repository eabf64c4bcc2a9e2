"""One board column: a header and a list that renders only the cards in view.

A column may hold thousands of deals, so there is no widget per card: the
`DealList` keeps the deals as plain domain objects and renders the window of
cards around its cursor. Widgets never touch the database; the screen sets
their attributes (`show`) and they post `CardClicked` when clicked.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from leankanban.domain.model import ColumnView, Deal
from leankanban.tui.format import compact_money, literal, money, totals_label, visible, wip_label
from leankanban.tui.messages import CardClicked

#: Lines per card: title, account, value/owner/age, and a blank gap.
CARD_HEIGHT = 4


class StageHeader(Widget):
    """Stage name, deal count, WIP limits and summed value."""

    COMPONENT_CLASSES = {
        "stage-header--name",
        "stage-header--name-active",
        "stage-header--count",
        "stage-header--wip-ok",
        "stage-header--wip-at",
        "stage-header--wip-over",
        "stage-header--wip-under",
        "stage-header--totals",
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.column: ColumnView | None = None
        self.active = False

    def show(self, column: ColumnView, active: bool) -> None:
        self.column = column
        self.active = active
        self.refresh()

    def render(self) -> Text:
        column = self.column
        if column is None:
            return Text("")
        style = self.get_component_rich_style
        width = max(1, self.content_size.width)
        name_style = "stage-header--name-active" if self.active else "stage-header--name"
        name = Text(no_wrap=True, end="")
        name.append_text(literal(column.stage.name, style(name_style, partial=True)))
        name.append(f"  {column.count}", style("stage-header--count", partial=True))
        wip = Text(
            wip_label(column.stage, column.count),
            style=style(f"stage-header--wip-{column.wip_state}", partial=True),
        )
        totals = Text(totals_label(column), style=style("stage-header--totals", partial=True))
        lines = [name, wip, totals]
        for line in lines:
            line.no_wrap = True
            line.truncate(width, overflow="ellipsis")
        return Text("\n", no_wrap=True).join(lines)


class DealList(Widget):
    """The cards of one column, rendered as a window around the cursor."""

    COMPONENT_CLASSES = {
        "deal-list--title",
        "deal-list--account",
        "deal-list--meta",
        "deal-list--cursor",
        "deal-list--more",
        "deal-list--empty",
    }

    def __init__(self, column_index: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.column_index = column_index
        self.deals: tuple[Deal, ...] = ()
        self.now = datetime.now(UTC)
        self.cursor = 0
        self.active = False
        self.top = 0
        self._follow_cursor = True

    def show(self, deals: tuple[Deal, ...], now: datetime, cursor: int, active: bool) -> None:
        self.deals = deals
        self.now = now
        self.cursor = max(0, min(cursor, len(deals) - 1))
        self.active = active
        self._follow_cursor = True
        self.refresh()

    # -- geometry ---------------------------------------------------------

    def capacity(self) -> int:
        """How many cards fit, keeping a line for the scroll hint when they do not all fit."""
        height = self.content_size.height
        if len(self.deals) * CARD_HEIGHT <= height + 1:
            return len(self.deals)
        return max(1, (height - 1) // CARD_HEIGHT)

    def _scroll_to_cursor(self, capacity: int) -> None:
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + capacity:
            self.top = self.cursor - capacity + 1
        self._clamp_top(capacity)

    def _clamp_top(self, capacity: int) -> None:
        self.top = max(0, min(self.top, len(self.deals) - capacity))

    # -- rendering --------------------------------------------------------

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        style = self.get_component_rich_style
        if not self.deals:
            empty = Text("(no deals)", style=style("deal-list--empty", partial=True))
            return self._fit(empty, style("deal-list--cursor") if self.active else Style(), width)
        capacity = self.capacity()
        if self._follow_cursor:
            self._scroll_to_cursor(capacity)
        else:
            self._clamp_top(capacity)
        lines: list[Text] = []
        title_style = style("deal-list--title", partial=True)
        account_style = style("deal-list--account", partial=True)
        meta_style = style("deal-list--meta", partial=True)
        cursor_style = style("deal-list--cursor")
        end = min(len(self.deals), self.top + capacity)
        for index in range(self.top, end):
            base = cursor_style if self.active and index == self.cursor else Style()
            deal = self.deals[index]
            lines.append(self._fit(literal(deal.title, title_style), base, width))
            lines.append(self._fit(self._who(deal, account_style), base, width))
            lines.append(self._fit(self._worth(deal, meta_style, width - 2), base, width))
            lines.append(Text(""))
        if end - self.top < len(self.deals):
            hint = f" ↑{self.top}  ↓{len(self.deals) - end}  of {len(self.deals)}"
            while len(lines) < self.content_size.height - 1:
                lines.append(Text(""))
            lines.append(self._fit(Text(hint), style("deal-list--more", partial=True), width))
        return Text("\n", no_wrap=True, end="").join(lines)

    @staticmethod
    def _who(deal: Deal, style: Style) -> Text:
        """`Account · owner`."""
        who = literal(deal.account or "—", style)
        if deal.owner:
            who.append(" · ")
            who.append(visible(deal.owner))
        return who

    def _worth(self, deal: Deal, style: Style, width: int) -> Text:
        """The value on the left, days in this stage on the right."""
        days = f"{deal.days_in_stage(self.now)}d"
        amount = Text(money(deal.value, deal.currency), style=style, no_wrap=True, end="")
        if width - amount.cell_len - len(days) < 1:
            amount = Text(compact_money(deal.value, deal.currency), style=style, no_wrap=True, end="")
        gap = width - amount.cell_len - len(days)
        if gap < 1:
            amount.truncate(max(1, width - len(days) - 1), overflow="ellipsis")
            gap = 1
        amount.append(" " * gap + days)
        return amount

    @staticmethod
    def _fit(line: Text, base: Style, width: int) -> Text:
        fitted = Text(" ", style=base, no_wrap=True, end="")
        fitted.append_text(line)
        fitted.truncate(width, overflow="ellipsis", pad=True)
        return fitted

    # -- mouse ------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        index = self.top + event.y // CARD_HEIGHT
        if event.y % CARD_HEIGHT < CARD_HEIGHT - 1 and index < min(len(self.deals), self.top + self.capacity()):
            self.post_message(CardClicked(self.column_index, index))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(+1)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-1)
        event.stop()

    def _scroll(self, cards: int) -> None:
        self._follow_cursor = False
        self.top += cards
        self._clamp_top(self.capacity())
        self.refresh()


class StageColumn(Vertical):
    """A header over a deal list; classes `-over`/`-at`/`-under`/`-ok` and `-closed` style it in app.tcss."""

    def __init__(self, column_index: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.column_index = column_index
        self.header = StageHeader()
        self.deal_list = DealList(column_index)
        self._shown: tuple[ColumnView, datetime, int, bool] | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.deal_list

    def show(self, column: ColumnView, now: datetime, cursor: int, active: bool) -> None:
        last = self._shown
        if last is not None and last[0] is column and last[1:] == (now, cursor, active):
            return  # the same column object, cursor and time: nothing to repaint
        self._shown = (column, now, cursor, active)
        # The active column shows in the header and cursor (a repaint), not in a
        # class: changing classes restyles the whole column, which costs more.
        classes = {f"-{column.wip_state}"}
        if column.stage.is_closed:
            classes.add("-closed")
        if classes != set(self.classes):
            self.set_classes(classes)  # one restyle, not one per class
        self.header.show(column, active)
        self.deal_list.show(column.deals, now, cursor, active)
