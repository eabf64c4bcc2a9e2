"""What every use-case family shares: the unit of work, the clock, the actor, event helpers.

Each family (boards, policies, deals, moves, sprints, retros) is a mixin over
`ServiceBase`; `LeanKanban` in `services/__init__.py` puts them together as the
one facade the CLI and the TUI call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from leankanban.domain import rules, work
from leankanban.domain.errors import InvalidInput, NotAllowed
from leankanban.domain.model import (
    Board,
    Deal,
    DealType,
    Event,
    EventKind,
    PolicyReason,
    Priority,
    Stage,
)
from leankanban.store import repository as repo
from leankanban.store import roles
from leankanban.store.tables import (
    BoardRow,
    CriterionRow,
    CriterionStageRow,
    DealRow,
    DiscardReasonRow,
    StageRow,
)
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
    #: The events the move recorded, with their ids (what an undo of it names).
    events: tuple[Event, ...] = ()


@dataclass(frozen=True, slots=True)
class BoardChanges:
    """What changed on a board after the revision a screen shows.

    `complete`: `deals` are every change there was (the screen applies them and
    is at `revision`); otherwise something besides deals changed (a policy, a
    sprint, an import ...) or too much did, and the screen reads the board anew.
    """

    revision: int
    deals: tuple[Deal, ...] = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class StageLimits:
    """A stage after its limits changed, and what the person who changed them should know."""

    stage: Stage
    warnings: tuple[str, ...] = ()


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
    "linked_deal_id",
    "estimate_minutes",
    "customer_value",
    "customer_impact",
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
        return rules.parse_activity(raw)
    if name == "tags":
        return rules.parse_tags(raw)
    if name == "helpers":
        return rules.parse_people(raw)
    if name == "probability":
        return rules.parse_probability(raw)
    if name == "linked_deal_id":
        return work.parse_linked_deal(raw)
    if name == "estimate_minutes":
        return work.parse_estimate(raw)
    if name == "customer_value":
        return rules.validate_customer_value(raw)
    if name == "customer_impact":
        return rules.parse_impact(raw)
    return rules.validate_text(raw or "", name.replace("_", " "))


def edit_events(
    service: ServiceBase,
    now: datetime,
    before: Deal,
    after: Deal,
    names: Iterable[str],
    data: dict[str, Any] | None = None,
) -> list[Event]:
    """One `edited` event per field of `names` (in that order) that differs between `before` and `after`."""
    return [
        service.event(
            EventKind.EDITED,
            now,
            before.id,
            field=name,
            old_value=_event_text(getattr(before, name)),
            new_value=_event_text(getattr(after, name)),
            data=data,
        )
        for name in names
        if getattr(before, name) != getattr(after, name)
    ]


def _event_text(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    if value is None:
        return ""
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


class ServiceBase:
    """The engine, actor and clock, and the unit-of-work helpers every use case runs in."""

    def __init__(self, engine: Engine, *, actor: str = "me", clock: Clock = utcnow) -> None:
        self.engine = engine
        self.actor = actor
        self.clock = clock

    def read(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def write(self) -> UnitOfWork:
        return UnitOfWork(self.engine, write=True)

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def locked_board(self, session: Session, name: str | None) -> tuple[BoardRow, Board]:
        row = repo.board_row(session=session, name=name, lock=True)
        return row, repo.load_board(session=session, row=row)

    def event(self, kind: EventKind, at: datetime, deal_id: int | None, **fields: Any) -> Event:
        return Event(kind=kind, at=at, deal_id=deal_id, actor=self.actor, **fields)

    def require_manager(self, session: Session, what: str) -> None:
        """Refuse, in one sentence, what only a manager may do (the database refuses it too)."""
        if not roles.is_manager(session):
            raise NotAllowed(f"{what} needs the manager role; ask a manager of the team.")

    def check_undo(self, session: Session, event_id: int) -> None:
        """Inside the transaction that undoes `event_id` (its deal locked): may this
        person undo it now? (`rules.check_undo`; a second undo racing this one waits
        for the lock, then sees the first one's marker.)"""
        original = repo.event_by_id(session=session, event_id=event_id)
        if original is None or original.deal_id is None:
            raise InvalidInput(f"There is no deal change with id {event_id} to undo.")
        history = repo.events_for_deal(session=session, deal_id=original.deal_id)
        rules.check_undo(original, history, self.actor, manager=roles.is_manager(session))

    def policy_changes(
        self,
        session: Session,
        board_id: int,
        changes: list[tuple[str, str | None, object, object]],
        *,
        data: dict[str, Any] | None = None,
        because: PolicyReason | None = None,
    ) -> None:
        """Record each (what, stage, old, new) whose old and new differ as a `policy_changed`
        event of the board: who changed which policy, when, from what to what, and, with
        `because`, why and for which improvement card (refused, with the whole change,
        when the card is not one of this board's improvement cards)."""
        why, card = self._policy_reason(session, board_id, because)
        if card is not None:
            data = {**(data or {}), **card}
        now = self.now()
        events = [
            self.event(
                EventKind.POLICY_CHANGED, now, None, field=what, to_stage=stage,
                old_value=_policy_text(old), new_value=_policy_text(new), data=data, reason=why,
            )
            for what, stage, old, new in changes
            if _policy_text(old) != _policy_text(new)
        ]
        if events:
            repo.add_events(session=session, board_id=board_id, events=events)

    def _policy_reason(
        self, session: Session, board_id: int, because: PolicyReason | None
    ) -> tuple[str | None, dict[str, str] | None]:
        """`because` checked: its reason as written (None if blank) and the card's data."""
        if because is None:
            return None, None
        why = rules.validate_policy(because.why, "reason for the change") or None
        if because.card_id is None:
            return why, None
        board_row = session.get(BoardRow, board_id)
        card = session.get(DealRow, because.card_id)
        if card is None or board_row is None or board_row.improvements_board_id is None \
                or card.board_id != board_row.improvements_board_id:
            raise InvalidInput(
                f"Deal {because.card_id} is not an improvement card of this board; "
                "improvement cards come from retros (leankanban retro show ID lists a retro's cards).",
                field="card",
            )
        return why, {"card": str(card.id)}

    def policy_changes_of_card(self, card_id: int) -> list[Event]:
        """The policy changes made for improvement card `card_id`, oldest first."""
        with self.read() as session:
            card = session.get(DealRow, card_id)
            if card is None:
                raise InvalidInput(f"There is no deal with id {card_id}.")
            boards = session.exec(select(BoardRow.id).where(BoardRow.improvements_board_id == card.board_id)).all()
            return [
                e
                for board_id in boards
                for e in repo.board_events(session=session, board_id=board_id, kind=EventKind.POLICY_CHANGED)
                if (e.data or {}).get("card") == str(card_id)
            ]

    def record(self, session: Session, board_id: int, events: list[Event]) -> list[int]:
        """Append events, mark the board changed; returns the new event ids."""
        rows = repo.add_events(session=session, board_id=board_id, events=events)
        repo.bump_revision(session=session, board_id=board_id, deal_ids=[e.deal_id for e in events if e.deal_id])
        session.flush()
        return [r.id for r in rows]

    def create_board(
        self, session: Session, name: str, template: str, stages: tuple[Stage, ...] | None = None
    ) -> Board:
        stages = rules.template(template) if stages is None else stages
        row = BoardRow(name=name, template=template, created_at=repo.to_db_time(self.now()), revision=0)
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
        session.flush()  # the stages' ids, for the criteria that gate them
        stage_ids = {stage.name: stage.id for stage in session.exec(select(StageRow).where(StageRow.board_id == row.id))}
        for criterion in rules.DEFAULT_CRITERIA.get(template, ()):
            criterion_row = CriterionRow(
                board_id=row.id, name=criterion.name, position=criterion.position, definition=criterion.definition
            )
            session.add(criterion_row)
            gated = [stage_ids[name] for name in sorted(criterion.required_for) if name in stage_ids]
            if gated:
                session.flush()
                session.add_all(CriterionStageRow(criterion_id=criterion_row.id, stage_id=stage_id) for stage_id in gated)
        for position, reason in enumerate(rules.DEFAULT_DISCARD_REASONS):
            session.add(DiscardReasonRow(board_id=row.id, name=reason, position=position))
        session.flush()
        return repo.load_board(session=session, row=row)


def _policy_text(value: object) -> str | None:
    """A policy's value as an event stores it: None for "not set", lists comma-separated."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
