"""One board column: a header and a list that renders only the cards in view.

A column may hold thousands of deals, so there is no widget per card: the
`DealList` keeps the deals as plain domain objects and renders the window of
cards around its cursor. Widgets never touch the database; the screen sets
their attributes (`show`) and they post `CardClicked` when clicked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

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
from leankanban.tui.lanes import LaneBand, LaneView, hidden_counts
from leankanban.tui.messages import CardClicked, LanesScrolled

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

    With swimlanes (`lanes`), the column draws its part of the board's lane
    layout (`tui.lanes`): each lane's header line, then its cards in the lane's
    slots, from the line every column shares (`LaneView.top`); the header of
    the lane at the top of the window stays in view. Only the cards in the
    window are rendered.
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
        "deal-list--lane-folded",
    }

    def __init__(self, column_index: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.column_index = column_index
        self.deals: tuple[Deal, ...] = ()
        self.stage: Stage | None = None
        self.sections: tuple[LaneSection, ...] = ()
        #: This column's lane sections by lane value.
        self.cells: dict[str, LaneSection] = {}
        #: The board's lane layout and scroll, when the board shows swimlanes.
        self.lanes: LaneView | None = None
        #: The value of each lane's deals in this column, as lane headers show it.
        self._lane_values: dict[str, str] = {}
        self.context = CardContext(datetime.now(UTC))
        self.cursor = 0
        self.active = False
        self.top = 0
        self._follow_cursor = True
        #: (first line, card index) of each card rendered last time, for clicks.
        self._layout: list[tuple[int, int]] = []
        #: Lines that showed a lane header last time (not a card, for clicks).
        self._header_lines: set[int] = set()
        #: With lanes: the plan of the lines drawn last time (`_lane_rows`), and the
        #: deals, cursor and focus they were drawn for.
        self._rows: tuple | None = None
        self._drawn: tuple = ((), 0, False)
        self._style_cache: tuple[dict[str, Style], Style, Style] | None = None

    @property
    def now(self) -> datetime:
        return self.context.now

    def show(
        self, shown: ShownColumn, context: CardContext, cursor: int, active: bool, lanes: LaneView | None = None
    ) -> None:
        self.deals = shown.deals
        self.stage = shown.column.stage
        if shown.sections is not self.sections:
            self.sections = shown.sections
            self.cells = {section.value: section for section in shown.sections}
            self._lane_values = {}
        cursor = max(0, min(cursor, len(self.deals) - 1))
        if lanes is not None and active and lanes.focus is not None:
            cursor = -1  # the focus is on a lane's empty cell or collapsed header
        same = (
            lanes is not None and self.lanes is not None and self._rows is not None
            and shown.deals is self._drawn[0] and context is self.context and (cursor, active) == self._drawn[1:]
        )
        self.context, self.cursor, self.active, self.lanes = context, cursor, active, lanes
        self._drawn = (shown.deals, cursor, active)
        self._follow_cursor = True
        if same and lanes is not None and self._lane_rows(lanes) == self._rows:
            return  # the lanes scrolled, but nothing in this column's window changed
        self._rows = None
        self.refresh()

    def in_view(self) -> list[int]:
        """The indices of the cards rendered last time (whole or in part)."""
        return [index for _, index in self._layout]

    # -- geometry ---------------------------------------------------------

    def _fit_from(self, top: int, height: int) -> int:
        """How many cards, starting at `top`, fit in `height` lines."""
        return max(0, min(len(self.deals) - top, height // CARD_HEIGHT))

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
        return max(1, (self.content_size.height - 1) // CARD_HEIGHT)

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
        self._header_lines = set()
        if self.lanes is not None:
            return self._render_lanes(self.lanes, width)
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
        end = min(len(self.deals), self.top + capacity)
        for index in range(self.top, end):
            self._layout.append((len(lines), index))
            lines.extend(self._card(index, styles, cursor_style, blocked_style, width))
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

    def _card(
        self, index: int, styles: dict[str, Style], cursor_style: Style, blocked_style: Style, width: int
    ) -> list[Text]:
        """The CARD_HEIGHT lines of card `index`."""
        deal = self.deals[index]
        base = blocked_style if deal.blocked_reason is not None else Style()
        if self.active and index == self.cursor:
            base = base + cursor_style
        title = wrap_lines(deal.title, width - 1, TITLE_LINES)
        title += [""] * (TITLE_LINES - len(title))
        return [
            *(self._fit(Text(line, styles["deal-list--title"], end=""), base, width) for line in title),
            self._fit(self._account(deal, styles), base, width),
            self._fit(self._worth(deal, styles, width - 2), base, width),
            self._fit(self._owner(deal, styles), base, width),
            Text(""),
        ]

    # -- swimlanes ----------------------------------------------------------

    def _lane_rows(self, lanes: LaneView) -> tuple:
        """What each line of the window shows, as plain values: ("lane", band, focused?),
        ("card", index, row), ("empty",) for the focused empty cell, None
        for a blank line; and the scroll hint's counts last. Two equal plans draw the
        same lines, so a scroll that changes nothing in this column repaints nothing."""
        layout = lanes.layout
        height = self.content_size.height
        focused = lanes.focus if self.active else None
        top = lanes.top
        above, below = hidden_counts(layout, self.sections, top + 1, top + height - 1)
        hint = (above, below) if above or below else None
        bottom = min(layout.height, top + height - (1 if hint else 0))
        rows: list[tuple | None] = []
        bands = layout.bands
        band_number = layout.band_at(top)
        for line in range(top, bottom):
            while band_number + 1 < len(bands) and bands[band_number + 1].top <= line:
                band_number += 1
            band = bands[band_number]
            if line == band.top or line == top:
                # Each lane's header, and the header of the lane in view on the top line.
                rows.append(("lane", band, band.collapsed and focused == band.value))
                continue
            section = self.cells.get(band.value)
            slot, row = divmod(line - band.top - 1, CARD_HEIGHT)
            if section is not None and slot < section.count:
                rows.append(("card", section.start + slot, row))
            elif section is None and slot == 0 and row == 0 and focused == band.value:
                rows.append(("empty",))
            else:
                rows.append(None)
        rows.append(hint)
        return tuple(rows)

    def _render_lanes(self, lanes: LaneView, width: int) -> Text:
        """This column's part of the board's lanes, from line `lanes.top` of the shared layout."""
        rows = self._rows = self._lane_rows(lanes)
        styles, cursor_style, blocked_style = self._styles()
        blank = Text("")
        lines: list[Text] = []
        cards: dict[int, list[Text]] = {}
        for what in rows[:-1]:
            if what is None:
                lines.append(blank)
            elif what[0] == "card":
                _kind, index, row = what
                card = cards.get(index)
                if card is None:
                    card = cards[index] = self._card(index, styles, cursor_style, blocked_style, width)
                    self._layout.append((len(lines) - row, index))
                lines.append(card[row] if row < len(card) else blank)
            elif what[0] == "lane":
                band = what[1]
                self._header_lines.add(len(lines))
                header = self._lane_line(band, self.cells.get(band.value), styles, width - 1)
                lines.append(self._fit(header, cursor_style if what[2] else Style(), width))
            else:
                empty = Text("(none here)", style=styles["deal-list--empty"])
                lines.append(self._fit(empty, cursor_style, width))
        hint = rows[-1]
        if hint is not None:
            while len(lines) < self.content_size.height - 1:
                lines.append(blank)
            more = Text(f" ↑{hint[0]}  ↓{hint[1]}  of {len(self.deals)}")
            lines.append(self._fit(more, styles["deal-list--more"], width))
        return Text("\n", no_wrap=True, end="").join(lines)

    def _lane_line(self, band: LaneBand, section: LaneSection | None, styles: dict[str, Style], width: int) -> Text:
        """`▌ann · 3 · EUR 45k   WIP 4/5`: the lane's name, its cards and value in this
        column, and its WIP limit on the whole board (`▸` marks a collapsed lane)."""
        lane_style = styles["deal-list--lane-folded" if band.collapsed else "deal-list--lane"]
        count = 0 if section is None else section.count
        worth = "" if section is None else self._lane_worth(section)
        limit, state = self.context.lane_state(band.value)
        limit_style = styles.get(f"deal-list--lane-{state}", lane_style)
        name = literal(band.name, lane_style)
        # What fits, most telling first: name and count, the WIP limit, the value.
        tail = f" · {count}"
        if limit and name.cell_len + len(tail) + 2 + len(limit) > width:
            limit = limit.removeprefix("WIP ")
        if worth and name.cell_len + len(tail) + len(worth) + 3 + (len(limit) + 1 if limit else 0) > width:
            worth = ""
        line = Text("▸" if band.collapsed else "▌", style=lane_style, no_wrap=True, end="")
        if limit:
            name.truncate(max(1, width - 1 - len(tail) - len(limit) - 1), overflow="ellipsis")
        line.append_text(name)
        line.append(tail + (f" · {worth}" if worth else ""), lane_style)
        if limit:
            line.append(" " * max(1, width - line.cell_len - len(limit)))
            line.append(limit, limit_style)
        return line

    def _lane_worth(self, section: LaneSection) -> str:
        """`EUR 45k USD 3.0k`: the lane's deals in this column, summed per currency."""
        worth = self._lane_values.get(section.value)
        if worth is None:
            sums: dict[str, Decimal] = {}
            for deal in self.deals[section.start : section.start + section.count]:
                sums[deal.currency] = sums.get(deal.currency, Decimal(0)) + deal.value
            worth = self._lane_values[section.value] = " ".join(compact_money(v, c) for c, v in sorted(sums.items()))
        return worth

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
        if event.y in self._header_lines:
            return
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
        if self.lanes is not None:
            self.post_message(LanesScrolled(cards * CARD_HEIGHT))
            return
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
        self._shown: tuple[ShownColumn, CardContext, int, bool, LaneView | None, bool] | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.deal_list

    def on_click(self, event: events.Click) -> None:
        """A click on a folded strip focuses its column (which opens it while focused)."""
        if self.has_class("-collapsed") and self._shown is not None:
            event.stop()
            self.post_message(CardClicked(self.column_index, self._shown[2]))

    def show(
        self,
        shown: ShownColumn,
        context: CardContext,
        cursor: int,
        active: bool,
        lanes: LaneView | None = None,
        collapsed: bool = False,
    ) -> None:
        last = self._shown
        if (
            last is not None and last[0] is shown and last[1] is context and last[2:4] == (cursor, active)
            and last[4] is lanes and last[5] == collapsed
        ):
            return  # the same column, context, cursor, lanes and fold: nothing to repaint
        self._shown = (shown, context, cursor, active, lanes, collapsed)
        # The active column shows in the header and cursor (a repaint), not in a
        # class: changing classes restyles the whole column, which costs more.
        classes = column_classes(shown.column, collapsed) | (SCREEN_CLASSES & set(self.classes))
        if classes != set(self.classes):
            self.set_classes(classes)  # one restyle, not one per class
        if last is None or last[0] is not shown or last[3] != active or last[5] != collapsed:
            self.header.show(shown, active, collapsed)  # a scroll of the lanes leaves the header as it is
        self.deal_list.show(shown, context, cursor, active, lanes)
