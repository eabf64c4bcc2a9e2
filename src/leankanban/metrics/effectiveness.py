"""Effectiveness: where the team's effort goes (origination / influence / support),
measured by logged time and by pipeline value, each as a share against the board's
target allocation. Pure functions over timelines and time already read.

Over a window (the report: its history window):

* **time**: minutes logged per category ÷ minutes logged, per person (who logged
  the time) and for the team;
* **pipeline value** (in one currency), per person (the deal's owner) and for
  the team: **origination** = the value of deals created in the window;
  **influence** = the value of deals that existed before the window and were
  advanced (now in a later open stage than at the window's start) or won in it.
  A deal someone gave a category counts under that category instead (one marked
  `support` is not pipeline at all); a deal nobody gave one is classified by
  what happened to it. Each deal counts once, at its value now.

Shares are fractions 0..1 and undefined (None, with a reason) when there is
nothing to share: no time logged, no pipeline value created or advanced.
See metrics/DEFINITIONS.md, "Effectiveness".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from leankanban.domain.model import Activity, DealStatus, Stage, StageKind
from leankanban.metrics.timelines import Period, Timeline

ZERO = Decimal("0")
#: The categories pipeline value is counted in (support is time only).
VALUE_CATEGORIES = (Activity.ORIGINATION, Activity.INFLUENCE)
NO_TIME = "no time logged"
NO_PIPELINE = "no pipeline value created or advanced"


@dataclass(frozen=True, slots=True)
class TimeMix:
    """Minutes per category (every category, zeros included) and their shares (0..1).

    `shares` are all None, and `reason` says why, when no time is logged."""

    minutes: dict[Activity, int]
    total: int
    shares: dict[Activity, float | None]
    reason: str | None


@dataclass(frozen=True, slots=True)
class ValueMix:
    """Pipeline value and deals per value category (origination, influence), their
    shares (0..1) of `total`, and the part of `total` won in the window.

    `shares` are all None, and `reason` says why, when `total` is zero."""

    value: dict[Activity, Decimal]
    deals: dict[Activity, int]
    total: Decimal
    won_value: Decimal
    shares: dict[Activity, float | None]
    reason: str | None


@dataclass(frozen=True, slots=True)
class PersonMix:
    """One person's (or, with `person` '', the team's) time and pipeline mix."""

    person: str
    time: TimeMix
    value: ValueMix


@dataclass(frozen=True, slots=True)
class EffectivenessMix:
    #: The board's target share of time per category (0..1); None without a target.
    target: dict[Activity, float] | None
    #: The target renormalised over the value categories: origination ÷ (origination
    #: + influence) and the like; None without a target or when both are 0.
    value_target: dict[Activity, float] | None
    #: Per person, by name (case-insensitive), then `team` apart.
    people: tuple[PersonMix, ...]
    team: PersonMix


def targets(target: Mapping[Activity, int] | None) -> tuple[dict[Activity, float] | None, dict[Activity, float] | None]:
    """(time target, value target) as fractions from a target allocation in percent."""
    if target is None:
        return None, None
    time = {a: target.get(a, 0) / 100 for a in Activity}
    both = sum(target.get(a, 0) for a in VALUE_CATEGORIES)
    value = {a: target.get(a, 0) / both for a in VALUE_CATEGORIES} if both else None
    return time, value


def time_mix(minutes: Mapping[Activity, int]) -> TimeMix:
    counted = {a: int(minutes.get(a, 0)) for a in Activity}
    total = sum(counted.values())
    return TimeMix(
        minutes=counted,
        total=total,
        shares={a: (n / total if total else None) for a, n in counted.items()},
        reason=None if total else NO_TIME,
    )


def value_category(line: Timeline, positions: Mapping[str, int], window: Period) -> Activity | None:
    """The value category a deal's value counts in over `window`, or None when it counts in none:
    neither created, advanced nor won in the window, or given the category `support`.
    `positions` are the board positions of its open stages."""
    for _line, category, _won in _categorised((line,), positions, window, line.deal.currency):
        return category
    return None


def _categorised(
    lines: Iterable[Timeline], positions: Mapping[str, int], window: Period, currency: str
) -> Iterator[tuple[Timeline, Activity, bool]]:
    """(line, value category, won in the window) of each deal in `currency` whose value counts.

    One loop with the window's bounds in locals: a report runs it over every loaded deal."""
    start, end = window.start, window.end
    support, won, origination, influence = Activity.SUPPORT, DealStatus.WON, Activity.ORIGINATION, Activity.INFLUENCE
    for line in lines:
        deal = line.deal
        given = deal.activity
        if deal.currency != currency or given is support:
            continue
        created, closed = line.created_at, line.closed_at
        won_now = line.status is won and closed is not None and start <= closed < end
        if start <= created < end:
            yield line, given or origination, won_now
        elif created >= end:
            continue
        elif won_now:
            yield line, given or influence, True
        elif line.is_open and line.visits and line.visits[-1].entered >= start:  # moved since the start
            # Advanced: in a later open stage now than at the window's start (both open stages).
            now, then = positions.get(line.stage), positions.get(line.stage_at(start) or "")
            if now is not None and then is not None and now > then:
                yield line, given or influence, False


