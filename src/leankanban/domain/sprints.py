"""Sales sprints, retrospectives, improvement actions and time logs.

Pure Python: the objects, and the rules and numbers computed from them
(sprint dates, the burn-up, velocity, carry-over, time allocation, insights).
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity, Event, EventKind

SPRINT_LENGTHS = {"1w": 7, "2w": 14, "3w": 21, "4w": 28}


class SprintStatus(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class RetroKind(str, enum.Enum):
    SPRINT = "sprint"
    DEAL = "deal"
    WHYS = "whys"


class ItemKind(str, enum.Enum):
    WELL = "well"
    NOT_WELL = "not_well"
    IMPROVE = "improve"


ITEM_LABELS = {
    ItemKind.WELL: "What went well",
    ItemKind.NOT_WELL: "What did not go well",
    ItemKind.IMPROVE: "What to improve",
}


@dataclass(frozen=True, slots=True)
class Objective:
    """A measurable outcome for the iteration, optionally about one deal."""

    text: str
    target: int = 1
    progress: int = 0
    deal_id: int | None = None
    done_at: datetime | None = None
    carried_from: int | None = None
    id: int | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True, slots=True)
class Velocity:
    """What a sprint achieved, kept when it closes."""

    won_value: Decimal = Decimal("0")
    won_count: int = 0
    deals_advanced: int = 0
    objectives_met: int = 0
    objectives_total: int = 0


@dataclass(frozen=True, slots=True)
class Sprint:
    number: int
    start: date
    end: date  # last day, inclusive
    goal: str = ""
    target_value: Decimal | None = None
    status: SprintStatus = SprintStatus.OPEN
    closed_at: datetime | None = None
    objectives: tuple[Objective, ...] = ()
    committed: tuple[int, ...] = ()
    velocity: Velocity | None = None
    #: When it was started (None: not recorded; the sprint then starts at midnight UTC).
    started_at: datetime | None = None
    board_id: int | None = None
    id: int | None = None

    @property
    def name(self) -> str:
        return f"Sprint {self.number}"

    @property
    def begins(self) -> datetime:
        """The start instant: when it was started, if that was on its first day; else midnight UTC."""
        midnight = _midnight(self.start)
        started = None if self.started_at is None else self.started_at.astimezone(UTC)
        if started is not None and midnight <= started < midnight + timedelta(days=1):
            return started
        return midnight

    @property
    def stops(self) -> datetime:
        """The end instant (exclusive): midnight UTC after its last day, or just after its close if earlier.

        A change recorded at the very instant of the close belongs to the sprint.
        """
        end = _midnight(self.end) + timedelta(days=1)
        if self.closed_at is not None:
            end = min(end, self.closed_at.astimezone(UTC) + _INSTANT)
        return end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day_number(self, today: date) -> int:
        """1 on the first day; clamped to the sprint."""
        return max(1, min(self.days, (today - self.start).days + 1))


@dataclass(frozen=True, slots=True)
class RetroItem:
    kind: ItemKind
    text: str
    tags: tuple[str, ...] = ()
    #: The improvement card made from an `improve` item.
    card_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Retro:
    kind: RetroKind
    created_at: datetime
    actor: str = ""
    sprint_id: int | None = None
    deal_id: int | None = None
    items: tuple[RetroItem, ...] = ()
    problem: str = ""
    whys: tuple[str, ...] = ()
    root_cause: str = ""
    #: Tags on the retro itself (a 5-whys has no items to carry them).
    why_tags: tuple[str, ...] = ()
    board_id: int | None = None
    id: int | None = None

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.why_tags, *(t for item in self.items for t in item.tags)]))


@dataclass(frozen=True, slots=True)
class TimeLog:
    minutes: int
    category: Activity
    at: datetime
    actor: str = ""
    deal_id: int | None = None
    note: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class BurnUpPoint:
    day: date
    won_value: Decimal
    objectives_done: int
    ideal_value: Decimal | None
    ideal_objectives: float


# --- parsing -----------------------------------------------------------------


def parse_length(raw: str) -> int:
    """Sprint length in days from `1w`, `2w`, `4w` (or `10d`)."""
    text = raw.strip().lower()
    if text in SPRINT_LENGTHS:
        return SPRINT_LENGTHS[text]
    match = re.fullmatch(r"(\d{1,2})d", text)
    if match and 1 <= int(match.group(1)) <= 42:
        return int(match.group(1))
    raise InvalidInput(f"'{raw}' is not a sprint length; use 1w, 2w or 4w (or days such as 10d).")


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+)m(?:in)?)?")


def parse_duration(raw: str, *, at_most: int = 24 * 60, too_long: str = "One log entry can be at most 24 hours.") -> int:
    """Minutes from `45m`, `1h`, `1h30m`, `1.5h` or a bare number of minutes (at most
    `at_most`; longer is refused with the sentence `too_long`)."""
    text = raw.strip().lower().replace(" ", "")
    if text.isdigit():
        minutes = int(text)
    else:
        match = _DURATION.fullmatch(text)
        if not text or match is None or not any(match.groups()):
            raise InvalidInput(f"'{raw}' is not a duration; use e.g. 45m, 1h or 1h30m.")
        hours = Decimal(match.group(1) or 0)
        minutes = int(hours * 60) + int(match.group(2) or 0)
    if minutes <= 0:
        raise InvalidInput(f"'{raw}' is not a positive duration.")
    if minutes > at_most:
        raise InvalidInput(too_long)
    return minutes


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"


def clean_items(texts: Iterable[str], kind: ItemKind, tags: Sequence[str] = ()) -> list[RetroItem]:
    items = []
    for text in texts:
        cleaned = text.strip()
        if not cleaned:
            continue
        if len(cleaned) > 500:
            raise InvalidInput("A retro item can be at most 500 characters.")
        items.append(RetroItem(kind=kind, text=cleaned, tags=tuple(tags)))
    return items


# --- sprints -------------------------------------------------------------------


def new_sprint(
    *, number: int, today: date, length_days: int, goal: str = "", target_value: Decimal | None = None
) -> Sprint:
    goal = goal.strip()
    if len(goal) > 300:
        raise InvalidInput("A sprint goal can be at most 300 characters.")
    if target_value is not None and target_value < 0:
        raise InvalidInput("A sprint target cannot be negative.")
    return Sprint(
        number=number,
        start=today,
        end=today + timedelta(days=length_days - 1),
        goal=goal,
        target_value=target_value,
    )


def check_can_start(open_sprint: Sprint | None) -> None:
    if open_sprint is not None:
        raise InvalidInput(
            f"{open_sprint.name} is still open (until {open_sprint.end.isoformat()}); close it first."
        )


#: The smallest step of time a database keeps (microseconds on SQLite and PostgreSQL).
_INSTANT = timedelta(microseconds=1)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


_OUTCOMES = (EventKind.WON, EventKind.LOST, EventKind.REOPENED)


def sprint_wins(
    sprint: Sprint, events: Iterable[Event], values: Mapping[int, Decimal]
) -> list[tuple[datetime, Decimal]]:
    """The wins a sprint counts, as (time of the last win, final won value), by time (then deal).

    A deal counts once, if, as the board stood at the sprint's end
    (`Sprint.stops`), it was won and its last win fell in
    [`Sprint.begins`, `Sprint.stops`): a win undone or reopened and not won
    again does not count, and a win re-done counts at its last time. Its value
    is the deal's value at the sprint's end: `values` (each deal's value now),
    with the value edits recorded after the end taken back, so a closed
    sprint's burn-up keeps matching the velocity stored at its close.

    `events` are the deals' `won`, `lost`, `reopened` and value `edited`
    events, in the order they were recorded; earlier ones than `begins` may be
    left out (they cannot make a win in the sprint).
    """
    begin, stop = sprint.begins, sprint.stops
    last_outcome: dict[int, Event] = {}
    later_edits: dict[int, list[Event]] = {}
    for event in events:
        if event.deal_id is None:
            continue
        if event.at < stop:
            if event.kind in _OUTCOMES:
                last_outcome[event.deal_id] = event
        elif event.kind is EventKind.EDITED and event.field == "value":
            later_edits.setdefault(event.deal_id, []).append(event)
    wins = []
    for deal_id, event in last_outcome.items():
        if event.kind is not EventKind.WON or event.at < begin or deal_id not in values:
            continue
        value = values[deal_id]
        for edit in reversed(later_edits.get(deal_id, [])):
            value = _event_amount(edit.old_value, value)
        wins.append((event.at, deal_id, value))
    return [(when, value) for when, _deal, value in sorted(wins)]


def _event_amount(text: str | None, fallback: Decimal) -> Decimal:
    try:
        amount = Decimal(text or "")
    except ArithmeticError:
        return fallback
    return amount if amount.is_finite() else fallback


def carry_over(objectives: Iterable[Objective]) -> list[Objective]:
    """Unfinished objectives, ready for the next sprint (progress kept)."""
    return [
        Objective(text=o.text, target=o.target, progress=o.progress, deal_id=o.deal_id, carried_from=o.id)
        for o in objectives
        if not o.done
    ]


def burn_up(
    sprint: Sprint,
    wins: Sequence[tuple[datetime, Decimal]],
    objectives: Sequence[Objective],
    today: date,
) -> list[BurnUpPoint]:
    """Cumulative won value and objectives done per sprint day, up to today.

    The ideal line rises evenly from zero on the first morning to the
    target (value, and the number of objectives) at the end of the last day.
    """
    last = min(today, sprint.end)
    points = []
    total_objectives = len(objectives)
    day = sprint.start
    while day <= last:
        end_of_day = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        won = sum((v for at, v in wins if at < end_of_day), Decimal("0"))
        done = sum(1 for o in objectives if o.done_at is not None and o.done_at < end_of_day)
        share = ((day - sprint.start).days + 1) / sprint.days
        ideal = None
        if sprint.target_value is not None:
            ideal = (sprint.target_value * Decimal(str(share))).quantize(Decimal("0.01"))
        points.append(BurnUpPoint(day, won, done, ideal, round(total_objectives * share, 2)))
        day += timedelta(days=1)
    return points


def velocity(
    wins: Sequence[tuple[datetime, Decimal]], advanced: int, objectives: Sequence[Objective]
) -> Velocity:
    return Velocity(
        won_value=sum((v for _, v in wins), Decimal("0")),
        won_count=len(wins),
        deals_advanced=advanced,
        objectives_met=sum(1 for o in objectives if o.done),
        objectives_total=len(objectives),
    )


# --- time allocation -------------------------------------------------------------

DEFAULT_ALLOCATION = {Activity.ORIGINATION: 50, Activity.INFLUENCE: 30, Activity.SUPPORT: 20}


def validate_allocation(shares: Mapping[Activity, int]) -> dict[Activity, int]:
    cleaned = {a: int(shares.get(a, 0)) for a in Activity}
    if any(v < 0 for v in cleaned.values()) or sum(cleaned.values()) != 100:
        raise InvalidInput(
            "The target allocation must be percentages that add up to 100 "
            f"(got {', '.join(f'{a.value} {v}' for a, v in cleaned.items())})."
        )
    return cleaned


@dataclass(frozen=True, slots=True)
class Allocation:
    person: str
    minutes: dict[Activity, int]
    target: dict[Activity, int]

    @property
    def total(self) -> int:
        return sum(self.minutes.values())

    def share(self, activity: Activity) -> float | None:
        """Percentage of logged time, None when nothing is logged."""
        if not self.total:
            return None
        return round(100 * self.minutes.get(activity, 0) / self.total, 1)


def allocation(logs: Iterable[TimeLog], target: Mapping[Activity, int]) -> list[Allocation]:
    """Time per activity per person, then the team (person '')."""
    per: dict[str, Counter] = {}
    team: Counter = Counter()
    for log in logs:
        per.setdefault(log.actor, Counter())[log.category] += log.minutes
        team[log.category] += log.minutes
    rows = [Allocation(p, dict(c), dict(target)) for p, c in sorted(per.items())]
    rows.append(Allocation("", dict(team), dict(target)))
    return rows


# --- insights ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Insights:
    loss_reasons: list[tuple[str, int]]
    retro_tags: list[tuple[str, int]]
    top_discard_stage: tuple[str, int] | None
    win_rate_by_tag: dict[str, float]
    improvements_per_month: list[tuple[str, int]]
    months_meeting_goal: int
    months: int
    #: The month `end` falls in, when it has not met the goal yet: not judged until it is over.
    month_in_progress: str | None = None

    def cadence(self) -> str:
        """`2 of 3 months met the goal`, or that no month can be judged yet."""
        if not self.months:
            return "no month over yet"
        return f"{self.months_meeting_goal} of {self.months} month{'' if self.months == 1 else 's'} met the goal"


def insights(
    *,
    lost: Iterable[tuple[str | None, str | None]],
    retros: Iterable[Retro],
    closed_by_tag: Mapping[str, tuple[int, int]],
    improvements_done: Iterable[datetime],
    start: date,
    end: date,
    goal_per_month: int = 1,
    first_activity: date | None = None,
) -> Insights:
    """Patterns across closed deals and retros over [start, end].

    `lost` is (reason, stage lost from) per discarded deal; `closed_by_tag`
    maps a deal tag to (won, lost) counts; `improvements_done` are the times
    improvement cards reached Done.

    The improvement cadence starts at the board's `first_activity` when that
    is later than `start` (a board made today had no November to miss), and a
    month is judged against the goal only once it is over, or as soon as it
    has met the goal: the month in progress is never counted as missed.
    """
    lost = list(lost)
    reasons = Counter(r or "(no reason)" for r, _ in lost).most_common()
    stages = Counter(s for _, s in lost if s).most_common(1)
    tags = Counter(t for retro in retros for t in retro.tags).most_common()
    rates = {
        tag: round(won / (won + lost_n), 3) for tag, (won, lost_n) in sorted(closed_by_tag.items()) if won + lost_n
    }
    months = _months(max(start, first_activity) if first_activity else start, end)
    per_month = Counter(f"{d.year:04d}-{d.month:02d}" for d in improvements_done)
    monthly = [(m, per_month.get(m, 0)) for m in months]
    in_progress = f"{end.year:04d}-{end.month:02d}"
    judged = [n for m, n in monthly if m != in_progress or n >= goal_per_month]
    return Insights(
        loss_reasons=reasons,
        retro_tags=tags,
        top_discard_stage=stages[0] if stages else None,
        win_rate_by_tag=rates,
        improvements_per_month=monthly,
        months_meeting_goal=sum(1 for n in judged if n >= goal_per_month),
        months=len(judged),
        month_in_progress=in_progress if len(judged) < len(monthly) else None,
    )


def _months(start: date, end: date) -> list[str]:
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True, slots=True)
class WhyChain:
    problem: str
    whys: tuple[str, ...] = field(default=())

    @property
    def root_cause(self) -> str:
        return self.whys[-1] if self.whys else ""


def five_whys(problem: str, whys: Sequence[str]) -> WhyChain:
    """A problem and its chain of answers to 'why?'; the last one is the root cause."""
    problem = problem.strip()
    if not problem:
        raise InvalidInput("Say what the problem is.")
    answers = tuple(w.strip() for w in whys if w.strip())
    if not answers:
        raise InvalidInput("A 5-whys needs at least one answer to 'why?'.")
    if len(answers) > 7:
        raise InvalidInput("Stop at the root cause: at most 7 whys.")
    return WhyChain(problem, answers)
