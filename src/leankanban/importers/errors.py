"""Errors an import can raise. Each reads as one sentence a user can act on."""

from __future__ import annotations

from collections.abc import Sequence

from leankanban.domain.errors import LeanKanbanError


class ImportFailed(LeanKanbanError):
    """The file cannot be imported: `str(err)` names the file, line and column.

    `line` is 1-based (the line where the offending record starts) and
    `column` is a header name for tables, a 1-based character position for
    raw text, or a JSON path such as `cards[3].name`; either may be None when
    the problem concerns the whole file.
    """

    exit_code = 1

    def __init__(self, file: str, line: int | None, column: str | int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        message = message.rstrip(".")
        self.message = message if len(message) <= 300 else message[:299] + "…"
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}" if isinstance(column, int) else f"column '{column}'")
        place = f" ({', '.join(where)})" if where else ""
        super().__init__(f"Cannot import {file}{place}: {self.message}.")


class UnmappedStages(LeanKanbanError):
    """Some source stages have no board stage to go to, or map to a stage the board lacks."""

    exit_code = 1

    def __init__(
        self,
        unmapped: Sequence[str],
        board_stages: Sequence[str],
        unknown_targets: Sequence[str] = (),
    ) -> None:
        self.unmapped = list(unmapped)
        self.board_stages = list(board_stages)
        self.unknown_targets = list(unknown_targets)
        board = ", ".join(board_stages) if board_stages else "none"
        parts = []
        if self.unmapped:
            names = ", ".join(f"'{n}'" for n in self.unmapped)
            parts.append(f"these source stages need a board stage: {names}")
        if self.unknown_targets:
            names = ", ".join(f"'{n}'" for n in self.unknown_targets)
            parts.append(f"the stage map points to stages the board does not have: {names}")
        super().__init__(f"Cannot place the import: {'; '.join(parts)} (board stages: {board}).")
