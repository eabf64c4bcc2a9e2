"""One board column: a header and a list that renders only the cards in view.

A column may hold thousands of deals, so there is no widget per card: the
`DealList` keeps the deals as plain domain objects and renders the window of
cards around its cursor. Widgets never touch the database; the screen sets
their attributes (`show`) and they post `CardClicked` when clicked.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from leankanban.domain import rules
from leankanban.domain.model import ColumnView, Deal, Stage
from leankanban.tui.display import CardContext, LaneSection, ShownColumn
from leankanban.tui.format import compact_money, literal, money, totals_label, wip_label, wrap_lines
from leankanban.tui.messages import CardClicked

#: Lines per card: the title on two (word-wrapped), the account (or what blocks
#: it), value and age, the owner, and a blank gap. Every line count of the
#: list (fit, scroll, page, clicks) goes by this one constant.
CARD_HEIGHT = 6

#: How many of a card's lines the title may take.
TITLE_LINES = 2


class StageHeader(Widget):
    """Stage name, deal count (shown of all when filtered), blocked count, WIP limits and summed value."""

    COMPONENT_CLASSES = {
        "stage-header--name",
        "stage-header--name-active",
        "stage-header--count",
        "stage-header--blocked",
        "stage-header--wip-ok",
        "stage-header--wip-at",
        "stage-header--wip-over",
        "stage-header--wip-under",
        "stage-header--totals",
    }

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown: ShownColumn | None = None
        self.active = False
        self.collapsed = False

    def show(self, shown: ShownColumn, active: bool, collapsed: bool = False) -> None:
        self.shown = shown
        self.active = active
        self.collapsed = collapsed
        self.refresh()

    def render(self) -> Text:
        shown = self.shown
        if shown is None:
            return Text("")
        column = shown.column
        style = self.get_component_rich_style
        width = max(1, self.content_size.width)
        if self.collapsed:
            return self._strip(shown, width)
        name_style = "stage-header--name-active" if self.active else "stage-header--name"
        count = f"{shown.count} of {column.count}" if shown.hidden else f"{column.count}"
        stage_name = literal(column.stage.name, style(name_style, partial=True))
        blocked = ""
        if shown.blocked:
            blocked = f"{shown.blocked} blocked"
            if stage_name.cell_len + len(count) + len(blocked) + 4 > width:
                blocked = f"⊘{shown.blocked}"
        # Two spaces between the parts when they fit, one when space is short.
        gap = "  " if stage_name.cell_len + len(count) + len(blocked) + (4 if blocked else 2) <= width else " "
        name = Text(no_wrap=True, end="")
        name.append_text(stage_name)
        name.append(gap + count, style("stage-header--count", partial=True))
        if blocked:
            name.append(gap + blocked, style("stage-header--blocked", partial=True))
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

    def _strip(self, shown: ShownColumn, width: int) -> Text:
        """A collapsed column: its name cut to the strip, and its count (`3/12` when filtered)."""
        style = self.get_component_rich_style
        name = literal(shown.column.stage.name, style("stage-header--name", partial=True))
        count = f"{shown.count}/{shown.column.count}" if shown.hidden else f"{shown.column.count}"
        if len(count) > width:  # filtered, or 100,000 deals: the count shown, in thousands if need be
            count = f"{shown.count}" if len(f"{shown.count}") <= width else f"{shown.count // 1000}k"
        lines = [name, Text(count, style=style("stage-header--count", partial=True))]
        for line in lines:
            line.no_wrap = True
            line.truncate(width, overflow="ellipsis")
            line.align("center", width)
        return Text("\n", no_wrap=True).join(lines)


class DealList(Widget):
    """The cards of one column, rendered as a window around the cursor.

    With a swimlane grouping, a lane sub-header line sits above the first card
    of each lane, and above the top card of the window (so the lane of what is
    in view is always named). Only the cards in the window are rendered.
    """

    COMPONENT_CLASSES = {
        "deal-list--title",
        "deal-list--account",
        "deal-list--owner",
        "deal-list--owner-none",
        "deal-list--meta",
        "deal-list--cursor",
        "deal-list--more",
        "deal-list--empty",
        "deal-list--blocked",
        "deal-list--blocked-reason",
        "deal-list--age-fresh",
        "deal-list--age-ageing",
        "deal-list--age-stale",
        "deal-list--stalled",
        "deal-list--review",
        "deal-list--lane",
        "deal-list--lane-at",
        "deal-list--lane-over",
    }

    def __init__(self, column_index: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.column_index = column_index
        self.deals: tuple[Deal, ...] = ()
        self.stage: Stage | None = None
        self.sections: tuple[LaneSection, ...] = ()
        self._starts: list[int] = []
        self._start_set: set[int] = set()
        self.context = CardContext(datetime.now(UTC))
        self.cursor = 0
        self.active = False
        self.top = 0
        self._follow_cursor = True
        #: (first line, card index) of each card rendered last time, for clicks.
        self._layout: list[tuple[int, int]] = []
        self._style_cache: tuple[dict[str, Style], Style, Style] | None = None

    @property
    def now(self) -> datetime:
        return self.context.now

    def show(self, shown: ShownColumn, context: CardContext, cursor: int, active: bool) -> None:
        self.deals = shown.deals
        self.stage = shown.column.stage
        if shown.sections is not self.sections:
            self.sections = shown.sections
            self._starts = [section.start for section in shown.sections]
            self._start_set = set(self._starts)
        self.context = context
        self.cursor = max(0, min(cursor, len(self.deals) - 1))
        self.active = active
        self._follow_cursor = True
        self.refresh()

    # -- geometry ---------------------------------------------------------

    def _fit_from(self, top: int, height: int) -> int:
        """How many cards, starting at `top`, fit in `height` lines."""
        starts = self._start_set
        used = count = 0
        for index in range(top, len(self.deals)):
            lines = CARD_HEIGHT + (1 if self.sections and (index == top or index in starts) else 0)
            if used + lines > height:
                break
            used += lines
            count += 1
        return count

    def _fits_all(self) -> bool:
        height = self.content_size.height
        # A card's last line is a gap, so the last card may lose it.
        return len(self.deals) * CARD_HEIGHT <= height + 1 and self._fit_from(0, height + 1) == len(self.deals)

    def _room(self) -> int:
        """Lines for cards: all of them when every card fits, else one less (for the scroll hint)."""
        return self.content_size.height + 1 if self._fits_all() else self.content_size.height - 1

    def capacity(self) -> int:
        """How many cards show from the current top (keeping a line for the scroll hint when they do not all fit)."""
        if self._fits_all():
            return len(self.deals)
        return max(1, self._fit_from(self.top, self.content_size.height - 1))

    def page(self) -> int:
        """Cards in a screenful, for page up / page down."""
        return max(1, (self.content_size.height - 1) // (CARD_HEIGHT + (1 if self.sections else 0)))

    def _scroll_to_cursor(self) -> None:
        room = self._room()
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + max(1, self._fit_from(self.top, room)):
            # Put the cursor on the last line, then show as many cards above it as fit.
            self.top = self.cursor
            while self.top > 0 and self._fit_from(self.top - 1, room) > self.cursor - self.top + 1:
                self.top -= 1
        self._clamp_top()

    def _clamp_top(self) -> None:
        if self._fits_all():
            self.top = 0
            return
        room = self._room()
        last = max(0, len(self.deals) - 1)
        while last > 0 and self._fit_from(last - 1, room) >= len(self.deals) - (last - 1):
            last -= 1
        self.top = max(0, min(self.top, last))

    # -- rendering --------------------------------------------------------

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        style = self.get_component_rich_style
        self._layout = []
        if not self.deals:
            empty = Text("(no deals)", style=style("deal-list--empty", partial=True))
            return self._fit(empty, style("deal-list--cursor") if self.active else Style(), width)
        if self._follow_cursor:
            self._scroll_to_cursor()
        else:
            self._clamp_top()
        capacity = self.capacity()
        lines: list[Text] = []
        styles, cursor_style, blocked_style = self._styles()
        starts = self._start_set
        end = min(len(self.deals), self.top + capacity)
        for index in range(self.top, end):
            if self.sections and (index == self.top or index in starts):
                lines.append(self._fit(self._lane_line(index, styles, width - 1), Style(), width))
            self._layout.append((len(lines), index))
            deal = self.deals[index]
            base = blocked_style if deal.blocked_reason is not None else Style()
            if self.active and index == self.cursor:
                base = base + cursor_style
            title = wrap_lines(deal.title, width - 1, TITLE_LINES)
            title += [""] * (TITLE_LINES - len(title))
            lines.extend(self._fit(Text(line, styles["deal-list--title"], end=""), base, width) for line in title)
            lines.append(self._fit(self._account(deal, styles), base, width))
            lines.append(self._fit(self._worth(deal, styles, width - 2), base, width))
            lines.append(self._fit(self._owner(deal, styles), base, width))
            lines.append(Text(""))
        if end - self.top < len(self.deals):
            hint = f" ↑{self.top}  ↓{len(self.deals) - end}  of {len(self.deals)}"
            while len(lines) < self.content_size.height - 1:
                lines.append(Text(""))
            del lines[self.content_size.height - 1 :]
            lines.append(self._fit(Text(hint), styles["deal-list--more"], width))
        return Text("\n", no_wrap=True, end="").join(lines)

    def _styles(self) -> tuple[dict[str, Style], Style, Style]:
        """The component styles (partial), the cursor's and a blocked card's; kept until the CSS changes."""
        if self._style_cache is None:
            style = self.get_component_rich_style
            self._style_cache = (
                {name: style(name, partial=True) for name in self.COMPONENT_CLASSES},
                style("deal-list--cursor"),
                style("deal-list--blocked"),
            )
        return self._style_cache

    def notify_style_update(self) -> None:
        self._style_cache = None
        super().notify_style_update()

    def _lane_line(self, index: int, styles: dict[str, Style], width: int) -> Text:
        """`▌ann · 3 ... WIP 4/4`: the lane's name, its cards here, and its limit on the whole board."""
        section = self.sections[bisect.bisect_right(self._starts, index) - 1]
        line = Text("▌", style=styles["deal-list--lane"], no_wrap=True, end="")
        line.append_text(literal(section.name, styles["deal-list--lane"]))
        line.append(f" · {section.count}", styles["deal-list--lane"])
        limit, state = self.context.lane_state(section.value)
        if limit:
            limit_style = styles.get(f"deal-list--lane-{state}", styles["deal-list--lane"])
            gap = max(1, width - line.cell_len - len(limit))
            line.append(" " * gap)
            line.append(limit, limit_style)
        return line

    @staticmethod
    def _account(deal: Deal, styles: dict[str, Style]) -> Text:
        """The account, or `⊘ what blocks it` on a blocked card."""
        if deal.blocked_reason is not None:
            blocked = Text("⊘ ", style=styles["deal-list--blocked-reason"], no_wrap=True, end="")
            blocked.append_text(literal(deal.blocked_reason, styles["deal-list--blocked-reason"]))
            return blocked
        return literal(deal.account or "—", styles["deal-list--account"])

    @staticmethod
    def _owner(deal: Deal, styles: dict[str, Style]) -> Text:
        """Who owns the deal, on a line of its own (so a long account never hides it)."""
        if not deal.owner:
            return Text("no owner", style=styles["deal-list--owner-none"], no_wrap=True, end="")
        return literal(deal.owner, styles["deal-list--owner"])

    def _worth(self, deal: Deal, styles: dict[str, Style], width: int) -> Text:
        """The value on the left; marks (stalled, needs review) and days in this stage, coloured by age, on the right."""
        context = self.context
        days = deal.days_in_stage(context.now)
        right = Text(no_wrap=True, end="")
        if rules.is_stalled(deal, context.now, context.stall_days):
            right.append("zz ", styles["deal-list--stalled"])
        if rules.needs_review(deal, context.now, context.review_days):
            right.append("⚑ ", styles["deal-list--review"])
        band = rules.age_band(self.stage, days) if self.stage is not None else None
        right.append(f"{days}d", styles[f"deal-list--age-{band}"] if band else Style())
        meta = styles["deal-list--meta"]
        amount = Text(money(deal.value, deal.currency), style=meta, no_wrap=True, end="")
        if width - amount.cell_len - right.cell_len < 1:
            amount = Text(compact_money(deal.value, deal.currency), style=meta, no_wrap=True, end="")
        gap = width - amount.cell_len - right.cell_len
        if gap < 1:
            amount.truncate(max(1, width - right.cell_len - 1), overflow="ellipsis")
            gap = 1
        amount.append(" " * gap)
        amount.append_text(right)
        return amount

    @staticmethod
    def _fit(line: Text, base: Style, width: int) -> Text:
        fitted = Text(" ", style=base, no_wrap=True, end="")
        fitted.append_text(line)
        fitted.truncate(width, overflow="ellipsis", pad=True)
        return fitted

    # -- mouse ------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        for first, index in self._layout:
            if first <= event.y < first + CARD_HEIGHT - 1:
                self.post_message(CardClicked(self.column_index, index))
                return

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(+1)
        event.stop()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-1)
        event.stop()

    def _scroll(self, cards: int) -> None:
        self._follow_cursor = False
        self.top += cards
        self._clamp_top()
        self.refresh()


