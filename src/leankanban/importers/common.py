"""Shared pieces of the format modules: options and typed cell readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal

from leankanban.domain.errors import InvalidInput
from leankanban.domain.rules import parse_probability, validate_currency
from leankanban.importers.textio import Table
from leankanban.importers.values import ValueProblem, parse_amount, parse_bool, parse_date, parse_datetime, parse_float

MAX_TEXT = 200
_MEMO_LIMIT = 65_536


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """How to read ambiguous values.

    `dayfirst` reads `01/02/2024` as 1 February; `tz` is the zone of times
    written without an offset; `currency` (a three-letter code, InvalidInput
    otherwise) is the currency of rows whose file gives none.
    """

    dayfirst: bool = False
    tz: tzinfo = UTC
    currency: str = "EUR"

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", validate_currency(self.currency))


class Cells:
    """Typed access to one table's cells; problems become ImportFailed with line and column."""

    def __init__(self, table: Table, options: ParseOptions) -> None:
        self.table = table
        self.options = options
        self._times: dict[str, datetime | None] = {}  # exports repeat timestamps: parse each text once


    @staticmethod
    def text(row: list[str], index: int | None) -> str:
        if index is None:
            return ""
        return row[index].strip()

    def datetime(self, line: int, row: list[str], index: int | None) -> datetime | None:
        if index is None:
            return None
        text = row[index]
        known = self._times.get(text, self._times)
        if known is not self._times:
            return known  # type: ignore[return-value]
        try:
            at = parse_datetime(text, dayfirst=self.options.dayfirst, tz=self.options.tz)
        except ValueProblem as err:
            raise self.table.fail(line, index, str(err)) from None
        if len(self._times) >= _MEMO_LIMIT:
            self._times.clear()
        self._times[text] = at
        return at

    def date(self, line: int, row: list[str], index: int | None) -> date | None:
        if index is None:
            return None
        try:
            return parse_date(row[index], dayfirst=self.options.dayfirst)
        except ValueProblem as err:
            raise self.table.fail(line, index, str(err)) from None

    def amount(self, line: int, row: list[str], index: int | None) -> tuple[Decimal, str | None]:
        if index is None:
            return Decimal("0"), None
        try:
            return parse_amount(row[index])
        except ValueProblem as err:
            raise self.table.fail(line, index, str(err)) from None

    def bool(self, line: int, row: list[str], index: int | None) -> bool | None:
        if index is None:
            return None
        try:
            return parse_bool(row[index])
        except ValueProblem as err:
            raise self.table.fail(line, index, str(err)) from None

    def probability(self, line: int, row: list[str], index: int | None) -> int | None:
        """A win probability in percent (`35`, `12.5`, `90%`), rounded half up; None when empty."""
        raw = self.text(row, index).removesuffix("%").strip()
        if not raw:
            return None
        number = parse_float(raw)
        try:
            if number is None or number != number:
                raise InvalidInput(f"'{raw}' is not a win probability")
            return parse_probability(int(number + 0.5) if number >= 0 else -1)
        except InvalidInput:
            raise self.table.fail(line, index, f"'{raw}' is not a win probability from 0 to 100") from None  # type: ignore[arg-type]

    def currency(self, line: int, row: list[str], index: int | None, fallback: str | None) -> str:
        raw = self.text(row, index)
        if raw:
            try:
                return validate_currency(raw)
            except InvalidInput as err:
                raise self.table.fail(line, index, str(err)) from None  # type: ignore[arg-type]
        return fallback or self.options.currency


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Collapse whitespace (quoted newlines and tabs included) and cut to `limit` characters.

    Every other character is kept as the file has it, control characters too:
    showing them safely is what `leankanban.text` does on every surface.
    """
    if len(text) <= limit and text.isprintable() and "  " not in text and text == text.strip():
        return text
    cleaned = " ".join(text.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
