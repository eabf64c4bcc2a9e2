"""The forecast for the focused stage (`f` on the board): when its open deals will likely
all be done, and how many of them and how much value close by a date.

The same use case as `leankanban forecast --stage STAGE`, run in a thread worker (a Monte
Carlo over the board's daily closes); shown as the CLI's text, every name made visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from leankanban.domain.errors import LeanKanbanError
from leankanban.services import LeanKanban
from leankanban.tui.format import visible

#: Trials of the dialog's Monte Carlo: a steady answer in well under a second.
TRIALS = 10_000


@dataclass
class ForecastReady(Message):
    """The forecast as text, or why there is none."""

    text: str
    failed: bool = False


class ForecastDialog(ModalScreen[None]):
    """Read-only: the focused stage's forecast. Esc closes."""

    BINDINGS = [Binding("escape,q,f", "close", "Close", id="close")]

    def __init__(self, services: LeanKanban, *, board: str, stage: str, by: str = "14d", seed: int | None = None) -> None:
        super().__init__()
        self.services, self.board, self.stage, self.by, self.seed = services, board, stage, by, seed
        #: The forecast's text once it is computed (None while it runs).
        self.result: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="forecast"):
            yield Static(Text(f"Forecast for {visible(self.stage)}"), id="dialog-title")
            with VerticalScroll():
                yield Static(Text(f"Forecasting the open deals in '{visible(self.stage)}'…"), id="forecast-text")
            yield Static(
                Text(f"Esc to close · leankanban forecast --stage '{visible(self.stage)}' --by DATE picks another date"),
                classes="dim",
            )

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="forecast", exit_on_error=False)
    def compute(self) -> None:
        from leankanban.reports.render import forecast_to_text
        from leankanban.services import reports

        try:
            found: Any = reports.forecast(
                self.services, board=self.board, stages=(self.stage,), until=self.by, trials=TRIALS, seed=self.seed
            )
        except LeanKanbanError as err:
            self.post_message(ForecastReady(f"No forecast: {err}", failed=True))
            return
        except Exception as err:  # the dialog must hear back
            self.post_message(ForecastReady(f"Cannot forecast: {err}", failed=True))
            raise
        self.post_message(ForecastReady(forecast_to_text(found)))

    def on_forecast_ready(self, message: ForecastReady) -> None:
        self.result = message.text
        # forecast_to_text made every name visible already; visible() again keeps it so, and
        # catches an error message's text.
        self.query_one("#forecast-text", Static).update(Text(visible(message.text.rstrip("\n"), multiline=True)))

    def action_close(self) -> None:
        self.dismiss(None)
