"""Domain objects: plain dataclasses with no I/O, no ORM and no UI."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from leankanban.domain import defaults


class StageKind(str, enum.Enum):
    """Whether a stage holds open work or is a closed outcome."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class DealStatus(str, enum.Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class EventKind(str, enum.Enum):
    CREATED = "created"
    MOVED = "moved"
    EDITED = "edited"
    WIP_OVERRIDE = "wip_override"
    #: A blocked deal moved forward anyway; `reason` says why.
    BLOCK_OVERRIDE = "block_override"
    WON = "won"
    LOST = "lost"
    REOPENED = "reopened"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    QUALIFIED = "qualified"
    NOTE = "note"
    UNDONE = "undone"
    #: A board policy changed (no deal): `field` says which, `to_stage` the stage it is
    #: about (if any), `old_value` -> `new_value` the change.
    POLICY_CHANGED = "policy_changed"


class DealType(str, enum.Enum):
    NEW_LOGO = "new_logo"
    EXPANSION = "expansion"
    RENEWAL = "renewal"


class Priority(str, enum.Enum):
    """Kanban classes of service, most urgent first."""

    EXPEDITE = "expedite"
    FIXED_DATE = "fixed_date"
    STANDARD = "standard"
    INTANGIBLE = "intangible"


class Activity(str, enum.Enum):
    """Where a rep's effort on a deal goes (lean sales effectiveness)."""

    ORIGINATION = "origination"
    INFLUENCE = "influence"
    SUPPORT = "support"


class ContactRole(str, enum.Enum):
    DECISION_MAKER = "decision_maker"
    CHAMPION = "champion"
    DETRACTOR = "detractor"
    INFLUENCER = "influencer"
    USER = "user"


class Stance(str, enum.Enum):
    SUPPORTIVE = "supportive"
    NEUTRAL = "neutral"
    OPPOSED = "opposed"
    UNKNOWN = "unknown"


