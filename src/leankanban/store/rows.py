"""Stored values -> domain objects: the one conversion of each kind of row, over plain values.

No SQLAlchemy here, so every reader converts through these: the repository
(over ORM rows), the fast report readers (over Core rows, times and lists as
stored) and the board screen's first read (store/first_read.py, over sqlite3
rows). Each `*_COLUMNS` tuple is the one list of the columns its conversion
reads, in the order it reads them; a query selects them by that tuple.

A new deal column: add its name to DEAL_COLUMNS (at the end), its field to
the `Deal(...)` call in `deals_from_values` and its name to the unpacking
below it (before `*_more`); every reader then selects and converts it. A
column stored as a JSON list also goes in DEAL_LIST_COLUMNS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from leankanban.domain import sprints as sp
from leankanban.domain.model import (
    Activity,
    Board,
    BoardView,
    ColumnView,
    Contact,
    ContactRole,
    Criterion,
    Deal,
    DealStatus,
    DealType,
    Lane,
    LaneLimit,
    Priority,
    Stage,
    StageKind,
    Stance,
)

# --- stored values --------------------------------------------------------------


def from_db_time(moment: datetime | None) -> datetime | None:
    """A time the ORM read (aware UTC, see tables.UTCDateTime), naive ones taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def stored_time(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite read raw gives text, PostgreSQL datetimes."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite keeps UTC without an offset; parsing one in is the fastest way
        return datetime.fromisoformat(value + "+00:00")
    zone = value.tzinfo
    if zone is UTC:  # PostgreSQL's, in the session's time zone (UTC, store/engine.py)
        return value
    return value.replace(tzinfo=UTC) if zone is None else value.astimezone(UTC)


def stored_day(value: Any) -> date | None:
    """A stored date: SQLite read raw gives text, the ORM and PostgreSQL dates."""
    if value is None or value.__class__ is date:
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if isinstance(value, datetime) else value


def stored_json(value: Any) -> Any:
    """A JSON column's value: SQLite read raw gives its text, the ORM and PostgreSQL the value."""
    return json.loads(value) if isinstance(value, str) else value


def from_cents(amount: int | None) -> Decimal:
    return (Decimal(amount or 0) / 100).quantize(Decimal("0.01"))


# --- deals ----------------------------------------------------------------------

#: The deal columns a Deal is made of, in the order `deals_from_values` reads them.
DEAL_COLUMNS = (
    "id", "board_id", "stage_id", "title", "account", "value_cents", "currency", "owner", "status",
    "created_at", "stage_entered_at", "closed_at", "lost_reason", "external_source", "external_id",
    "next_step", "deal_type", "priority", "activity", "expected_close", "next_step_due", "tags", "helpers",
    "blocked_reason", "blocked_since", "last_activity_at", "qualified_at", "probability", "revision",
    "linked_deal_id", "estimate_minutes",
    "customer_value", "customer_impact_cents",
)  # fmt: skip

#: The deal columns stored as JSON lists (text on SQLite read raw; see `deals_from_stored`).
DEAL_LIST_COLUMNS = ("tags", "helpers")

_STATUSES = {status.value: status for status in DealStatus}
_DEAL_TYPES = {deal_type.value: deal_type for deal_type in DealType}
_PRIORITIES = {priority.value: priority for priority in Priority}
_ACTIVITIES = {activity.value: activity for activity in Activity}
_CENT = Decimal("0.01")


def deals_from_values(
    rows: Iterable[Sequence[Any]],
    stage_names: Mapping[int | None, str],
    *,
    time: Callable[[Any], datetime | None] = from_db_time,
) -> list[Deal]:
    """The one row -> Deal conversion: rows of DEAL_COLUMNS values (and maybe more after
    them) as Deals, lists already parsed. `time` turns a stored time into an aware UTC
    datetime (the raw readers read times as stored text and pass `stored_time`)."""
    statuses, deal_types, priorities, activities, cent, day = (
        _STATUSES, _DEAL_TYPES, _PRIORITIES, _ACTIVITIES, _CENT, stored_day
    )
    return [
        Deal(
            id=deal_id,
            board_id=board_id,
            title=title,
            stage=stage_names[stage_id],
            account=account,
            value=(Decimal(value_cents or 0) / 100).quantize(cent),
            currency=currency,
            owner=owner,
            status=statuses[status],
            created_at=time(created),
            stage_entered_at=time(entered),
            closed_at=time(closed),
            lost_reason=lost_reason,
            external_source=source,
            external_id=external_id,
            next_step=next_step,
            deal_type=deal_types[deal_type],
            priority=priorities[priority],
            activity=None if activity is None else activities[activity],
            expected_close=day(expected_close),
            next_step_due=day(due),
            tags=tuple(tags or ()),
            helpers=tuple(helpers or ()),
            blocked_reason=blocked_reason,
            blocked_since=time(blocked_since),
            last_activity_at=time(last_activity),
            qualified_at=time(qualified),
            probability=probability,
            version=version or 0,
            linked_deal_id=linked_deal_id,
            estimate_minutes=estimate_minutes,
            customer_value=customer_value or "",
            customer_impact=None if impact_cents is None else (Decimal(impact_cents) / 100).quantize(cent),
        )
        for (deal_id, board_id, stage_id, title, account, value_cents, currency, owner, status, created, entered,
             closed, lost_reason, source, external_id, next_step, deal_type, priority, activity, expected_close,
             due, tags, helpers, blocked_reason, blocked_since, last_activity, qualified, probability, version,
             linked_deal_id, estimate_minutes, customer_value, impact_cents, *_more) in rows
    ]  # fmt: skip


_LISTS = tuple(DEAL_COLUMNS.index(name) for name in DEAL_LIST_COLUMNS)


def deals_from_stored(rows: Iterable[Sequence[Any]], stage_names: Mapping[int | None, str]) -> list[Deal]:
    """Rows of DEAL_COLUMNS values as stored (times and dates as text on SQLite, lists as
    JSON text; PostgreSQL's driver gives them parsed) as Deals, through `deals_from_values`.

    Each distinct list text is parsed once, as a tuple (most deals share `[]`),
    instead of once per deal and column (0.3-0.5 s on 74,000 deals).
    """
    memo: dict[str, tuple] = {}

    def parsed(raw: Any) -> Any:
        if raw.__class__ is not str:
            return raw
        found = memo.get(raw)
        if found is None:
            found = memo[raw] = tuple(json.loads(raw) or ())
        return found

    lists = _LISTS

    def row_of(row: Sequence[Any]) -> list[Any]:
        values = list(row)
        for at in lists:
            values[at] = parsed(values[at])
        return values

    return deals_from_values((row_of(r) for r in rows), stage_names, time=stored_time)


#: The contact columns `contact_from_values` reads.
CONTACT_COLUMNS = ("id", "name", "role", "stance", "email")


def contact_from_values(values: Sequence[Any]) -> Contact:
    contact_id, name, role, stance, email = values
    return Contact(id=contact_id, name=name, role=ContactRole(role), stance=Stance(stance), email=email)


# --- boards -----------------------------------------------------------------------

#: The stage columns `stage_from_values` reads.
STAGE_COLUMNS = (
    "id", "name", "position", "kind", "wip_min", "wip_max", "upstream", "stale_after_days", "entry_policy", "exit_policy",
)  # fmt: skip


def stage_from_values(values: Sequence[Any]) -> Stage:
    stage_id, name, position, kind, wip_min, wip_max, upstream, stale_after_days, entry, exit_ = values
    return Stage(
        id=stage_id,
        name=name,
        position=position,
        kind=StageKind(kind),
        wip_min=wip_min,
        wip_max=wip_max,
        upstream=bool(upstream),  # SQLite read raw gives 0 or 1
        stale_after_days=stale_after_days,
        entry_policy=entry or "",
        exit_policy=exit_ or "",
    )


#: The board columns `board_from_values` reads.
BOARD_COLUMNS = ("id", "name", "template", "review_days", "stall_days", "pipeline_target_cents", "capacity_per_week")
#: What `board_from_values` reads of each criterion, discard reason and lane limit, in order.
CRITERION_COLUMNS = ("id", "name", "position", "definition")
REASON_COLUMNS = ("name", "definition")
LANE_LIMIT_COLUMNS = ("dimension", "value", "wip_max")


def board_from_values(
    values: Sequence[Any],
    *,
    stages: Iterable[Sequence[Any]],
    criteria: Iterable[Sequence[Any]] = (),
    gates: Iterable[tuple[int, int]] = (),
    reasons: Iterable[Sequence[Any]] = (),
    lane_limits: Iterable[Sequence[Any]] = (),
) -> Board:
    """A Board from its BOARD_COLUMNS values and its parts' rows (STAGE_COLUMNS by position,
    CRITERION_COLUMNS by position, (criterion_id, stage_id) gates, REASON_COLUMNS by
    position, LANE_LIMIT_COLUMNS by id)."""
    board_id, name, template, review_days, stall_days, target_cents, capacity = values
    stage_list = tuple(stage_from_values(s) for s in stages)
    stage_names = {s.id: s.name for s in stage_list}
    criteria_rows = list(criteria)
    required: dict[int, set[str]] = {c[0]: set() for c in criteria_rows}
    for criterion_id, stage_id in gates:
        if criterion_id in required:
            required[criterion_id].add(stage_names[stage_id])
    reason_rows = [tuple(r) for r in reasons]
    return Board(
        id=board_id,
        name=name,
        template=template,
        stages=stage_list,
        criteria=tuple(
            Criterion(id=c_id, name=c_name, position=position, required_for=frozenset(required[c_id]),
                      definition=definition or "")
            for c_id, c_name, position, definition in criteria_rows
        ),
        discard_reasons=tuple(reason for reason, _ in reason_rows),
        lane_limits=tuple(LaneLimit(Lane(dimension), value, wip_max) for dimension, value, wip_max in lane_limits),
        review_days=review_days,
        stall_days=stall_days,
        pipeline_target=None if target_cents is None else from_cents(target_cents),
        capacity_per_week=capacity,
        reason_definitions=tuple((reason, text) for reason, text in reason_rows if text),
    )  # fmt: skip


def stage_totals_from_values(rows: Iterable[Sequence[Any]]) -> dict[str, tuple[int, dict[str, Decimal]]]:
    """Rows of (stage name, currency, deal count, summed value_cents) as, per stage name,
    the deal count and summed value per currency."""
    totals: dict[str, tuple[int, dict[str, Decimal]]] = {}
    for name, currency, count, value in rows:
        total, values = totals.get(name, (0, {}))
        values[currency] = from_cents(value)
        totals[name] = (total + count, values)
    return totals


def board_view_from(
    board: Board, deals: Iterable[Deal], totals: Mapping[str, tuple[int, dict[str, Decimal]]], revision: int
) -> BoardView:
    """The board with every deal in its column (in the order given), and each column's totals."""
    by_stage: dict[str, list[Deal]] = {s.name: [] for s in board.stages}
    for deal in deals:
        by_stage[deal.stage].append(deal)
    columns = tuple(
        ColumnView(
            stage=stage,
            deals=tuple(by_stage[stage.name]),
            totals=tuple(sorted(totals.get(stage.name, (0, {}))[1].items())),
        )
        for stage in board.stages
    )
    return BoardView(board=board, columns=columns, revision=revision)


# --- sprints ----------------------------------------------------------------------

#: The sprint columns `sprint_from_values` reads, and each objective's.
SPRINT_COLUMNS = (
    "id", "board_id", "number", "start", "end", "goal", "target_cents", "status", "closed_at", "velocity", "created_at",
)  # fmt: skip
OBJECTIVE_COLUMNS = ("id", "text", "target", "progress", "deal_id", "done_at", "carried_from")


def objective_from_values(
    values: Sequence[Any], *, time: Callable[[Any], datetime | None] = from_db_time
) -> sp.Objective:
    objective_id, text, target, progress, deal_id, done_at, carried_from = values
    return sp.Objective(
        id=objective_id, text=text, target=target, progress=progress, deal_id=deal_id,
        done_at=time(done_at), carried_from=carried_from,
    )  # fmt: skip


def velocity_from_data(data: dict | None) -> sp.Velocity | None:
    if not data:
        return None
    return sp.Velocity(
        won_value=Decimal(data["won_value"]),
        won_count=data["won_count"],
        deals_advanced=data["deals_advanced"],
        objectives_met=data["objectives_met"],
        objectives_total=data["objectives_total"],
    )


def sprint_from_values(
    values: Sequence[Any],
    objectives: Iterable[Sequence[Any]],
    committed: Iterable[int],
    *,
    time: Callable[[Any], datetime | None] = from_db_time,
) -> sp.Sprint:
    """A Sprint from its SPRINT_COLUMNS values, its objectives' OBJECTIVE_COLUMNS (by position)
    and its committed deal ids (in order); `time` as for `deals_from_values`."""
    sprint_id, board_id, number, start, end, goal, target_cents, status, closed_at, velocity, created_at = values
    return sp.Sprint(
        id=sprint_id,
        board_id=board_id,
        number=number,
        start=stored_day(start),
        end=stored_day(end),
        goal=goal,
        target_value=None if target_cents is None else from_cents(target_cents),
        status=sp.SprintStatus(status),
        closed_at=time(closed_at),
        objectives=tuple(objective_from_values(o, time=time) for o in objectives),
        committed=tuple(committed),
        velocity=velocity_from_data(stored_json(velocity)),
        started_at=time(created_at),
    )  # fmt: skip
