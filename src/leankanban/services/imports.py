"""The import use case: write an ImportBatch to a board in one transaction.

Parsing lives in `importers/` (pure, errors as values); this module decides
where deals go and writes them with their history:

- Without a target board, the source's stages become a new board's columns
  (named after the source, e.g. `salesforce`); re-importing reuses that board
  and appends stages it has not seen before the closed outcomes.
- With `board=` the deals go into an existing board through `stage_map`
  ("Source stage" -> "Board stage"); source stages with the same name as a
  board stage map to it on their own. Any stage left unmapped is an error
  naming every one of them: nothing is dropped silently.
- Deals are matched by (source, external id); a re-import updates them
  instead of duplicating them. History entries become events with their
  original timestamps; entries already recorded are not repeated. Imported
  events are done by the deal's owner in the file (the person who did the
  work), or by the source (`hubspot import`) when the file names nobody,
  never by whoever runs the import.
- WIP limits do not block an import (history is history) but breaches are
  reported. A dry run does all the work and rolls it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from leankanban.domain import rules
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import STATUS_FOR_KIND, Board, Deal, DealStatus, Event, EventKind, Stage, StageKind
from leankanban.importers.model import ImportBatch, ImportedDeal, Skip, StageEntry
from leankanban.metrics.timelines import summary_of, timelines
from leankanban.services import LeanKanban
from leankanban.store import flow
from leankanban.store import repository as repo
from leankanban.store.bulk import BulkInsert, deal_ids
from leankanban.store.tables import (
    BoardRow,
    DealRow,
    DiscardReasonRow,
    EventRow,
    StageRow,
)

#: Deal columns an import owns (a re-import overwrites these, nothing else).
IMPORTED_COLUMNS = (
    "title",
    "account",
    "value_cents",
    "currency",
    "owner",
    "status",
    "stage_id",
    "closed_at",
    "lost_reason",
    "expected_close",
    "probability",  # only when the source gives one: a re-import without it keeps the deal's
)

Progress = Callable[[int, int], None]


@dataclass
class ImportSummary:
    board: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)
    stages_added: list[str] = field(default_factory=list)
    events: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.skipped)


def external_key(deal: ImportedDeal) -> str:
    """The id a re-import matches on; sources without ids fall back to title+account."""
    if deal.external_id:
        return deal.external_id
    return f"title:{deal.title.strip().casefold()}|{deal.account.strip().casefold()}"


def resolve_stages(
    batch: ImportBatch, board: Board | None, stage_map: Mapping[str, str]
) -> tuple[dict[str, str], list[Stage]]:
    """Source stage name -> board stage name, and the stages a new/import board lacks.

    Raises InvalidInput listing every unmapped source stage when importing
    into an existing board that does not have them.
    """
    used = list(dict.fromkeys([*batch.stage_names, *(d.stage for d in batch.deals)]
                              + [h.stage for d in batch.deals for h in d.history]))
    mapping, missing = _mapped(used, board, stage_map)
    if missing and board is not None and board.template != "import":
        raise InvalidInput(
            "These source stages have no place on the board; map them with "
            f"--stage-map \"Source=Board\": {', '.join(missing)}."
        )
    new_stages = _new_stages(batch, missing)
    mapping.update({stage.name: stage.name for stage in new_stages})
    return mapping, new_stages


def _mapped(used: list[str], board: Board | None, stage_map: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The used stages --stage-map or a same-named board stage places, and those nothing places."""
    wanted_map = {k.strip().casefold(): v for k, v in stage_map.items()}
    board_names = {s.name.casefold(): s.name for s in board.stages} if board else {}
    mapping: dict[str, str] = {}
    unknown_targets: list[str] = []
    missing: list[str] = []
    for name in used:
        target = wanted_map.get(name.casefold())
        if target is None:
            if name.casefold() in board_names:
                mapping[name] = board_names[name.casefold()]
            else:
                missing.append(name)
        elif board is not None and target.casefold() not in board_names:
            unknown_targets.append(target)
        else:
            mapping[name] = board_names.get(target.casefold(), target)
    if unknown_targets:
        raise InvalidInput(
            f"--stage-map points at stages the board does not have: {', '.join(sorted(set(unknown_targets)))}."
        )
    return mapping, missing


