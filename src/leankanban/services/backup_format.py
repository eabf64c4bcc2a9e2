"""What a leankanban backup is, and the check a backup passes before anything is restored.

A backup may have been edited by hand: `check_backup` holds every record to
the columns' types and sizes and to the domain's rules (the validators the CLI
uses, the enums, ids and references) before anything is written, and names
every problem with its JSON path (`InvalidBackup`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, types
from sqlmodel import SQLModel

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import (
    Activity,
    Answer,
    ContactRole,
    DealStatus,
    DealType,
    EventKind,
    Lane,
    Priority,
    StageKind,
    Stance,
)
from leankanban.domain.rules import (
    LIMITED_LANES,
    MAX_VALUE,
    parse_date,
    validate_board_name,
    validate_currency,
    validate_customer_value,
    validate_days,
    validate_limits,
    validate_stage_name,
    validate_text,
    validate_title,
)
from leankanban.domain.sprints import ItemKind, RetroKind, SprintStatus, validate_allocation
from leankanban.domain.work import MAX_ESTIMATE_MINUTES
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
    TimeLogRow,
    UTCDateTime,
)

FORMAT = "leankanban-backup"
VERSION = 1
#: The largest JSON file `import` reads as a backup (a board with 300,000 events is about
#: 100 MB); a bigger one is refused before it is parsed.
MAX_BACKUP_BYTES = 100 * 1024 * 1024
#: The most digits a number in a backup can have (an amount in cents has at most 14).
MAX_NUMBER_DIGITS = 40

#: Per board, in insert order: (key in the dump, table, how rows belong to the board).
SECTIONS: tuple[tuple[str, type[SQLModel]], ...] = (
    ("stages", StageRow),
    ("criteria", CriterionRow),
    ("criterion_stages", CriterionStageRow),
    ("discard_reasons", DiscardReasonRow),
    ("lane_limits", LaneLimitRow),
    ("deals", DealRow),
    ("contacts", ContactRow),
    ("qualification", DealCriterionRow),
    ("events", EventRow),
    ("sprints", SprintRow),
    ("objectives", ObjectiveRow),
    ("sprint_deals", SprintDealRow),
    ("retros", RetroRow),
    ("retro_items", RetroItemRow),
    ("time_logs", TimeLogRow),
)

#: Columns that only say when the dump was made or how often a board changed, or that are
#: worked out again from the history (a deal's flow summary, store/flow.py): not dumped,
#: not restored.
VOLATILE = {("board", "revision"), ("deal", "started_at"), ("deal", "state_changed_at")}


def columns(table: type[SQLModel]) -> list:
    return list(table.__table__.columns)


def is_backup(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT



# --- checking a backup before anything is written ------------------------------------

#: How many problems the one-sentence summary names (the CLI lists them all).
SHOWN_PROBLEMS = 3
_INT32 = 2**31 - 1
_INT64 = 2**63 - 1
MAX_CENTS = int(MAX_VALUE * 100)
MAX_TAG = 40
MAX_MINUTES = 24 * 60
_TOP_KEYS = {"format", "version", "app_version", "exported_at", "boards"}


class InvalidBackup(InvalidInput):
    """A backup that breaks the domain's rules. `problems` holds every one, each
    as `path: what is wrong` (`boards[0].deals[3].status: 'weird' is not one of ...`)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        if len(problems) == 1:
            message = f"The backup was not restored: {problems[0]}."
        else:
            paths = [p.split(": ", 1)[0] for p in problems[:SHOWN_PROBLEMS]]
            more = len(problems) - len(paths)
            where = ", ".join(paths) + (f" and {more} more" if more else "")
            message = f"The backup was not restored: {len(problems)} problems, at {where}; the first: {problems[0]}."
        super().__init__(message)


