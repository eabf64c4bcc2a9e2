"""Keyword-only queries over a Session, returning domain objects.

No business rules here: services decide, the repository reads and writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, text, update
from sqlmodel import Session, col, select

from leankanban.domain import sprints as sp
from leankanban.domain.errors import UnknownBoard, UnknownDeal
from leankanban.domain.model import (
    Answer,
    Board,
    Contact,
    Deal,
    DealStatus,
    Event,
    EventKind,
    Lane,
    LaneLimit,
    Qualification,
    Stage,
    StageKind,
)
from leankanban.store.rows import (
    BOARD_COLUMNS,
    CONTACT_COLUMNS,
    CRITERION_COLUMNS,
    DEAL_COLUMNS,
    LANE_LIMIT_COLUMNS,
    OBJECTIVE_COLUMNS,
    REASON_COLUMNS,
    SPRINT_COLUMNS,
    STAGE_COLUMNS,
    board_from_values,
    contact_from_values,
    deals_from_values,
    from_db_time,
    objective_from_values,
    sprint_from_values,
    stage_from_values,
    stage_totals_from_values,
)
from leankanban.store.rows import from_cents as from_cents  # services call repo.from_cents
from leankanban.store.tables import (
    BoardRow,
    ContactRow,
    CriterionRow,
    CriterionStageRow,
    DealCriterionRow,
    DealRow,
    DiscardReasonRow,
    EventRow,
    LaneLimitRow,
    ObjectiveRow,
    RetroItemRow,
    RetroRow,
    SprintDealRow,
    SprintRow,
    StageRow,
)
from leankanban.store.uow import FLOW_MARKED

# --- conversions (those of stored values are in rows.py) --------------------


def to_db_time(moment: datetime | None) -> datetime | None:
    """Times are stored as aware UTC (see tables.UTCDateTime)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC)


def cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def stage_from_row(row: StageRow) -> Stage:
    return stage_from_values([getattr(row, c) for c in STAGE_COLUMNS])


def deal_from_row(
    row: DealRow,
    stage_name: str,
    *,
    contacts: tuple[Contact, ...] = (),
    qualification: dict[str, Qualification] | None = None,
) -> Deal:
    [deal] = deals_from_values([tuple(getattr(row, c) for c in DEAL_COLUMNS)], {row.stage_id: stage_name})
    deal.contacts = contacts
    deal.qualification = qualification or {}
    return deal


def contact_from_row(row: ContactRow) -> Contact:
    return contact_from_values([getattr(row, c) for c in CONTACT_COLUMNS])


def event_from_row(row: EventRow) -> Event:
    return Event(
        id=row.id,
        deal_id=row.deal_id,
        kind=EventKind(row.kind),
        at=from_db_time(row.at),
        actor=row.actor,
        from_stage=row.from_stage,
        to_stage=row.to_stage,
        field=row.field,
        old_value=row.old_value,
        new_value=row.new_value,
        reason=row.reason,
        data=row.data,
    )


# --- boards and stages -------------------------------------------------------


def board_names(*, session: Session) -> list[str]:
    return list(session.exec(select(BoardRow.name).order_by(BoardRow.id)))


def board_row(*, session: Session, name: str | None, lock: bool = False) -> BoardRow:
    """The board called `name` (case-insensitive), or the first board when None."""
    query = select(BoardRow)
    if name is None:
        query = query.order_by(BoardRow.id).limit(1)
    else:
        query = query.where(func.lower(BoardRow.name) == name.strip().lower())
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise UnknownBoard(name or "(default)", board_names(session=session))
    return row


def board_row_by_id(*, session: Session, board_id: int, lock: bool = False) -> BoardRow:
    query = select(BoardRow).where(BoardRow.id == board_id)
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise UnknownBoard(str(board_id), board_names(session=session))
    return row


def stage_rows(*, session: Session, board_id: int) -> list[StageRow]:
    return list(
        session.exec(select(StageRow).where(StageRow.board_id == board_id).order_by(StageRow.position))
    )