def _new_stages(batch: ImportBatch, missing: list[str]) -> list[Stage]:
    """Stages for source stages the (new or import) board lacks, with the source's kind and place."""
    kinds = {s.name: s for s in batch.stages}
    new_stages: list[Stage] = []
    for name in missing:
        source_stage = kinds.get(name)
        kind = source_stage.kind if source_stage else StageKind.OPEN
        position = source_stage.position if source_stage else len(batch.stages) + len(new_stages)
        new_stages.append(Stage(name=name, position=position, kind=kind))
    return new_stages


def import_batch(
    lk: LeanKanban,
    batch: ImportBatch,
    *,
    board: str | None = None,
    stage_map: Mapping[str, str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write `batch` in one transaction; see the module docstring for the rules."""
    stage_map = dict(stage_map or {})
    target_name = rules.validate_board_name(board or batch.source)
    now = lk.now()
    with lk.write() as session:
        existing_names = {n.casefold(): n for n in repo.board_names(session=session)}
        board_row: BoardRow | None = None
        loaded: Board | None = None
        if target_name.casefold() in existing_names:
            board_row = repo.board_row(session=session, name=target_name, lock=True)
            loaded = repo.load_board(session=session, row=board_row)
        elif board is not None:
            raise InvalidInput(
                f"There is no board '{board}' to import into; leave out --board to make one from the file."
            )
        mapping, new_stages = resolve_stages(batch, loaded, stage_map)
        summary = ImportSummary(board=target_name, dry_run=dry_run, skipped=list(batch.skipped))
        summary.warnings.extend(batch.warnings)
        if board_row is None:
            board_row = BoardRow(name=target_name, template="import", created_at=now, revision=0)
            session.add(board_row)
            session.flush()
            for position, reason in enumerate(rules.DEFAULT_DISCARD_REASONS):
                session.add(DiscardReasonRow(board_id=board_row.id, name=reason, position=position))
        _add_stages(session, board_row, loaded, new_stages)
        summary.stages_added = [s.name for s in new_stages]
        loaded = repo.load_board(session=session, row=board_row)
        _write_deals(session, loaded, batch, mapping, summary, now, progress)
        summary.warnings.extend(_wip_report(session, loaded))
        repo.bump_revision(session=session, board_id=board_row.id)
        session.flush()
        if dry_run:
            session.rollback()
            session.info.pop(flow.MARKED, None)  # nothing to summarise: nothing was written
    return summary


def _add_stages(session: Session, board_row: BoardRow, loaded: Board | None, new: list[Stage]) -> None:
    if not new:
        return
    existing = list(loaded.stages) if loaded else []
    open_existing = [s for s in existing if not s.is_closed]
    closed_existing = [s for s in existing if s.is_closed]
    new_open = sorted((s for s in new if not s.is_closed), key=lambda s: s.position)
    new_closed = sorted((s for s in new if s.is_closed), key=lambda s: (s.kind is StageKind.LOST, s.position))
    order = [*open_existing, *new_open, *closed_existing, *new_closed]
    rows = {r.name: r for r in repo.stage_rows(session=session, board_id=board_row.id)}
    for position, stage in enumerate(order):
        if stage.name in rows:
            rows[stage.name].position = position
            session.add(rows[stage.name])
        else:
            session.add(
                StageRow(board_id=board_row.id, name=stage.name, position=position, kind=stage.kind.value)
            )
    session.flush()


class _Places:
    """Where the source's stages go on `board`, each looked up once (an import asks 100,000 times)."""

    def __init__(self, board: Board, mapping: dict[str, str]) -> None:
        self.board, self.mapping = board, mapping
        self._stages: dict[str, Stage] = {}
        self._outcomes: dict[StageKind, Stage] = {}
        self._names = {stage.id: stage.name for stage in board.stages}

    def stage(self, source_stage: str) -> Stage:
        found = self._stages.get(source_stage)
        if found is None:
            found = self._stages[source_stage] = self.board.stage(self.mapping[source_stage])
        return found

    def outcome(self, kind: StageKind) -> Stage:
        found = self._outcomes.get(kind)
        if found is None:
            found = self._outcomes[kind] = self.board.outcome(kind)  # InvalidInput when the board has none
        return found

    def name(self, stage_id: int) -> str:
        return self._names[stage_id]




def _status_and_stage(places: _Places, deal: ImportedDeal) -> tuple[Stage, DealStatus]:
    stage = places.stage(deal.stage)
    if deal.status is DealStatus.WON and stage.kind is not StageKind.WON:
        stage = places.outcome(StageKind.WON)
    elif deal.status is DealStatus.LOST and stage.kind is not StageKind.LOST:
        stage = places.outcome(StageKind.LOST)
    return stage, STATUS_FOR_KIND[stage.kind]


def importer(deal: ImportedDeal) -> str:
    """Who imported events are done by: the deal's owner in the file, else the source."""
    return deal.owner.strip()[: rules.MAX_TEXT] or f"{deal.source} import"


def _columns(places: _Places, deal: ImportedDeal) -> dict[str, Any]:
    stage, status = _status_and_stage(places, deal)
    closed_at = None
    if status is not DealStatus.OPEN:
        # None when the source does not say; the caller fills it in.
        closed_at = deal.closed_at or (deal.history[-1].at if deal.history else None) or deal.created_at
    columns = {
        "title": rules.validate_title(deal.title),
        "account": deal.account.strip()[: rules.MAX_TEXT],
        "value_cents": repo.cents(rules.parse_value(deal.value)),
        "currency": (deal.currency or "EUR").upper()[:3],
        "owner": deal.owner.strip()[: rules.MAX_TEXT],
        "status": status.value,
        "stage_id": stage.id,
        "closed_at": closed_at,
        "lost_reason": (deal.lost_reason or None) if status is DealStatus.LOST else None,
        "expected_close": deal.expected_close,
    }
    if deal.probability is not None:
        columns["probability"] = rules.parse_probability(deal.probability)
    return columns


#: A new deal's event, before its deal id is known: (kind, at, actor, from_stage, to_stage, reason).
NewEvent = tuple[str, datetime, str, "str | None", str, "str | None"]
# `data` given (None) as a single write gives it: the JSON type stores it as JSON null.
EVENT_COLUMNS = ("board_id", "deal_id", "kind", "at", "actor", "from_stage", "to_stage", "reason", "data")
DEAL_COLUMNS = (
    *IMPORTED_COLUMNS,
    "board_id",
    "external_source",
    "external_id",
    "created_at",
    "stage_entered_at",
    "updated_at",
    "last_activity_at",
    "next_step",
    "deal_type",
    "priority",
    "activity",
    "tags",
    "helpers",
    "started_at",
    "state_changed_at",
)
_BY_TIME = attrgetter("at")
# Hot-loop constants (an enum's .value is a descriptor lookup each time).
_CREATED, _MOVED = EventKind.CREATED.value, EventKind.MOVED.value
_OPEN, _WON, _LOST = DealStatus.OPEN.value, DealStatus.WON.value, DealStatus.LOST.value
assert (EventKind.WON.value, EventKind.LOST.value) == (_WON, _LOST)


def _history_events(
    places: _Places, deal: ImportedDeal, columns: dict[str, Any], created_at: datetime, actor: str
) -> list[NewEvent]:
    """Events for a new deal: created, each stage entry, and the close."""
    mapping = places.mapping
    entries = [(mapping[h.stage], h.at) for h in sorted(deal.history, key=_BY_TIME)]
    final_stage = places.name(columns["stage_id"])
    first_stage = entries[0][0] if entries else final_stage
    events: list[NewEvent] = [(_CREATED, created_at, actor, None, first_stage, None)]
    current = previous = first_stage
    for stage_name, at in entries:
        if stage_name == current:
            continue
        events.append((_MOVED, at, actor, current, stage_name, None))
        previous, current = current, stage_name
    close_at = columns["closed_at"]
    if current != final_stage:
        at = close_at or (entries[-1][1] if entries else created_at)
        events.append((_MOVED, at, actor, current, final_stage, None))
        previous, current = current, final_stage
    if columns["status"] != _OPEN:
        kind = _WON if columns["status"] == _WON else _LOST
        events.append((kind, close_at, actor, previous, final_stage, columns["lost_reason"]))
    return events


class _NewDeals:
    """New deals and their history, written a chunk at a time (memory stays flat however big the file)."""

    CHUNK = 2000

    def __init__(self, session: Session, places: _Places, source: str, summary: ImportSummary, now: datetime) -> None:
        self.session, self.places, self.board = session, places, places.board
        self.source, self.summary, self.now = source, summary, now
        memos: dict = {}  # a deal's created time is its first event's time: convert it once
        self.deals = BulkInsert(session, DealRow.__table__, DEAL_COLUMNS, memos=memos)  # type: ignore[arg-type]
        self.events = BulkInsert(session, EventRow.__table__, EVENT_COLUMNS, memos=memos)  # type: ignore[arg-type]
        self.pending: list[tuple[str, tuple[Any, ...], list[NewEvent]]] = []
        self.told: list[Deal] = []  # the pending deals as their flow summaries are told (`_summaries`)

    def add(self, key: str, deal: ImportedDeal, columns: dict[str, Any]) -> None:
        created_at = deal.created_at or (deal.history[0].at if deal.history else None) or self.now
        events = _history_events(self.places, deal, columns, created_at, importer(deal))
        last_at = max(e[1] for e in events)
        stage_entered = max((e[1] for e in events if e[0] in (_CREATED, _MOVED)), default=created_at)
        values = (
            *map(columns.get, IMPORTED_COLUMNS),
            self.board.id, self.source, key, created_at, stage_entered, self.now, last_at,
            "", "new_logo", "standard", None, [], [],
        )
        # What its flow summary is told from (store/flow.py): the deal as written, and its history.
        status = DealStatus(columns["status"])
        told = Deal(
            title=columns["title"], stage=self.places.name(columns["stage_id"]), status=status, created_at=created_at,
            stage_entered_at=stage_entered, closed_at=columns["closed_at"], lost_reason=columns["lost_reason"],
            last_activity_at=last_at, id=len(self.pending),
        )
        self.pending.append((key, values, events))
        self.told.append(told)
        if len(self.pending) >= self.CHUNK:
            self.flush()

    def _summaries(self) -> list[tuple[datetime | None, datetime | None]]:
        """(started_at, state_changed_at) of each pending deal: its flow summary, told by the
        one rule (timelines, `summary_of`) from the history written for it, as a refresh
        after the commit would read it back (no summary: (None, None))."""
        history = [
            Event(EventKind(kind), at, number, actor, from_stage, to_stage, reason=reason)
            for number, (_key, _values, events) in enumerate(self.pending)
            for kind, at, actor, from_stage, to_stage, reason in events
        ]
        lines = timelines(self.board.stages, self.told, history, now=self.now)
        found = []
        for line, (_key, _values, events) in zip(lines, self.pending, strict=True):
            summary = summary_of(line, max(e[1] for e in events)) if events else None
            found.append((None, None) if summary is None else (summary.started_at, summary.state_changed_at))
        return found

    def flush(self) -> None:
        if not self.pending:
            return
        summaries = self._summaries()
        self.deals.insert((*values, *summary) for (_key, values, _events), summary in zip(self.pending, summaries, strict=True))
        ids = deal_ids(
            self.session, board_id=self.board.id, source=self.source, external_ids=[key for key, _v, _e in self.pending]
        )
        board_id = self.board.id
        written = self.events.insert(
            (board_id, ids[key], *event, None) for key, _values, events in self.pending for event in events
        )
        self.summary.created += len(self.pending)
        self.summary.events += written
        self.pending.clear()
        self.told.clear()


def _existing(session: Session, board: Board, source: str, keys: list[str]) -> dict[str, Any]:
    """External id -> what a re-import compares, for those of `keys` this source already wrote.

    Plain rows (no ORM objects), read for one chunk of the file at a time.
    """
    wanted = ("id", "external_id", "stage_entered_at", "last_activity_at", *IMPORTED_COLUMNS)
    query = select(*(getattr(DealRow, name) for name in wanted)).where(
        DealRow.board_id == board.id,
        DealRow.external_source == source,
        DealRow.external_id.in_(keys),  # type: ignore[union-attr]
    )
    return {row.external_id: row for row in session.execute(query)}


def _write_deals(
    session: Session,
    board: Board,
    batch: ImportBatch,
    mapping: dict[str, str],
    summary: ImportSummary,
    now: datetime,
    progress: Progress | None,
) -> None:
    new = _NewDeals(session, _Places(board, mapping), batch.source, summary, now)
    seen: set[str] = set()
    total = len(batch.deals)
    for start in range(0, total, _NewDeals.CHUNK):
        chunk = batch.deals[start : start + _NewDeals.CHUNK]
        keys = [external_key(deal) for deal in chunk]
        existing = _existing(session, board, batch.source, sorted(set(keys) - seen))
        for deal, key in zip(chunk, keys, strict=True):
            _write_deal(session, board, deal, key, existing.get(key), seen, new, mapping, summary, now)
        if progress is not None:
            progress(start + len(chunk), total)
    new.flush()


def _write_deal(
    session: Session,
    board: Board,
    deal: ImportedDeal,
    key: str,
    row: Any,
    seen: set[str],
    new: _NewDeals,
    mapping: dict[str, str],
    summary: ImportSummary,
    now: datetime,
) -> None:
    """Create or update one deal (or skip it, saying why)."""
    if key in seen:
        summary.skipped.append(Skip(deal.line, f"duplicate id {key} in the file"))
        return
    seen.add(key)
    try:
        columns = _columns(new.places, deal)
    except InvalidInput as err:
        summary.skipped.append(Skip(deal.line, str(err)))
        return
    if columns["status"] != DealStatus.OPEN.value and columns["closed_at"] is None:
        # A closed deal the source gives no time for: keep the time we
        # already have, else say it closed now.
        columns["closed_at"] = (row.closed_at if row is not None else None) or now
    if row is None:
        new.add(key, deal, columns)
    else:
        _update_existing(session, board, row, columns, deal, mapping, summary, now)


def _update_existing(
    session: Session,
    board: Board,
    stored: Any,
    columns: dict[str, Any],
    deal: ImportedDeal,
    mapping: dict[str, str],
    summary: ImportSummary,
    now: datetime,
) -> None:
    """Bring a deal an earlier import wrote up to date; `stored` is its row as _existing read it."""
    changed = {name: value for name, value in columns.items() if getattr(stored, name) != value}
    later = [h for h in deal.history if h.at > stored.stage_entered_at]
    if not changed and not later:
        summary.unchanged += 1
        return
    row = session.get_one(DealRow, stored.id)
    base = {"actor": importer(deal), "board_id": board.id, "deal_id": row.id, "field": None, "old_value": None,
            "new_value": None, "reason": None, "data": {"import": deal.source}}
    events = _move_events(session, board, row, base, later, columns, changed, mapping, now)
    events += _edit_events(base, row, changed, now)
    if not changed and not events:
        summary.unchanged += 1
        return
    for name, value in changed.items():
        setattr(row, name, value)
    if "stage_id" in changed:
        row.stage_entered_at = max((e["at"] for e in events if e["kind"] == "moved"), default=now)
    row.updated_at = now
    row.last_activity_at = max([row.last_activity_at or now, *(e["at"] for e in events)])
    session.add(row)
    if events:
        session.execute(insert(EventRow.__table__), events)
        flow.mark(session, (row.id,))  # its flow summary, before the commit
        summary.events += len(events)
    summary.updated += 1


def _move_events(
    session: Session,
    board: Board,
    row: DealRow,
    base: dict[str, Any],
    later: list[StageEntry],
    columns: dict[str, Any],
    changed: dict[str, Any],
    mapping: dict[str, str],
    now: datetime,
) -> list[dict[str, Any]]:
    """Moves the file shows since the deal's stored stage entry (none already recorded), then the outcome."""
    known = {
        (e.to_stage, e.at)
        for e in repo.events_for_deal(session=session, deal_id=row.id)
        if e.kind in (EventKind.CREATED, EventKind.MOVED)
    }
    events: list[dict[str, Any]] = []
    current = board.stage_by_id(row.stage_id).name
    for entry in sorted(later, key=_BY_TIME):
        stage_name = mapping[entry.stage]
        if (stage_name, entry.at) not in known and stage_name != current:
            events.append(dict(base, kind="moved", at=entry.at, from_stage=current, to_stage=stage_name))
            current = stage_name
    final = board.stage_by_id(columns["stage_id"]).name
    at = columns["closed_at"] or now
    if current != final:
        events.append(dict(base, kind="moved", at=at, from_stage=current, to_stage=final))
    if "status" in changed:
        kind = {"won": "won", "lost": "lost", "open": "reopened"}[columns["status"]]
        events.append(dict(base, kind=kind, at=at, from_stage=current, to_stage=final, reason=columns["lost_reason"]))
    return events


def _edit_events(base: dict[str, Any], row: DealRow, changed: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """One `edited` event per changed field the moves do not already tell."""
    events = []
    for name in changed:
        if name in ("status", "stage_id", "closed_at"):
            continue
        old, new = getattr(row, name), changed[name]
        if name == "value_cents":
            name, old, new = "value", repo.from_cents(old), repo.from_cents(new)
        events.append(dict(base, kind="edited", at=now, from_stage=None, to_stage=None, field=name,
                           old_value=_text(old), new_value=_text(new)))
    return events


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _wip_report(session: Session, board: Board) -> list[str]:
    counts = repo.open_counts(session=session, board_id=board.id)
    notes = []
    for stage in board.stages:
        count = counts.get(stage.name, 0)
        if stage.wip_max is not None and count > stage.wip_max:
            notes.append(f"'{stage.name}' now holds {count} deals, over its WIP limit of {stage.wip_max}.")
    return notes
