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
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from leankanban.domain import rules
from leankanban.domain.errors import Conflict, InvalidInput
from leankanban.domain.model import (
    Activity,
    Answer,
    Board,
    BoardView,
    ColumnView,
    Contact,
    ContactRole,
    Deal,
    DealStatus,
    DealType,
    Event,
    EventKind,
    Lane,
    Priority,
    Stage,
    StageKind,
    Stance,
    STATUS_FOR_KIND,
)
from leankanban.store import engine as store_engine
from leankanban.store import repository as repo
from leankanban.store.tables import (
    BoardRow,
    ContactRow,
    CriterionRow,
    CriterionStageRow,
    DealCriterionRow,
    DealRow,
    DiscardReasonRow,
    LaneLimitRow,
    StageRow,
)
from leankanban.store.uow import UnitOfWork
from leankanban.services_sprints import SprintsMixin

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


EDITABLE_FIELDS = (
    "title",
    "account",
    "value",
    "currency",
    "owner",
    "next_step",
    "next_step_due",
    "expected_close",
    "deal_type",
    "priority",
    "activity",
    "tags",
    "helpers",
    "probability",
)


def clean_field(name: str, raw: Any) -> Any:
    """Validate one editable deal field (the single place that knows how)."""
    if name == "title":
        return rules.validate_title(raw)
    if name == "value":
        return rules.parse_value(raw)
    if name == "currency":
        return rules.validate_currency(raw)
    if name in ("next_step_due", "expected_close"):
        return rules.parse_date(raw, field=name)
    if name == "deal_type":
        return rules.parse_choice(DealType, raw, "deal type")
    if name == "priority":
        return rules.parse_choice(Priority, raw, "priority")
    if name == "activity":
        return rules.parse_choice(Activity, raw, "activity")
    if name == "tags":
        return rules.parse_tags(raw)
    if name == "helpers":
        return rules.parse_people(raw)
    if name == "probability":
        return rules.parse_probability(raw)
    return rules.validate_text(raw or "", name.replace("_", " "))