def load_board(*, session: Session, row: BoardRow) -> Board:
    stage_list = stage_rows(session=session, board_id=row.id)
    criteria = session.exec(
        select(*_columns(CriterionRow, CRITERION_COLUMNS)).where(CriterionRow.board_id == row.id).order_by(CriterionRow.position)
    ).all()
    gates: list[Any] = []
    if criteria:
        gates = session.exec(
            select(CriterionStageRow.criterion_id, CriterionStageRow.stage_id).where(
                col(CriterionStageRow.criterion_id).in_([c[0] for c in criteria])
            )
        ).all()
    reasons = session.exec(
        select(*_columns(DiscardReasonRow, REASON_COLUMNS))
        .where(DiscardReasonRow.board_id == row.id)
        .order_by(DiscardReasonRow.position)
    ).all()
    lanes = session.exec(
        select(*_columns(LaneLimitRow, LANE_LIMIT_COLUMNS)).where(LaneLimitRow.board_id == row.id).order_by(LaneLimitRow.id)
    ).all()
    return board_from_values(
        [getattr(row, c) for c in BOARD_COLUMNS],
        stages=([getattr(s, c) for c in STAGE_COLUMNS] for s in stage_list),
        criteria=criteria,
        gates=gates,
        reasons=reasons,
        lane_limits=lanes,
    )


def _columns(table: Any, names: Sequence[str]) -> list[Any]:
    """The columns `names` of `table` (a table class), to select them in that order."""
    return [getattr(table, name) for name in names]


def first_activity(*, session: Session, row: BoardRow) -> datetime:
    """When the board's history begins: its creation, or its oldest deal's if older (imports)."""
    oldest = session.exec(select(func.min(DealRow.created_at)).where(DealRow.board_id == row.id)).one()
    made = from_db_time(row.created_at)
    if oldest is None:
        return made
    oldest = from_db_time(oldest)
    return min(made, oldest) if made is not None else oldest


def bump_revision(*, session: Session, board_id: int, deal_ids: Iterable[int] = ()) -> int:
    """Mark the board changed; the deals `deal_ids` changed with it. Returns the new revision.

    The UPDATE locks the board row until the transaction ends, so revisions are
    handed out in commit order and each changed deal is stamped with its change's
    revision (`changed_deals`). On PostgreSQL every open board hears of it at
    commit (NOTIFY on CHANNEL, payload `board_id:revision`).
    """
    new = session.execute(
        update(BoardRow).where(BoardRow.id == board_id).values(revision=BoardRow.revision + 1).returning(BoardRow.revision)
    ).scalar_one()
    ids = sorted(set(deal_ids))
    if ids:
        # An ORM-enabled UPDATE: the deal rows loaded in this session get the new revision too.
        session.execute(update(DealRow).where(col(DealRow.id).in_(ids)).values(revision=new))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": f"{board_id}:{new}"})
    return new


#: The PostgreSQL channel that tells open boards a board changed.
CHANNEL = "leankanban_board"


def changed_deals(*, session: Session, board: Board, since: int) -> list[Deal]:
    """The board's deals changed after revision `since` (each with its contacts)."""
    names = {s.id: s.name for s in board.stages}
    rows = session.exec(
        select(DealRow).where(DealRow.board_id == board.id, DealRow.revision > since).order_by(DealRow.id)
    ).all()
    contacts: dict[int, list[Contact]] = {}
    if rows:
        for contact in session.exec(
            select(ContactRow).where(col(ContactRow.deal_id).in_([r.id for r in rows])).order_by(ContactRow.id)
        ):
            contacts.setdefault(contact.deal_id, []).append(contact_from_row(contact))
    return [deal_from_row(r, names[r.stage_id], contacts=tuple(contacts.get(r.id, ()))) for r in rows]


def deal_revisions(*, session: Session, board_id: int, since: int) -> list[int]:
    """The revisions stamped on the deals changed after `since` (one per deal)."""
    return list(session.exec(select(DealRow.revision).where(DealRow.board_id == board_id, DealRow.revision > since)))


def revision(*, session: Session, board_id: int) -> int:
    value = session.exec(select(BoardRow.revision).where(BoardRow.id == board_id)).first()
    return -1 if value is None else value


def open_counts(*, session: Session, board_id: int) -> dict[str, int]:
    """Number of open deals per stage name (closed stages count all their deals)."""
    rows = session.exec(
        select(StageRow.name, func.count(DealRow.id))
        .join(DealRow, DealRow.stage_id == StageRow.id)
        .where(StageRow.board_id == board_id)
        .group_by(StageRow.name)
    )
    return dict(rows.all())


