"""The session's undo stack: the moves and edits made in this TUI, newest on top.

The services undo one event at a time (`services.undo(event_id)`); an entry
holds every event of one user action (an edit of three fields is three
events), undone newest first. Screens look the event ids up in the deal's
history right after their own change (`own_events`) and push an entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from leankanban.domain.model import Event, EventKind

#: How many actions the session remembers.
DEPTH = 50


@dataclass(frozen=True, slots=True)
class UndoEntry:
    #: What the action was, for "Undone: ..." (`move of 'Acme' Leads → Qualifying`).
    what: str
    deal_id: int
    #: The events to undo, oldest first.
    event_ids: tuple[int, ...]


class UndoStack:
    def __init__(self) -> None:
        self._entries: list[UndoEntry] = []

    def push(self, entry: UndoEntry) -> None:
        if entry.event_ids:
            self._entries.append(entry)
            del self._entries[:-DEPTH]

    def peek(self) -> UndoEntry | None:
        return self._entries[-1] if self._entries else None

    def pop(self) -> UndoEntry | None:
        return self._entries.pop() if self._entries else None

    def __len__(self) -> int:
        return len(self._entries)


def undoable(events: Iterable[Event], *, fields: Iterable[str] = ()) -> tuple[int, ...]:
    """Ids of the events a move recorded that undo reverses: the move, and the edits of
    `fields` made with it (a win's final value), oldest first."""
    wanted = set(fields)
    return tuple(
        sorted(
            e.id
            for e in events
            if e.id is not None
            and (e.kind is EventKind.MOVED or (e.kind is EventKind.EDITED and e.field in wanted))
        )
    )


def own_events(history: Iterable[Event], actor: str, *, moved: bool = False, fields: Iterable[str] = ()) -> tuple[int, ...]:
    """Ids of the newest move (if `moved`) and the newest edit of each of `fields` by `actor`, oldest first.

    `history` is the deal's events oldest first, as `services.history` gives
    them; the change just made is the newest of its kind.
    """
    wanted = set(fields)
    found: dict[str, int] = {}
    move: int | None = None
    for event in reversed(list(history)):
        if event.actor != actor or event.id is None or (event.data or {}).get("undoes"):
            continue
        if moved and move is None and event.kind is EventKind.MOVED:
            move = event.id
        elif event.kind is EventKind.EDITED and event.field in wanted and event.field not in found:
            found[event.field] = event.id
        if (move is not None or not moved) and len(found) == len(wanted):
            break
    ids = sorted(found.values()) + ([move] if move is not None else [])
    return tuple(sorted(ids))
