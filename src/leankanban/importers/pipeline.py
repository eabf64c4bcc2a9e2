"""The shared rows -> ImportedDeal pipeline; a CSV source is its ColumnMap plus what is truly its own.

    reader = RowReader(read_table(raw, text), options, COLUMNS)
    rows = list(reader.rows())                      # title, stage, id, value ... read; skips recorded
    stages, deals = settle_by_status(reader, rows)  # or kinds by stage name + settle_by_stage
    return reader.batch(stages, deals, warnings)

Column lookup by candidate header names, typed cell reading (values,
currencies, dates, probabilities), skip bookkeeping (no title, no stage,
duplicate ids), stage/outcome reconciliation and the shared warnings live
here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from functools import lru_cache

from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers.common import Cells, ParseOptions, clip, plural
from leankanban.importers.model import ImportBatch, ImportedDeal, ImportedStage, Skip, StageEntry
from leankanban.importers.stages import (
    KIND_OF,
    STATUS_OF,
    build_stages,
    order_open_stages,
    outcome_kind,
    outcome_stage_name,
)
from leankanban.importers.textio import Table

STAGE_TEXT = 60
_Names = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where a source keeps each deal field: candidate header names, the first present wins.

    Headers match case- and space-insensitively. `title` and `stage` are
    required; the skip reasons are in the source's own words.
    """

    source: str
    title: _Names
    stage: _Names
    external_id: _Names = ()
    account: _Names = ()
    value: _Names = ()
    currency: _Names = ()
    owner: _Names = ()
    created_at: _Names = ()
    closed_at: _Names = ()
    lost_reason: _Names = ()
    expected_close: _Names = ()
    probability: _Names = ()
    pipeline: _Names = ()
    status: _Names = ()
    no_title: str = "the deal has no title"
    no_stage: str = "'{title}' has no stage"
    duplicate: str = "duplicate id {id} (first on line {first})"

    def indexes(self, table: Table) -> dict[str, int | None]:
        """Field -> column index (None when the file lacks it); ImportFailed without title or stage."""
        found: dict[str, int | None] = {"title": table.require(*self.title), "stage": table.require(*self.stage)}
        for name in OPTIONAL:
            names = getattr(self, name)
            found[name] = table.find(*names) if names else None
        return found

    def has(self, header: Sequence[str], *names: str) -> bool:
        """Whether `header` has a column for every one of the fields `names`."""
        probe = Table("", list(header), [])
        return all(probe.has(*getattr(self, name)) for name in names)


#: The ColumnMap fields besides title and stage.
OPTIONAL = (
    "external_id", "account", "value", "currency", "owner", "created_at", "closed_at", "lost_reason",
    "expected_close", "probability", "pipeline", "status",
)


@dataclass(slots=True)
class Row:
    """One record on its way to an ImportedDeal; sources fill what only they know."""

    line: int | None
    cells: list[str]
    title: str
    stage: str
    external_id: str | None = None
    status: DealStatus | None = None
    account: str = ""
    value: Decimal = Decimal("0")
    currency: str = "EUR"
    owner: str = ""
    created_at: datetime | None = None
    closed_at: datetime | None = None
    lost_reason: str | None = None
    expected_close: date | None = None
    probability: int | None = None
    history: tuple[StageEntry, ...] = ()

    def deal(self, source: str, status: DealStatus, closed_at: datetime | None) -> ImportedDeal:
        """The ImportedDeal: a lost reason only when lost, an expected close only when open."""
        return ImportedDeal(
            source=source,
            external_id=self.external_id,
            title=self.title,
            stage=self.stage,
            account=self.account,
            value=self.value,
            currency=self.currency,
            owner=self.owner,
            status=status,
            created_at=self.created_at,
            closed_at=closed_at,
            lost_reason=self.lost_reason if status is DealStatus.LOST else None,
            expected_close=self.expected_close if status is DealStatus.OPEN else None,
            probability=self.probability,
            history=self.history,
            line=self.line,
        )


#: A source's reading of a row's outcome: a status, None (the stage decides), or a skip reason.
StatusRule = Callable[["RowReader", int, list[str], str, str], "DealStatus | str | None"]