class Answer(str, enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Lane(str, enum.Enum):
    """What swimlanes group by."""

    NONE = "none"
    OWNER = "owner"
    TYPE = "type"
    PRIORITY = "priority"
    ACCOUNT = "account"


def label(value: enum.Enum | str) -> str:
    """`new_logo` -> `new logo`, for people."""
    raw = value.value if isinstance(value, enum.Enum) else value
    return str(raw).replace("_", " ")


STATUS_FOR_KIND = {
    StageKind.OPEN: DealStatus.OPEN,
    StageKind.WON: DealStatus.WON,
    StageKind.LOST: DealStatus.LOST,
}
#: The stage kind a deal of each status sits in (the inverse of STATUS_FOR_KIND).
KIND_FOR_STATUS = {status: kind for kind, status in STATUS_FOR_KIND.items()}


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    position: int
    kind: StageKind = StageKind.OPEN
    wip_min: int | None = None
    wip_max: int | None = None
    upstream: bool = False
    id: int | None = None
    #: Cards older than this in the stage are stale (None: never).
    stale_after_days: int | None = None
    #: The stage's explicit policies: what must be true to enter it and to leave it
    #: (free text, Markdown allowed; shown literally).
    entry_policy: str = ""
    exit_policy: str = ""
    #: The stage's renames, oldest first, as (the policy event's id, old name, new name): a
    #: history names a stage as it was called when recorded (see metrics.timelines). Only the
    #: readers that rebuild histories load them (store.repository.with_renames).
    renames: tuple[tuple[int, str, str], ...] = ()

    @property
    def is_active(self) -> bool:
        """Open and past the upstream funnel: work in progress proper."""
        return self.kind is StageKind.OPEN and not self.upstream

    @property
    def is_closed(self) -> bool:
        return self.kind is not StageKind.OPEN


@dataclass(frozen=True, slots=True)
class Criterion:
    """A qualification question, and the stages it gates."""

    name: str
    position: int = 0
    required_for: frozenset[str] = frozenset()
    id: int | None = None
    #: What the criterion means: when a deal may be answered yes.
    definition: str = ""


@dataclass(frozen=True, slots=True)
class LaneLimit:
    """A WIP limit on one swimlane (owner `ann`, type `renewal` ...).

    An owner lane limit is a person's WIP limit: open deals in active stages.
    """

    dimension: Lane
    value: str
    wip_max: int


@dataclass(frozen=True, slots=True)
class Board:
    name: str
    stages: tuple[Stage, ...] = ()
    id: int | None = None
    template: str = "blank"
    criteria: tuple[Criterion, ...] = ()
    discard_reasons: tuple[str, ...] = ()
    lane_limits: tuple[LaneLimit, ...] = ()
    #: Qualification not reviewed for this many days needs review.
    review_days: int = defaults.REVIEW_DAYS
    #: No movement or activity for this many days: the deal is stalled.
    stall_days: int = defaults.STALL_DAYS
    #: Open pipeline value the team aims to hold (pipeline coverage), if set.
    pipeline_target: Decimal | None = None
    #: Won deals delivery can take on per week, if set.
    capacity_per_week: int | None = None
    #: When each discard reason applies (reason -> definition; a reason may have none).
    reason_definitions: tuple[tuple[str, str], ...] = ()

    def reason_definition(self, reason: str) -> str:
        return dict(self.reason_definitions).get(reason, "")

    def criterion(self, name: str) -> Criterion:
        from leankanban.domain.errors import UnknownCriterion

        wanted = name.strip().casefold()
        for criterion in self.criteria:
            if criterion.name.casefold() == wanted:
                return criterion
        raise UnknownCriterion(name, [c.name for c in self.criteria])

    def outcome(self, kind: StageKind) -> Stage:
        """The first stage of the given closed kind (Won, Lost)."""
        from leankanban.domain.errors import InvalidInput

        for stage in sorted(self.stages, key=lambda s: s.position):
            if stage.kind is kind:
                return stage
        raise InvalidInput(f"Board '{self.name}' has no {kind.value} stage; add one with `stage add`.")

    def stage(self, name: str) -> Stage:
        """The stage called `name` (case-insensitive), or UnknownStage."""
        from leankanban.domain.errors import UnknownStage

        wanted = name.strip().casefold()
        for stage in self.stages:
            if stage.name.casefold() == wanted:
                return stage
        raise UnknownStage(name, [s.name for s in self.stages])

    def stage_by_id(self, stage_id: int) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def neighbour(self, stage: Stage, step: int) -> Stage | None:
        """The stage `step` positions away in board order, or None at an edge."""
        ordered = sorted(self.stages, key=lambda s: s.position)
        index = [s.name for s in ordered].index(stage.name) + step
        if 0 <= index < len(ordered):
            return ordered[index]
        return None


@dataclass(slots=True)
class Deal:
    title: str
    stage: str
    account: str = ""
    value: Decimal = Decimal("0")
    currency: str = defaults.CURRENCY
    owner: str = ""
    status: DealStatus = DealStatus.OPEN
    created_at: datetime | None = None
    stage_entered_at: datetime | None = None
    closed_at: datetime | None = None
    lost_reason: str | None = None
    external_source: str | None = None
    external_id: str | None = None
    next_step: str = ""
    id: int | None = None
    board_id: int | None = None
    deal_type: DealType = DealType.NEW_LOGO
    priority: Priority = Priority.STANDARD
    #: Where the owner's effort on the deal goes; None until someone gives it a category.
    activity: Activity | None = None
    expected_close: date | None = None
    next_step_due: date | None = None
    tags: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    qualification: dict[str, Qualification] = field(default_factory=dict)
    blocked_reason: str | None = None
    blocked_since: datetime | None = None
    last_activity_at: datetime | None = None
    #: When qualification was last reviewed (any criterion answered).
    qualified_at: datetime | None = None
    #: The chance of winning this deal in percent (0-100), where the owner knows better than
    #: the stage's probability; None: the stage's.
    probability: int | None = None
    #: Which version of the deal this is: the board revision of its last change. An edit
    #: names the version it was made on, and is refused if the deal changed since.
    version: int = 0
    #: A work card's deal (a card on an activities board doing work for a deal), if any.
    linked_deal_id: int | None = None
    #: A work card's estimate in minutes, if someone gave one.
    estimate_minutes: int | None = None
    #: The value for the customer, in the customer's terms (how much more revenue, how much
    #: less cost, what risk goes away): what the deal is for, before its amount.
    customer_value: str = ""
    #: An estimate of that value as money (in the deal's currency), where someone made one.
    customer_impact: Decimal | None = None

    @property
    def is_open(self) -> bool:
        return self.status is DealStatus.OPEN

    @property
    def is_blocked(self) -> bool:
        return self.blocked_reason is not None

    def days_in_stage(self, now: datetime) -> int:
        if self.stage_entered_at is None:
            return 0
        return max(0, (now - self.stage_entered_at).days)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    role: ContactRole = ContactRole.INFLUENCER
    stance: Stance = Stance.UNKNOWN
    email: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Qualification:
    """One criterion's answer on one deal: who said what, when."""

    answer: Answer
    note: str = ""
    actor: str = ""
    at: datetime | None = None


# Not frozen, for speed alone: a report on a big board builds about 100,000 events, and a
# frozen dataclass's __init__ (one object.__setattr__ per field) costs five times a plain one
# (0.11 s against 0.02 s for 98,000; bench/README.md, "Report"). Treat it as immutable all
# the same: nothing assigns to an event's fields (make a changed copy with
# dataclasses.replace), and equal events hash alike, as frozen ones do.
@dataclass(slots=True, unsafe_hash=True)
class Event:
    """One append-only entry in a deal's history."""

    kind: EventKind
    at: datetime
    deal_id: int | None = None
    actor: str = ""
    from_stage: str | None = None
    to_stage: str | None = None
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    reason: str | None = None
    id: int | None = None
    #: Extra facts (competitor on a loss, the undone event's id ...).
    data: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class PolicyReason:
    """Why a policy changed (what the retro decided, say) and the improvement card that asked for it.

    Recorded on each `policy_changed` event of the change: `why` as its reason,
    the card's id in its data (`card`).
    """

    why: str = ""
    card_id: int | None = None


@dataclass(frozen=True, slots=True)
class MoveDecision:
    """What check_move allows: the move, plus warnings a user should see."""

    from_stage: Stage
    to_stage: Stage
    status: DealStatus
    override_reason: str | None = None
    warnings: tuple[str, ...] = field(default=())
    #: The reason given for moving a blocked deal forward (recorded as its own event).
    block_override: str | None = None

    @property
    def overridden(self) -> bool:
        return self.override_reason is not None


@dataclass(frozen=True, slots=True)
class ColumnView:
    """A stage with its deals, as a board shows it."""

    stage: Stage
    deals: tuple[Deal, ...]
    totals: tuple[tuple[str, Decimal], ...] = ()

    @property
    def count(self) -> int:
        return len(self.deals)

    @property
    def wip_state(self) -> str:
        """'over', 'at', 'under' (below minimum) or 'ok'."""
        return wip_state(self.stage, self.count)


@dataclass(frozen=True, slots=True)
class BoardView:
    board: Board
    columns: tuple[ColumnView, ...]
    revision: int = 0

    def column(self, stage_name: str) -> ColumnView:
        for column in self.columns:
            if column.stage.name == stage_name:
                return column
        raise KeyError(stage_name)


def wip_state(stage: Stage, count: int) -> str:
    if stage.wip_max is not None and count > stage.wip_max:
        return "over"
    if stage.wip_max is not None and count == stage.wip_max:
        return "at"
    if stage.wip_min is not None and count < stage.wip_min:
        return "under"
    return "ok"