def _key(name: str) -> str:
    return name.strip().casefold()


def _value_mix(found: Iterable[tuple[Activity, Decimal, bool]]) -> ValueMix:
    value = dict.fromkeys(VALUE_CATEGORIES, ZERO)
    deals = dict.fromkeys(VALUE_CATEGORIES, 0)
    won = ZERO
    for category, amount, was_won in found:
        value[category] += amount
        deals[category] += 1
        if was_won:
            won += amount
    total = sum(value.values(), ZERO)
    return ValueMix(
        value=value,
        deals=deals,
        total=total,
        won_value=won,
        shares={a: (float(v / total) if total else None) for a, v in value.items()},
        reason=None if total else NO_PIPELINE,
    )


def effectiveness(
    lines: Iterable[Timeline],
    stages: Iterable[Stage],
    window: Period,
    currency: str,
    minutes: Mapping[str, Mapping[Activity, int]],
    target: Mapping[Activity, int] | None = None,
) -> EffectivenessMix:
    """Time and pipeline mix per person and for the team over `window`.

    `minutes` is the time logged in the window per person (who logged it) and category;
    pipeline value counts the deals in `currency` only, per deal owner. Names are
    matched without case; a deal without an owner counts for the team only.
    """
    positions = {s.name: s.position for s in stages if s.kind is StageKind.OPEN}
    names: dict[str, set[str]] = {}
    time_of: dict[str, dict[Activity, int]] = {}
    for person, logged in minutes.items():
        key = _key(person)
        if not key:
            continue
        names.setdefault(key, set()).add(person.strip())
        into = time_of.setdefault(key, dict.fromkeys(Activity, 0))
        for activity, n in logged.items():
            into[activity] += n
    team_minutes = dict.fromkeys(Activity, 0)
    for logged in minutes.values():
        for activity, n in logged.items():
            team_minutes[activity] += n

    found: dict[str, list[tuple[Activity, Decimal, bool]]] = {}
    team_found: list[tuple[Activity, Decimal, bool]] = []
    keys: dict[str, str] = {}  # owner as stored -> person
    for line, category, won in _categorised(lines, positions, window, currency):
        entry = (category, line.deal.value, won)
        team_found.append(entry)
        owner = line.deal.owner
        key = keys.get(owner)
        if key is None:
            key = keys[owner] = _key(owner)
            if key:
                names.setdefault(key, set()).add(owner.strip())
        if key:
            found.setdefault(key, []).append(entry)

    time_target, value_target = targets(target)
    people = tuple(
        PersonMix(min(names[key]), time_mix(time_of.get(key, {})), _value_mix(found.get(key, ())))
        for key in sorted(names)
    )
    return EffectivenessMix(
        target=time_target,
        value_target=value_target,
        people=people,
        team=PersonMix("", time_mix(team_minutes), _value_mix(team_found)),
    )
