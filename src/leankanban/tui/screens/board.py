"""The board: columns in stage order, a cursor, and every action on deals.

This screen is the only place the board talks to the services. Reads of the
whole board and revision polls run in thread workers; moves (and discards,
wins, reopens, blocks) run in a thread worker too (one short transaction) and
patch the in-memory view, so a change repaints without reloading ten
thousand deals. Filters and swimlanes are derived from the in-memory view
(`tui.display`), column by column, and cached by column.

Why one module of about 1,400 lines: it is the screen every key of the board
lands on (about fifty actions, bound as data in BINDINGS), and each action is
a few lines that open a typed dialog (tui/screens/*) and call one service
from a worker. The rules, the dialogs, the lane layout (tui/lanes.py) and the
drawing live elsewhere; what is here is the screen's own state (view, cursor,
filters, lanes, folds) that every action reads, which a split would have to
pass around. The next thing to move out is the lane cursor (`j`/`k`/`h`/`l`
through lanes, about 150 lines), as pure functions of the layout beside it.
"""

from __future__ import annotations

import gc
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from leankanban.domain.errors import (
    DealBlocked,
    DiscardReasonRequired,
    InvalidInput,
    LaneLimitExceeded,
    LeanKanbanError,
    PolicyViolation,
    QualificationMissing,
    StaleChange,
    WipLimitExceeded,
)
from leankanban.domain.model import Answer, BoardView, Deal, DealStatus, Lane, StageKind
from leankanban.domain.work import PersonLoad
from leankanban.tui import lanes
from leankanban.tui.board_state import apply_move, index_in
from leankanban.tui.display import (
    LANE_NAMES,
    BoardFilter,
    CardContext,
    LaneSection,
    ShownColumn,
    card_context,
    locate_shown,
    next_lane,
    shown_column,
)
from leankanban.tui.format import money, visible
from leankanban.tui.messages import (
    BoardChanged,
    BoardLoaded,
    CardClicked,
    DealMoved,
    DiscardNeeded,
    LanesScrolled,
    MoveRefused,
    QualificationNeeded,
    RevisionSeen,
    ServiceFailed,
    UndoRecorded,
)
from leankanban.tui.undo import UndoEntry, UndoStack, undoable
from leankanban.tui.widgets.column import CARD_HEIGHT, StageColumn

if TYPE_CHECKING:
    from leankanban.services import LeanKanban, MoveResult
    from leankanban.tui.screens.discard import DiscardChoice
    from leankanban.tui.screens.prompts import WinChoice
    from leankanban.tui.screens.qualify import QualifyAnswer

# The dialogs and the other screens (tui/screens/*) are imported by the action
# that opens them: the first paint needs none of them, nor the Textual widgets
# they are made of; nor the services' modules (SQLAlchemy, SQLModel), which load
# after it (bench/README.md, "Start-up").


#: Narrower than this, a column is hard to read: fewer columns are shown instead.
#: At 20 the five open stages of the lean-sales board fit in 100 columns of
#: terminal (cards wrap their titles on two lines and give the owner a line).
MIN_COLUMN_WIDTH = 20

#: The width of a collapsed closed column (app.tcss `StageColumn.-collapsed`): name and count.
STRIP_WIDTH = 7

#: How far the clock must move before a move repaints every column's ages.
NOW_STEP = timedelta(minutes=1)


def fit_window(widths: list[int], total: int, first: int, active: int) -> range:
    """The columns to show: as many as fit in `total` cells from `first`, always
    with `active` among them, and none left out while there is room for it.

    >>> fit_window([20, 20, 20, 7, 7], 60, 0, 4)
    range(1, 5)
    """
    count = len(widths)
    if not count or total <= 0:
        return range(count)
    first = max(0, min(first, active))
    while first < active and sum(widths[first : active + 1]) > total:
        first += 1
    end, used = first, 0
    while end < count and used + widths[end] <= total:
        used += widths[end]
        end += 1
    end = max(end, active + 1, first + 1)
    while first > 0 and used + widths[first - 1] <= total:
        first -= 1
        used += widths[first]
    return range(first, end)


@dataclass(frozen=True, slots=True)
class MoveRequest:
    """One change for the write worker.

    `kind` is `step` (`step` stages along, or with an override to `to_stage`),
    `discard` (with `discard`), `win` (optional final `value`), `reopen`,
    `block` (with `reason`) or `unblock`.
    """

    deal_id: int
    title: str
    step: int = 0
    to_stage: str | None = None
    override_reason: str | None = None
    #: (column, index) in the full board view where the deal was when asked (spares a search).
    hint: tuple[int, int] | None = None
    kind: str = "step"
    discard: DiscardChoice | None = None
    value: str = ""
    reason: str = ""
    #: The stage the deal was in on screen when asked: if it moved since, nothing changes.
    from_stage: str | None = None

    @property
    def moves(self) -> bool:
        """Whether the change is a move (undoable), not a block or unblock."""
        return self.kind in ("step", "discard", "win", "reopen")


MOVE_GROUP = Binding.Group("Move ")
QUICK_GROUP = Binding.Group("Quick filter ")