class RowReader:
    """Reads a table's rows into Rows by a ColumnMap, keeping the skips, stage and pipeline order."""

    def __init__(
        self,
        table: Table,
        options: ParseOptions,
        columns: ColumnMap,
        *,
        indexes: Mapping[str, int | None] | None = None,
    ) -> None:
        self.table = table
        self.options = options
        self.columns = columns
        self.source = columns.source
        self.cells = Cells(table, options)
        self.index: dict[str, int | None] = dict.fromkeys(OPTIONAL)
        self.index.update(indexes if indexes is not None else columns.indexes(table))
        self.skipped: list[Skip] = []
        self.appearance: dict[str, None] = {}  # stage names in first-appearance order
        self.pipelines: dict[str, None] = {}
        self.written_currency = False  # some amount carried its own currency
        self.footer = 0
        self._first_line: dict[str, int] = {}
        self._pool: dict[str, str] = {}  # one string object per distinct stage, owner, account, currency

    def shared(self, text: str) -> str:
        """`text`, as the one object kept for equal strings (many rows repeat them)."""
        return self._pool.setdefault(text, text)

    # -- cells
    def text(self, cells: list[str], field: str) -> str:
        return self.cells.text(cells, self.index[field])

    def skip(self, line: int | None, reason: str) -> None:
        self.skipped.append(Skip(line, reason, self.table.file))

    # -- rows
    def rows(self, status: StatusRule | None = None, footer: Callable[[list[str]], bool] | None = None) -> Iterator[Row]:
        """The rows that can be deals, in file order; the others become skips.

        `status` reads a row's outcome (sources with a status column);
        without it the stage is required. `footer` recognises trailer lines to
        drop silently (counted in `self.footer`). The table is read once, a
        row at a time (textio.Rows): a row's `cells` are let go when the next
        row is asked for, so a big file's cells do not all stay in memory
        beside its deals.
        """
        pending, self.table.rows = self.table.rows, []
        for line, cells in pending:
            row = self._accept(line, cells, status, footer)
            if row is not None:
                self._fill(row)
                yield row
                row.cells = []

    def _accept(
        self, line: int, cells: list[str], status: StatusRule | None, footer: Callable[[list[str]], bool] | None
    ) -> Row | None:
        title = clip(cells[self.index["title"]])  # type: ignore[index]
        stage = clip(cells[self.index["stage"]], STAGE_TEXT)  # type: ignore[index]
        if footer is not None and (not title or not stage) and footer(cells):
            self.footer += 1
            return None
        if not title:
            return self.skip(line, self.columns.no_title)
        state = status(self, line, cells, title, stage) if status is not None else None
        reason = self._unusable(line, cells, title, stage, state)
        if reason is not None:
            return self.skip(line, reason) if reason else None
        if stage:
            self.appearance.setdefault(stage)
        external_id = self.text(cells, "external_id") or None
        return Row(line, cells, title, self.shared(stage), external_id, state)  # type: ignore[arg-type]

    def _unusable(self, line: int, cells: list[str], title: str, stage: str, state: DealStatus | str | None) -> str | None:
        """Why a titled row cannot be a deal ('' when already recorded), or None."""
        if state is not None and not isinstance(state, DealStatus):  # a skip reason (DealStatus is a str too)
            return state
        if not stage and state in (None, DealStatus.OPEN):
            return self.columns.no_stage.format(title=title)
        external_id = self.text(cells, "external_id") or None
        if external_id is not None and self._duplicate(external_id, line):
            return ""
        return None

    def _duplicate(self, external_id: str, line: int) -> bool:
        first = self._first_line.setdefault(external_id, line)
        if first != line:
            self.skip(line, self.columns.duplicate.format(id=external_id, first=first))
            return True
        return False

    def _fill(self, row: Row) -> None:
        cells, line, index, read = row.cells, row.line, self.index, self.cells
        assert line is not None
        pipeline = read.text(cells, index["pipeline"])
        if pipeline:
            self.pipelines.setdefault(pipeline)
        row.value, written = read.amount(line, cells, index["value"])
        self.written_currency = self.written_currency or written is not None
        row.currency = self.shared(read.currency(line, cells, index["currency"], written))
        row.account = self.shared(clip(read.text(cells, index["account"])))
        row.owner = self.shared(clip(read.text(cells, index["owner"])))
        row.created_at = read.datetime(line, cells, index["created_at"])
        row.closed_at = read.datetime(line, cells, index["closed_at"])
        row.lost_reason = clip(read.text(cells, index["lost_reason"])) or None
        row.expected_close = read.date(line, cells, index["expected_close"])
        row.probability = read.probability(line, cells, index["probability"])

    # -- the batch
    def currency_warnings(self, deals: Sequence[ImportedDeal]) -> list[str]:
        """Say so when no column nor amount names a currency (amounts take the fallback)."""
        if self.index["currency"] is None and not self.written_currency and deals:
            return [f"The file names no currency; amounts are taken as {self.options.currency}."]
        return []

    def pipeline_warnings(self) -> list[str]:
        if len(self.pipelines) > 1:
            names = list(self.pipelines)
            return [
                f"The file holds {plural(len(names), 'pipeline')} ({', '.join(names)}); "
                "their stages are merged by name."
            ]
        return []

    def batch(self, stages: tuple[ImportedStage, ...], deals: Sequence[ImportedDeal], warnings: Iterable[str] = ()) -> ImportBatch:
        return ImportBatch(self.source, stages, tuple(deals), tuple(self.skipped), tuple(warnings))


