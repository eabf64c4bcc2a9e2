"""Helpers for the TUI tests ."""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Region
from textual.pilot import Pilot

from leankanban.services import LeanKanban
from leankanban.tui.app import LeanKanbanApp
from leankanban.tui.screens.board import BoardScreen
from leankanban.tui.widgets.column import DealList, StageHeader

#: Poll fast in tests so external changes show up quickly.
POLL = 5.0


def make_app(services: LeanKanban, board: str | None = None, poll: float = POLL) -> LeanKanbanApp:
    return LeanKanbanApp(services, board=board, poll_interval=poll)


async def wait_for(pilot: Pilot, condition: Callable[[], bool], *, tries: int = 150) -> None:
    """Let the app run until `condition()` holds; fail after `tries` short pauses."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition(), "the app never reached the expected state"


def board_screen(pilot: Pilot) -> BoardScreen:
    return pilot.app.board_screen  # type: ignore[attr-defined]


async def loaded(pilot: Pilot) -> BoardScreen:
    """Wait until the board has been read and its columns are on screen."""
    await wait_for(pilot, lambda: board_screen(pilot).view is not None and bool(pilot.app.query(DealList)))
    await pilot.pause()
    return board_screen(pilot)


def widget_text(widget: DealList | StageHeader) -> str:
    """What the widget shows on screen, line by line."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(strip.text for strip in strips)


def column_text(pilot: Pilot, index: int) -> str:
    lists = list(pilot.app.screen.query(DealList))
    return widget_text(lists[index])


def header_text(pilot: Pilot, index: int) -> str:
    headers = list(pilot.app.screen.query(StageHeader))
    return widget_text(headers[index])


def focused_title(pilot: Pilot) -> str | None:
    deal = board_screen(pilot).focused_deal()
    return None if deal is None else deal.title


async def skip_retro(pilot: Pilot) -> None:
    """After a win or a loss the board offers a retro; wait for it and skip it."""
    from leankanban.tui.screens.retro import RetroDialog

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RetroDialog))
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, RetroDialog))
