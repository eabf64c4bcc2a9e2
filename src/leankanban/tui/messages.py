"""Messages that travel up: from widgets to their screen, from workers to the screen.

Small dataclasses; Textual's Message calls `__post_init__` for exactly this use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.message import Message

from leankanban.domain.errors import DealBlocked, LaneLimitExceeded, QualificationMissing, WipLimitExceeded
from leankanban.domain.model import BoardView, Deal, Event

if TYPE_CHECKING:
    from leankanban.services import BoardChanges, MoveResult
    from leankanban.tui.undo import UndoEntry


@dataclass(eq=False)
class CardClicked(Message):
    """A card was clicked: `index` in the column showing stage `column`."""

    column: int
    index: int


@dataclass(eq=False)
class LanesScrolled(Message):
    """The wheel turned over a column while the board shows swimlanes: scroll every column `lines`."""

    lines: int


@dataclass(eq=False)
class BoardLoaded(Message):
    """A worker read the whole board (posted from a thread)."""

    view: BoardView
    now: datetime
    #: The board's open sales sprint, if any (domain.sprints.Sprint).
    sprint: Any = None


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
    #: What to tell the user (a discard, a win, a block ...), or None for a plain move.
    said: str | None = None


@dataclass(eq=False)
class MoveRefused(Message):
    """The service refused a move over a WIP limit, or of a blocked deal forward; the user may override it.

    `to_stage` is where the refused move was going (the override goes there);
    `request` is the refused request (the screen's MoveRequest), retried with the reason.
    """

    deal_id: int
    title: str
    to_stage: str
    error: WipLimitExceeded | LaneLimitExceeded | DealBlocked
    request: Any = None


@dataclass(eq=False)
class QualificationNeeded(Message):
    """A move was refused for unanswered criteria; `request` is retried once they are answered yes."""

    request: Any
    error: QualificationMissing


@dataclass(eq=False)
class DiscardNeeded(Message):
    """A move into the lost outcome needs a discard reason (or the discard was refused: `error`)."""

    request: Any
    error: str | None = None


@dataclass(eq=False)
class UndoRecorded(Message):
    """The events of a change just made were looked up: it can be undone."""

    entry: UndoEntry


@dataclass(eq=False)
class DealRead(Message):
    """The deal screen's worker read one deal and its timeline (newest first)."""

    deal: Deal
    events: list[Event]
    now: datetime


@dataclass(eq=False)
class ServiceFailed(Message):
    """A use case failed with a message a user can read."""

    message: str
    #: True when it was a move that failed (the screen counts moves in flight).
    move: bool = False
    #: True when it failed because the deal changed since it was shown (the screen reloads).
    stale: bool = False


@dataclass
class BoardChanged(Message):
    """The deals changed on the board since revision `since` (posted from a thread)."""

    board_id: int
    since: int
    changes: BoardChanges
