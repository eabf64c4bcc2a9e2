"""The Textual application: `LeanKanbanApp(services)` and `run_tui(services)`."""

from __future__ import annotations

from typing import Any

from textual.app import App

from leankanban.services import LeanKanban
from leankanban.text import visible
from leankanban.tui.screens.board import BoardScreen
from leankanban.tui.undo import UndoStack


class LeanKanbanApp(App[None]):
    """A board of deals over `services`; tests hand it services over a temp database.

    `services.clock` is the clock for days-in-stage, so a FakeClock freezes it.
    """

    CSS_PATH = "app.tcss"
    TITLE = "leankanban"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, services: LeanKanban, *, board: str | None = None, poll_interval: float = 1.0) -> None:
        super().__init__()
        self.services = services
        self.board = board
        self.poll_interval = poll_interval
        #: The moves and edits made in this session, for `u`.
        self.undo_stack = UndoStack()

    def get_default_screen(self) -> BoardScreen:
        return BoardScreen(self.services, board=self.board, poll_interval=self.poll_interval, undo=self.undo_stack)

    def notify(self, message: str, *, title: str = "", markup: bool = False, **options: Any) -> None:
        """A toast, from any screen or widget. Its text often carries a title or a stage name
        (an error's message, say), so it is shown as `visible` makes it, and never read as markup."""
        super().notify(visible(message), title=visible(title), markup=False, **options)

    @property
    def board_screen(self) -> BoardScreen:
        """The board, wherever it sits under modals."""
        return next(screen for screen in self.screen_stack if isinstance(screen, BoardScreen))


def run_tui(services: LeanKanban, board: str | None = None) -> None:
    """Open the board in the terminal until the user quits."""
    LeanKanbanApp(services, board=board).run()
