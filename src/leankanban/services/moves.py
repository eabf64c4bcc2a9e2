"""Use cases that move a deal: to a stage, a step, discard, win, reopen; all through `_move`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from leankanban.domain import rules
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import (
    Board,
    Deal,
    DealStatus,
    Event,
    EventKind,
    Stage,
    StageKind,
)
from leankanban.services.base import MoveResult, ServiceBase, clean_field, edit_events
from leankanban.services.work import people_of
from leankanban.store import repository as repo


class MovesMixin(ServiceBase):
    def move_deal(
        self, deal_id: int, to_stage: str, *, override_reason: str | None = None, from_stage: str | None = None
    ) -> MoveResult:
        """Move a deal to `to_stage`, refusing with a PolicyViolation when a policy says no.

        `from_stage`, when given, is where the person saw the deal: if it has moved
        since, nothing changes (StaleChange says who moved it and when). So do the
        other moves below.
        """
        return self._move(
            deal_id, lambda board, deal: board.stage(to_stage), override_reason=override_reason, seen=from_stage
        )

    def step_deal(
        self, deal_id: int, step: int, *, override_reason: str | None = None, from_stage: str | None = None
    ) -> MoveResult:
        """Move a deal `step` stages along the board (-1 back, +1 forward)."""

        def target(board: Board, deal: Deal) -> Stage:
            here = board.stage(deal.stage)
            there = board.neighbour(here, step)
            if there is None:
                edge = "first" if step < 0 else "last"
                raise InvalidInput(f"'{here.name}' is the {edge} stage; the deal cannot move further.")
            return there

        return self._move(deal_id, target, override_reason=override_reason, seen=from_stage)

    def discard(
        self,
        deal_id: int,
        reason: str,
        *,
        competitor: str | None = None,
        note: str | None = None,
        from_stage: str | None = None,
    ) -> MoveResult:
        """Qualify out or lose a deal from any stage, with one of the board's reasons."""

        def lost(board: Board, deal: Deal) -> Stage:
            return board.outcome(StageKind.LOST)

        return self._move(deal_id, lost, discard=(reason, competitor, (note or "").strip() or None), seen=from_stage)

    def win(self, deal_id: int, *, value: str | Decimal | None = None, from_stage: str | None = None) -> MoveResult:
        """Close a deal as won, optionally at its final value, in one transaction: a refused
        win (a deal already closed, a bad value) changes nothing."""
        edits = None if value is None else {"value": clean_field("value", value)}

        def won(board: Board, deal: Deal) -> Stage:
            if not deal.is_open:
                raise InvalidInput(f"The deal is already {deal.status.value}; reopen it first.")
            return board.outcome(StageKind.WON)

        return self._move(deal_id, won, edits=edits, seen=from_stage)

    def reopen(
        self,
        deal_id: int,
        *,
        stage: str | None = None,
        override_reason: str | None = None,
        from_stage: str | None = None,
    ) -> MoveResult:
        """Bring a won or lost deal back, by default to the last open stage it was in."""
        with self.read() as session:
            history = repo.events_for_deal(session=session, deal_id=deal_id)
        visited = [e.to_stage for e in history if e.kind in (EventKind.CREATED, EventKind.MOVED) and e.to_stage]

        def back(board: Board, deal: Deal) -> Stage:
            return rules.reopen_stage(board, deal, visited, stage)

        return self._move(deal_id, back, override_reason=override_reason, seen=from_stage)

    def _move(
        self,
        deal_id: int,
        pick: Callable[[Board, Deal], Stage],
        *,
        override_reason: str | None = None,
        discard: tuple[str, str | None, str | None] | None = None,
        undoing: int | None = None,
        edits: dict[str, Any] | None = None,
        seen: str | None = None,
    ) -> MoveResult:
        """Every move goes through here: all checks, then all writes, in one transaction.

        `edits` (cleaned fields) are applied in the same transaction after every
        check has passed; `undoing` adds the `undone` marker for that event id;
        `seen` is the stage the person saw the deal in (checked first, under the lock).
        """
        now = self.now()
        with self.write() as session:
            # Lock the board first: all WIP decisions on a board are serialised.
            board_id = repo.deal_row(session=session, deal_id=deal_id).board_id
            board_row = repo.board_row_by_id(session=session, board_id=board_id, lock=True)
            board = repo.load_board(session=session, row=board_row)
            row = repo.deal_row(session=session, deal_id=deal_id, lock=True)
            deal = repo.full_deal(session=session, row=row, stage_name=board.stage_by_id(row.stage_id).name)
            if undoing is not None:
                self.check_undo(session, undoing)
            if seen is not None:
                expected = board.stage(seen)
                if expected.name != deal.stage:
                    rules.check_seen_stage(deal, expected, _last_stage_change(session, deal_id))
            to_stage = pick(board, deal)
            reason = competitor = note = None
            if discard is not None:
                reason, competitor = rules.check_discard(board, deal, discard[0], discard[1])
                note = discard[2]
            # A person's WIP counts on every board (domain/work.py): read under this board's lock.
            starts = to_stage.is_active and not (deal.is_open and board.stage(deal.stage).is_active)
            decision = rules.check_move(
                board,
                deal,
                to_stage,
                repo.open_counts(session=session, board_id=board_id),
                override_reason=override_reason,
                lane_counts=repo.lane_counts(session=session, board=board, people=True),
                discard_reason=reason,
                people=people_of(session, deal.owner) if starts else {},
            )
            undo_data = {"undoes": str(undoing)} if undoing is not None else None
            events: list[Event] = []
            if edits:
                edited = replace(deal, **edits)
                events += edit_events(self, now, deal, edited, edits, undo_data)
                for column, value in repo.deal_columns(edited).items():
                    setattr(row, column, value)
            events += [
                self.event(
                    EventKind.MOVED,
                    now,
                    deal_id,
                    from_stage=decision.from_stage.name,
                    to_stage=to_stage.name,
                    data=undo_data,
                )
            ]
            if decision.block_override is not None:
                events.append(
                    self.event(
                        EventKind.BLOCK_OVERRIDE,
                        now,
                        deal_id,
                        from_stage=decision.from_stage.name,
                        to_stage=to_stage.name,
                        reason=decision.block_override,
                        old_value=deal.blocked_reason,
                    )
                )
            if decision.overridden:
                events.append(
                    self.event(
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
                    self.event(
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
                events.append(self.event(EventKind.UNBLOCKED, now, deal_id, reason="closed"))
            if undoing is not None:
                events.append(self.event(EventKind.UNDONE, now, deal_id, old_value=str(undoing)))
            row.updated_at = now
            session.add(row)
            ids = self.record(session, board_id, events)
            return MoveResult(
                deal=repo.deal_from_row(row, to_stage.name),
                warnings=decision.warnings,
                overridden=decision.overridden,
                events=tuple(replace(e, id=i) for e, i in zip(events, ids, strict=True)),
            )


def _last_stage_change(session: Any, deal_id: int) -> Event | None:
    """The deal's latest event that put it in a stage (its creation or a move)."""
    changes = [
        e for e in repo.events_for_deal(session=session, deal_id=deal_id) if e.kind in (EventKind.CREATED, EventKind.MOVED)
    ]
    return changes[-1] if changes else None