def stage_totals(*, session: Session, board_id: int) -> dict[str, tuple[int, dict[str, Decimal]]]:
    """Per stage name: deal count and summed value per currency."""
    rows = session.exec(
        select(StageRow.name, DealRow.currency, func.count(DealRow.id), func.sum(DealRow.value_cents))
        .join(DealRow, DealRow.stage_id == StageRow.id)
        .where(StageRow.board_id == board_id)
        .group_by(StageRow.name, DealRow.currency)
    )
    return stage_totals_from_values(rows)


# --- deals ---------------------------------------------------------------


def deal_columns(deal: Deal) -> dict:
    """The editable columns of a deal row, from a domain deal."""
    return {
        "title": deal.title,
        "account": deal.account,
        "value_cents": cents(deal.value),
        "currency": deal.currency,
        "owner": deal.owner,
        "next_step": deal.next_step,
        "next_step_due": deal.next_step_due,
        "expected_close": deal.expected_close,
        "deal_type": deal.deal_type.value,
        "priority": deal.priority.value,
        "activity": None if deal.activity is None else deal.activity.value,
        "tags": list(deal.tags),
        "helpers": list(deal.helpers),
        "probability": deal.probability,
        "linked_deal_id": deal.linked_deal_id,
        "estimate_minutes": deal.estimate_minutes,
        "customer_value": deal.customer_value,
        "customer_impact_cents": None if deal.customer_impact is None else cents(deal.customer_impact),
    }


LANE_COLUMNS = {Lane.OWNER: DealRow.owner, Lane.TYPE: DealRow.deal_type, Lane.PRIORITY: DealRow.priority}


def lane_counts(*, session: Session, board: Board, people: bool = False) -> dict[tuple[Lane, str], int]:
    """Open deals in active stages, per lane value, for the lanes that carry limits (with
    `people`, not the owner lanes: a person's WIP is counted on every board, `people_counts`)."""
    dimensions = {limit.dimension for limit in board.lane_limits if not (people and limit.dimension is Lane.OWNER)}
    active = [s.id for s in board.stages if s.is_active]
    counts: dict[tuple[Lane, str], int] = {}
    for dimension in dimensions:
        column = LANE_COLUMNS[dimension]
        rows = session.exec(
            select(column, func.count(DealRow.id))
            .where(DealRow.board_id == board.id, col(DealRow.stage_id).in_(active), DealRow.status == "open")
            .group_by(column)
        )
        for value, count in rows:
            counts[(dimension, value)] = count
    return counts


def owner_limits(*, session: Session, owner: str | None = None) -> list[LaneLimit]:
    """The owner lane limits of every board (a person's WIP limit, domain/work.py)."""
    query = select(LaneLimitRow).where(LaneLimitRow.dimension == Lane.OWNER.value)
    if owner is not None:
        query = query.where(LaneLimitRow.value == owner)
    return [LaneLimit(Lane.OWNER, r.value, r.wip_max) for r in session.exec(query.order_by(LaneLimitRow.id))]


def people_counts(
    *, session: Session, owner: str | None = None, except_board: int | None = None
) -> list[tuple[str, str, int]]:
    """(owner, board template, open cards in active stages) over every board (but `except_board`)."""
    query = (
        select(DealRow.owner, BoardRow.template, func.count(DealRow.id))
        .join(StageRow, StageRow.id == DealRow.stage_id)
        .join(BoardRow, BoardRow.id == DealRow.board_id)
        .where(DealRow.status == DealStatus.OPEN.value, StageRow.kind == StageKind.OPEN.value)
        .where(col(StageRow.upstream).is_(False))
        .group_by(DealRow.owner, BoardRow.template)
    )
    if owner is not None:
        # Board ids named, so SQLite seeks the (board, owner) index instead of reading every deal.
        query = query.where(DealRow.owner == owner, col(DealRow.board_id).in_(select(BoardRow.id)))
    if except_board is not None:
        query = query.where(DealRow.board_id != except_board)
    return [(who, template, count) for who, template, count in session.exec(query)]