def _show(value: Any) -> str:
    """A value from the backup, short and printable, for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else "a number too large"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return "'" + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text) + "'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _text_problem(value: str) -> str | None:
    """A text no database can store: a NUL character, or half of a UTF-16 pair (from `\\ud800`)."""
    if "\x00" in value:
        return f"{_show(value)} holds a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{_show(value)} is not valid Unicode text"
    return None


def _key(key: Any) -> str:
    """A key of the backup, printable, for a path."""
    return _show(str(key))[1:-1]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_of(value: Any, enum_type: type[enum.Enum]) -> str | None:
    if isinstance(value, str) and value in {m.value for m in enum_type}:
        return None
    return f"{_show(value)} is not one of {', '.join(m.value for m in enum_type)}"


def _rule(check: Callable[[Any], Any]) -> Callable[[Any], str | None]:
    """A domain validator (raising InvalidInput) as a checker returning the problem."""

    def checker(value: Any) -> str | None:
        try:
            check(value)
        except InvalidInput as err:
            return f"{str(err).rstrip('.')} (got {_show(value)})"
        return None

    return checker


def _between(low: int, high: int) -> Callable[[Any], str | None]:
    def checker(value: Any) -> str | None:
        if value is None or low <= value <= high:
            return None
        return f"{value} is not between {low} and {high}"

    return checker


def _named(what: str) -> Callable[[Any], str | None]:
    def checker(value: Any) -> str | None:
        return None if value.strip() else f"{what} cannot be blank"

    return checker


def _text_list(*, tag: bool = False) -> Callable[[Any], str | None]:
    def checker(value: Any) -> str | None:
        if not isinstance(value, list):
            return f"{_show(value)} is not a list of texts"
        for item in value:
            if not isinstance(item, str):
                return f"{_show(item)} in the list is not a text"
            if _text_problem(item):
                return _text_problem(item)
            if tag and not item.strip():
                return "a tag cannot be blank"
            if tag and len(item) > MAX_TAG:
                return f"the tag {_show(item)} is longer than {MAX_TAG} characters"
        return None

    return checker


def _currency(value: str) -> str | None:
    try:
        code = validate_currency(value)
    except InvalidInput as err:
        return str(err).rstrip(".")
    return None if code == value else f"{_show(value)} is not a currency code in capitals such as EUR"


def _event_data(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"{_show(value)} is not an object"
    for key, item in value.items():
        if not isinstance(item, str):
            return f"{_show(item)} under {_show(key)} is not a text"
        if _text_problem(key) or _text_problem(item):
            return _text_problem(key) or _text_problem(item)
    return None


def _allocation(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"{_show(value)} is not an object"
    shares = {}
    for key, share in value.items():
        problem = _one_of(key, Activity)
        if problem:
            return problem
        if not _is_int(share):
            return f"{_show(share)} for {key} is not a whole percentage"
        shares[Activity(key)] = share
    if not shares:
        return None
    try:
        validate_allocation(shares)
    except InvalidInput as err:
        return str(err).rstrip(".")
    return None


_VELOCITY_COUNTS = ("won_count", "deals_advanced", "objectives_met", "objectives_total")


def _velocity(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"{_show(value)} is not an object"
    unknown = sorted(set(value) - {"won_value", "carry", *_VELOCITY_COUNTS})
    if unknown:
        return f"unknown key {_show(unknown[0])}"
    if not value:
        return None
    won = value.get("won_value")
    try:
        amount = Decimal(won) if isinstance(won, str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_VALUE:
        return f"won_value {_show(won)} is not an amount"
    for key in _VELOCITY_COUNTS:
        count = value.get(key)
        if not _is_int(count) or not 0 <= count <= _INT32:
            return f"{key} {_show(count)} is not a count"
    carry = value.get("carry", [])
    if not isinstance(carry, list) or not all(_is_int(i) and 0 < i <= _INT32 for i in carry):
        return f"carry {_show(carry)} is not a list of objective ids"
    return None


def _lane(value: Any) -> str | None:
    if value in (lane.value for lane in Lane if lane not in LIMITED_LANES):
        return f"{_show(value)} is not a lane to limit (owner, type or priority)"
    return _one_of(value, Lane)


def _days(what: str) -> Callable[[Any], str | None]:
    return _rule(lambda days: validate_days(days, what))


#: Per table and column, the domain's rule beyond the column's type (checked after it).
FIELD_RULES: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "board": {
        "name": _rule(validate_board_name),
        "review_days": _days("review period"),
        "stall_days": _days("stall period"),
        "allocation": _allocation,
        "pipeline_target_cents": _between(0, MAX_CENTS),
        "capacity_per_week": _between(1, _INT32),
    },
    "stage": {
        "name": _rule(validate_stage_name),
        "position": _between(0, _INT32),
        "kind": lambda v: _one_of(v, StageKind),
        "wip_min": _between(0, _INT32),
        "wip_max": _between(1, _INT32),
        "stale_after_days": _days("stale period"),
    },
    "criterion": {"name": _named("a criterion's name"), "position": _between(0, _INT32)},
    "discard_reason": {"name": _named("a discard reason"), "position": _between(0, _INT32)},
    "lane_limit": {
        "dimension": _lane,
        "wip_max": _between(1, _INT32),
    },
    "deal": {
        "title": _rule(validate_title),
        "account": _rule(lambda v: validate_text(v, "account")),
        "owner": _rule(lambda v: validate_text(v, "owner")),
        "next_step": _rule(lambda v: validate_text(v, "next step")),
        "value_cents": _between(0, MAX_CENTS),
        "currency": _currency,
        "status": lambda v: _one_of(v, DealStatus),
        "deal_type": lambda v: _one_of(v, DealType),
        "priority": lambda v: _one_of(v, Priority),
        "activity": lambda v: _one_of(v, Activity),
        "tags": _text_list(tag=True),
        "helpers": _text_list(),
        "probability": _between(0, 100),
        "estimate_minutes": _between(1, MAX_ESTIMATE_MINUTES),
        "customer_value": _rule(validate_customer_value),
        "customer_impact_cents": _between(0, MAX_CENTS),
    },
    "contact": {
        "name": _named("a contact's name"),
        "role": lambda v: _one_of(v, ContactRole),
        "stance": lambda v: _one_of(v, Stance),
    },
    "deal_criterion": {"answer": lambda v: _one_of(v, Answer)},
    "event": {"kind": lambda v: _one_of(v, EventKind), "data": _event_data},
    "sprint": {
        "number": _between(1, _INT32),
        "target_cents": _between(0, MAX_CENTS),
        "status": lambda v: _one_of(v, SprintStatus),
        "velocity": _velocity,
    },
    "objective": {
        "position": _between(0, _INT32),
        "text": _named("an objective"),
        "target": _between(1, _INT32),
        "progress": _between(0, _INT32),
    },
    "retro": {"kind": lambda v: _one_of(v, RetroKind), "whys": _text_list(), "tags": _text_list(tag=True)},
    "retro_item": {"kind": lambda v: _one_of(v, ItemKind), "text": _named("a retro item"), "tags": _text_list(tag=True)},
    "time_log": {"minutes": _between(1, MAX_MINUTES), "category": lambda v: _one_of(v, Activity)},
}


def _type_problem(column: Any, value: Any) -> str | None:
    """What is wrong with `value` for `column`'s type and size, or None."""
    kind = column.type
    length = getattr(kind, "length", None)
    if isinstance(kind, types.TypeDecorator) and not isinstance(kind, UTCDateTime):
        kind = kind.impl_instance
    if value is None:
        return None if column.nullable else "must not be null"
    if isinstance(kind, UTCDateTime):
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
            if moment is not None and moment.utcoffset() is not None:
                moment.astimezone(UTC)
                return None
        except (ValueError, OverflowError):
            pass
        return f"{_show(value)} is not a time with its UTC offset (YYYY-MM-DDTHH:MM:SS+00:00)"
    if isinstance(kind, Date):
        try:
            if isinstance(value, str) and parse_date(value) is not None:
                return None
        except InvalidInput:
            pass
        return f"{_show(value)} is not a date (YYYY-MM-DD)"
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else f"{_show(value)} is not true or false"
    if isinstance(kind, Integer):
        high = _INT64 if isinstance(kind, BigInteger) else _INT32
        if not _is_int(value):
            return f"{_show(value)} is not a whole number"
        return None if -high - 1 <= value <= high else f"{_show(value)} is out of range"
    if isinstance(kind, String):
        if not isinstance(value, str):
            return f"{_show(value)} is not a text"
        if _text_problem(value):
            return _text_problem(value)
        if length is not None and len(value) > length:
            return f"{_show(value)} is longer than {length} characters"
        return None
    return None  # JSON: its rule in FIELD_RULES says what shape it has


