"""Sales metrics: win rate, discards, pipeline value, velocity, coverage, stalls.

Money is Decimal throughout and is never summed across currencies: each
money function works in one `currency` (by default the most common one
among the deals, see `main_currency`) and counts how many deals it skipped
for being in another. Definitions are in DEFINITIONS.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from operator import attrgetter

from leankanban.domain import defaults
from leankanban.domain.model import Deal, DealStatus, Stage, StageKind
from leankanban.metrics.flow import (
    MIN_CLOSES,
    UNSPECIFIED,
    Period,
    Sample,
    Timeline,
    active_by_name,
    closed_in,
    committed_close,
    cycle_times,
    days_between,
    percentile,
)

CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")


def money(amount: Decimal) -> Decimal:
    """`amount` rounded to cents (banker's rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def main_currency(deals: Iterable[Deal], default: str = defaults.CURRENCY) -> str:
    """The currency most deals use (ties: alphabetical); `default` with no deals."""
    counts = Counter(d.currency for d in deals)
    if not counts:
        return default
    return min(counts, key=lambda code: (-counts[code], code))


# -- win rate ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WinRate:
    """won / (won + lost after commitment). `qualified_out` (lost before the deal ever
    started) is counted apart and is no part of the rate. `rate` is None with fewer than
    `need` committed closes (`reason` says so)."""

    won: int
    lost: int
    qualified_out: int = 0
    need: int = MIN_CLOSES

    @property
    def closed(self) -> int:
        """Committed closes: won + lost after commitment."""
        return self.won + self.lost

    @property
    def sample(self) -> Sample:
        return Sample(self.closed, self.need)

    @property
    def rate(self) -> float | None:
        return self.won / self.closed if self.sample.enough else None

    @property
    def reason(self) -> str | None:
        return self.sample.reason


def win_rate(lines: Iterable[Timeline], period: Period, *, need: int = MIN_CLOSES) -> WinRate:
    """Win rate of the deals whose final close falls in `period`: qualify-outs apart."""
    won = lost = qualified = 0
    for line in closed_in(lines, period):
        if line.status is DealStatus.WON:
            won += 1
        elif committed_close(line):
            lost += 1
        else:
            qualified += 1
    return WinRate(won=won, lost=lost, qualified_out=qualified, need=need)


def win_rate_by(
    lines: Iterable[Timeline], period: Period, key: Callable[[Deal], str], *, need: int = MIN_CLOSES
) -> dict[str, WinRate]:
    """Win rate per group, e.g. `key=lambda d: d.owner`. Groups with no committed close are left out."""
    groups: dict[str, list[Timeline]] = {}
    for line in closed_in(lines, period):
        if committed_close(line):
            groups.setdefault(key(line.deal), []).append(line)
    return {name: win_rate(group, period, need=need) for name, group in sorted(groups.items())}


# -- qualifying out ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageDiscards:
    """Losses from one stage. `rate` = lost / left: of the deals that left
    the stage in the period, the share that left it to a loss; None (with
    `sample.reason`) below `need` deals that left it."""

    stage: str
    lost: int
    left: int
    reasons: dict[str, int]
    need: int = MIN_CLOSES

    @property
    def sample(self) -> Sample:
        return Sample(self.left, self.need, "left the stage")  # no user text in a reason

    @property
    def rate(self) -> float | None:
        return self.lost / self.left if self.sample.enough else None


@dataclass(frozen=True, slots=True)
class StageQualifyOut(StageDiscards):
    """One upstream stage: of the `left` deals that left it in the period, `qualified_out`
    (`lost`) were discarded from it before they ever started. `rate` needs `need` deals that left."""

    @property
    def qualified_out(self) -> int:
        return self.lost


@dataclass(frozen=True, slots=True)
class QualifiedOut:
    """Deals discarded before they ever started, finally closed in the period.

    `decided`: the deals the commitment point decided on in the period: these and the
    deals that started in it. `rate` = count / decided (None below `need` decided).
    `median_days_to_discard`: nearest-rank median of creation -> discard, in days (None
    below `need` qualify-outs). `value`: their value in the one currency.
    """

    count: int
    value: Decimal
    decided: int
    reasons: dict[str, int]
    by_stage: tuple[StageQualifyOut, ...]
    median_days_to_discard: float | None
    need: int = MIN_CLOSES

    @property
    def rate_sample(self) -> Sample:
        return Sample(self.decided, self.need, "decided")

    @property
    def rate(self) -> float | None:
        return self.count / self.decided if self.rate_sample.enough else None

    @property
    def median_sample(self) -> Sample:
        return Sample(self.count, self.need, "qualified out")


def stage_exits(lines: Iterable[Timeline], period: Period) -> Counter[str]:
    """Per stage, how many of the deals left it in `period` (a deal that left a stage twice
    in it counts once): what a stage's discard and qualify-out rates divide by."""
    start, end = period.start, period.end
    left: Counter[str] = Counter()
    for line in lines:
        exited = None  # few deals left a stage in the period: no set for the others
        for visit in line.visits:
            gone = visit.left
            if gone is not None and start <= gone < end:
                if exited is None:
                    exited = {visit.stage}
                else:
                    exited.add(visit.stage)
        if exited is not None:
            for stage in exited:
                left[stage] += 1
    return left


def qualified_out(
    lines: Iterable[Timeline],
    period: Period,
    stages: Iterable[Stage] = (),
    *,
    currency: str | None = None,
    need: int = MIN_CLOSES,
    exits: Counter[str] | None = None,
) -> QualifiedOut:
    """The qualify-outs of `period` (see QualifiedOut), per upstream stage of `stages` (board
    order, listed even with none) and by reason (a blank reason counts as 'unspecified').
    `exits`: `stage_exits(lines, period)`, when the caller has it already."""
    lines = list(lines)
    currency = currency or main_currency(line.deal for line in lines)
    upstream = [s.name for s in sorted(stages, key=lambda s: s.position) if s.kind is StageKind.OPEN and s.upstream]
    start, end = period.start, period.end
    left = stage_exits(lines, period) if exits is None else exits
    started = 0
    for line in lines:
        if line.started_at is not None and start <= line.started_at < end:
            started += 1
    out = [line for line in closed_in(lines, period) if line.status is DealStatus.LOST and not line.started]
    from_stage: dict[str, list[str]] = {name: [] for name in upstream}
    for line in out:
        from_stage.setdefault(line.lost_from or UNSPECIFIED, []).append(line.lost_reason or UNSPECIFIED)
    days = [max(0.0, days_between(line.created_at, line.closed_at)) for line in out]  # type: ignore[arg-type]
    return QualifiedOut(
        count=len(out),
        value=money(sum((line.deal.value for line in out if line.deal.currency == currency), ZERO)),
        decided=started + len(out),
        reasons=_by_count(Counter(line.lost_reason or UNSPECIFIED for line in out)),
        by_stage=tuple(
            StageQualifyOut(name, len(reasons), max(left[name], len(reasons)), _by_count(Counter(reasons)), need)
            for name, reasons in from_stage.items()
        ),
        median_days_to_discard=percentile(days, 50) if len(days) >= need and days else None,
        need=need,
    )


def _by_count(counts: Counter[str]) -> dict[str, int]:
    """Most common first, then alphabetical."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# -- discards ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discards:
    total: int
    by_stage: dict[str, StageDiscards]
    reasons: dict[str, int]

    def share(self, stage: str) -> float | None:
        """Share of all discards that came from `stage`."""
        if not self.total or stage not in self.by_stage:
            return None
        return self.by_stage[stage].lost / self.total


def discards(
    lines: Iterable[Timeline],
    period: Period,
    stages: Iterable[Stage] = (),
    *,
    need: int = MIN_CLOSES,
    exits: Counter[str] | None = None,
) -> Discards:
    """Deals finally lost in `period`, by the stage they were lost from and by reason.

    Stages listed in `stages` (open ones, board order) appear even with no
    losses. A reason left blank counts as 'unspecified'. `exits`:
    `stage_exits(lines, period)`, when the caller has it already.
    """
    lines = list(lines)
    open_names = [s.name for s in sorted(stages, key=lambda s: s.position) if s.kind is StageKind.OPEN]
    left = stage_exits(lines, period) if exits is None else exits
    lost_by: dict[str, list[str]] = {name: [] for name in open_names}
    for line in closed_in(lines, period):
        if line.status is DealStatus.LOST:
            stage = line.lost_from or UNSPECIFIED
            lost_by.setdefault(stage, []).append(line.lost_reason or UNSPECIFIED)
    by_stage = {
        stage: StageDiscards(stage, len(reasons), max(left[stage], len(reasons)), dict(Counter(reasons)), need)
        for stage, reasons in lost_by.items()
    }
    all_reasons = Counter(reason for reasons in lost_by.values() for reason in reasons)
    return Discards(
        total=sum(len(r) for r in lost_by.values()),
        by_stage=by_stage,
        reasons=dict(all_reasons.most_common()),
    )


# -- pipeline ----------------------------------------------------------------


def stage_probabilities(
    stages: Iterable[Stage], overrides: Mapping[str, Decimal | float | str] | None = None
) -> dict[str, Decimal]:
    """Chance a deal in each stage is won: (i + 1) / (n + 1) for the i-th of n
    open stages in board order; won stages 1, lost stages 0. `overrides`
    (stage name -> probability in [0, 1]) replaces any of them."""
    ordered = sorted(stages, key=lambda s: s.position)
    open_stages = [s for s in ordered if s.kind is StageKind.OPEN]
    result: dict[str, Decimal] = {}
    for index, stage in enumerate(open_stages):
        result[stage.name] = Decimal(index + 1) / Decimal(len(open_stages) + 1)
    for stage in ordered:
        if stage.kind is StageKind.WON:
            result[stage.name] = ONE
        elif stage.kind is StageKind.LOST:
            result[stage.name] = ZERO
    for name, raw in (overrides or {}).items():
        chance = Decimal(str(raw))
        if not ZERO <= chance <= ONE:
            raise ValueError(f"The probability for '{name}' must be between 0 and 1, got {raw}.")
        result[name] = chance
    return result


@dataclass(frozen=True, slots=True)
class StageValue:
    stage: str
    count: int
    value: Decimal
    weighted: Decimal
    probability: Decimal


@dataclass(frozen=True, slots=True)
class Pipeline:
    """Open deals' value in one currency; `other_currency` deals are counted, not summed."""

    currency: str
    count: int
    value: Decimal
    weighted: Decimal
    by_stage: dict[str, StageValue]
    other_currency: int = 0


def pipeline(
    deals: Iterable[Deal],
    stages: Iterable[Stage],
    *,
    probabilities: Mapping[str, Decimal | float | str] | None = None,
    currency: str | None = None,
    include_upstream: bool = True,
) -> Pipeline:
    """Value and weighted value of the open deals now: value x the stage's probability, or
    x the deal's own `probability` (percent) where it has one."""
    stages = sorted(stages, key=lambda s: s.position)
    deals = list(deals)
    currency = currency or main_currency(deals)
    chance = stage_probabilities(stages, probabilities)
    upstream = {s.name for s in stages if s.upstream}
    # Per stage, in one pass and in the deals' order: [deals, value, value of the deals without
    # their own probability, the others' value x their probability] (in `currency` for the sums).
    rows: dict[str, list] = {s.name: [0, ZERO, ZERO, ZERO] for s in stages if s.kind is StageKind.OPEN}
    other = 0
    OPEN = DealStatus.OPEN
    for deal in deals:
        if deal.status is not OPEN or (not include_upstream and deal.stage in upstream):
            continue
        row = rows.get(deal.stage)
        if row is None:
            row = rows[deal.stage] = [0, ZERO, ZERO, ZERO]
        row[0] += 1
        if deal.currency != currency:
            other += 1
            continue
        value = deal.value
        row[1] += value
        if deal.probability is None:
            row[2] += value
        else:
            row[3] += value * deal.probability / HUNDRED
    by_stage = {}
    for name, (count, value, at_stage, own) in rows.items():
        if not include_upstream and name in upstream:
            continue
        p = chance.get(name, ZERO)
        # Deals without their own probability are weighted together, as one sum x the stage's.
        by_stage[name] = StageValue(name, count, money(value), money(at_stage * p + own), p)
    return Pipeline(
        currency=currency,
        count=sum(v.count for v in by_stage.values()),
        value=sum((v.value for v in by_stage.values()), ZERO),
        weighted=sum((v.weighted for v in by_stage.values()), ZERO),
        by_stage=by_stage,
        other_currency=other,
    )


@dataclass(frozen=True, slots=True)
class Coverage:
    """Pipeline against a target: 3.0 means three times the target is in play."""

    target: Decimal
    value: Decimal
    weighted: Decimal

    @property
    def ratio(self) -> float | None:
        return float(self.value / self.target) if self.target else None

    @property
    def weighted_ratio(self) -> float | None:
        return float(self.weighted / self.target) if self.target else None


def coverage(pipe: Pipeline, target: Decimal | int | str) -> Coverage:
    """`pipe`'s value and weighted value as multiples of `target` (None for a zero target)."""
    return Coverage(target=Decimal(str(target)), value=pipe.value, weighted=pipe.weighted)


# -- velocity ----------------------------------------------------------------


#: The shortest average cycle of the wins velocity divides by (see Velocity).
MIN_CYCLE_DAYS = 1.0


@dataclass(frozen=True, slots=True)
class Velocity:
    """open_deals x avg_won_value x win_rate / avg_cycle_days, in money per day.

    None, with `reason`, while the win rate has fewer than its `need` committed closes,
    without a win (or a won deal with a cycle time), and while the wins took less than
    MIN_CYCLE_DAYS on average: velocity is money per day, and wins recorded minutes after
    they started (a board filled in on its first day, deals imported without history)
    say nothing about how long a deal takes; dividing by them would claim more than the
    whole pipeline is won every day.
    """

    currency: str
    open_deals: int
    avg_won_value: Decimal | None
    win_rate: WinRate
    avg_cycle_days: float | None

    @property
    def sample(self) -> Sample:
        return self.win_rate.sample

    @property
    def reason(self) -> str | None:
        if self.win_rate.reason is not None:
            return self.win_rate.reason
        if self.avg_won_value is None:
            return "no win in the history"
        if self.avg_cycle_days is None:
            return "no won deal with a cycle time (every win skipped the active stages)"
        if self.avg_cycle_days < MIN_CYCLE_DAYS:
            return (f"not enough history (the wins took {self.avg_cycle_days:.1f} days on average, "
                    f"need at least {MIN_CYCLE_DAYS:.0f})")
        return None

    @property
    def per_day(self) -> Decimal | None:
        if self.reason is not None or self.avg_won_value is None or self.avg_cycle_days is None:
            return None
        rate = Decimal(self.win_rate.won) / Decimal(self.win_rate.closed)
        return money(Decimal(self.open_deals) * self.avg_won_value * rate / Decimal(repr(self.avg_cycle_days)))


def velocity(
    lines: Iterable[Timeline],
    stages: Iterable[Stage],
    period: Period,
    *,
    currency: str | None = None,
    include_upstream: bool = False,
    need: int = MIN_CLOSES,
) -> Velocity:
    """Sales velocity from the deals that closed in `period` and the deals open now.

    open_deals: open deals in active stages (with `include_upstream`, all
    open deals); avg_won_value: mean value of deals won in the period (in
    `currency`); avg_cycle_days: mean cycle time of those won deals; the win
    rate leaves the qualify-outs out (see WinRate).
    """
    lines = list(lines)
    active = active_by_name({s.name: s for s in stages})
    currency = currency or main_currency(line.deal for line in lines)
    open_deals = 0
    for line in lines:
        if line.is_open and (include_upstream or active[line.stage]):
            open_deals += 1
    closed = closed_in(lines, period)  # once, for the three figures read from the closes
    won = [line for line in closed if line.status is DealStatus.WON]
    won_values = [line.deal.value for line in won if line.deal.currency == currency]
    avg_value = money(sum(won_values, ZERO) / len(won_values)) if won_values else None
    won_cycles = [c.days for c in cycle_times(closed, period, outcome=DealStatus.WON)]
    avg_cycle = sum(won_cycles) / len(won_cycles) if won_cycles else None
    return Velocity(currency, open_deals, avg_value, win_rate(closed, period, need=need), avg_cycle)


# -- stalled deals ----------------------------------------------------------


# Not frozen, for speed alone (as flow.WorkItemAge): a report makes one per stalled deal, tens of
# thousands on a big board. Treat it as immutable all the same: nothing assigns to its fields.
@dataclass(slots=True, unsafe_hash=True)
class StalledDeal:
    deal: Deal
    stage: str
    last_activity: datetime
    idle_days: float


@dataclass(frozen=True, slots=True)
class Stalled:
    """Open deals with no event for `stall_days`, against all open deals."""

    currency: str
    stall_days: float
    deals: tuple[StalledDeal, ...]
    open_count: int
    value: Decimal
    open_value: Decimal

    @property
    def count(self) -> int:
        return len(self.deals)

    @property
    def share_count(self) -> float | None:
        return self.count / self.open_count if self.open_count else None

    @property
    def share_value(self) -> float | None:
        return float(self.value / self.open_value) if self.open_value else None


def stalled(
    lines: Iterable[Timeline],
    now: datetime,
    *,
    stall_days: float = defaults.STALL_DAYS,
    currency: str | None = None,
    most_idle_first: bool = True,
) -> Stalled:
    """Open deals whose last event of any kind is at least `stall_days` old, most idle first.

    With `most_idle_first` False the deals are in the order of `lines`, for a caller that
    orders them itself (a report's list shows its most idle few): passes over them then
    meet the deals in the order they sit in memory, not in an order that scatters them."""
    open_lines = [line for line in lines if line.is_open]  # a list: the currency may need them first
    currency = currency or main_currency(line.deal for line in open_lines)
    found = []
    append = found.append
    # The values are summed as the deals are met, while each is at hand: a pass over the
    # stalled deals once they are sorted would reach them in no order, far slower on 70,000.
    # (The stalled value thus adds them up in another order than the list's: Decimal sums of
    # money are exact, the same in any order.)
    value = open_value = ZERO
    for line in open_lines:
        deal = line.deal
        counted = deal.currency == currency
        if counted:
            open_value += deal.value
        last = line.last_activity or line.created_at
        idle = days_between(last, now)
        if idle >= stall_days:
            append(StalledDeal(deal, line.stage, last, idle))
            if counted:
                value += deal.value
    if most_idle_first:
        found.sort(key=_IDLE_DAYS, reverse=True)
    return Stalled(
        currency=currency,
        stall_days=stall_days,
        deals=tuple(found),
        open_count=len(open_lines),
        value=money(value),
        open_value=money(open_value),
    )


_IDLE_DAYS = attrgetter("idle_days")


# -- next steps ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NextStepDue:
    """An open deal whose next step is due today or overdue; `days_overdue` 0 = due today."""

    deal: Deal
    due: date
    days_overdue: int


def next_steps_due(deals: Iterable[Deal], today: date) -> list[NextStepDue]:
    """Open deals with a `next_step_due` on or before `today`, most overdue first (then by id)."""
    found = [
        NextStepDue(deal, deal.next_step_due, (today - deal.next_step_due).days)
        for deal in deals
        if deal.status is DealStatus.OPEN and deal.next_step_due is not None and deal.next_step_due <= today
    ]
    found.sort(key=lambda n: (-n.days_overdue, n.deal.id if n.deal.id is not None else 0))
    return found
