"""Bulk writers for import and restore that keep the invariants of single writes.

    writer = BulkInsert(session, EventRow.__table__, ("board_id", "deal_id", "kind", "at", ...))
    writer.insert(rows)            # rows: tuples in that column order

One driver-level `executemany` per call. Every value goes through its
column type's own bind processor, exactly as an ORM or Core insert would
convert it (`UTCDateTime` refuses naive datetimes and stores UTC, JSON is
serialised by the engine's serializer, SQLite dates become ISO text), and
columns left out take their Python-side scalar defaults. What is skipped is
SQLAlchemy's per-row parameter bookkeeping, which cost more than the
database itself on 100,000-deal imports.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlmodel import Session

from leankanban.store.tables import DealRow

_MEMO_LIMIT = 65_536


class BulkInsert:
    """A prepared INSERT of `columns` into `table` for many rows at once."""

    def __init__(
        self, session: Session, table: Table, columns: Sequence[str], *, memos: dict[Any, dict] | None = None
    ) -> None:
        """`memos` lets writers of related tables share what their columns' types made of equal values."""
        self.session = session
        dialect = session.get_bind().dialect
        self.defaults = _defaults(table, list(columns))
        names = [*columns, *(name for name, _value in self.defaults)]
        compiled = insert(table).compile(dialect=dialect, column_keys=names)
        self.sql = str(compiled)
        self.positional = bool(compiled.positional)
        keys = list(compiled.positiontup or ()) if self.positional else names
        if sorted(keys) != sorted(names):
            raise ValueError(f"cannot bulk insert into {table.name}: {keys} != {names}")
        position = {name: i for i, name in enumerate(names)}
        self.names = names
        self.reorder = None if keys == names else [position[key] for key in keys]
        self.constants = tuple(value for _name, value in self.defaults)
        #: (index in `names`, converter) for the columns whose type converts values.
        self.converters = _converters(table, names, dialect, {} if memos is None else memos)

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert `rows` (tuples in the given column order); returns how many."""
        params: list[Any] = []
        converters, constants, reorder = self.converters, self.constants, self.reorder
        for row in rows:
            values = [*row, *constants] if constants else list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            if reorder is not None:
                values = [values[i] for i in reorder]
            params.append(tuple(values) if self.positional else dict(zip(self.names, values, strict=True)))
        if params:
            self.session.connection().exec_driver_sql(self.sql, params)  # type: ignore[arg-type]
        return len(params)


def _defaults(table: Table, given: list[str]) -> list[tuple[str, Any]]:
    """(column, value) for the columns left out that have a scalar default; ValueError for a required one."""
    unknown = [name for name in given if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
    defaults: list[tuple[str, Any]] = []
    for column in table.c:
        if column.name in given or column.primary_key:
            continue
        if column.default is not None and column.default.is_scalar:
            defaults.append((column.name, column.default.arg))  # type: ignore[attr-defined]
        elif not column.nullable and column.server_default is None:
            raise ValueError(f"{table.name}.{column.name} needs a value")
    return defaults


def _converters(table: Table, names: list[str], dialect: Any, memos: dict[Any, dict]) -> list[tuple[int, Callable]]:
    """(position, converter) for each column whose type converts values; one memo per type."""
    converters = []
    for index, name in enumerate(names):
        kind = table.c[name].type
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            memo = memos.setdefault((type(kind), repr(kind), dialect.name), {})
            converters.append((index, _converter(process, memo)))
    return converters


def _converter(process: Callable[[Any], Any], memo: dict[Hashable, Any]) -> Callable[[Any], Any]:
    """The bind processor, remembering what it made of values met before (imports repeat many)."""
    unhashable = (list, dict)

    def convert(value: Any) -> Any:
        if type(value) in unhashable:  # a JSON list or object
            return process(value)
        converted = memo.get(value, memo)
        if converted is memo:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            converted = memo[value] = process(value)
        return converted

    return convert


def deal_ids(session: Session, *, board_id: int, source: str, external_ids: Sequence[str]) -> dict[str, int]:
    """External id -> deal id for deals of `board_id` imported from `source`."""
    found: dict[str, int] = {}
    for start in range(0, len(external_ids), 1000):
        chunk = external_ids[start : start + 1000]
        query = select(DealRow.id, DealRow.external_id).where(
            DealRow.board_id == board_id,
            DealRow.external_source == source,
            DealRow.external_id.in_(chunk),  # type: ignore[union-attr]
        )
        found.update({external_id: deal_id for deal_id, external_id in session.execute(query)})
    return found