class BoardScreen(Screen[None]):
    #: Keys go to the board; the filter input takes focus only when `/` shows it.
    AUTO_FOCUS = None

    BINDINGS = [
        Binding("left,h", "cursor_left", "Column left", show=False, id="cursor-left",
                tooltip="Focus the column to the left"),
        Binding("right,l", "cursor_right", "Column right", show=False, id="cursor-right",
                tooltip="Focus the column to the right"),
        Binding("up,k", "cursor_up", "Card up", show=False, id="cursor-up", tooltip="Focus the card above"),
        Binding("down,j", "cursor_down", "Card down", show=False, id="cursor-down", tooltip="Focus the card below"),
        Binding("pageup", "page_up", "Page up", show=False, id="page-up", tooltip="Up one screenful of cards"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page-down",
                tooltip="Down one screenful of cards"),
        Binding("home,g", "first_card", "First card", show=False, id="first-card",
                tooltip="The first card in the column"),
        Binding("end,G", "last_card", "Last card", show=False, id="last-card",
                tooltip="The last card in the column"),
        Binding("shift+left,less_than_sign", "move_back", "Move back", key_display="<", id="move-back",
                group=MOVE_GROUP, tooltip="Move the focused deal to the previous stage"),
        Binding("shift+right,greater_than_sign", "move_forward", "Move on", key_display=">", id="move-forward",
                group=MOVE_GROUP,
                tooltip="Move the focused deal to the next stage (a WIP limit asks for an override reason, "
                "missing criteria ask for answers, Lost asks for a discard reason)"),
        Binding("enter", "open_deal", "Open", id="open-deal",
                tooltip="Open the deal: every field, contacts, qualification, timeline; notes "
                "(on a collapsed swimlane's header: expand the lane)"),
        Binding("e", "edit_deal", "Edit", id="edit-deal", tooltip="Edit the focused deal"),
        Binding("n", "new_deal", "New", id="new-deal", tooltip="New deal in the focused stage"),
        Binding("d", "discard", "Discard", id="discard", tooltip="Discard the deal (lost) with a reason"),
        Binding("w", "win", "Won", id="win", tooltip="Close the deal as won (optional final value)"),
        Binding("o", "reopen", "Reopen", id="reopen", tooltip="Reopen a won or lost deal"),
        Binding("x", "toggle_block", "Block", id="toggle-block",
                tooltip="Block the deal (asks what blocks it), or unblock it"),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last move or edit in this session"),
        Binding("L", "log_time", "Log time", id="log-time", show=False,
                tooltip="Log time on the focused deal (origination, influence, support)"),
        Binding("c", "toggle_closed", "Fold", id="toggle-closed",
                tooltip="Fold Won and Lost to strips of their counts, or open them (a strip opens while focused)"),
        Binding("s", "cycle_lanes", "Lanes", id="cycle-lanes",
                tooltip="Swimlanes: none, by owner, by deal type, by priority, by account"),
        Binding("z", "toggle_lane", "Fold lane", show=False, id="toggle-lane",
                tooltip="Collapse the focused card's swimlane to its header line, or expand it"),
        Binding("Z", "toggle_all_lanes", "Fold lanes", show=False, id="toggle-all-lanes",
                tooltip="Collapse every swimlane, or expand them all"),
        Binding("slash", "filter", "Filter", key_display="/", id="filter",
                tooltip="Filter by text (title, account, owner, contact, tag)"),
        Binding("M", "quick_filter('mine')", "Mine", id="filter-mine", group=QUICK_GROUP,
                tooltip="Quick filter: my deals (toggle)"),
        Binding("B", "quick_filter('blocked')", "Blocked", id="filter-blocked", group=QUICK_GROUP,
                tooltip="Quick filter: blocked deals (toggle)"),
        Binding("S", "quick_filter('stalled')", "Stalled", id="filter-stalled", group=QUICK_GROUP,
                tooltip="Quick filter: stalled deals (toggle)"),
        Binding("R", "quick_filter('review')", "Review", id="filter-review", group=QUICK_GROUP,
                tooltip="Quick filter: qualification needs review (toggle)"),
        Binding("C", "sprint_filter", "In sprint", id="filter-sprint", show=False,
                tooltip="Quick filter: deals committed to the open sprint (toggle)"),
        Binding("escape", "clear_filter", "Clear", id="clear-filter",
                tooltip="Clear every filter (or close the filter input)"),
        Binding("m", "metrics", "Metrics", id="metrics",
                tooltip="Metrics: the stand-up numbers and the flow charts"),
        Binding("p", "sprint", "Sprint", id="sprint", tooltip="The current sales sprint and its burn-up"),
        Binding("i", "retros", "Retros", id="retros", show=False,
                tooltip="Retrospectives and insights (loss reasons, tags, improvement cadence)"),
        Binding("P", "stage_policies", "Policies", id="stage-policies", show=False,
                tooltip="The focused stage's policies: limits, gates, entry and exit"),
        Binding("plus", "commit_to_sprint", "Commit", key_display="+", id="commit-to-sprint", show=False,
                tooltip="Commit the focused deal to the open sprint"),
        Binding("f", "forecast", "Forecast", id="forecast", show=False,
                tooltip="Forecast the focused stage: when its deals will likely be done, what closes by a date"),
        Binding("b", "switch_board", "Board", id="switch-board", tooltip="Switch to another board"),
        Binding("r", "refresh", "Refresh", id="refresh", show=False, tooltip="Read the board from the database again"),
        Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="This list of keys"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit leankanban"),
    ]

    def __init__(
        self,
        services: LeanKanban,
        *,
        board: str | None = None,
        poll_interval: float = 1.0,
        undo: UndoStack | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.undo = undo if undo is not None else UndoStack()
        self.board_filter = BoardFilter()
        self.lane = Lane.NONE
        #: Swimlanes (tui/lanes.py): the board's lane layout, shared by every column,
        #: the first line in view, and the lane whose empty cell or collapsed header
        #: has the focus in the active column (None when a card has it).
        self.lane_layout: lanes.LaneLayout | None = None
        self._layout_key: tuple | None = None
        self.lane_top = 0
        self.lane_focus: str | None = None
        #: Collapsed lanes, per grouping (kept while `s` cycles).
        self.collapsed_lanes: dict[Lane, frozenset[str]] = {}
        self._lane_view: lanes.LaneView | None = None
        #: Whether the lanes scroll to the focus (not after the mouse wheel scrolled them).
        self._lanes_follow = True
        self._lane_cells = lanes.Cells()
        #: What each column shows (filtered, in lanes), and the key it was derived for.
        self.shown: list[ShownColumn] = []
        self._shown_keys: list[tuple | None] = []
        self.context: CardContext | None = None
        self._context_key: tuple | None = None
        #: The filter's verdicts per deal, for the filter and clock in `_verdicts_for`.
        self._verdicts: dict = {}
        self._verdicts_for: tuple | None = None
        self.board_name = board
        self.poll_interval = poll_interval
        self.view: BoardView | None = None
        self.sprint = None  # the open sales sprint (domain.sprints.Sprint), read with the board
        self.now: datetime = services.clock()
        self.revision = -1
        #: How many times the whole board was read (changes by others are applied deal by deal).
        self.loads = 0
        self._stop_listening = threading.Event()
        self.active_column = 0
        self.cursors: list[int] = []
        #: Deal to put the cursor on after the next load (a new or edited deal).
        self._focus_after_load: int | None = None
        self._loading = False
        #: The first column shown when the terminal is too narrow for all of them.
        self._first_column = 0
        #: Closed columns (Won, Lost) show as narrow strips, except the one the cursor is in (`c` toggles).
        self.fold_closed = True
        #: Moves sent to the database and not yet answered: the poller waits for them,
        #: since each answer says whether anything else changed the board.
        self._moves_in_flight = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="board"):
            yield Static("Loading the board…", id="loading")
        yield Input(placeholder="filter: words in title, account, owner, contact or tag (enter keeps, esc closes)",
                    id="filter-input", classes="-hidden", disabled=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(self.poll_interval, self._poll, name="revision poll")
        self._listen()  # PostgreSQL: hear of changes as they commit; polling stays the fallback

    def on_unmount(self) -> None:
        self._stop_listening.set()

    @work(thread=True, exclusive=True, group="listen", exit_on_error=False)
    def _listen(self) -> None:
        for board_id, revision in self.services.watch(self._stop_listening):
            view = self.view
            if view is not None and board_id == view.board.id and revision != self.revision:
                self.post_message(RevisionSeen(board_id, revision, self.revision))

    # -- reading the board (thread workers) -----------------------------------

    def load(self) -> None:
        self._loading = True
        self.loads += 1
        self._load_board(self.board_name)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_board(self, board: str | None) -> None:
        worker = get_current_worker()
        try:
            view = self.services.board_view(board)
            now = self.services.clock()
            sprint = self.services.current_sprint(board=view.board.name)
        except LeanKanbanError as err:
            if not worker.is_cancelled:
                self.post_message(ServiceFailed(str(err)))
            return
        except Exception as err:  # the screen must hear back about every load
            self.post_message(ServiceFailed(f"Cannot read the board: {err}"))
            raise
        if not worker.is_cancelled:
            self.post_message(BoardLoaded(view, now, sprint))

    def _poll(self) -> None:
        if self.view is not None and not self._loading:
            self._read_revision(self.view.board.id, self.revision)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _read_revision(self, board_id: int, known: int) -> None:
        try:
            revision = self.services.revision(board_id)
        except LeanKanbanError:
            return  # the next tick tries again
        self.post_message(RevisionSeen(board_id, revision, known))

    def on_revision_seen(self, message: RevisionSeen) -> None:
        if self.view is None or self._loading or self._moves_in_flight or message.board_id != self.view.board.id:
            return
        if message.known == self.revision != message.revision:
            self._catch_up()

    def _catch_up(self) -> None:
        """Apply what others changed since the revision shown: the changed deals only
        (a full read only when more than deals changed)."""
        if self.view is not None:
            self._read_changes(self.view.board.id, self.revision)

    @work(thread=True, exclusive=True, group="changes", exit_on_error=False)
    def _read_changes(self, board_id: int, since: int) -> None:
        try:
            changes = self.services.board_changes(board_id, since)
        except LeanKanbanError:
            return  # the next tick tries again
        self.post_message(BoardChanged(board_id, since, changes))

    def on_board_changed(self, message: BoardChanged) -> None:
        view = self.view
        if view is None or self._loading or message.board_id != view.board.id or message.since != self.revision:
            return  # the screen moved on meanwhile; the next tick catches up from where it is
        changes = message.changes
        if not changes.complete:
            self.load()
            return
        keep = self.focused_deal_id()
        for deal in changes.deals:
            view, _place = apply_move(view, deal)
        self.view, self.revision = view, changes.revision
        self.now = self.services.clock()
        self._put_cursor_on(keep)
        self.refresh_columns()

    async def on_board_loaded(self, message: BoardLoaded) -> None:
        view = message.view
        self.sprint = message.sprint
        if self.board_filter.committed is not None:
            committed = frozenset(self.sprint.committed) if self.sprint is not None else None
            self.board_filter = replace(self.board_filter, committed=committed)
        keep = self._focus_after_load or self.focused_deal_id()
        self._focus_after_load = None
        self._loading = False
        switched = self.view is None or self.view.board.id != view.board.id
        stages_changed = self.view is None or [c.stage.name for c in self.view.columns] != [
            c.stage.name for c in view.columns
        ]
        self.view, self.now, self.revision = view, message.now, view.revision
        self.board_name = view.board.name
        if stages_changed:
            board = self.query_one("#board", Horizontal)
            await board.remove_children()
            await board.mount_all(
                StageColumn(index, column, self.collapsed(index)) for index, column in enumerate(view.columns)
            )
        if stages_changed or switched:
            self.active_column = 0
            self.cursors = [0] * len(view.columns)
        self._put_cursor_on(keep)
        self.refresh_columns()
        # The board is long-lived: keep the cyclic GC from walking ten thousand
        # deals again (a full collection soon after a load took ~100 ms, and it
        # landed on whatever move came next). Refcounting still frees old views.
        gc.freeze()

    def on_service_failed(self, message: ServiceFailed) -> None:
        if message.move:
            self._moves_in_flight -= 1
            if message.stale:
                self.load()  # show what the board is now, before the person acts again
        else:
            self._loading = False
            # Poll on, but reload only when the revision changes again (no retry storm
            # while, say, the board has been deleted).
            self.revision = -1
            if self.view is None:
                self.query_one("#loading", Static).update(Text(visible(message.message)))
        self.notify(message.message, title="Not done", severity="error", markup=False)

    # -- showing it --------------------------------------------------------

    def _derive(self) -> None:
        """What each column shows, re-derived only for columns (or settings) that changed."""
        view = self.view
        if view is None:
            return
        board_filter, lane = self.board_filter, self.lane
        clock = self.now if board_filter.uses_clock else None
        if self._verdicts_for != (board_filter, clock, view.board):
            self._verdicts, self._verdicts_for = {}, (board_filter, clock, view.board)
        if len(self._shown_keys) != len(view.columns):
            self._shown_keys = [None] * len(view.columns)
            self.shown = [ShownColumn(column, column.deals) for column in view.columns]
        for index, column in enumerate(view.columns):
            key = (column, board_filter, lane, clock)
            last = self._shown_keys[index]
            if last is not None and last[0] is column and last[1:] == key[1:]:
                continue
            self._shown_keys[index] = key
            self.shown[index] = shown_column(
                column,
                board_filter=board_filter,
                lane=lane,
                now=self.now,
                board=view.board,
                actor=self.services.actor,
                verdicts=self._verdicts,
            )
        people = self._people if lane is Lane.OWNER else None  # a person's WIP counts on every board
        limited = people is None and lane is not Lane.NONE and any(limit.dimension is lane for limit in view.board.lane_limits)
        context_key = (self.now, view.board, lane, tuple(view.columns) if limited else None, people)
        last_key = self._context_key
        if (
            self.context is None
            or last_key is None
            or last_key[0] != context_key[0]
            or last_key[1] is not context_key[1]
            or last_key[2] is not lane
            or last_key[4] is not people
            or (limited and (last_key[3] is None or any(a is not b for a, b in zip(last_key[3], context_key[3], strict=False))))
        ):
            deals = [deal for column in view.columns for deal in column.deals] if limited else None
            self.context = card_context(self.now, view.board, lane, deals, people)
            self._context_key = context_key
        self._derive_lanes()

    def _derive_lanes(self) -> None:
        """The board's lane layout, rebuilt only when a column's lanes or the collapsed lanes changed."""
        if self.lane is Lane.NONE:
            self.lane_layout, self._layout_key = None, None
            return
        collapsed = self.collapsed_lanes.get(self.lane, frozenset())
        sections = tuple(shown.sections for shown in self.shown)
        last = self._layout_key
        if (
            last is not None and last[0] is self.lane and last[1] == collapsed and len(last[2]) == len(sections)
            and all(a is b for a, b in zip(last[2], sections, strict=True))
        ):
            return
        previous = self.lane_layout if last is not None and last[0] is self.lane else None
        layout = lanes.lane_layout(sections, self.lane, collapsed, CARD_HEIGHT, previous)
        if layout != self.lane_layout:
            self.lane_layout = layout  # else keep the old one: columns tell by identity it is unchanged
        self._layout_key = (self.lane, collapsed, sections)

    def refresh_columns(self) -> None:
        if self.view is None:
            return
        self._derive()
        assert self.context is not None
        self.active_column = max(0, min(self.active_column, len(self.view.columns) - 1))
        for index, shown in enumerate(self.shown):
            self.cursors[index] = max(0, min(self.cursors[index], shown.count - 1))
        in_lanes = self._lanes_in_view()
        for widget in self.query(StageColumn):
            index = widget.column_index
            widget.show(
                self.shown[index], self.context, self.cursors[index], index == self.active_column, in_lanes,
                self.collapsed(index),
            )
        self._fit_columns()

    def hidden_count(self) -> int:
        return sum(shown.hidden for shown in self.shown)

    def collapsed(self, index: int) -> bool:
        """Whether column `index` shows as a strip: a closed stage, folded, without the cursor in it."""
        view = self.view
        return (
            view is not None
            and self.fold_closed
            and index != self.active_column
            and view.columns[index].stage.is_closed
        )

    def _fit_columns(self) -> None:
        """On a narrow terminal, show the columns that fit around the focused one.

        An open (or unfolded) column needs `MIN_COLUMN_WIDTH` cells and a folded
        one `STRIP_WIDTH`; the columns shown share what is left of the width.
        """
        if self.view is None:
            return
        count = len(self.view.columns)
        widths = [STRIP_WIDTH if self.collapsed(index) else MIN_COLUMN_WIDTH for index in range(count)]
        shown = fit_window(widths, self.size.width, self._first_column, self.active_column)
        self._first_column = shown.start
        for widget in self.query(StageColumn):
            widget.set_class(widget.column_index not in shown, "-offscreen")
        name = visible(self.view.board.name)
        if len(shown) < count:
            name += f" · stages {shown.start + 1}–{shown.stop} of {count}"
        if self.sprint is not None:
            day = self.sprint.day_number(self.now.date())
            name += f" · {self.sprint.name}, day {day} of {self.sprint.days}"
        if self.lane is not Lane.NONE:
            name += f" · lanes: {LANE_NAMES[self.lane]}"
        if self.board_filter.active:
            name += f" · filter: {visible(self.board_filter.describe())} · {self.hidden_count()} hidden (esc clears)"
        if not any(column.deals for column in self.view.columns):
            name += " · no deals yet: press n to add one, ? for every key"
        self.sub_title = name + self._my_wip_text()

    # -- my work in progress on every board, in the title (domain/work.py) ---------

    #: My deals and work cards in progress on every board, as last read, and the
    #: (board, revision, load) it was read at.
    _my_wip: PersonLoad | None = None
    _my_wip_at: tuple[int | None, int, int] | None = None
    #: Everyone's WIP on every board, by name, as last read with mine: the owner lanes'
    #: headers count a person's limit as the services do (display.card_context).
    _people: dict[str, PersonLoad] | None = None

    def _my_wip_text(self) -> str:
        """` · my WIP 3/4 (2 deals, 1 work card)` once a board sets me a limit; read again
        (in a worker) when the board changes or is read again."""
        at = (self.view.board.id if self.view is not None else None, self.revision, self.loads)
        if self._my_wip_at != at:
            self._my_wip_at = at
            self._read_my_wip()
        mine = self._my_wip
        if mine is None or mine.limit is None:
            return ""
        cards = f"{mine.work} work card{'s' if mine.work != 1 else ''}"
        return f" · my WIP {mine.total}/{mine.limit} ({mine.deals} deal{'s' if mine.deals != 1 else ''}, {cards})"

    @work(thread=True, exclusive=True, group="my-wip", exit_on_error=False)
    def _read_my_wip(self) -> None:
        # On a first start the services open after the first board is painted (tui/app.py,
        # StartingServices); asking them now would open them first and delay that paint.
        worker = get_current_worker()
        while not getattr(self.services, "opened", True):
            if worker.is_cancelled:
                return
            time.sleep(0.05)
        try:
            [mine] = self.services.load(person=self.services.actor)
            people = {person.person: person for person in self.services.load()}
        except LeanKanbanError:
            return
        self.app.call_from_thread(self._show_my_wip, mine, people)

    def _show_my_wip(self, mine: PersonLoad, people: dict[str, PersonLoad] | None = None) -> None:
        if people is not None and people != self._people:
            self._people = people
            if self.lane is Lane.OWNER and self.view is not None:
                self.refresh_columns()  # the owner lanes' WIP, counted on every board
        if mine != self._my_wip:
            self._my_wip = mine
            self._fit_columns()

    def on_resize(self) -> None:
        self._fit_columns()

    def _put_cursor_on(self, deal_id: int | None) -> None:
        if self.view is None:
            return
        self._derive()
        found = locate_shown(self.shown, deal_id)
        if found is not None:
            self.active_column, self.cursors[found[0]] = found
            self.lane_focus, self._lanes_follow = None, True

    def focused_deal(self) -> Deal | None:
        if self.view is None or not self.shown or (self.lane_focus is not None and self.lane_layout is not None):
            return None
        shown = self.shown[self.active_column]
        if not shown.deals:
            return None
        return shown.deals[min(self.cursors[self.active_column], shown.count - 1)]

    def _hint(self) -> tuple[int, int] | None:
        """Where the focused deal is in the full view, when the shown column is the full column."""
        shown = self.shown[self.active_column]
        if shown.deals is shown.column.deals:
            return self.active_column, self.cursors[self.active_column]
        deal = self.focused_deal()
        index = None if deal is None else index_in(shown.column, deal)
        return None if index is None else (self.active_column, index)

    def focused_deal_id(self) -> int | None:
        deal = self.focused_deal()
        return None if deal is None else deal.id

    def action_toggle_closed(self) -> None:
        """Fold the closed columns to strips or open them; folding moves the cursor out of a closed column."""
        view = self.view
        if view is None or not view.columns:
            return
        self.fold_closed = not self.fold_closed
        if self.fold_closed and view.columns[self.active_column].stage.is_closed:
            open_stages = [index for index, column in enumerate(view.columns) if not column.stage.is_closed]
            if open_stages:
                before = [index for index in open_stages if index < self.active_column]
                self.active_column = before[-1] if before else open_stages[0]
        self.refresh_columns()

    # -- cursor ------------------------------------------------------------

    def _select(self, column: int, index: int | None = None) -> None:
        if self.view is None:
            return
        self.lane_focus, self._lanes_follow = None, True
        self.active_column = max(0, min(column, len(self.view.columns) - 1))
        if index is not None:
            self.cursors[self.active_column] = index
        self.refresh_columns()

    def _page(self) -> int:
        for widget in self.query(StageColumn):
            if widget.column_index == self.active_column:
                return widget.deal_list.page()
        return 1

    def action_cursor_left(self) -> None:
        if self.lane_layout is not None:
            self._lane_across(-1)
        else:
            self._select(self.active_column - 1)

    def action_cursor_right(self) -> None:
        if self.lane_layout is not None:
            self._lane_across(+1)
        else:
            self._select(self.active_column + 1)

    def action_cursor_up(self) -> None:
        if self.lane_layout is not None:
            self._lane_step(-1)
        elif self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] - 1)

    def action_cursor_down(self) -> None:
        if self.lane_layout is not None:
            self._lane_step(+1)
        elif self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] + 1)

    def action_page_up(self) -> None:
        if self.lane_layout is not None:
            self._lane_step(-1, self._page())
        elif self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] - self._page())

    def action_page_down(self) -> None:
        if self.lane_layout is not None:
            self._lane_step(+1, self._page())
        elif self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] + self._page())

    def action_first_card(self) -> None:
        if self.lane_layout is not None:
            self._lane_edge(last=False)
        else:
            self._select(self.active_column, 0)

    def action_last_card(self) -> None:
        if self.lane_layout is not None:
            self._lane_edge(last=True)
        elif self.view is not None:
            self._select(self.active_column, self.shown[self.active_column].count - 1)

    # -- cursor in swimlanes ------------------------------------------------

    def _cells(self, column: int) -> dict[str, LaneSection]:
        return self._lane_cells.of(column, self.shown[column].sections)

    def _spot(self) -> lanes.Spot:
        if self.lane_focus is not None:
            return None, self.lane_focus
        return (self.cursors[self.active_column], None) if self.shown[self.active_column].deals else (None, None)

    def _lane_slot(self) -> tuple[str | None, int]:
        """The focused lane (card's or cell's) and the card slot in it."""
        column = self.active_column
        return lanes.spot_of(self.shown[column].sections, self.cursors[column], self.lane_focus)

    def _go(self, column: int, spot: lanes.Spot) -> None:
        self.active_column = column
        index, self.lane_focus = spot
        if index is not None:
            self.cursors[column] = index
        self._lanes_follow = True
        self.refresh_columns()

    def _lane_step(self, by: int, times: int = 1) -> None:
        """j/k in lanes: through a lane's cards, then on to the next (or previous) lane's."""
        assert self.lane_layout is not None
        column = self.active_column
        spot = self._spot()
        for _ in range(times):
            spot = lanes.step(self.lane_layout, self._cells(column), self.shown[column].sections, spot, by)
        self._go(column, spot)

    def _lane_edge(self, *, last: bool) -> None:
        assert self.lane_layout is not None
        column = self.active_column
        self._go(column, lanes.edge(self.lane_layout, self._cells(column), self.shown[column].sections, last))

    def _lane_across(self, by: int) -> None:
        """h/l in lanes: the same lane in the next column (its nearest card, or its empty cell)."""
        assert self.lane_layout is not None and self.view is not None
        target = max(0, min(self.active_column + by, len(self.view.columns) - 1))
        value, slot = self._lane_slot()
        spot = (None, None) if value is None else lanes.across(self.lane_layout, self._cells(target), value, slot)
        if target == self.active_column:
            return
        if spot == (None, None):
            self._select(target)
        else:
            self._go(target, spot)

    def _lanes_in_view(self) -> lanes.LaneView | None:
        """What the columns draw of the lanes: the layout, scrolled so the focus is in view."""
        layout = self.lane_layout
        if layout is None:
            self.lane_focus, self._lane_view = None, None
            return None
        column = self.active_column
        self.cursors[column], self.lane_focus = lanes.settle(
            layout, self._cells(column), self.shown[column].sections, self.cursors[column], self.lane_focus
        )
        height = next((w.deal_list.content_size.height for w in self.query(StageColumn)), 0)
        value, slot = self._lane_slot()
        self.lane_top = lanes.follow(layout, value, slot, self.lane_top, height, scroll=self._lanes_follow)
        view = self._lane_view
        if view is None or view.layout is not layout or view.top != self.lane_top or view.focus != self.lane_focus:
            view = self._lane_view = lanes.LaneView(layout, self.lane_top, self.lane_focus)
        return view

    @on(LanesScrolled)
    def _lanes_scrolled(self, message: LanesScrolled) -> None:
        if self.lane_layout is not None:
            self._lanes_follow = False
            self.lane_top += message.lines
            self.refresh_columns()

    def action_toggle_lane(self) -> None:
        if self.lane_layout is None:
            self.notify("There are no swimlanes to fold: s groups the board into lanes first.", severity="warning")
            return
        value, _slot = self._lane_slot()
        if value is None:
            return
        folded = self.collapsed_lanes.get(self.lane, frozenset())
        self.collapsed_lanes[self.lane] = folded ^ {value}
        self._go(self.active_column, (None, value))

    def action_toggle_all_lanes(self) -> None:
        if self.lane_layout is None:
            self.notify("There are no swimlanes to fold: s groups the board into lanes first.", severity="warning")
            return
        every = frozenset(band.value for band in self.lane_layout.bands)
        folded = self.collapsed_lanes.get(self.lane, frozenset())
        self.collapsed_lanes[self.lane] = frozenset() if every <= folded else folded | every
        value, _slot = self._lane_slot()
        self._go(self.active_column, (None, value) if value is not None else self._spot())

    @on(CardClicked)
    def _card_clicked(self, message: CardClicked) -> None:
        self._select(message.column, message.index)

    # -- moving deals ------------------------------------------------------

    def action_move_back(self) -> None:
        self._request_move(-1)

    def action_move_forward(self) -> None:
        self._request_move(+1)

    def _focused_or_say(self, what: str) -> Deal | None:
        deal = self.focused_deal()
        if deal is None or deal.id is None:
            self.notify(f"There is no deal here to {what}.", severity="warning")
            return None
        return deal

    def _request_move(self, step: int) -> None:
        deal = self._focused_or_say("move")
        if deal is not None:
            self._start_move(MoveRequest(deal.id, deal.title, step, hint=self._hint(), from_stage=deal.stage))  # type: ignore[arg-type]

    def _start_move(self, request: MoveRequest) -> None:
        self._moves_in_flight += 1
        self._move(request)

    def _run(self, request: MoveRequest) -> MoveResult:
        """The use case a request stands for (in the worker thread)."""
        from leankanban.services import MoveResult

        services, deal_id, seen = self.services, request.deal_id, request.from_stage
        if request.kind == "step":
            if request.override_reason is None:
                return services.step_deal(deal_id, request.step, from_stage=seen)
            assert request.to_stage is not None
            return services.move_deal(deal_id, request.to_stage, override_reason=request.override_reason, from_stage=seen)
        if request.kind == "discard":
            assert request.discard is not None
            choice = request.discard
            return services.discard(
                deal_id, choice.reason, competitor=choice.competitor or None, note=choice.note, from_stage=seen
            )
        if request.kind == "win":
            return services.win(deal_id, value=request.value or None, from_stage=seen)
        if request.kind == "reopen":
            return services.reopen(deal_id, override_reason=request.override_reason, from_stage=seen)
        if request.kind == "block":
            return MoveResult(services.block(deal_id, request.reason))
        if request.kind == "unblock":
            return MoveResult(services.unblock(deal_id))
        raise ValueError(request.kind)

    @work(thread=True, group="write", exit_on_error=False)
    def _move(self, request: MoveRequest) -> None:
        try:
            result = self._run(request)
            revision = self.services.revision(result.deal.board_id)
            now = self.services.clock()
        except StaleChange as err:
            self.post_message(ServiceFailed(str(err), move=True, stale=True))
            return
        except (WipLimitExceeded, LaneLimitExceeded, DealBlocked) as err:
            target = err.stage if isinstance(err, WipLimitExceeded) else self._step_target(request)
            if target is None:
                self.post_message(ServiceFailed(str(err), move=True))
            else:
                self.post_message(MoveRefused(request.deal_id, request.title, target, err, request))
            return
        except QualificationMissing as err:
            self.post_message(QualificationNeeded(request, err))
            return
        except DiscardReasonRequired:
            self.post_message(DiscardNeeded(request))
            return
        except InvalidInput as err:
            if request.kind == "discard":
                self.post_message(DiscardNeeded(request, str(err)))
            else:
                self.post_message(ServiceFailed(str(err), move=True))
            return
        except LeanKanbanError as err:
            self.post_message(ServiceFailed(str(err), move=True))
            return
        except Exception as err:  # the screen must hear back about every move
            self.post_message(ServiceFailed(f"The change failed: {err}", move=True))
            raise
        self.post_message(DealMoved(result, revision, now, request.hint, self._said(request, result)))
        if request.moves:
            # After the repaint is on its way: find this move's events, so `u` can undo it.
            self._record_move(request, result)

    def _record_move(self, request: MoveRequest, result: MoveResult) -> None:
        fields = ["value"] if request.kind == "win" and request.value else []
        ids = undoable(result.events, fields=fields)
        what = {"discard": "discard", "win": "win", "reopen": "reopening"}.get(request.kind, "move")
        entry = UndoEntry(f"{what} of '{visible(request.title)}' into {visible(result.deal.stage)}", request.deal_id, ids)
        self.post_message(UndoRecorded(entry))

    @staticmethod
    def _said(request: MoveRequest, result: MoveResult) -> str | None:
        title = visible(request.title)
        if request.kind == "discard" and request.discard is not None:
            return f"'{title}' discarded: {visible(request.discard.reason)}."
        if request.kind == "win":
            return f"'{title}' won at {money(result.deal.value, result.deal.currency)}."
        if request.kind == "reopen":
            return f"'{title}' reopened in {visible(result.deal.stage)}."
        if request.kind == "block":
            return f"'{title}' blocked: {visible(request.reason)}."
        if request.kind == "unblock":
            return f"'{title}' unblocked."
        return None

    def on_undo_recorded(self, message: UndoRecorded) -> None:
        self.undo.push(message.entry)

    def _step_target(self, request: MoveRequest) -> str | None:
        """Where `step` takes the deal, going by the board in the database."""
        if request.kind != "step":
            return request.to_stage or ""
        try:
            deal = self.services.get_deal(request.deal_id)
            board = next(b for b in self.services.list_boards() if b.id == deal.board_id)
            there = board.neighbour(board.stage(deal.stage), request.step)
        except (LeanKanbanError, StopIteration):
            return None
        return None if there is None else there.name

    def on_deal_moved(self, message: DealMoved) -> None:
        self._moves_in_flight -= 1
        result = message.result
        if message.said:
            self.notify(message.said, markup=False)
        if self.view is None or result.deal.board_id != self.view.board.id:
            return
        self.view, place = apply_move(self.view, result.deal, hint=message.hint)
        if message.now - self.now >= NOW_STEP:
            self.now = message.now  # else keep it: unchanged columns need no repaint
        if message.revision == self.revision + 1:
            self.revision = message.revision  # our move was the only change
        else:
            self._catch_up()  # someone else changed the board too: their deals as well
        if place is not None:
            self._derive()
            shown = self.shown[place[0]]
            index = place[1] if shown.deals is shown.column.deals else shown.index_of(result.deal.id)
            if index is not None:
                self.active_column, self.cursors[place[0]] = place[0], index
                self.lane_focus, self._lanes_follow = None, True
        self.refresh_columns()
        for warning in result.warnings:
            self.notify(warning, title="Moved", severity="warning", markup=False)
        if result.deal.status is not DealStatus.OPEN and self.view.board.template != "improvements":
            self._offer_retro(result.deal)

    # -- retros and time ------------------------------------------------------------

    def _offer_retro(self, deal: Deal) -> None:
        """Right after a win or a loss: what went well, what did not, what to improve."""
        from leankanban.tui.screens.retro import RetroAnswers, RetroDialog

        outcome = "won" if deal.status is DealStatus.WON else "lost"

        def held(answers: RetroAnswers | None) -> None:
            if answers is None or answers.empty:
                return
            try:
                retro = self.services.create_retro(
                    "deal", deal_id=deal.id, well=answers.well, not_well=answers.not_well,
                    improve=answers.improve, tags=answers.tags,
                )
            except LeanKanbanError as err:
                self.notify(str(err), title="Retro not saved", severity="error", markup=False)
                return
            cards = sum(1 for item in retro.items if item.card_id is not None)
            extra = f"; {cards} improvement card(s) on the improvements board" if cards else ""
            self.notify(f"Retro #{retro.id} saved{extra}.", title="Retro", markup=False)

        self.app.push_screen(RetroDialog(f"Retro: '{visible(deal.title)}' {outcome}"), held)

    def action_log_time(self) -> None:
        from leankanban.tui.screens.timelog import LogTimeDialog, TimeEntry

        deal = self._focused_or_say("log time on")
        if deal is None:
            return

        def logged(entry: TimeEntry | None) -> None:
            if entry is None:
                return
            try:
                log = self.services.log_time(entry.duration, deal_id=deal.id, category=entry.category, note=entry.note)
            except LeanKanbanError as err:
                self.notify(str(err), title="Not logged", severity="error", markup=False)
                return
            self.notify(f"Logged {log.minutes} min of {log.category.value} on '{visible(deal.title)}'.", markup=False)

        self.app.push_screen(LogTimeDialog(deal.title, default=deal.activity), logged)

    def on_move_refused(self, message: MoveRefused) -> None:
        from leankanban.tui.screens.wip_override import WipOverrideDialog

        self._moves_in_flight -= 1
        request: MoveRequest = message.request

        def overridden(reason: str | None) -> None:
            if not reason:
                return
            if request is None or request.kind == "step":
                seen = request.from_stage if request is not None else None
                self._start_move(MoveRequest(message.deal_id, message.title, 0, message.to_stage, reason, from_stage=seen))
            else:
                self._start_move(replace(request, override_reason=reason))

        policy = ""
        if self.view is not None:
            stage = next((c.stage for c in self.view.columns if c.stage.name == message.to_stage), None)
            policy = stage.entry_policy if stage is not None else ""
        self.app.push_screen(WipOverrideDialog(message.error, deal_title=message.title, policy=policy), overridden)

    def on_qualification_needed(self, message: QualificationNeeded) -> None:
        """Answer the missing criteria, then try the same move again (WIP limits still apply)."""
        from leankanban.tui.screens.deal import qualify_all
        from leankanban.tui.screens.qualify import QualifyDialog

        self._moves_in_flight -= 1
        request: MoveRequest = message.request
        missing = message.error.missing

        def answered(answers: list[QualifyAnswer] | None) -> None:
            if not answers or not qualify_all(self.services, request.deal_id, answers, self.notify):
                return
            still = [name for name in missing if not any(a.criterion == name and a.answer is Answer.YES for a in answers)]
            if still:
                self.notify(
                    f"Not moved: '{visible(message.error.stage)}' still needs yes for {visible(', '.join(still))}.",
                    title="Answers recorded",
                    severity="warning",
                    markup=False,
                )
                self.load()
                return
            self._start_move(request)

        definitions = {c.name: c.definition for c in self.view.board.criteria} if self.view is not None else {}
        self.app.push_screen(
            QualifyDialog(missing, deal_title=request.title, stage=message.error.stage, definitions=definitions),
            answered,
        )

    def on_discard_needed(self, message: DiscardNeeded) -> None:
        self._moves_in_flight -= 1
        request: MoveRequest = message.request
        self._ask_discard(
            request.deal_id, request.title, request.hint, initial=request.discard, error=message.error,
            from_stage=request.from_stage,
        )

    # -- outcomes, blockers ------------------------------------------------------

    def action_discard(self) -> None:
        deal = self._focused_or_say("discard")
        if deal is not None:
            self._ask_discard(deal.id, deal.title, self._hint(), from_stage=deal.stage)  # type: ignore[arg-type]

    def _ask_discard(
        self,
        deal_id: int,
        title: str,
        hint: tuple[int, int] | None,
        *,
        initial: DiscardChoice | None = None,
        error: str | None = None,
        from_stage: str | None = None,
    ) -> None:
        from leankanban.tui.screens.discard import DiscardDialog

        if self.view is None:
            return
        reasons = list(self.view.board.discard_reasons)

        def chosen(choice: DiscardChoice | None) -> None:
            if choice is not None:
                self._start_move(
                    MoveRequest(deal_id, title, hint=hint, kind="discard", discard=choice, from_stage=from_stage)
                )

        self.app.push_screen(DiscardDialog(reasons, deal_title=title, initial=initial, error=error), chosen)

    def action_win(self) -> None:
        from leankanban.tui.screens.prompts import WinDialog

        deal = self._focused_or_say("close")
        if deal is None:
            return
        hint = self._hint()

        def confirmed(choice: WinChoice | None) -> None:
            if choice is not None:
                self._start_move(
                    MoveRequest(deal.id, deal.title, hint=hint, kind="win", value=choice.value, from_stage=deal.stage)  # type: ignore[arg-type]
                )

        self.app.push_screen(
            WinDialog(deal_title=deal.title, value=money(deal.value, deal.currency)), confirmed
        )

    def action_reopen(self) -> None:
        deal = self._focused_or_say("reopen")
        if deal is not None:
            self._start_move(MoveRequest(deal.id, deal.title, hint=self._hint(), kind="reopen", from_stage=deal.stage))  # type: ignore[arg-type]

    def action_toggle_block(self) -> None:
        from leankanban.tui.screens.prompts import TextPrompt

        deal = self._focused_or_say("block")
        if deal is None:
            return
        hint = self._hint()
        if deal.is_blocked:
            self._start_move(MoveRequest(deal.id, deal.title, hint=hint, kind="unblock"))  # type: ignore[arg-type]
            return

        def said(reason: str | None) -> None:
            if reason:
                self._start_move(MoveRequest(deal.id, deal.title, hint=hint, kind="block", reason=reason))  # type: ignore[arg-type]

        self.app.push_screen(
            TextPrompt(
                "Block the deal",
                prompt="What blocks it",
                why=f"'{visible(deal.title)}' cannot move on until this is cleared; x again unblocks it.",
                placeholder="e.g. waiting for the customer's legal review",
                ok="Block",
            ),
            said,
        )

    # -- undo ---------------------------------------------------------------------

    def action_undo(self) -> None:
        entry = self.undo.peek()
        if entry is None:
            self.notify("Nothing to undo: no moves or edits made in this session.", severity="warning")
            return
        try:
            for event_id in reversed(entry.event_ids):
                self.services.undo(event_id)
        except PolicyViolation as err:
            # Kept: it may go through once the board allows it (a WIP limit frees up).
            self.notify(f"Cannot undo the {entry.what}: {err}", title="Not undone", severity="error", markup=False)
            return
        except LeanKanbanError as err:
            self.undo.pop()
            self.notify(f"Cannot undo the {entry.what}: {err}", title="Not undone", severity="error", markup=False)
            self.load()
            return
        self.undo.pop()
        self.notify(f"Undone: {entry.what}.", title="Undo", markup=False)
        self._focus_after_load = entry.deal_id
        self.load()

    # -- filters and swimlanes ------------------------------------------------------

    def _reshow(self) -> None:
        """Re-derive the columns after a filter or lane change, keeping the focused deal if it is still shown."""
        keep = self.focused_deal_id()
        self._derive()
        self._put_cursor_on(keep)
        self.refresh_columns()
        gc.freeze()  # as after a load: the derived columns are long-lived

    def action_cycle_lanes(self) -> None:
        self.lane = next_lane(self.lane)
        self.lane_focus, self.lane_top, self._lanes_follow = None, 0, True
        self._reshow()

    def action_filter(self) -> None:
        field = self.query_one("#filter-input", Input)
        field.value = self.board_filter.text
        field.disabled = False
        field.remove_class("-hidden")
        field.focus()

    @on(Input.Changed, "#filter-input")
    def _filter_typed(self, event: Input.Changed) -> None:
        if not self.query_one("#filter-input", Input).has_class("-hidden"):
            self.board_filter = replace(self.board_filter, text=event.value)
            self._reshow()

    @on(Input.Submitted, "#filter-input")
    def _filter_done(self) -> None:
        self._close_filter_input()

    def _close_filter_input(self) -> None:
        field = self.query_one("#filter-input", Input)
        field.add_class("-hidden")
        field.disabled = True
        self.set_focus(None)

    def action_quick_filter(self, which: str) -> None:
        self.board_filter = replace(self.board_filter, **{which: not getattr(self.board_filter, which)})
        self._reshow()

    def action_sprint_filter(self) -> None:
        if self.board_filter.committed is not None:
            self.board_filter = replace(self.board_filter, committed=None)
        elif self.sprint is None:
            self.notify("No sprint is open on this board (p opens the sprint screen).", severity="warning")
            return
        else:
            self.board_filter = replace(self.board_filter, committed=frozenset(self.sprint.committed))
        self._reshow()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter-input", Input)
        if not field.has_class("-hidden"):
            self._close_filter_input()
            return
        if self.board_filter.active:
            hidden = self.hidden_count()
            self.board_filter = BoardFilter()
            self._reshow()
            self.notify(f"Filter cleared: {hidden} deal(s) shown again.")

    # -- forms and pickers ---------------------------------------------------

    def action_new_deal(self) -> None:
        from leankanban.tui.screens.deal_form import DealForm

        if self.view is None:
            return
        # A deal cannot start in a lost outcome; it is discarded into one.
        stages = [c.stage.name for c in self.view.columns if c.stage.kind is not StageKind.LOST]
        if not stages:
            self.notify(
                "This board has no stage a deal can start in; add one with `leankanban stage add NAME`.",
                severity="warning",
            )
            return
        here = self.view.columns[self.active_column].stage.name
        form = DealForm(
            self.services,
            board=self.view.board.name,
            stages=stages,
            stage=here if here in stages else stages[0],
        )
        self.app.push_screen(form, self._saved)

    def action_edit_deal(self) -> None:
        from leankanban.services import EDITABLE_FIELDS
        from leankanban.tui.screens.deal import record_edit
        from leankanban.tui.screens.deal_form import DealForm

        deal = self.focused_deal()
        if self.view is None or deal is None or deal.id is None:
            self.notify("There is no deal here to edit.", severity="warning")
            return
        try:
            fresh = self.services.get_deal(deal.id)
        except LeanKanbanError as err:
            self.notify(str(err), severity="error", markup=False)
            self.load()
            return
        stages = [column.stage.name for column in self.view.columns]

        def saved(edited: Deal | None) -> None:
            if edited is not None:
                changed = [name for name in EDITABLE_FIELDS if getattr(fresh, name) != getattr(edited, name)]
                if changed:
                    record_edit(self.services, self.undo, fresh, changed)
            self._saved(edited)

        self.app.push_screen(DealForm(self.services, board=self.view.board.name, stages=stages, deal=fresh), saved)

    def action_open_deal(self) -> None:
        from leankanban.tui.screens.deal import DealScreen

        band = None if self.lane_focus is None or self.lane_layout is None else self.lane_layout.band_of(self.lane_focus)
        if band is not None and band.collapsed:
            self.action_toggle_lane()  # Enter on a collapsed lane's header opens the lane
            return
        deal = self.focused_deal()
        if self.view is None or deal is None or deal.id is None:
            self.notify("There is no deal here to open.", severity="warning")
            return
        deal_id = deal.id

        def closed(changed: bool | None) -> None:
            if changed:
                self._focus_after_load = deal_id
                self.load()

        self.app.push_screen(DealScreen(self.services, deal_id, board=self.view.board, undo=self.undo), closed)

    def _saved(self, deal: Deal | None) -> None:
        if deal is not None:
            self._focus_after_load = deal.id
            self.load()

    def action_switch_board(self) -> None:
        from leankanban.tui.screens.board_picker import BoardPicker

        try:
            names = [board.name for board in self.services.list_boards()]
        except LeanKanbanError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        current = None if self.view is None else self.view.board.name
        self.app.push_screen(BoardPicker(names, current=current), self._board_picked)

    def _board_picked(self, name: str | None) -> None:
        if name is not None and (self.view is None or name != self.view.board.name):
            self.board_name = name
            self.active_column = 0
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_retros(self) -> None:
        from leankanban.tui.screens.retros import RetrosScreen

        board = self.view.board.name if self.view is not None else self.board_name
        self.app.push_screen(RetrosScreen(self.services, board=board))

    def action_sprint(self) -> None:
        from leankanban.tui.screens.sprint import SprintScreen

        board = self.view.board.name if self.view is not None else self.board_name
        self.app.push_screen(SprintScreen(self.services, board=board), lambda _: self.action_refresh())

    def action_metrics(self) -> None:
        from leankanban.tui.screens.metrics import MetricsScreen

        board = self.view.board.name if self.view is not None else self.board_name
        self.app.push_screen(MetricsScreen(self.services, board=board))

    def action_stage_policies(self) -> None:
        from leankanban.tui.screens.policies import PoliciesDialog

        if self.view is not None and self.view.columns:
            stage = self.view.columns[self.active_column].stage
            self.app.push_screen(PoliciesDialog(self.view.board, stage, self.services))

    def action_commit_to_sprint(self) -> None:
        deal = self._focused_or_say("commit to the sprint")
        if deal is not None and self.view is not None:
            self._commit_to_sprint(deal.id, deal.title, self.view.board.name)  # type: ignore[arg-type]

    @work(thread=True, group="sprint-commit", exit_on_error=False)
    def _commit_to_sprint(self, deal_id: int, title: str, board: str) -> None:
        """Commit the deal to the open sprint (read first: none open, or committed already, is said so)."""
        try:
            sprint = self.services.current_sprint(board=board)
            if sprint is None:
                said, severity = "No sprint is open on this board: p opens the sprint screen, where one starts.", "warning"
            elif deal_id in sprint.committed:
                said, severity = f"'{visible(title)}' is committed to {visible(sprint.name)} already.", "information"
            else:
                sprint = self.services.commit_deal(deal_id, board=board)
                said, severity = f"Committed '{visible(title)}' to {visible(sprint.name)}.", "information"
        except LeanKanbanError as err:
            said, severity, sprint = str(err), "error", None
        self.app.call_from_thread(self._sprint_committed, sprint, said, severity)

    def _sprint_committed(self, sprint: object, said: str, severity: str) -> None:
        if sprint is not None:
            self.sprint = sprint
            if self.board_filter.committed is not None:  # the in-sprint filter shows the new commitment
                self.board_filter = replace(self.board_filter, committed=frozenset(self.sprint.committed))  # type: ignore[attr-defined]
                self._reshow()
        self.notify(said, title="Sprint", severity=severity, markup=False)  # type: ignore[arg-type]

    def action_forecast(self) -> None:
        from leankanban.tui.screens.forecast import ForecastDialog

        if self.view is not None and self.view.columns:
            stage = self.view.columns[self.active_column].stage
            self.app.push_screen(ForecastDialog(self.services, board=self.view.board.name, stage=stage.name))

    def action_help(self) -> None:
        from leankanban.tui.screens.help import LEGEND, HelpScreen

        self.app.push_screen(HelpScreen(self.active_bindings_for_help(), legend=LEGEND))

    def active_bindings_for_help(self) -> list[tuple[str, str]]:
        """(keys, description) for every binding of this screen and the app."""
        from leankanban.tui.screens.help import binding_rows

        return binding_rows(self)

    def action_quit(self) -> None:
        self.app.exit()