#: The PostgreSQL advisory lock that serialises decisions on people's WIP across boards.
PEOPLE_LOCK = 727273


def lock_people(*, session: Session) -> None:
    """Hold, until the transaction ends, the lock every decision on a person's WIP takes
    (after its board's lock): two moves on two boards for one person cannot both pass.
    SQLite needs none: a write transaction holds the whole file (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PEOPLE_LOCK})


def deal_row(*, session: Session, deal_id: int, lock: bool = False) -> DealRow:
    query = select(DealRow).where(DealRow.id == deal_id)
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise UnknownDeal(deal_id)
    return row


def deals(
    *,
    session: Session,
    board: Board,
    stage_ids: Sequence[int] | None = None,
    status: DealStatus | None = None,
) -> list[Deal]:
    names = {s.id: s.name for s in board.stages}
    query = select(DealRow).where(DealRow.board_id == board.id)
    if stage_ids is not None:
        query = query.where(col(DealRow.stage_id).in_(list(stage_ids)))
    if status is not None:
        query = query.where(DealRow.status == status.value)
    query = query.order_by(DealRow.stage_entered_at, DealRow.id)
    rows = session.exec(query).all()
    contacts = board_contacts(session=session, board_id=board.id) if rows else {}
    return [
        deal_from_row(row, names[row.stage_id], contacts=contacts.get(row.id, ())) for row in rows
    ]


def board_contacts(*, session: Session, board_id: int) -> dict[int, tuple[Contact, ...]]:
    found: dict[int, list[Contact]] = {}
    query = (
        select(ContactRow)
        .join(DealRow, DealRow.id == ContactRow.deal_id)
        .where(DealRow.board_id == board_id)
        .order_by(ContactRow.id)
    )
    for row in session.exec(query):
        found.setdefault(row.deal_id, []).append(contact_from_row(row))
    return {deal_id: tuple(items) for deal_id, items in found.items()}


def deal_contacts(*, session: Session, deal_id: int) -> tuple[Contact, ...]:
    rows = session.exec(select(ContactRow).where(ContactRow.deal_id == deal_id).order_by(ContactRow.id))
    return tuple(contact_from_row(r) for r in rows)


def deal_qualification(*, session: Session, deal_id: int) -> dict[str, Qualification]:
    rows = session.exec(
        select(CriterionRow.name, DealCriterionRow)
        .join(DealCriterionRow, DealCriterionRow.criterion_id == CriterionRow.id)
        .where(DealCriterionRow.deal_id == deal_id)
    )
    return {
        name: Qualification(answer=Answer(r.answer), note=r.note, actor=r.actor, at=from_db_time(r.at))
        for name, r in rows
    }


def full_deal(*, session: Session, row: DealRow, stage_name: str) -> Deal:
    """A deal with its contacts and qualification answers."""
    return deal_from_row(
        row,
        stage_name,
        contacts=deal_contacts(session=session, deal_id=row.id),
        qualification=deal_qualification(session=session, deal_id=row.id),
    )


def add_events(
    *, session: Session, board_id: int, events: Iterable[Event], touch: bool = True
) -> list[EventRow]:
    """Append events; with `touch`, their deals count as active at the latest one
    (`last_activity_at` only ever moves forward: it stays at or after every event of
    the deal, which the report's read relies on)."""
    latest: dict[int, datetime] = {}
    rows: list[EventRow] = []
    for event in events:
        if event.deal_id is not None:
            latest[event.deal_id] = max(event.at, latest.get(event.deal_id, event.at))
        row = EventRow(
                board_id=board_id,
                deal_id=event.deal_id,
                kind=event.kind.value,
                at=to_db_time(event.at),
                actor=event.actor,
                from_stage=event.from_stage,
                to_stage=event.to_stage,
                field=event.field,
                old_value=event.old_value,
                new_value=event.new_value,
                reason=event.reason,
                data=event.data,
            )
        session.add(row)
        rows.append(row)
    # Their flow summaries are worked out again just before the commit (store/flow.py).
    session.info.setdefault(FLOW_MARKED, set()).update(latest)
    if touch:
        for deal_id, at in latest.items():
            stored = to_db_time(at)
            session.exec(
                update(DealRow)
                .where(
                    DealRow.id == deal_id,
                    or_(DealRow.last_activity_at.is_(None), DealRow.last_activity_at < stored),  # type: ignore[union-attr,operator]
                )
                .values(last_activity_at=stored)
                .execution_options(synchronize_session="fetch")
            )
    return rows


def event_by_id(*, session: Session, event_id: int) -> Event | None:
    row = session.get(EventRow, event_id)
    return None if row is None else event_from_row(row)


def events_for_deal(*, session: Session, deal_id: int) -> list[Event]:
    rows = session.exec(
        select(EventRow).where(EventRow.deal_id == deal_id).order_by(EventRow.at, EventRow.id)
    )
    return [event_from_row(r) for r in rows]


def with_renames(*, session: Session, board_id: int, stages: Sequence[Stage]) -> tuple[Stage, ...]:
    """`stages` with their renames (`Stage.renames`), from the board's policy history: what a
    reader that rebuilds deals' histories needs, since an event names a stage as it was
    called then. The board's own events have no deal (ix_event_deal_at finds them)."""
    rows = session.exec(
        select(EventRow.id, EventRow.old_value, EventRow.new_value)
        .where(
            col(EventRow.deal_id).is_(None),
            EventRow.board_id == board_id,
            EventRow.kind == EventKind.POLICY_CHANGED.value,
            EventRow.field == "stage_name",
        )
        .order_by(EventRow.id)  # the order they were recorded in
    ).all()
    if not rows:
        return tuple(stages)
    # Follow each stage's names back from its current one, latest rename first.
    renames: dict[str, list[tuple[int, str, str]]] = {}
    for event_id, old, new in reversed(rows):
        if not old or not new:
            continue
        chain = next((key for key, found in renames.items() if found[-1][1] == new), None)
        renames.setdefault(chain if chain is not None else new, []).append((event_id, old, new))  # type: ignore[arg-type]
    return tuple(
        replace(stage, renames=tuple(reversed(renames[stage.name]))) if stage.name in renames else stage
        for stage in stages
    )


def board_events(*, session: Session, board_id: int, kind: EventKind) -> list[Event]:
    """The board's events of one kind, oldest first."""
    rows = session.exec(
        select(EventRow)
        .where(EventRow.board_id == board_id, EventRow.kind == kind.value)
        .order_by(EventRow.at, EventRow.id)
    )
    return [event_from_row(r) for r in rows]


def events_for_board(*, session: Session, board_id: int) -> list[Event]:
    rows = session.exec(
        select(EventRow).where(EventRow.board_id == board_id).order_by(EventRow.at, EventRow.id)
    )
    return [event_from_row(r) for r in rows]


# -- sprints and retros ------------------------------------------------------


def objective_from_row(row: ObjectiveRow) -> sp.Objective:
    return objective_from_values([getattr(row, c) for c in OBJECTIVE_COLUMNS])


def sprint_from_row(session: Session, row: SprintRow) -> sp.Sprint:
    objectives = session.exec(
        select(*_columns(ObjectiveRow, OBJECTIVE_COLUMNS)).where(ObjectiveRow.sprint_id == row.id).order_by(ObjectiveRow.position)
    ).all()
    committed = session.exec(
        select(SprintDealRow.deal_id).where(SprintDealRow.sprint_id == row.id).order_by(SprintDealRow.deal_id)
    ).all()
    return sprint_from_values([getattr(row, c) for c in SPRINT_COLUMNS], objectives, committed)


def retro_from_row(session: Session, row: RetroRow) -> sp.Retro:
    items = session.exec(select(RetroItemRow).where(RetroItemRow.retro_id == row.id).order_by(RetroItemRow.id))
    return sp.Retro(
        id=row.id,
        board_id=row.board_id,
        kind=sp.RetroKind(row.kind),
        created_at=from_db_time(row.created_at),
        actor=row.actor,
        sprint_id=row.sprint_id,
        deal_id=row.deal_id,
        problem=row.problem,
        whys=tuple(row.whys or ()),
        root_cause=row.root_cause,
        why_tags=tuple(row.tags or ()),
        items=tuple(
            sp.RetroItem(id=i.id, kind=sp.ItemKind(i.kind), text=i.text, tags=tuple(i.tags or ()), card_id=i.card_id)
            for i in items
        ),
    )