# ------------------------------------------------------------------ reconciliation


@lru_cache(maxsize=4096)
def kind_of(name: str) -> StageKind:
    """WON / LOST for an outcome-like stage name, OPEN for the rest."""
    return outcome_kind(name) or StageKind.OPEN


def kinds_by_name(names: Iterable[str]) -> dict[str, StageKind]:
    """WON / LOST for outcome-like stage names, OPEN for the rest."""
    return {name: kind_of(name) for name in names}


def entered(history: Sequence[StageEntry], stage: str) -> datetime | None:
    """When the deal last entered `stage`, or None."""
    return next((e.at for e in reversed(history) if e.stage == stage), None)


def midnight(day: date | None, tz: tzinfo) -> datetime | None:
    """The start of `day` in `tz`, in UTC."""
    return datetime.combine(day, time(), tz).astimezone(UTC) if day is not None else None


def closed_when_entered(tz: tzinfo) -> Callable[[Row, StageKind], datetime | None]:
    """A closed deal closed when it entered its stage, else at the start of its close date."""

    def closed_at(row: Row, kind: StageKind) -> datetime | None:
        return entered(row.history, row.stage) or midnight(row.expected_close, tz)

    return closed_at


def settle_by_stage(
    source: str,
    rows: list[Row],
    kinds: Mapping[str, StageKind],
    closed_at: Callable[[Row, StageKind], datetime | None],
) -> list[ImportedDeal]:
    """Deals whose stage decides the outcome (HubSpot, Salesforce, Kanboard, Trello).

    Consumes `rows` (each Row is let go as soon as it is a deal).
    """
    deals = []
    rows.reverse()
    while rows:
        row = rows.pop()
        deals.append(settle_row(source, row, kinds[row.stage], closed_at))
    return deals


def settle_row(
    source: str, row: Row, kind: StageKind, closed_at: Callable[[Row, StageKind], datetime | None]
) -> ImportedDeal:
    """One deal whose stage, of `kind`, decides its outcome."""
    return row.deal(source, STATUS_OF[kind], closed_at(row, kind) if kind is not StageKind.OPEN else None)


def settle_by_status(
    reader: RowReader, rows: Sequence[Row]
) -> tuple[tuple[ImportedStage, ...], list[ImportedDeal]]:
    """Stages and deals where a status column decides the outcome (generic CSV, Pipedrive).

    Won and lost deals go to a stage of their kind (a `Won` / `Lost` stage
    is added when the file has none); an open deal in an outcome-named stage
    takes that outcome. A closed deal entered its stage when it closed
    (`row.closed_at`).
    """
    names = list(reader.appearance)
    kinds = kinds_by_name(names)
    for status in (DealStatus.WON, DealStatus.LOST):
        if any(r.status is status for r in rows):
            kinds.setdefault(outcome_stage_name(KIND_OF[status], kinds), KIND_OF[status])
    stages = build_stages(order_open_stages([n for n in names if kinds[n] is StageKind.OPEN]), kinds)
    outcome = {kind: outcome_stage_name(kind, kinds) for kind in (StageKind.WON, StageKind.LOST)}
    deals = []
    for row in rows:
        status = _reconcile(row, kinds, outcome)
        at = row.closed_at if status is not DealStatus.OPEN else None
        row.history = (StageEntry(row.stage, at),) if at is not None else ()
        deals.append(row.deal(reader.source, status, at))
    return stages, deals


def _reconcile(row: Row, kinds: Mapping[str, StageKind], outcome: Mapping[StageKind, str]) -> DealStatus:
    """A closed row moves to a stage of its outcome; an open row in an outcome stage takes its outcome."""
    status = row.status or DealStatus.OPEN
    if status is not DealStatus.OPEN:
        if kinds.get(row.stage) is not KIND_OF[status]:
            row.stage = outcome[KIND_OF[status]]
        return status
    return STATUS_OF[kinds[row.stage]]


def collapse(entries: Iterable[tuple[datetime, int, str]]) -> list[StageEntry]:
    """(time, order, stage) entries sorted into StageEntries, repeats of one stage merged."""
    history: list[StageEntry] = []
    for at, _order, stage in sorted(entries):
        if not history or history[-1].stage != stage:
            history.append(StageEntry(stage, at))
    return history