#: References to check: (table, column) -> (table referred to, must it be on the same board).
REFERENCES: dict[tuple[str, str], tuple[str, bool]] = {
    ("board", "improvements_board_id"): ("board", False),
    ("deal", "stage_id"): ("stage", True),
    ("criterion_stage", "criterion_id"): ("criterion", True),
    ("criterion_stage", "stage_id"): ("stage", True),
    ("contact", "deal_id"): ("deal", True),
    ("deal_criterion", "deal_id"): ("deal", True),
    ("deal_criterion", "criterion_id"): ("criterion", True),
    ("event", "deal_id"): ("deal", False),
    ("objective", "sprint_id"): ("sprint", True),
    ("objective", "deal_id"): ("deal", False),
    ("objective", "carried_from"): ("objective", True),
    ("sprint_deal", "sprint_id"): ("sprint", True),
    ("sprint_deal", "deal_id"): ("deal", True),
    ("retro", "sprint_id"): ("sprint", True),
    ("retro", "deal_id"): ("deal", False),
    ("retro_item", "retro_id"): ("retro", True),
    ("retro_item", "card_id"): ("deal", False),
    ("time_log", "deal_id"): ("deal", False),
    ("deal", "linked_deal_id"): ("deal", False),
}

#: Names unique on a board; casefold where the app looks them up without case.
UNIQUE: dict[str, tuple[tuple[str, ...], bool]] = {
    "stage": (("name",), True),
    "criterion": (("name",), True),
    "discard_reason": (("name",), False),
    "lane_limit": (("dimension", "value"), False),
    "sprint": (("number",), False),
    "criterion_stage": (("criterion_id", "stage_id"), False),
    "deal_criterion": (("deal_id", "criterion_id"), False),
    "sprint_deal": (("sprint_id", "deal_id"), False),
}


