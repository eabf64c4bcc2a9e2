"""Messages that travel up: from widgets to their screen, from workers to the screen.

Small dataclasses; Textual's Message calls `__post_init__` for exactly this use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

from leankanban.domain.errors import LaneLimitExceeded, WipLimitExceeded
from leankanban.domain.model import BoardView
from leankanban.services import MoveResult


@dataclass(eq=False)
class CardClicked(Message):
    """A card was clicked: `index` in the column showing stage `column`."""

    column: int
    index: int


@dataclass(eq=False)
class BoardLoaded(Message):
    """A worker read the whole board (posted from a thread)."""

    view: BoardView
    now: datetime


@dataclass(eq=False)
class RevisionSeen(Message):
    """The poller read the board's revision (posted from a thread).

    `known` is the revision the screen had when it asked: if the screen has
    moved on since (its own move landed), the reading is stale.
    """

    board_id: int
    revision: int
    known: int


@dataclass(eq=False)
class DealMoved(Message):
    """A move went through; `revision` is the board's revision just after it."""

    result: MoveResult
    revision: int
    now: datetime
    #: Where the deal was shown when the move was asked for (spares a search).
    hint: tuple[int, int] | None = None


@dataclass(eq=False)
class MoveRefused(Message):
    """The service refused a move over a WIP limit; the user may override it.

    `to_stage` is where the refused move was going (the override goes there).
    """

    deal_id: int
    title: str
    to_stage: str
    error: WipLimitExceeded | LaneLimitExceeded


@dataclass(eq=False)
class ServiceFailed(Message):
    """A use case failed with a message a user can read."""

    message: str
    #: True when it was a move that failed (the screen counts moves in flight).
    move: bool = False
