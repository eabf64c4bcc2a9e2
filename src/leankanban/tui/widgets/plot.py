"""A text chart that draws itself at the size it is given.

The drawing function gets (width, height) at render time, so the chart
always fits the space layout gave it, however late the data arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

Draw = Callable[[int, int], RenderableType]


class PlotView(Widget):
    """Shows `draw(width, height)`; `show(draw)` replaces the drawing."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._draw: Draw | None = None

    def show(self, draw: Draw | None) -> None:
        self._draw = draw
        self.refresh()

    def render(self) -> RenderableType:
        if self._draw is None:
            return Text("")
        width, height = self.content_size
        if width < 10 or height < 5:
            return Text("")
        return self._draw(width, height)