def check_backup(data: Any) -> None:
    """Raise InvalidInput unless `data` is a backup this leankanban can restore whole.

    The envelope first (format, version, a list of boards: one sentence each);
    then every record against the columns' types and sizes and the domain's rules
    (statuses, kinds, amounts, texts through the CLI's validators, ids unique,
    references that resolve): every problem found is in one InvalidBackup.
    """
    if not is_backup(data):
        raise InvalidInput("This is not a leankanban backup (no \"format\": \"leankanban-backup\").")
    if data.get("version") != VERSION:
        raise InvalidInput(f"This backup has version {_show(data.get('version'))}; this leankanban reads version {VERSION}.")
    boards = data.get("boards")
    if not isinstance(boards, list):
        raise InvalidInput("The backup has no list of boards.")
    problems = _Check(boards).run()
    problems[:0] = [f"{_key(key)}: unknown key" for key in sorted(map(str, set(data) - _TOP_KEYS))]
    if problems:
        raise InvalidBackup(problems)


class _Check:
    """One pass over a backup's boards, collecting every problem with its path."""

    def __init__(self, boards: list[Any]) -> None:
        self.boards = boards
        self.problems: list[str] = []
        #: table -> id -> (index of the board that holds it, index in its list), first seen.
        self.ids: dict[str, dict[int, tuple[int, int]]] = {"board": {}}
        #: Every record, for its references: (board index, key, index, record, its bad columns).
        self.rows: list[tuple[int, str, int, dict[str, Any], set[str]]] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def run(self) -> list[str]:
        board_keys = {c.name for c in columns(BoardRow)} | {key for key, _ in SECTIONS}
        names: dict[str, str] = {}
        for b, board in enumerate(self.boards):
            path = f"boards[{b}]"
            if not isinstance(board, dict):
                self.add(path, f"{_show(board)} is not an object")
                continue
            bad = self._fields(BoardRow, board, path, board_keys)
            self._identity(BoardRow, board, path, b, b, bad)
            if "name" not in bad:
                name = board["name"].strip().casefold()
                if name in names:
                    self.add(f"{path}.name", f"{_show(board['name'])} is also the name of {names[name]}")
                names.setdefault(name, path)
            self.rows.append((b, "", -1, board, bad))
            for key, table in SECTIONS:
                rows = board.get(key, [])
                if not isinstance(rows, list):
                    self.add(f"{path}.{key}", f"{_show(rows)} is not a list")
                    continue
                keys = {c.name for c in columns(table)}
                seen: dict[Any, str] = {}
                for r, row in enumerate(rows):
                    where = f"{path}.{key}[{r}]"
                    if not isinstance(row, dict):
                        self.add(where, f"{_show(row)} is not an object")
                        continue
                    bad = self._fields(table, row, where, keys)
                    self._identity(table, row, where, b, r, bad)
                    if not bad:
                        self._unique(table, row, where, seen)
                    self.rows.append((b, key, r, row, bad))
        for b, key, r, row, bad in self.rows:
            self._references(b, key, r, row, bad)
        return self.problems

    def _fields(self, table: type[SQLModel], row: dict[str, Any], path: str, known: set[str]) -> set[str]:
        """Types, sizes and domain rules of each column; returns the columns with a problem."""
        bad: set[str] = set()
        name = table.__tablename__
        for key in sorted(map(str, set(row) - known - {"revision"})):
            self.add(f"{path}.{_key(key)}", "unknown key")
        rules_of = FIELD_RULES.get(name, {})
        for column in columns(table):
            if (name, column.name) in VOLATILE:
                continue
            if column.name not in row:
                if not (column.nullable or column.default is not None or column.server_default is not None):
                    self.add(f"{path}.{column.name}", "missing")
                    bad.add(column.name)
                continue
            value = row[column.name]
            problem = _type_problem(column, value)
            if problem is None and value is not None and column.name in rules_of:
                problem = rules_of[column.name](value)
            if problem is None and column.primary_key and _is_int(value) and value < 1 and column.name == "id":
                problem = f"{value} is not a positive id"
            if problem is None and column.foreign_keys and value is not None and value < 1:
                problem = f"{value} is not a positive id"
            if problem is not None:
                self.add(f"{path}.{column.name}", problem)
                bad.add(column.name)
        if name == "stage" and not bad & {"wip_min", "wip_max"}:
            try:
                validate_limits(row.get("wip_min"), row.get("wip_max"))
            except InvalidInput as err:
                self.add(f"{path}.wip_min", str(err).rstrip("."))
                bad.add("wip_min")
        if name == "sprint" and not bad & {"start", "end"} and row["end"] < row["start"]:
            self.add(f"{path}.end", f"{_show(row['end'])} is before the start {_show(row['start'])}")
            bad.add("end")
        return bad

    def _identity(
        self, table: type[SQLModel], row: dict[str, Any], path: str, board: int, index: int, bad: set[str]
    ) -> None:
        """Ids unique per table; a row's board_id is its board's."""
        name = table.__tablename__
        if "id" in table.__table__.columns and "id" not in bad:
            known = self.ids.setdefault(name, {})
            if row["id"] in known:
                self.add(f"{path}.id", f"{row['id']} is also the id of another {name.replace('_', ' ')}")
            else:
                known[row["id"]] = (board, index)
        if name != "board" and "board_id" in row and "board_id" not in bad:
            own = self.boards[board].get("id")
            if _is_int(own) and row["board_id"] != own:
                self.add(f"{path}.board_id", f"{_show(row['board_id'])} is not the id of the board it is in ({_show(own)})")

    def _unique(self, table: type[SQLModel], row: dict[str, Any], path: str, seen: dict[Any, str]) -> None:
        name = table.__tablename__
        if name not in UNIQUE:
            return
        columns, fold = UNIQUE[name]
        key = tuple(row.get(c).strip().casefold() if fold else row.get(c) for c in columns)
        if key in seen:
            self.add(f"{path}.{columns[-1]}", f"{_show(row.get(columns[-1]))} repeats {seen[key]}")
        else:
            seen[key] = path

    def _references(self, board: int, key: str, index: int, row: dict[str, Any], bad: set[str]) -> None:
        table = BoardRow if not key else dict(SECTIONS)[key]
        name = table.__tablename__
        path = f"boards[{board}]" + (f".{key}[{index}]" if key else "")
        for column in columns(table):
            target = REFERENCES.get((name, column.name))
            value = row.get(column.name)
            if target is None or value is None or column.name in bad:
                continue
            other, same_board = target
            found = self.ids.get(other, {}).get(value)
            what = other.replace("_", " ")
            if found is None:
                self.add(f"{path}.{column.name}", f"there is no {what} {value} in the backup")
            elif same_board and found[0] != board:
                self.add(f"{path}.{column.name}", f"{what} {value} is on another board")
            elif (name, column.name) == ("objective", "carried_from") and found[1] >= index:
                # Rows go in in their order, and the database checks each reference at once.
                self.add(f"{path}.{column.name}", f"objective {value} is not listed before the one carried from it")
