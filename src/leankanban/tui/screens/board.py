"""The board: columns in stage order, a cursor, and every action on deals.

This screen is the only place the board talks to the services. Reads of the
whole board and revision polls run in thread workers; moves run in a thread
worker too (one short transaction) and patch the in-memory view, so a move
repaints without reloading ten thousand deals.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from leankanban.domain.errors import LaneLimitExceeded, LeanKanbanError, WipLimitExceeded
from leankanban.domain.model import BoardView, Deal, StageKind
from leankanban.services import LeanKanban
from leankanban.tui.board_state import apply_move, locate
from leankanban.tui.format import visible
from leankanban.tui.messages import (
    BoardLoaded,
    CardClicked,
    DealMoved,
    MoveRefused,
    RevisionSeen,
    ServiceFailed,
)
from leankanban.tui.screens.board_picker import BoardPicker
from leankanban.tui.screens.deal_form import DealForm
from leankanban.tui.screens.help import HelpScreen
from leankanban.tui.screens.wip_override import WipOverrideDialog
from leankanban.tui.widgets.column import StageColumn


#: Narrower than this, a column is hard to read: fewer columns are shown instead.
MIN_COLUMN_WIDTH = 22

#: How far the clock must move before a move repaints every column's ages.
NOW_STEP = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class MoveRequest:
    """One move for the worker: `step` stages along, or (an override) to `to_stage` with a reason."""

    deal_id: int
    title: str
    step: int
    to_stage: str | None = None
    override_reason: str | None = None
    #: (column, index) where the screen showed the deal when asked to move it.
    hint: tuple[int, int] | None = None


class BoardScreen(Screen[None]):
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
                tooltip="Move the focused deal to the previous stage"),
        Binding("shift+right,greater_than_sign", "move_forward", "Move on", key_display=">", id="move-forward",
                tooltip="Move the focused deal to the next stage (a WIP limit asks for an override reason)"),
        Binding("n", "new_deal", "New", id="new-deal", tooltip="New deal in the focused stage"),
        Binding("e,enter", "edit_deal", "Edit", id="edit-deal", tooltip="Edit the focused deal"),
        Binding("b", "switch_board", "Board", id="switch-board", tooltip="Switch to another board"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Read the board from the database again"),
        Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="This list of keys"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit leankanban"),
    ]

    def __init__(self, services: LeanKanban, *, board: str | None = None, poll_interval: float = 1.0) -> None:
        super().__init__()
        self.services = services
        self.board_name = board
        self.poll_interval = poll_interval
        self.view: BoardView | None = None
        self.now: datetime = services.clock()
        self.revision = -1
        self.active_column = 0
        self.cursors: list[int] = []
        #: Deal to put the cursor on after the next load (a new or edited deal).
        self._focus_after_load: int | None = None
        self._loading = False
        #: The first column shown when the terminal is too narrow for all of them.
        self._first_column = 0
        #: Moves sent to the database and not yet answered: the poller waits for them,
        #: since each answer says whether anything else changed the board.
        self._moves_in_flight = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="board"):
            yield Static("Loading the board…", id="loading")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.set_interval(self.poll_interval, self._poll, name="revision poll")

    # -- reading the board (thread workers) -----------------------------------

    def load(self) -> None:
        self._loading = True
        self._load_board(self.board_name)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_board(self, board: str | None) -> None:
        worker = get_current_worker()
        try:
            view = self.services.board_view(board)
            now = self.services.clock()
        except LeanKanbanError as err:
            if not worker.is_cancelled:
                self.post_message(ServiceFailed(str(err)))
            return
        except Exception as err:  # noqa: BLE001 - the screen must hear back about every load
            self.post_message(ServiceFailed(f"Cannot read the board: {err}"))
            raise
        if not worker.is_cancelled:
            self.post_message(BoardLoaded(view, now))

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
            self.load()

    async def on_board_loaded(self, message: BoardLoaded) -> None:
        view = message.view
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
            await board.mount_all(StageColumn(index) for index in range(len(view.columns)))
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
        else:
            self._loading = False
            # Poll on, but reload only when the revision changes again (no retry storm
            # while, say, the board has been deleted).
            self.revision = -1
            if self.view is None:
                self.query_one("#loading", Static).update(Text(message.message))
        self.notify(message.message, title="Not done", severity="error", markup=False)

    # -- showing it --------------------------------------------------------

    def refresh_columns(self) -> None:
        if self.view is None:
            return
        self.active_column = max(0, min(self.active_column, len(self.view.columns) - 1))
        for widget in self.query(StageColumn):
            index = widget.column_index
            column = self.view.columns[index]
            self.cursors[index] = max(0, min(self.cursors[index], column.count - 1))
            widget.show(column, self.now, self.cursors[index], index == self.active_column)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """On a narrow terminal, show the columns that fit around the focused one."""
        if self.view is None:
            return
        count = len(self.view.columns)
        fit = max(1, min(count, self.size.width // MIN_COLUMN_WIDTH)) if self.size.width else count
        if self.active_column < self._first_column:
            self._first_column = self.active_column
        elif self.active_column >= self._first_column + fit:
            self._first_column = self.active_column - fit + 1
        self._first_column = max(0, min(self._first_column, count - fit))
        shown = range(self._first_column, self._first_column + fit)
        for widget in self.query(StageColumn):
            widget.set_class(widget.column_index not in shown, "-offscreen")
        name = visible(self.view.board.name)
        if fit < count:
            name += f" · stages {shown.start + 1}–{shown.stop} of {count}"
        self.sub_title = name

    def on_resize(self) -> None:
        self._fit_columns()

    def _put_cursor_on(self, deal_id: int | None) -> None:
        if self.view is None:
            return
        found = locate(self.view, deal_id)
        if found is not None:
            self.active_column, self.cursors[found[0]] = found

    def focused_deal(self) -> Deal | None:
        if self.view is None or not self.view.columns:
            return None
        column = self.view.columns[self.active_column]
        if not column.deals:
            return None
        return column.deals[min(self.cursors[self.active_column], column.count - 1)]

    def focused_deal_id(self) -> int | None:
        deal = self.focused_deal()
        return None if deal is None else deal.id

    # -- cursor ------------------------------------------------------------

    def _select(self, column: int, index: int | None = None) -> None:
        if self.view is None:
            return
        self.active_column = max(0, min(column, len(self.view.columns) - 1))
        if index is not None:
            self.cursors[self.active_column] = index
        self.refresh_columns()

    def _page(self) -> int:
        for widget in self.query(StageColumn):
            if widget.column_index == self.active_column:
                return max(1, widget.deal_list.capacity())
        return 1

    def action_cursor_left(self) -> None:
        self._select(self.active_column - 1)

    def action_cursor_right(self) -> None:
        self._select(self.active_column + 1)

    def action_cursor_up(self) -> None:
        if self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] - 1)

    def action_cursor_down(self) -> None:
        if self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] + 1)

    def action_page_up(self) -> None:
        if self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] - self._page())

    def action_page_down(self) -> None:
        if self.cursors:
            self._select(self.active_column, self.cursors[self.active_column] + self._page())

    def action_first_card(self) -> None:
        self._select(self.active_column, 0)

    def action_last_card(self) -> None:
        if self.view is not None:
            self._select(self.active_column, self.view.columns[self.active_column].count - 1)

    @on(CardClicked)
    def _card_clicked(self, message: CardClicked) -> None:
        self._select(message.column, message.index)

    # -- moving deals ------------------------------------------------------

    def action_move_back(self) -> None:
        self._request_move(-1)

    def action_move_forward(self) -> None:
        self._request_move(+1)

    def _request_move(self, step: int) -> None:
        deal = self.focused_deal()
        if deal is None or deal.id is None:
            self.notify("There is no deal here to move.", severity="warning")
            return
        hint = (self.active_column, self.cursors[self.active_column])
        self._start_move(MoveRequest(deal.id, deal.title, step, hint=hint))

    def _start_move(self, request: MoveRequest) -> None:
        self._moves_in_flight += 1
        self._move(request)

    @work(thread=True, group="write", exit_on_error=False)
    def _move(self, request: MoveRequest) -> None:
        try:
            if request.override_reason is None:
                result = self.services.step_deal(request.deal_id, request.step)
            else:
                assert request.to_stage is not None
                result = self.services.move_deal(
                    request.deal_id, request.to_stage, override_reason=request.override_reason
                )
            revision = self.services.revision(result.deal.board_id)
            now = self.services.clock()
        except (WipLimitExceeded, LaneLimitExceeded) as err:
            target = err.stage if isinstance(err, WipLimitExceeded) else self._step_target(request)
            if target is None:
                self.post_message(ServiceFailed(str(err), move=True))
            else:
                self.post_message(MoveRefused(request.deal_id, request.title, target, err))
            return
        except LeanKanbanError as err:
            self.post_message(ServiceFailed(str(err), move=True))
            return
        except Exception as err:  # noqa: BLE001 - the screen must hear back about every move
            self.post_message(ServiceFailed(f"The move failed: {err}", move=True))
            raise
        self.post_message(DealMoved(result, revision, now, request.hint))

    def _step_target(self, request: MoveRequest) -> str | None:
        """Where `step` takes the deal, going by the board in the database."""
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
        if self.view is None or result.deal.board_id != self.view.board.id:
            return
        self.view, place = apply_move(self.view, result.deal, hint=message.hint)
        if message.now - self.now >= NOW_STEP:
            self.now = message.now  # else keep it: unchanged columns need no repaint
        if message.revision == self.revision + 1:
            self.revision = message.revision  # our move was the only change
        else:
            self._focus_after_load = result.deal.id
            self.load()  # someone else changed the board too
        if place is not None:
            self.active_column, self.cursors[place[0]] = place
        self.refresh_columns()
        for warning in result.warnings:
            self.notify(warning, title="Moved", severity="warning", markup=False)

    def on_move_refused(self, message: MoveRefused) -> None:
        self._moves_in_flight -= 1

        def overridden(reason: str | None) -> None:
            if reason:
                self._start_move(MoveRequest(message.deal_id, message.title, 0, message.to_stage, reason))

        self.app.push_screen(WipOverrideDialog(message.error, deal_title=message.title), overridden)

    # -- forms and pickers ---------------------------------------------------

    def action_new_deal(self) -> None:
        if self.view is None:
            return
        # A deal cannot start in a lost outcome; it is discarded into one.
        stages = [c.stage.name for c in self.view.columns if c.stage.kind is not StageKind.LOST]
        here = self.view.columns[self.active_column].stage.name
        form = DealForm(
            self.services,
            board=self.view.board.name,
            stages=stages,
            stage=here if here in stages else stages[0],
        )
        self.app.push_screen(form, self._saved)

    def action_edit_deal(self) -> None:
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
        self.app.push_screen(
            DealForm(self.services, board=self.view.board.name, stages=stages, deal=fresh), self._saved
        )

    def _saved(self, deal: Deal | None) -> None:
        if deal is not None:
            self._focus_after_load = deal.id
            self.load()

    def action_switch_board(self) -> None:
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

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.active_bindings_for_help()))

    def active_bindings_for_help(self) -> list[tuple[str, str]]:
        """(keys, description) for every binding of this screen and the app."""
        rows: list[tuple[str, str]] = []
        for binding in [*self.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding) or binding.system:
                continue
            keys = [key.strip() for key in binding.key.split(",")]
            shown = " ".join(self.app.get_key_display(Binding(key, binding.action)) for key in keys)
            rows.append((shown, binding.tooltip or binding.description or binding.action))
        return rows

    def action_quit(self) -> None:
        self.app.exit()