def _event_text(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    if value is None:
        return ""
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def open_database(target: str, *, create_folders: bool = False, migrate: bool = True) -> Engine:
    """An engine for `target` with its schema brought up to date (see `store.engine.open`)."""
    return store_engine.open(target, create_folders=create_folders, migrate=migrate)


class LeanKanban(SprintsMixin):
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
        """On first run, create the lean sales board; otherwise the first board.

        It only reads when there is a board (so a database open read-only
        works). Two first commands at once both try to create it; the one
        whose board name clashes (WriteConflict) takes the board the other made.
        """
        with self._read() as session:
            existing = session.exec(select(BoardRow).order_by(BoardRow.id).limit(1)).first()
            if existing is not None:
                return repo.load_board(session=session, row=existing)
        try:
            with self._write() as session:
                existing = session.exec(select(BoardRow).order_by(BoardRow.id).limit(1)).first()
                if existing is not None:
                    return repo.load_board(session=session, row=existing)
                return self._create_board(session, rules.DEFAULT_BOARD, rules.DEFAULT_TEMPLATE)
        except store_engine.WriteConflict:
            return self.get_board()

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
        stale = rules.DEFAULT_STALE_DAYS if template == "lean-sales" else {}
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
                    stale_after_days=stale.get(stage.name),
                )
            )
        for criterion in rules.DEFAULT_CRITERIA.get(template, ()):
            session.add(CriterionRow(board_id=row.id, name=criterion.name, position=criterion.position))
        for position, reason in enumerate(rules.DEFAULT_DISCARD_REASONS):
            session.add(DiscardReasonRow(board_id=row.id, name=reason, position=position))
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
        self,
        stage: str,
        *,
        board: str | None = None,
        wip_min: int | None = UNSET,
        wip_max: int | None = UNSET,
        stale_after_days: int | None = UNSET,
    ) -> Stage:
        """Change a stage's limits and ageing setting in one go.

        Pass None to clear a setting, leave it UNSET to keep it; nothing is
        saved unless every value is valid.
        """
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            current = loaded.stage(stage)
            new_min = current.wip_min if wip_min is UNSET else wip_min
            new_max = current.wip_max if wip_max is UNSET else wip_max
            new_stale = current.stale_after_days if stale_after_days is UNSET else stale_after_days
            rules.validate_limits(new_min, new_max)
            rules.validate_days(new_stale, "stale-after setting")
            if current.is_closed and (new_min is not None or new_max is not None):
                raise InvalidInput(f"'{current.name}' is a closed outcome; it takes no WIP limits.")
            stage_row = session.get(StageRow, current.id)
            stage_row.wip_min, stage_row.wip_max = new_min, new_max
            stage_row.stale_after_days = new_stale
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
        """A deal with every field, its contacts and its qualification answers."""
        with self._read() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            return repo.full_deal(session=session, row=row, stage_name=session.get(StageRow, row.stage_id).name)

    def list_deals(
        self,
        *,
        board: str | None = None,
        stage: str | None = None,
        status: DealStatus | None = None,
        stalled: bool = False,
        needs_review: bool = False,
        blocked: bool = False,
        owner: str | None = None,
        text: str | None = None,
    ) -> list[Deal]:
        """Deals on a board, narrowed by the given filters (all must hold)."""
        now = self._now()
        with self._read() as session:
            loaded = repo.load_board(session=session, row=repo.board_row(session=session, name=board))
            stage_ids = None if stage is None else [loaded.stage(stage).id]
            found = repo.deals(session=session, board=loaded, stage_ids=stage_ids, status=status)
        return [
            d
            for d in found
            if (not stalled or rules.is_stalled(d, now, loaded.stall_days))
            and (not needs_review or rules.needs_review(d, now, loaded.review_days))
            and (not blocked or d.is_blocked)
            and (owner is None or d.owner.casefold() == owner.casefold())
            and (text is None or rules.matches(d, text))
        ]

    def history(self, deal_id: int) -> list[Event]:
        """The deal's events, oldest first."""
        with self._read() as session:
            repo.deal_row(session=session, deal_id=deal_id)
            return repo.events_for_deal(session=session, deal_id=deal_id)

    def timeline(self, deal_id: int) -> list[Event]:
        """Notes and history together, newest first (the deal screen's timeline)."""
        return list(reversed(self.history(deal_id)))

    def board_events(self, board: str | None = None) -> list[Event]:
        with self._read() as session:
            row = repo.board_row(session=session, name=board)
            return repo.events_for_board(session=session, board_id=row.id)

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
        **details: Any,
    ) -> Deal:
        """Create a deal (in the first stage unless told); it obeys the stage's limits.

        `details` takes the other editable fields: deal_type, priority,
        activity, expected_close, next_step_due, tags, helpers, probability.
        """
        unknown = set(details) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(f"Unknown deal field(s): {', '.join(sorted(unknown))}.")
        fields = {name: clean_field(name, raw) for name, raw in details.items() if raw is not None}
        fields.update(
            title=clean_field("title", title),
            value=clean_field("value", value),
            currency=clean_field("currency", currency),
            account=clean_field("account", account),
            owner=clean_field("owner", self.actor if owner is None else owner),
            next_step=clean_field("next_step", next_step),
        )
        now = self._now()
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            target = loaded.stage(stage) if stage else min(loaded.stages, key=lambda s: s.position)
            draft = Deal(stage=target.name, **fields)
            counts = repo.open_counts(session=session, board_id=row.id)
            used_override = rules.check_add(
                target,
                counts,
                override_reason=override_reason,
                board=loaded,
                deal=draft,
                lane_counts=repo.lane_counts(session=session, board=loaded),
            )
            status = STATUS_FOR_KIND[target.kind]
            deal_row = DealRow(
                board_id=row.id,
                stage_id=target.id,
                status=status.value,
                created_at=now,
                stage_entered_at=now,
                closed_at=now if target.is_closed else None,
                updated_at=now,
                last_activity_at=now,
                **repo.deal_columns(draft),
            )
            session.add(deal_row)
            session.flush()
            events = [self._event(EventKind.CREATED, now, deal_row.id, to_stage=target.name)]
            if used_override:
                events.append(
                    self._event(EventKind.WIP_OVERRIDE, now, deal_row.id, to_stage=target.name, reason=used_override)
                )
            self._record(session, row.id, events)
            return repo.deal_from_row(deal_row, target.name)

    def _record(self, session: Session, board_id: int, events: list[Event]) -> list[int]:
        """Append events, mark the board changed; returns the new event ids."""
        rows = repo.add_events(session=session, board_id=board_id, events=events)
        repo.bump_revision(session=session, board_id=board_id)
        session.flush()
        return [r.id for r in rows]

    def move_deal(self, deal_id: int, to_stage: str, *, override_reason: str | None = None) -> MoveResult:
        """Move a deal to `to_stage`, refusing with a PolicyViolation when a policy says no."""
        return self._move(deal_id, lambda board, deal: board.stage(to_stage), override_reason=override_reason)

    def step_deal(self, deal_id: int, step: int, *, override_reason: str | None = None) -> MoveResult:
        """Move a deal `step` stages along the board (-1 back, +1 forward)."""

        def target(board: Board, deal: Deal) -> Stage:
            here = board.stage(deal.stage)
            there = board.neighbour(here, step)
            if there is None:
                edge = "first" if step < 0 else "last"
                raise InvalidInput(f"'{here.name}' is the {edge} stage; the deal cannot move further.")
            return there

        return self._move(deal_id, target, override_reason=override_reason)

    def discard(
        self, deal_id: int, reason: str, *, competitor: str | None = None, note: str | None = None
    ) -> MoveResult:
        """Qualify out or lose a deal from any stage, with one of the board's reasons."""

        def lost(board: Board, deal: Deal) -> Stage:
            return board.outcome(StageKind.LOST)

        return self._move(deal_id, lost, discard=(reason, competitor, (note or "").strip() or None))

    def win(self, deal_id: int, *, value: str | Decimal | None = None) -> MoveResult:
        """Close a deal as won (optionally at its final value)."""
        if value is not None:
            self.edit_deal(deal_id, value=value)

        def won(board: Board, deal: Deal) -> Stage:
            if not deal.is_open:
                raise InvalidInput(f"The deal is already {deal.status.value}; reopen it first.")
            return board.outcome(StageKind.WON)

        return self._move(deal_id, won)

    def reopen(self, deal_id: int, *, stage: str | None = None, override_reason: str | None = None) -> MoveResult:
        """Bring a won or lost deal back, by default to the last open stage it was in."""
        with self._read() as session:
            history = repo.events_for_deal(session=session, deal_id=deal_id)
        visited = [e.to_stage for e in history if e.kind in (EventKind.CREATED, EventKind.MOVED) and e.to_stage]

        def back(board: Board, deal: Deal) -> Stage:
            return rules.reopen_stage(board, deal, visited, stage)

        return self._move(deal_id, back, override_reason=override_reason)

    def _move(
        self,
        deal_id: int,
        pick: Callable[[Board, Deal], Stage],
        *,
        override_reason: str | None = None,
        discard: tuple[str, str | None, str | None] | None = None,
        undoing: int | None = None,
    ) -> MoveResult:
        now = self._now()
        with self._write() as session:
            # Lock the board first: all WIP decisions on a board are serialised.
            board_id = repo.deal_row(session=session, deal_id=deal_id).board_id
            board_row = repo.board_row_by_id(session=session, board_id=board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            deal = repo.full_deal(session=session, row=row, stage_name=board.stage_by_id(row.stage_id).name)
            to_stage = pick(board, deal)
            reason = competitor = note = None
            if discard is not None:
                reason, competitor = rules.check_discard(board, deal, discard[0], discard[1])
                note = discard[2]
            decision = rules.check_move(
                board,
                deal,
                to_stage,
                repo.open_counts(session=session, board_id=board_id),
                override_reason=override_reason,
                lane_counts=repo.lane_counts(session=session, board=board),
                discard_reason=reason,
            )
            undo_data = {"undoes": str(undoing)} if undoing is not None else None
            events = [
                self._event(
                    EventKind.MOVED,
                    now,
                    deal_id,
                    from_stage=decision.from_stage.name,
                    to_stage=to_stage.name,
                    data=undo_data,
                )
            ]
            if decision.overridden:
                events.append(
                    self._event(
                        EventKind.WIP_OVERRIDE, now, deal_id, to_stage=to_stage.name, reason=decision.override_reason
                    )
                )
            if decision.status is not deal.status:
                kind = {
                    DealStatus.WON: EventKind.WON,
                    DealStatus.LOST: EventKind.LOST,
                    DealStatus.OPEN: EventKind.REOPENED,
                }[decision.status]
                data = {"competitor": competitor} if competitor else None
                events.append(
                    self._event(
                        kind,
                        now,
                        deal_id,
                        from_stage=decision.from_stage.name,
                        to_stage=to_stage.name,
                        reason=reason,
                        new_value=note,
                        data=data,
                    )
                )
            row.stage_id = to_stage.id
            row.stage_entered_at = now
            row.status = decision.status.value
            row.closed_at = now if to_stage.is_closed else None
            row.lost_reason = (f"{reason}: {competitor}" if competitor else reason) if reason else None
            if to_stage.is_closed and row.blocked_reason is not None:
                row.blocked_reason, row.blocked_since = None, None
                events.append(self._event(EventKind.UNBLOCKED, now, deal_id, reason="closed"))
            row.updated_at = now
            session.add(row)
            self._record(session, board_id, events)
            return MoveResult(
                deal=repo.deal_from_row(row, to_stage.name),
                warnings=decision.warnings,
                overridden=decision.overridden,
            )

    def edit_deal(self, deal_id: int, *, override_reason: str | None = None, **changes: Any) -> Deal:
        """Change any of EDITABLE_FIELDS.

        Everything is validated before anything is written; each changed
        field is recorded as its own `edited` event. Re-assigning an active
        deal obeys person and lane WIP limits.
        """
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(f"Cannot edit {', '.join(sorted(unknown))}.")
        clean = {name: clean_field(name, raw) for name, raw in changes.items() if raw is not UNSET}
        return self._edit(deal_id, clean, override_reason=override_reason)

    def _edit(
        self, deal_id: int, clean: dict[str, Any], *, override_reason: str | None = None, undoing: int | None = None
    ) -> Deal:
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            board_row = repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            before = repo.deal_from_row(row, board.stage_by_id(row.stage_id).name)
            after = replace(before, **clean)
            used = rules.check_lane_change(
                board,
                before,
                after,
                repo.lane_counts(session=session, board=board),
                override_reason=override_reason,
            )
            data = {"undoes": str(undoing)} if undoing is not None else None
            events = [
                self._event(
                    EventKind.EDITED,
                    now,
                    deal_id,
                    field=name,
                    old_value=_event_text(getattr(before, name)),
                    new_value=_event_text(getattr(after, name)),
                    data=data,
                )
                for name in clean
                if getattr(before, name) != getattr(after, name)
            ]
            if not events:
                return before
            if used:
                events.append(self._event(EventKind.WIP_OVERRIDE, now, deal_id, reason=used))
            for column, value in repo.deal_columns(after).items():
                setattr(row, column, value)
            row.updated_at = now
            session.add(row)
            self._record(session, row.board_id, events)
            return after

    # -- notes, contacts, blockers -------------------------------------------

    def add_note(self, deal_id: int, text: str) -> Event:
        text = text.strip()
        if not text:
            raise InvalidInput("A note needs some text.")
        if len(text) > 5000:
            raise InvalidInput("A note can be at most 5000 characters.")
        return self._deal_event(deal_id, EventKind.NOTE, new_value=text)

    def _deal_event(self, deal_id: int, kind: EventKind, **fields: Any) -> Event:
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            event = self._event(kind, now, deal_id, **fields)
            [event_id] = self._record(session, row.board_id, [event])
            return replace(event, id=event_id)

    def add_contact(
        self,
        deal_id: int,
        name: str,
        *,
        role: str | ContactRole = ContactRole.INFLUENCER,
        stance: str | Stance = Stance.UNKNOWN,
        email: str = "",
    ) -> Contact:
        name = rules.validate_text(name, "contact name")
        if not name:
            raise InvalidInput("A contact needs a name.", field="name")
        contact = Contact(
            name=name,
            role=rules.parse_choice(ContactRole, role, "role"),
            stance=rules.parse_choice(Stance, stance, "stance"),
            email=rules.validate_text(email, "email"),
        )
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            contact_row = ContactRow(
                deal_id=deal_id,
                name=contact.name,
                role=contact.role.value,
                stance=contact.stance.value,
                email=contact.email,
            )
            session.add(contact_row)
            session.flush()
            text = f"{contact.name} ({contact.role.value}, {contact.stance.value})"
            self._record(
                session, row.board_id, [self._event(EventKind.EDITED, now, deal_id, field="contacts", new_value=text)]
            )
            return replace(contact, id=contact_row.id)

    def remove_contact(self, deal_id: int, name: str) -> None:
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            wanted = name.strip().casefold()
            found = [c for c in session.exec(select(ContactRow).where(ContactRow.deal_id == deal_id))]
            match = [c for c in found if c.name.casefold() == wanted]
            if not match:
                names = ", ".join(c.name for c in found) or "none"
                raise InvalidInput(f"The deal has no contact '{name}' (contacts: {names}).")
            session.delete(match[0])
            self._record(
                session,
                row.board_id,
                [self._event(EventKind.EDITED, now, deal_id, field="contacts", old_value=match[0].name)],
            )

    def block(self, deal_id: int, reason: str) -> Deal:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput("Say what blocks the deal (a reason is required).")
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            if row.status != DealStatus.OPEN.value:
                raise InvalidInput("Only an open deal can be blocked.")
            if row.blocked_reason is not None:
                raise InvalidInput(f"The deal is already blocked: {row.blocked_reason}.")
            row.blocked_reason, row.blocked_since, row.updated_at = reason, now, now
            session.add(row)
            self._record(session, row.board_id, [self._event(EventKind.BLOCKED, now, deal_id, reason=reason)])
            return repo.deal_from_row(row, session.get(StageRow, row.stage_id).name)

    def unblock(self, deal_id: int) -> Deal:
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            if row.blocked_reason is None:
                raise InvalidInput("The deal is not blocked.")
            was = row.blocked_reason
            row.blocked_reason, row.blocked_since, row.updated_at = None, None, now
            session.add(row)
            self._record(session, row.board_id, [self._event(EventKind.UNBLOCKED, now, deal_id, reason=was)])
            return repo.deal_from_row(row, session.get(StageRow, row.stage_id).name)

    # -- qualification --------------------------------------------------------

    def qualify(self, deal_id: int, criterion: str, answer: str | Answer, *, note: str = "") -> Deal:
        """Record an answer (yes / no / unknown) to one criterion; it is also an event."""
        parsed = rules.parse_choice(Answer, answer, "answer")
        note = rules.validate_text(note or "", "note")
        now = self._now()
        with self._write() as session:
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            board_row = repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            found = board.criterion(criterion)
            current = session.get(DealCriterionRow, (deal_id, found.id))
            old = current.answer if current else None
            if current is None:
                current = DealCriterionRow(deal_id=deal_id, criterion_id=found.id, answer=parsed.value, at=now)
            current.answer, current.note, current.actor, current.at = parsed.value, note, self.actor, now
            session.add(current)
            row.qualified_at, row.updated_at = now, now
            session.add(row)
            event = self._event(
                EventKind.QUALIFIED, now, deal_id, field=found.name, old_value=old, new_value=parsed.value, reason=note or None
            )
            self._record(session, row.board_id, [event])
            return repo.full_deal(session=session, row=row, stage_name=board.stage_by_id(row.stage_id).name)

    def add_criterion(self, name: str, *, board: str | None = None) -> Board:
        name = rules.validate_stage_name(name)
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            if any(c.name.casefold() == name.casefold() for c in loaded.criteria):
                raise Conflict(f"The board already has a criterion '{name}'.")
            session.add(CriterionRow(board_id=row.id, name=name, position=len(loaded.criteria)))
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def remove_criterion(self, name: str, *, board: str | None = None) -> Board:
        """Remove a criterion and its answers (the answers stay in the history)."""
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            found = loaded.criterion(name)
            for model in (CriterionStageRow, DealCriterionRow):
                for link in session.exec(select(model).where(model.criterion_id == found.id)):
                    session.delete(link)
            session.flush()
            session.delete(session.get(CriterionRow, found.id))
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def require_criterion(
        self, name: str, stage: str, *, board: str | None = None, required: bool = True
    ) -> Board:
        """Make (or stop making) a yes to `name` a condition for entering `stage`."""
        with self._write() as session:
            row, loaded = self._locked_board(session, board)
            found = loaded.criterion(name)
            target = loaded.stage(stage)
            if target.kind is StageKind.LOST:
                raise InvalidInput("Discarding is always allowed; a lost outcome cannot require criteria.")
            link = session.get(CriterionStageRow, (found.id, target.id))
            if required and link is None:
                session.add(CriterionStageRow(criterion_id=found.id, stage_id=target.id))
            elif not required and link is not None:
                session.delete(link)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    # -- board policies ---------------------------------------------------------

    def set_discard_reasons(self, reasons: list[str], *, board: str | None = None) -> Board:
        """Replace the board's discard reasons (past deals keep theirs)."""
        cleaned = list(dict.fromkeys(rules.validate_text(r, "reason") for r in reasons if r.strip()))
        if not cleaned:
            raise InvalidInput("A board needs at least one discard reason.")
        with self._write() as session:
            row, _ = self._locked_board(session, board)
            for old in session.exec(select(DiscardReasonRow).where(DiscardReasonRow.board_id == row.id)):
                session.delete(old)
            session.flush()
            for position, reason in enumerate(cleaned):
                session.add(DiscardReasonRow(board_id=row.id, name=reason, position=position))
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def set_board_settings(
        self,
        *,
        board: str | None = None,
        review_days: int | None = None,
        stall_days: int | None = None,
        pipeline_target: str | Decimal | None = UNSET,
        capacity_per_week: int | None = UNSET,
    ) -> Board:
        """Change board settings; None clears a target or capacity, UNSET keeps it."""
        rules.validate_days(review_days, "review period")
        rules.validate_days(stall_days, "stall period")
        target = UNSET
        if pipeline_target is not UNSET:
            target = None if pipeline_target in (None, "") else rules.parse_value(pipeline_target)
        if capacity_per_week is not UNSET and capacity_per_week is not None and capacity_per_week < 1:
            raise InvalidInput("Delivery capacity must be at least 1 deal a week (or none).")
        with self._write() as session:
            row, _ = self._locked_board(session, board)
            if review_days is not None:
                row.review_days = review_days
            if stall_days is not None:
                row.stall_days = stall_days
            if target is not UNSET:
                row.pipeline_target_cents = None if target is None else repo.cents(target)
            if capacity_per_week is not UNSET:
                row.capacity_per_week = capacity_per_week
            session.add(row)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    def set_stage_stale_after(self, stage: str, days: int | None, *, board: str | None = None) -> Stage:
        return self.set_stage_limits(stage, board=board, stale_after_days=days)

    def set_lane_limit(
        self, dimension: str | Lane, value: str, wip_max: int | None, *, board: str | None = None
    ) -> Board:
        """Limit a swimlane (or, with dimension owner, a person); None removes the limit."""
        lane = rules.parse_choice(Lane, dimension, "lane")
        if lane is Lane.NONE:
            raise InvalidInput("Choose a lane to limit: owner, type or priority.")
        if lane is Lane.TYPE:
            value = rules.parse_choice(DealType, value, "deal type").value
        elif lane is Lane.PRIORITY:
            value = rules.parse_choice(Priority, value, "priority").value
        else:
            value = rules.validate_text(value, "owner")
        rules.validate_limits(None, wip_max)
        with self._write() as session:
            row, _ = self._locked_board(session, board)
            existing = session.exec(
                select(LaneLimitRow).where(
                    LaneLimitRow.board_id == row.id,
                    LaneLimitRow.dimension == lane.value,
                    LaneLimitRow.value == value,
                )
            ).first()
            if wip_max is None:
                if existing is not None:
                    session.delete(existing)
            elif existing is None:
                session.add(LaneLimitRow(board_id=row.id, dimension=lane.value, value=value, wip_max=wip_max))
            else:
                existing.wip_max = wip_max
                session.add(existing)
            repo.bump_revision(session=session, board_id=row.id)
            session.flush()
            return repo.load_board(session=session, row=row)

    # -- undo -----------------------------------------------------------------

    def undo(self, event_id: int) -> Event:
        """Reverse a move or an edit by recording the opposite change.

        History is never deleted: the reversal is new events tagged with the
        id of the event it undoes, plus an `undone` marker. The reversal obeys
        the board's policies like any other change.
        """
        with self._read() as session:
            original = repo.event_by_id(session=session, event_id=event_id)
            if original is None or original.deal_id is None:
                raise InvalidInput(f"There is no deal change with id {event_id} to undo.")
            history = repo.events_for_deal(session=session, deal_id=original.deal_id)
        if any(e.kind is EventKind.UNDONE and e.old_value == str(event_id) for e in history):
            raise InvalidInput("That change has been undone already.")
        if original.kind is EventKind.MOVED:
            losses = [e for e in history if e.kind is EventKind.LOST]

            def previous(board: Board, deal: Deal) -> Stage:
                if deal.stage != original.to_stage:
                    raise InvalidInput("The deal has moved since; undo the later move first.")
                return board.stage(original.from_stage)

            discard = None
            if losses and original.from_stage == losses[-1].to_stage:
                last = losses[-1]
                discard = (last.reason or "", (last.data or {}).get("competitor"), last.new_value)
            self._move(original.deal_id, previous, undoing=event_id, discard=discard)
        elif original.kind is EventKind.EDITED and original.field in EDITABLE_FIELDS:
            restored = clean_field(original.field, original.old_value or "")
            self._edit(original.deal_id, {original.field: restored}, undoing=event_id)
        else:
            raise InvalidInput(f"A '{original.kind.value}' event cannot be undone; only moves and edits can.")
        return self._deal_event(original.deal_id, EventKind.UNDONE, old_value=str(event_id))

def connect(target: str, *, actor: str = "me", clock: Clock = utcnow) -> LeanKanban:
    """Open (and upgrade) the database at `target` and return its services."""
    return LeanKanban(open_database(target), actor=actor, clock=clock)


def integrity_guard(err: IntegrityError) -> Conflict:  # pragma: no cover - defensive
    return Conflict(f"The change clashes with existing data: {err.orig}.")
