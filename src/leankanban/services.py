"""Use cases. Each runs in one unit of work and calls the domain rules.

The TUI, the CLI and (later) importers all go through here, so every policy
(WIP limits above all) holds whichever way a change arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from leankanban.domain import rules
from leankanban.domain.errors import Conflict, DatabaseError, InvalidInput
from leankanban.domain.model import (
    Board,
    BoardView,
    ColumnView,
    Deal,
    DealStatus,
    Event,
    EventKind,
    Stage,
    StageKind,
)
from leankanban.store import repository as repo
from leankanban.store.engine import make_engine
from leankanban.store.migrations import pending, upgrade
from leankanban.store.tables import BoardRow, DealRow, StageRow
from leankanban.store.uow import UnitOfWork

Clock = Callable[[], datetime]

#: Sentinel for "leave this field as it is" in partial updates.
UNSET: Any = object()


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class MoveResult:
    deal: Deal
    warnings: tuple[str, ...] = ()
    overridden: bool = False


@dataclass(frozen=True, slots=True)
class StageSummary:
    stage: Stage
    count: int
    totals: tuple[tuple[str, Decimal], ...]


EDITABLE_FIELDS = ("title", "account", "value", "currency", "owner", "next_step")


def open_database(target: str, *, migrate: bool = True) -> Engine:
    """An engine for `target` with its schema brought up to date."""
    engine = make_engine(target)
    if migrate:
        try:
            if pending(engine):
                upgrade(engine)
        except OperationalError as err:
            engine.dispose()
            raise DatabaseError(f"Cannot open the database {target}: {err.orig}.") from None
    return engine


class LeanKanban:
    """The application's use cases over one database."""

    def __init__(self, engine: Engine, *, actor: str = "me", clock: Clock = utcnow) -> None:
        self.engine = engine
        self.actor = actor
        self.clock = clock

    # -- plumbing ---------------------------------------------------------

    def _read(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def _write(self) -> UnitOfWork:
        return UnitOfWork(self.engine, write=True)

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def _locked_board(self, session: Session, name: str | None) -> tuple[BoardRow, Board]:
        row = repo.board_row(session=session, name=name, lock=True)
        return row, repo.load_board(session=session, row=row)

    def _event(self, kind: EventKind, at: datetime, deal_id: int | None, **fields: Any) -> Event:
        return Event(kind=kind, at=at, deal_id=deal_id, actor=self.actor, **fields)

    # -- boards -----------------------------------------------------------

    def list_boards(self) -> list[Board]:
        with self._read() as session:
            rows = session.exec(select(BoardRow).order_by(BoardRow.id)).all()
            return [repo.load_board(session=session, row=row) for row in rows]

    def get_board(self, name: str | None = None) -> Board:
        with self._read() as session:
            return repo.load_board(session=session, row=repo.board_row(session=session, name=name))

    def ensure_default_board(self) -> Board:
        """On first run, create the lean sales board; otherwise the first board."""
        with self._write() as session:
            existing = session.exec(select(BoardRow).order_by(BoardRow.id).limit(1)).first()
            if existing is not None:
                return repo.load_board(session=session, row=existing)
            return self._create_board(session, rules.DEFAULT_BOARD, rules.DEFAULT_TEMPLATE)

    def init_board(self, name: str, template: str = rules.DEFAULT_TEMPLATE) -> Board:
        name = rules.validate_board_name(name)
        stages = rules.template(template)
        with self._write() as session:
            if name.lower() in (n.lower() for n in repo.board_names(session=session)):
                raise Conflict(f"A board called '{name}' already exists.")
            return self._create_board(session, name, template, stages)

    def _create_board(
        self, session: Session, name: str, template: str, stages: tuple[Stage, ...] | None = None
    ) -> Board:
        stages = rules.template(template) if stages is None else stages
        row = BoardRow(name=name, template=template, created_at=repo.to_db_time(self._now()), revision=0)
        session.add(row)
        session.flush()
        for stage in stages:
            session.add(
                StageRow(
                    board_id=row.id,
                    name=stage.name,
                    position=stage.position,
                    kind=stage.kind.value,
                    wip_min=stage.wip_min,
                    wip_max=stage.wip_max,
                    upstream=stage.upstream,
                )
            )
        session.flush()
        return repo.load_board(session=session, row=row)

    def revision(self, board_id: int) -> int:
        """A number that changes whenever anything on the board changes."""
        with self._read() as session:
            return repo.revision(session=session, board_id=board_id)

    def board_view(self, name: str | None = None) -> BoardView:
        """The board with every deal in its column, oldest in stage first."""
        with self._read() as session:
            row = repo.board_row(session=session, name=name)
            board = repo.load_board(session=session, row=row)
            by_stage: dict[str, list[Deal]] = {s.name: [] for s in board.stages}
            for deal in repo.deals(session=session, board=board):
                by_stage[deal.stage].append(deal)
            totals = repo.stage_totals(session=session, board_id=board.id)
            current_revision = row.revision
        columns = tuple(
            ColumnView(
                stage=stage,
                deals=tuple(by_stage[stage.name]),
                totals=tuple(sorted(totals.get(stage.name, (0, {}))[1].items())),
            )
            for stage in board.stages
        )
        return BoardView(board=board, columns=columns, revision=current_revision)

    # -- stages -----------------------------------------------------------

    def stage_summaries(self, board: str | None = None) -> list[StageSummary]:
        with self._read() as session:
            row = repo.board_row(session=session, name=board)
            loaded = repo.load_board(session=session, row=row)
            totals = repo.stage_totals(session=session, board_id=row.id)
        return [
            StageSummary(
                stage=s,
                count=totals.get(s.name, (0, {}))[0],
                totals=tuple(sorted(totals.get(s.name, (0, {}))[1].items())),
            )
            for s in loaded.stages
        ]

    def set_stage_limits(
        self, stage: str, *, board: str | None = None, wip_min: int | None = UNSET, wip_max: int | None = UNSET
    ) -> Stage:
        """Change a stage's limits; pass None to clear one, leave UNSET to keep it."""
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            current = loaded.stage(stage)
            new_min = current.wip_min if wip_min is UNSET else wip_min
            new_max = current.wip_max if wip_max is UNSET else wip_max
            rules.validate_limits(new_min, new_max)
            if current.is_closed and (new_min is not None or new_max is not None):
                raise InvalidInput(f"'{current.name}' is a closed outcome; it takes no WIP limits.")
            stage_row = session.get(StageRow, current.id)
            stage_row.wip_min, stage_row.wip_max = new_min, new_max
            session.add(stage_row)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.stage_from_row(stage_row)

    def add_stage(
        self,
        name: str,
        *,
        board: str | None = None,
        position: int | None = None,
        kind: StageKind = StageKind.OPEN,
        wip_min: int | None = None,
        wip_max: int | None = None,
        upstream: bool = False,
    ) -> Stage:
        name = rules.validate_stage_name(name)
        rules.validate_limits(wip_min, wip_max)
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            if any(s.name.casefold() == name.casefold() for s in loaded.stages):
                raise Conflict(f"The board already has a stage called '{name}'.")
            names = [s.name for s in loaded.stages]
            if position is None:
                # New open stages go before the closed outcomes.
                closed = [s.position for s in loaded.stages if s.is_closed]
                position = min(closed) if closed and kind is StageKind.OPEN else len(names)
            order = rules.reorder(names + [name], name, position)
            session.add(
                StageRow(
                    board_id=row.id,
                    name=name,
                    position=order.index(name),
                    kind=kind.value,
                    wip_min=wip_min,
                    wip_max=wip_max,
                    upstream=upstream,
                )
            )
            session.flush()
            self._apply_order(session, row.id, order)
            repo.bump_revision(session=session, board_id=row.id)
            return repo.load_board(session=session, row=row).stage(name)

    def rename_stage(self, old: str, new: str, *, board: str | None = None) -> Stage:
        new = rules.validate_stage_name(new)
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            current = loaded.stage(old)
            if any(s.name.casefold() == new.casefold() and s.id != current.id for s in loaded.stages):
                raise Conflict(f"The board already has a stage called '{new}'.")
            stage_row = session.get(StageRow, current.id)
            stage_row.name = new
            session.add(stage_row)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.stage_from_row(stage_row)

    def remove_stage(self, name: str, *, board: str | None = None) -> None:
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            current = loaded.stage(name)
            held = repo.open_counts(session=session, board_id=row.id).get(current.name, 0)
            if held:
                raise Conflict(
                    f"Stage '{current.name}' still holds {held} deal(s); move them out before removing it."
                )
            session.delete(session.get(StageRow, current.id))
            session.flush()
            self._apply_order(session, row.id, [s.name for s in loaded.stages if s.id != current.id])
            repo.bump_revision(session=session, board_id=row.id)

    def reorder_stage(self, name: str, position: int, *, board: str | None = None) -> list[Stage]:
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            current = loaded.stage(name)
            order = rules.reorder([s.name for s in loaded.stages], current.name, position)
            self._apply_order(session, row.id, order)
            repo.bump_revision(session=session, board_id=row.id)
            return list(repo.load_board(session=session, row=row).stages)

    def _apply_order(self, session: Session, board_id: int, order: list[str]) -> None:
        for stage_row in repo.stage_rows(session=session, board_id=board_id):
            stage_row.position = order.index(stage_row.name)
            session.add(stage_row)
        session.flush()

    # -- deals ------------------------------------------------------------

    def get_deal(self, deal_id: int) -> Deal:
        with self._read() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            return repo.deal_from_row(row, session.get(StageRow, row.stage_id).name)

    def list_deals(
        self, *, board: str | None = None, stage: str | None = None, status: DealStatus | None = None
    ) -> list[Deal]:
        with self._read() as session:
            loaded = repo.load_board(session=session, row=repo.board_row(session=session, name=board))
            stage_ids = None if stage is None else [loaded.stage(stage).id]
            return repo.deals(session=session, board=loaded, stage_ids=stage_ids, status=status)

    def history(self, deal_id: int) -> list[Event]:
        with self._read() as session:
            repo.deal_row(session=session, deal_id=deal_id)
            return repo.events_for_deal(session=session, deal_id=deal_id)

    def add_deal(
        self,
        title: str,
        *,
        board: str | None = None,
        stage: str | None = None,
        account: str = "",
        value: str | int | Decimal | None = None,
        currency: str = "EUR",
        owner: str | None = None,
        next_step: str = "",
        override_reason: str | None = None,
    ) -> Deal:
        title = rules.validate_title(title)
        amount = rules.parse_value(value)
        currency = rules.validate_currency(currency)
        account = rules.validate_text(account, "account")
        owner = rules.validate_text(self.actor if owner is None else owner, "owner")
        next_step = rules.validate_text(next_step, "next step")
        now = self._now()
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            target = loaded.stage(stage) if stage else min(loaded.stages, key=lambda s: s.position)
            counts = repo.open_counts(session=session, board_id=row.id)
            used_override = rules.check_add(target, counts, override_reason=override_reason)
            status = {StageKind.OPEN: "open", StageKind.WON: "won", StageKind.LOST: "lost"}[target.kind]
            deal_row = DealRow(
                board_id=row.id,
                stage_id=target.id,
                title=title,
                account=account,
                value_cents=repo.cents(amount),
                currency=currency,
                owner=owner,
                status=status,
                created_at=repo.to_db_time(now),
                stage_entered_at=repo.to_db_time(now),
                closed_at=repo.to_db_time(now) if target.is_closed else None,
                next_step=next_step,
                updated_at=repo.to_db_time(now),
            )
            session.add(deal_row)
            session.flush()
            events = [self._event(EventKind.CREATED, now, deal_row.id, to_stage=target.name)]
            if used_override:
                events.append(
                    self._event(EventKind.WIP_OVERRIDE, now, deal_row.id, to_stage=target.name, reason=used_override)
                )
            repo.add_events(session=session, board_id=row.id, events=events)
            repo.bump_revision(session=session, board_id=row.id)
            return repo.deal_from_row(deal_row, target.name)

    def move_deal(self, deal_id: int, to_stage: str, *, override_reason: str | None = None) -> MoveResult:
        """Move a deal to `to_stage`, refusing with WipLimitExceeded when it is full."""
        return self._move(deal_id, lambda board, deal: board.stage(to_stage), override_reason)

    def step_deal(self, deal_id: int, step: int, *, override_reason: str | None = None) -> MoveResult:
        """Move a deal `step` stages along the board (-1 back, +1 forward)."""

        def target(board: Board, deal: Deal) -> Stage:
            here = board.stage(deal.stage)
            there = board.neighbour(here, step)
            if there is None:
                edge = "first" if step < 0 else "last"
                raise InvalidInput(f"'{here.name}' is the {edge} stage; the deal cannot move further.")
            return there

        return self._move(deal_id, target, override_reason)

    def _move(
        self, deal_id: int, pick: Callable[[Board, Deal], Stage], override_reason: str | None
    ) -> MoveResult:
        now = self._now()
        with self._write() as session:
            # Lock the board first: all WIP decisions on a board are serialised.
            board_id = repo.deal_row(session=session, deal_id=deal_id).board_id
            board_row = repo.board_row_by_id(session=session, board_id=board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            deal = repo.deal_from_row(row, board.stage_by_id(row.stage_id).name)
            to_stage = pick(board, deal)
            counts = repo.open_counts(session=session, board_id=board_id)
            decision = rules.check_move(board, deal, to_stage, counts, override_reason=override_reason)

            events = [
                self._event(
                    EventKind.MOVED, now, deal_id, from_stage=decision.from_stage.name, to_stage=to_stage.name
                )
            ]
            if decision.overridden:
                events.append(
                    self._event(
                        EventKind.WIP_OVERRIDE, now, deal_id, to_stage=to_stage.name, reason=decision.override_reason
                    )
                )
            old_status = DealStatus(row.status)
            if decision.status is not old_status:
                kind = {
                    DealStatus.WON: EventKind.WON,
                    DealStatus.LOST: EventKind.LOST,
                    DealStatus.OPEN: EventKind.REOPENED,
                }[decision.status]
                events.append(self._event(kind, now, deal_id, from_stage=decision.from_stage.name, to_stage=to_stage.name))
            row.stage_id = to_stage.id
            row.stage_entered_at = repo.to_db_time(now)
            row.status = decision.status.value
            row.closed_at = repo.to_db_time(now) if to_stage.is_closed else None
            if not to_stage.is_closed:
                row.lost_reason = None
            row.updated_at = repo.to_db_time(now)
            session.add(row)
            repo.add_events(session=session, board_id=board_id, events=events)
            repo.bump_revision(session=session, board_id=board_id)
            session.flush()
            return MoveResult(
                deal=repo.deal_from_row(row, to_stage.name),
                warnings=decision.warnings,
                overridden=decision.overridden,
            )

    def edit_deal(self, deal_id: int, **changes: Any) -> Deal:
        """Change some of title, account, value, currency, owner, next_step.

        Everything is validated before anything is written; each changed
        field is recorded as its own `edited` event.
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(f"Cannot edit {', '.join(sorted(unknown))}.")
        clean: dict[str, Any] = {}
        for name, raw in changes.items():
            if raw is UNSET:
                continue
            if name == "title":
                clean[name] = rules.validate_title(raw)
            elif name == "value":
                clean[name] = rules.parse_value(raw)
            elif name == "currency":
                clean[name] = rules.validate_currency(raw)
            else:
                clean[name] = rules.validate_text(raw or "", name.replace("_", " "))
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            stage_name = session.get(StageRow, row.stage_id).name
            before = repo.deal_from_row(row, stage_name)
            after = replace(before, **clean)
            events = []
            for name in clean:
                old, new = getattr(before, name), getattr(after, name)
                if old != new:
                    events.append(
                        self._event(EventKind.EDITED, now, deal_id, field=name, old_value=str(old), new_value=str(new))
                    )
            if not events:
                return before
            row.title, row.account, row.owner = after.title, after.account, after.owner
            row.value_cents, row.currency, row.next_step = repo.cents(after.value), after.currency, after.next_step
            row.updated_at = repo.to_db_time(now)
            session.add(row)
            repo.add_events(session=session, board_id=row.board_id, events=events)
            repo.bump_revision(session=session, board_id=row.board_id)
            session.flush()
            return after


def connect(target: str, *, actor: str = "me", clock: Clock = utcnow) -> LeanKanban:
    """Open (and upgrade) the database at `target` and return its services."""
    return LeanKanban(open_database(target), actor=actor, clock=clock)


def integrity_guard(err: IntegrityError) -> Conflict:  # pragma: no cover - defensive
    return Conflict(f"The change clashes with existing data: {err.orig}.")