def column_classes(column: ColumnView, collapsed: bool = False) -> set[str]:
    """The classes that style a column in app.tcss: its WIP state (`-over`/`-at`/`-under`/`-ok`),
    `-closed`, and `-collapsed` for a closed column folded to a strip."""
    classes = {f"-{column.wip_state}"}
    if column.stage.is_closed:
        classes.add("-closed")
    if collapsed:
        classes.add("-collapsed")
    return classes


#: Classes the screen sets on a column itself (which columns fit): kept when `show` restyles it.
SCREEN_CLASSES = frozenset({"-offscreen"})


class StageColumn(Vertical):
    """A header over a deal list; classes `-over`/`-at`/`-under`/`-ok`, `-closed` and `-collapsed` style it in app.tcss.

    A collapsed column (`-collapsed`) is a narrow strip: its header shows the
    stage's name cut short and its count, and its list is not displayed.
    """

    def __init__(
        self, column_index: int, column: ColumnView | None = None, collapsed: bool = False, **kwargs: object
    ) -> None:
        """With `column`, the column starts with its classes: styled once when mounted, not again on `show`."""
        if column is not None:
            kwargs["classes"] = " ".join(sorted(column_classes(column, collapsed)))
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.column_index = column_index
        self.header = StageHeader()
        self.deal_list = DealList(column_index)
        self._shown: tuple[ShownColumn, CardContext, int, bool, bool] | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.deal_list

    def on_click(self, event: events.Click) -> None:
        """A click on a folded strip focuses its column (which opens it while focused)."""
        if self.has_class("-collapsed") and self._shown is not None:
            event.stop()
            self.post_message(CardClicked(self.column_index, self._shown[2]))

    def show(
        self, shown: ShownColumn, context: CardContext, cursor: int, active: bool, collapsed: bool = False
    ) -> None:
        last = self._shown
        if last is not None and last[0] is shown and last[1] is context and last[2:] == (cursor, active, collapsed):
            return  # the same column, context and cursor: nothing to repaint
        self._shown = (shown, context, cursor, active, collapsed)
        # The active column shows in the header and cursor (a repaint), not in a
        # class: changing classes restyles the whole column, which costs more.
        classes = column_classes(shown.column, collapsed) | (SCREEN_CLASSES & set(self.classes))
        if classes != set(self.classes):
            self.set_classes(classes)  # one restyle, not one per class
        self.header.show(shown, active, collapsed)
        self.deal_list.show(shown, context, cursor, active)
