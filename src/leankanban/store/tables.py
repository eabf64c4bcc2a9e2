"""Every table, in one module. Converted to domain objects by the repository.

The schema here must match what the migrations build: a test compares the two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, types
from sqlmodel import Field, SQLModel

from leankanban.domain import defaults


class UTCDateTime(types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL."""

    impl = types.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("leankanban stores aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:  # SQLite keeps no offset: it is UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class BoardRow(SQLModel, table=True):
    __tablename__ = "board"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    template: str = Field(default="blank", max_length=30)
    created_at: datetime = Field(sa_type=UTCDateTime)
    #: Bumped by every write to the board; readers poll it to see changes.
    revision: int = Field(default=0)
    review_days: int = Field(default=defaults.REVIEW_DAYS)
    stall_days: int = Field(default=defaults.STALL_DAYS)
    #: Target share of time per activity, percent (None: the default 50/30/20).
    allocation: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    #: The board improvement actions from this board's retros go to.
    improvements_board_id: int | None = Field(default=None, foreign_key="board.id")
    #: Pipeline value the team wants open (for coverage), in cents.
    pipeline_target_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: How many won deals delivery can take on per week.
    capacity_per_week: int | None = None


class StageRow(SQLModel, table=True):
    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("board_id", "name", name="uq_stage_board_name"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    name: str = Field(max_length=60)
    position: int
    kind: str = Field(default="open", max_length=10)
    wip_min: int | None = None
    wip_max: int | None = None
    upstream: bool = Field(default=False)
    stale_after_days: int | None = None
    #: What must be true for a deal to enter / to leave the stage (free text, Markdown allowed).
    entry_policy: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    exit_policy: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class DealRow(SQLModel, table=True):
    __tablename__ = "deal"
    __table_args__ = (
        Index("ix_deal_board_stage_status", "board_id", "stage_id", "status"),
        Index("ix_deal_external", "board_id", "external_source", "external_id"),
        Index("ix_deal_board_owner_currency", "board_id", "owner", "currency"),
        Index("ix_deal_board_revision", "board_id", "revision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id")
    stage_id: int = Field(foreign_key="stage.id")
    title: str = Field(max_length=200)
    account: str = Field(default="", max_length=200)
    value_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    currency: str = Field(default=defaults.CURRENCY, max_length=3)
    owner: str = Field(default="", max_length=200)
    status: str = Field(default="open", max_length=10)
    created_at: datetime = Field(sa_type=UTCDateTime)
    stage_entered_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lost_reason: str | None = Field(default=None, max_length=200)
    external_source: str | None = Field(default=None, max_length=30)
    external_id: str | None = Field(default=None, max_length=100)
    next_step: str = Field(default="", max_length=200)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    deal_type: str = Field(default="new_logo", max_length=20)
    priority: str = Field(default="standard", max_length=20)
    #: origination, influence or support; None until someone gives the deal a category.
    activity: str | None = Field(default=None, max_length=20)
    expected_close: date | None = None
    next_step_due: date | None = None
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    helpers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    blocked_reason: str | None = Field(default=None, max_length=500)
    blocked_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_activity_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Win probability in percent where the owner set one (None: the stage's).
    probability: int | None = None
    #: The board's revision when the deal last changed (what an open board catches up from).
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    qualified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: A work card's deal (domain/work.py), if it does work for one.
    linked_deal_id: int | None = Field(default=None, foreign_key="deal.id")
    #: A work card's estimate in minutes, if given.
    estimate_minutes: int | None = None
    #: The value for the customer in their terms, and that value as an amount (cents) if estimated.
    customer_value: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    customer_impact_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: The deal's flow summary (store/flow.py): its first entry into an active stage, and
    #: its latest change of stage, status or blocks; NULL when its history must be read.
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EventRow(SQLModel, table=True):
    """Append-only history. Nothing updates or deletes these rows."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_deal_at", "deal_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    kind: str = Field(max_length=30)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(default="", max_length=200)
    from_stage: str | None = Field(default=None, max_length=60)
    to_stage: str | None = Field(default=None, max_length=60)
    field: str | None = Field(default=None, max_length=60)
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None
    data: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ContactRow(SQLModel, table=True):
    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=30)
    stance: str = Field(max_length=20)
    email: str = Field(default="", max_length=200)


class CriterionRow(SQLModel, table=True):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("board_id", "name", name="uq_criterion_board_name"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    name: str = Field(max_length=60)
    position: int
    #: What the criterion means: when a deal may be answered yes.
    definition: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class CriterionStageRow(SQLModel, table=True):
    """Criterion `criterion_id` must be answered yes to enter stage `stage_id`."""

    __tablename__ = "criterion_stage"

    criterion_id: int = Field(foreign_key="criterion.id", primary_key=True)
    stage_id: int = Field(foreign_key="stage.id", primary_key=True)


class DealCriterionRow(SQLModel, table=True):
    """The current answer to one criterion on one deal (history is in events)."""

    __tablename__ = "deal_criterion"

    deal_id: int = Field(foreign_key="deal.id", primary_key=True)
    criterion_id: int = Field(foreign_key="criterion.id", primary_key=True)
    answer: str = Field(max_length=10)
    note: str = Field(default="", max_length=500)
    actor: str = Field(default="", max_length=200)
    at: datetime = Field(sa_type=UTCDateTime)


class DiscardReasonRow(SQLModel, table=True):
    __tablename__ = "discard_reason"
    __table_args__ = (UniqueConstraint("board_id", "name", name="uq_discard_reason_board_name"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    name: str = Field(max_length=100)
    position: int
    #: When the reason applies.
    definition: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class LaneLimitRow(SQLModel, table=True):
    __tablename__ = "lane_limit"
    __table_args__ = (UniqueConstraint("board_id", "dimension", "value", name="uq_lane_limit"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    dimension: str = Field(max_length=20)
    value: str = Field(max_length=200)
    wip_max: int


class SprintRow(SQLModel, table=True):
    __tablename__ = "sprint"
    __table_args__ = (UniqueConstraint("board_id", "number", name="uq_sprint_board_number"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    number: int
    start: date
    end: date
    goal: str = Field(default="", max_length=300)
    target_cents: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    status: str = Field(default="open", max_length=10)
    created_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    velocity: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ObjectiveRow(SQLModel, table=True):
    __tablename__ = "objective"

    id: int | None = Field(default=None, primary_key=True)
    sprint_id: int = Field(foreign_key="sprint.id", index=True)
    position: int
    text: str = Field(max_length=300)
    target: int = Field(default=1)
    progress: int = Field(default=0)
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    carried_from: int | None = Field(default=None, foreign_key="objective.id")


class SprintDealRow(SQLModel, table=True):
    """A deal committed to a sprint."""

    __tablename__ = "sprint_deal"

    sprint_id: int = Field(foreign_key="sprint.id", primary_key=True)
    deal_id: int = Field(foreign_key="deal.id", primary_key=True)


class RetroRow(SQLModel, table=True):
    __tablename__ = "retro"

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    kind: str = Field(max_length=10)
    created_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(default="", max_length=200)
    sprint_id: int | None = Field(default=None, foreign_key="sprint.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    problem: str = Field(default="", max_length=500)
    whys: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    root_cause: str = Field(default="", max_length=500)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class RetroItemRow(SQLModel, table=True):
    __tablename__ = "retro_item"

    id: int | None = Field(default=None, primary_key=True)
    retro_id: int = Field(foreign_key="retro.id", index=True)
    kind: str = Field(max_length=10)
    text: str = Field(max_length=500)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    card_id: int | None = Field(default=None, foreign_key="deal.id")


class TimeLogRow(SQLModel, table=True):
    __tablename__ = "time_log"
    __table_args__ = (Index("ix_time_log_board_at", "board_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    actor: str = Field(default="", max_length=200)
    minutes: int
    category: str = Field(max_length=20)
    note: str = Field(default="", max_length=500)
    at: datetime = Field(sa_type=UTCDateTime)
