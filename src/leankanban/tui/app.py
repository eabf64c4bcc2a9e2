"""The Textual application: `LeanKanbanApp(services)` and `run_tui(services)`.

`services` is a `LeanKanban`, or `StartingServices`: the board's first read
made without them (store/first_read.py) and the services opening in a thread
once that board is on screen, so the first frame does not wait for
SQLAlchemy and SQLModel to load (bench/README.md, "Start-up").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual.app import App

from leankanban.text import visible
from leankanban.tui.messages import BoardLoaded
from leankanban.tui.screens.board import BoardScreen
from leankanban.tui.undo import UndoStack

if TYPE_CHECKING:
    from leankanban.domain.model import BoardView
    from leankanban.domain.sprints import Sprint
    from leankanban.services import LeanKanban


class StartingServices:
    """Stands in for the services while they open in a thread: it answers the board
    screen's first read (`board_view`, `current_sprint`) with what was read without
    them, `actor` and `clock` at once, and `watch` with nothing (the first read is
    only made on SQLite, which never notifies); anything else waits for the services
    (`open()` makes them) and is theirs, errors included.

    `start()` begins opening them; the app calls it once the first board is painted,
    and anything that needs them before starts it too.
    """

    def __init__(
        self,
        open: Callable[[], LeanKanban],
        first: tuple[BoardView, Sprint | None],
        *,
        board: str | None,
        actor: str,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._open = open
        #: The first read, for the board asked for (`--board`, or None: the first board).
        self._first: tuple[str | None, BoardView] | None = (board, first[0])
        self._first_sprint: tuple[str, Sprint | None] | None = (first[0].board.name, first[1])
        self.actor = actor
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._services: LeanKanban | None = None
        self._error: BaseException | None = None

    def board_view(self, name: str | None = None) -> BoardView:
        first = self._first
        if first is not None and name == first[0]:
            self._first = None
            return first[1]
        return self.services.board_view(name)

    def current_sprint(self, *, board: str | None = None) -> Sprint | None:
        first = self._first_sprint
        if first is not None and board == first[0]:
            self._first_sprint = None
            return first[1]
        return self.services.current_sprint(board=board)

    def watch(self, stop: threading.Event) -> Any:
        return iter(())

    def start(self) -> None:
        """Begin opening the services in a thread (once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._opening, name="leankanban-services", daemon=True)
                self._thread.start()

    def _opening(self) -> None:
        try:
            self._services = self._open()
        except BaseException as err:  # whoever asks next gets it, as from the services
            self._error = err
        finally:
            self._ready.set()

    @property
    def opened(self) -> bool:
        """Whether the services are open (or failed to open)."""
        return self._ready.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the services opened (or failed to), if they started opening."""
        return self._thread is not None and self._ready.wait(timeout)

    @property
    def services(self) -> LeanKanban:
        """The services, opened (and waited for) now if need be; their opening's error if it failed."""
        self.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        assert self._services is not None
        return self._services

    def __getattr__(self, name: str) -> Any:
        return getattr(self.services, name)


class LeanKanbanApp(App[None]):
    """A board of deals over `services`; tests hand it services over a temp database.

    `services.clock` is the clock for days-in-stage, so a FakeClock freezes it.
    """

    CSS_PATH = "app.tcss"
    TITLE = "leankanban"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self, services: LeanKanban | StartingServices, *, board: str | None = None, poll_interval: float = 1.0
    ) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.poll_interval = poll_interval
        #: The moves and edits made in this session, for `u`.
        self.undo_stack = UndoStack()

    def get_default_screen(self) -> BoardScreen:
        return BoardScreen(self.services, board=self.board, poll_interval=self.poll_interval, undo=self.undo_stack)

    def on_board_loaded(self, _message: BoardLoaded) -> None:
        """The board is read (the message bubbles up from its screen): once it is painted,
        open the services if they are still to open."""
        if isinstance(self.services, StartingServices):
            self.call_after_refresh(self.services.start)

    def notify(self, message: str, *, title: str = "", markup: bool = False, **options: Any) -> None:
        """A toast, from any screen or widget. Its text often carries a title or a stage name
        (an error's message, say), so it is shown as `visible` makes it, and never read as markup."""
        super().notify(visible(message), title=visible(title), markup=False, **options)

    @property
    def board_screen(self) -> BoardScreen:
        """The board, wherever it sits under modals."""
        return next(screen for screen in self.screen_stack if isinstance(screen, BoardScreen))


def run_tui(services: LeanKanban | StartingServices, board: str | None = None) -> None:
    """Open the board in the terminal until the user quits."""
    LeanKanbanApp(services, board=board).run()
    if isinstance(services, StartingServices):
        services.wait()  # a quit before they opened: let the opening end (its thread holds the database)
