"""Monte Carlo forecasts from historical daily throughput.

Why about 650 lines: the three forecasts (when will N items be done, how many
by a date, how much value by a date) share the history, the sampling and the
confidence reading, and each has a plain-Python path for small histories and
a NumPy path for large ones that must give the same numbers (tested).

Each trial builds a possible future by drawing days, with replacement, from
the history of daily counts (zero days included: they are part of how the
team really works). Trials are seeded with `random.Random(seed)`, so a
forecast with a seed is reproducible.

The simulation starts the day *after* `start` (today's closes are already
in the history): finishing on day k of a trial means finishing on
`start + k days`.

Confidence levels read the simulated outcomes from the safe side:

* when will n items be done: 85% = the 85th percentile of simulated days
  (85% of trials finished on or before that date);
* how many items by a date: 85% = the 15th percentile of simulated counts
  (85% of trials closed at least that many). More certain means fewer.

A forecast with many picks (hundreds of thousands) draws the same stream in
bulk with NumPy, imported only then: a RandomState in the `Random`'s exact
Mersenne Twister state gives the same doubles, hence the same picks and the
same results as the plain loop (tested against it).

Percentiles are nearest-rank, as in `flow.percentile`. A history that is
empty or all zeros gives a result with `no_throughput=True` and no dates or
counts, never an endless loop.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import threading
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, getcontext
from itertools import accumulate
from random import Random
from typing import Any

from leankanban.metrics.flow import MIN_CLOSES, Sample

CONFIDENCES = (50, 85, 95)
DEFAULT_TRIALS = 10_000
#: A trial that has not finished after this many days is "beyond the horizon".
DEFAULT_HORIZON_DAYS = 3 * 365


def _check(trials: int, history: Sequence[int]) -> bool:
    """True when `history` holds some throughput to sample."""
    if trials < 1:
        raise ValueError(f"A forecast needs at least one trial, got {trials}.")
    if any(x < 0 for x in history):
        raise ValueError("Daily throughput cannot be negative.")
    return any(x > 0 for x in history)


def _rank(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    return ordered[max(1, math.ceil(p / 100 * len(ordered) - 1e-9)) - 1]


@dataclass(frozen=True, slots=True)
class WhenDone:
    """When `items` will be done: dates at 50/85/95% confidence.

    A date is None when it falls beyond the horizon, or with no throughput.
    `beyond_horizon` is the share of trials that never finished.
    """

    items: int
    start: date
    trials: int
    no_throughput: bool
    days_p50: int | None = None
    days_p85: int | None = None
    days_p95: int | None = None
    beyond_horizon: float = 0.0

    def _date(self, days: int | None) -> date | None:
        return None if days is None else self.start + timedelta(days=days)

    @property
    def p50(self) -> date | None:
        return self._date(self.days_p50)

    @property
    def p85(self) -> date | None:
        return self._date(self.days_p85)

    @property
    def p95(self) -> date | None:
        return self._date(self.days_p95)


def when_done(
    n_items: int,
    daily_throughput: Sequence[int],
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    *,
    start: date,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> WhenDone:
    """Dates by which `n_items` will be done at 50/85/95% confidence."""
    history = list(daily_throughput)
    has_throughput = _check(trials, history)
    if n_items <= 0:
        return WhenDone(n_items, start, trials, not has_throughput, 0, 0, 0)
    if not has_throughput:
        return WhenDone(n_items, start, trials, True)
    rng = Random(seed)
    draw = rng.choices
    mean = sum(history) / len(history)
    chunk = min(horizon_days, max(8, math.ceil(n_items / mean * 1.25)))
    bulk = _worth_numpy(trials * chunk) and _when_done_numpy(rng, history, n_items, chunk, horizon_days, trials)
    finished: list[float] = bulk or []
    for _ in range(0 if bulk else trials):
        done = 0
        days = 0
        while days < horizon_days:
            running = list(accumulate(draw(history, k=min(chunk, horizon_days - days)), initial=done))
            at = bisect_left(running, n_items)
            if at < len(running):
                days += at
                break
            days += len(running) - 1
            done = running[-1]
        else:
            finished.append(math.inf)
            continue
        finished.append(days)
    finished.sort()
    beyond = sum(1 for d in finished if d == math.inf) / trials
    picked = [_rank(finished, p) for p in CONFIDENCES]
    as_days = [None if d == math.inf else int(d) for d in picked]
    return WhenDone(n_items, start, trials, False, *as_days, beyond_horizon=beyond)


@dataclass(frozen=True, slots=True)
class HowMany:
    """How many items will close from `start` to `target` (inclusive) at 50/85/95% confidence."""

    start: date
    target: date
    trials: int
    no_throughput: bool
    p50: int | None = None
    p85: int | None = None
    p95: int | None = None


def _days_until(start: date, target: date) -> int:
    return max(0, (target - start).days)


def how_many_by(
    target_date: date,
    daily_throughput: Sequence[int],
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    *,
    start: date,
) -> HowMany:
    """Items closed by `target_date`: 85% confidence is the 15th percentile of trials."""
    history = list(daily_throughput)
    if not _check(trials, history):
        return HowMany(start, target_date, trials, True)
    days = _days_until(start, target_date)
    rng = Random(seed)
    bulk = _worth_numpy(trials * days) and _how_many_numpy(rng, history, days, trials)
    draw = rng.choices
    counts = sorted(bulk or (sum(draw(history, k=days)) for _ in range(trials)))
    p50, p85, p95 = (int(_rank(counts, 100 - p)) for p in CONFIDENCES)
    return HowMany(start, target_date, trials, False, p50, p85, p95)


@dataclass(frozen=True, slots=True)
class ValueBy:
    """Won value from `start` to `target` at 50/85/95% confidence (85% = 15th percentile)."""

    start: date
    target: date
    trials: int
    no_throughput: bool
    p50: Decimal | None = None
    p85: Decimal | None = None
    p95: Decimal | None = None


def value_by(
    target_date: date,
    daily_won: Sequence[int],
    won_values: Sequence[Decimal],
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    *,
    start: date,
) -> ValueBy:
    """Won value by `target_date`: each trial draws daily win counts from
    `daily_won`, then a value for each win from `won_values`."""
    history = list(daily_won)
    values = list(won_values)
    if not _check(trials, history) or not values:
        return ValueBy(start, target_date, trials, True)
    days = _days_until(start, target_date)
    rng = Random(seed)
    picks = trials * days * (1 + sum(history) / len(history))
    totals = _value_totals_numpy(rng, history, values, days, trials) if _worth_numpy(picks) else None
    if totals is None:
        totals = []
        for _ in range(trials):
            wins = sum(rng.choices(history, k=days))
            totals.append(sum(rng.choices(values, k=wins), Decimal("0")))
    totals.sort()
    p50, p85, p95 = (_rank(totals, 100 - p) for p in CONFIDENCES)
    return ValueBy(start, target_date, trials, False, p50, p85, p95)  # type: ignore[arg-type]


# -- a forecast of given deals ------------------------------------------------------

CENT = Decimal("0.01")


def _won_among(closes: int, wins: int, items: int) -> int:
    """Of `items` deals, how many are won in a future that closes `closes` deals, `wins` of
    them won: all `wins` while there are deals enough; when the future would close more
    deals than there are, the same share of the `items` that do close (rounded half up)."""
    if closes <= items:
        return wins
    return (wins * items + closes // 2) // closes


def deals_by(
    target_date: date,
    daily_closes: Sequence[int],
    daily_wins: Sequence[int],
    values: Sequence[Decimal],
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    *,
    start: date,
) -> tuple[HowMany, ValueBy]:
    """How many of the `len(values)` deals close by `target_date`, and how much of their value
    is won, in the same simulated futures.

    Each trial draws days from the history (a day's closes with its wins: `daily_wins[i]`
    are some of `daily_closes[i]`), so C closes and W wins; of the deals, min(C, n) close
    and `_won_among(C, W, n)` are won, each win's value drawn from `values` (with
    replacement; give 0 for a deal whose value is not counted) and the trial's total capped
    at their sum. So no trial closes more deals than there are, nor wins more than they hold.
    """
    closes, wins = list(daily_closes), list(daily_wins)
    if len(closes) != len(wins) or any(w > c for c, w in zip(closes, wins, strict=True)):
        raise ValueError("Each day's wins must be some of that day's closes.")
    items = len(values)
    if not _check(trials, closes):
        return HowMany(start, target_date, trials, True), ValueBy(start, target_date, trials, True)
    days = _days_until(start, target_date)
    cents = [Decimal(v).quantize(CENT) for v in values]
    total = sum(cents, Decimal("0.00"))
    rng = Random(seed)
    picks = trials * (days + min(items, days * sum(wins) / len(wins)))
    bulk = _worth_numpy(picks) and _deals_by_numpy(rng, closes, wins, cents, days, trials)
    if bulk:
        counts, totals = bulk
    else:
        counts, totals = [], []
        index, zero = range(len(closes)), Decimal("0.00")
        for _ in range(trials):
            drawn = rng.choices(index, k=days)
            closed = sum(closes[i] for i in drawn)
            won = _won_among(closed, sum(wins[i] for i in drawn), items)
            counts.append(min(closed, items))
            totals.append(min(total, sum(rng.choices(cents, k=won), zero)) if won else zero)
    counts.sort()
    totals.sort()
    many = HowMany(start, target_date, trials, False, *(int(_rank(counts, 100 - p)) for p in CONFIDENCES))
    value = ValueBy(start, target_date, trials, False, *(_rank(totals, 100 - p) for p in CONFIDENCES))  # type: ignore[arg-type]
    return many, value


@dataclass(frozen=True, slots=True)
class DealsForecast:
    """What the Monte Carlo says about `items` given deals worth `value` (in one currency).

    `sample`: the closes in the history drawn from, against the fewest a forecast needs;
    below that (or with none) `done`, `closes` and `won_value` are None. `closes` never
    says more than `items` deals will close, and `won_value` never more than `value`:
    a forecast of these deals cannot close more deals than there are, nor win more
    money than they are worth (see `deals_by`).
    """

    items: int
    value: Decimal
    sample: Sample
    done: WhenDone | None
    closes: HowMany | None
    won_value: ValueBy | None

    @property
    def reason(self) -> str | None:
        return self.sample.reason


def forecast_deals(
    values: Sequence[Decimal],
    items: int,
    daily_closes: Sequence[int],
    daily_wins: Sequence[int],
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    *,
    start: date,
    target: date,
    need: int = MIN_CLOSES,
) -> DealsForecast:
    """When the `items` deals will all be closed (`when_done`), and how many of them close and
    how much of their value is won by `target` (`deals_by`), from the history's `daily_closes`
    and `daily_wins` (some of those closes).

    `values`: the values of those deals that are in the forecast's currency (the others
    count as 0). Below `need` closes in the history: no forecast, and the sample says why.
    """
    values = list(values)
    total = sum(values, Decimal("0"))
    sample = Sample(sum(daily_closes), need)
    _check(trials, daily_closes)
    if not sample.enough:
        return DealsForecast(items, total, sample, None, None, None)
    done = when_done(items, daily_closes, trials, seed, start=start)
    population = values + [Decimal("0")] * max(0, items - len(values))
    many, won = deals_by(target, daily_closes, daily_wins, population, trials, seed, start=start)
    return DealsForecast(items, total, sample, done, many, won)


# -- wins against delivery capacity -------------------------------------------------

#: Expected wins below this share of the capacity leave delivery partly idle.
IDLE_BELOW = 0.8
CAPACITY_WEEKS = 4


@dataclass(frozen=True, slots=True)
class Capacity:
    """Expected wins per week over the next `weeks` against delivery's `capacity_per_week`.

    `p50`: likely wins per week; `p85`: at least this many per week in 85% of
    futures. `verdict` reads p50: `over` above the capacity, `idle` below
    IDLE_BELOW x capacity, else `within`; `unknown` with no wins in the history.
    """

    capacity_per_week: int
    weeks: int
    trials: int
    no_throughput: bool
    p50: float | None
    p85: float | None
    verdict: str


def capacity_verdict(capacity_per_week: int, wins_per_week: float | None) -> str:
    """`over`, `within` or `idle` (see Capacity); `unknown` for no forecast."""
    if wins_per_week is None:
        return "unknown"
    if wins_per_week > capacity_per_week:
        return "over"
    if wins_per_week < round(IDLE_BELOW * capacity_per_week, 9):
        return "idle"
    return "within"


def wins_against_capacity(
    capacity_per_week: int,
    daily_wins: Sequence[int],
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    *,
    start: date,
    weeks: int = CAPACITY_WEEKS,
) -> Capacity:
    """Monte Carlo of the wins over the next `weeks` (from `daily_wins`), per week, against capacity."""
    many = how_many_by(start + timedelta(days=7 * weeks), daily_wins, trials, seed, start=start)
    if many.no_throughput:
        return Capacity(capacity_per_week, weeks, trials, True, None, None, capacity_verdict(capacity_per_week, None))
    p50, p85 = many.p50 / weeks, many.p85 / weeks  # type: ignore[operator]
    return Capacity(capacity_per_week, weeks, trials, False, p50, p85, capacity_verdict(capacity_per_week, p50))


# -- the same draws, in bulk ------------------------------------------------------

#: From this many picks a forecast imports NumPy (about 0.1 s) to draw them in bulk ...
NUMPY_MIN_PICKS = 1_000_000
#: ... and from this many it uses NumPy when something has imported it already.
NUMPY_LOADED_MIN_PICKS = 50_000
#: Uniforms drawn per NumPy block (8 bytes each, plus two int64 arrays of the same length).
_BLOCK = 1 << 18


def _worth_numpy(picks: float) -> bool:
    """True when a forecast draws enough picks to pay for NumPy (and for importing it, unless loaded)."""
    return picks >= NUMPY_MIN_PICKS or (picks >= NUMPY_LOADED_MIN_PICKS and "numpy" in sys.modules)


def preload_numpy() -> None:
    """Start importing NumPy in a background thread, for a caller that expects a big
    forecast soon and has other work meanwhile (such as waiting on a database,
    which lets the import run on another core). Does nothing if NumPy is loaded
    or missing; a forecast that needs NumPy waits for the import to finish."""
    if "numpy" in sys.modules or importlib.util.find_spec("numpy") is None:
        return
    threading.Thread(target=_numpy, name="leankanban-numpy-import").start()


def _numpy():
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy comes with matplotlib
        return None
    return numpy


def _mersenne(rng: Random):
    """A NumPy Generator on a Mersenne Twister in exactly `rng`'s state.

    Its `random` draws the same doubles, from the same 32-bit words, as
    `rng.random()` (53 bits: two words shifted right by 5 and 6), so
    `floor(u * n)` picks what `rng.choices(population, k=...)` would pick;
    and it can draw into an array that is already there (`out=`).
    """
    import numpy as np

    _version, internal, _gauss = rng.getstate()
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": np.array(internal[:-1], dtype=np.uint32),
                                                        "pos": internal[-1]}}
    return np.random.Generator(bits)


def _as_ints(values: Sequence[Decimal]) -> tuple[list[int], int] | None:
    """`values` as integers at one exponent, and that exponent (at most 0), when that is exact.

    None when they differ in exponent (a sum's exponent then depends on
    which values were drawn) or are not finite Decimals.
    """
    exponents = set()
    for value in values:
        if not isinstance(value, Decimal) or not value.is_finite():
            return None
        exponents.add(value.as_tuple().exponent)
    if len(exponents) != 1:
        return None
    exponent = min(0, exponents.pop())  # type: ignore[type-var]
    return [int(value.scaleb(-exponent)) for value in values], exponent  # type: ignore[arg-type]


def _value_totals_numpy(
    rng: Random, history: list[int], values: list[Decimal], days: int, trials: int
) -> list[Decimal] | None:
    """`value_by`'s totals, trial by trial, identical to the plain loop, drawn with NumPy.

    The plain loop draws one stream of uniforms: `days` for a trial's win
    counts, then one per win for their values, trial after trial. Here a
    block of that stream is drawn at once and mapped through both
    populations, with running sums, so each trial is a few subtractions.
    None when the exact integer arithmetic is not possible (the caller then
    runs the plain loop).
    """
    scaled = _as_ints(values)
    if scaled is None or not all(type(x) is int for x in history):
        return None
    cents, exponent = scaled
    if max(map(abs, cents)) * max(history) * days >= 10 ** getcontext().prec:
        return None  # a total could be rounded by the Decimal context: only the plain sum says how
    np = _numpy()
    if np is None:
        return None

    source = _mersenne(rng)
    scratch = _Scratch(np)
    wins_of = np.asarray(history, dtype=np.int64)
    value_of = np.asarray(cents, dtype=np.int64)
    biggest = max(map(abs, cents))

    uniforms = np.empty(0)
    wins_sum = values_sum = np.zeros(1, dtype=np.int64)
    zero = Decimal("0")
    totals: list[Decimal] = []
    at = 0
    for _ in range(trials):
        while True:
            end = at + days
            if end < len(wins_sum):
                wins = int(wins_sum[end] - wins_sum[at])
                stop = end + wins
                if stop < len(values_sum):
                    break
            # Keep the undrawn rest of the stream and draw a block more.
            uniforms = scratch.block(uniforms[at:], source, _BLOCK)
            if biggest * len(uniforms) >= 2**63:
                return None  # `rng` is untouched: the plain loop starts from the same state
            wins_sum = _running(np, wins_of, uniforms, scratch, "wins")
            values_sum, at = _running(np, value_of, uniforms, scratch, "values"), 0
        totals.append(Decimal(int(values_sum[stop] - values_sum[end])).scaleb(exponent) if wins else zero)
        at = stop
    return totals


class _Scratch:
    """NumPy arrays kept for the blocks of one forecast: a new 2 MB array costs its page
    faults on every block (more than the arithmetic on it), a kept one only once."""

    def __init__(self, np) -> None:
        self.np = np
        self._arrays: dict[str, Any] = {}
        self._turn = False

    def get(self, name: str, size: int, dtype: Any) -> Any:
        """An array `name` of `size` elements (its old contents, if any, are garbage)."""
        array = self._arrays.get(name)
        if array is None or len(array) < size:
            array = self._arrays[name] = self.np.empty(size + size // 8, dtype=dtype)  # room for the carried rest
        return array[:size]

    def block(self, rest: Any, source: Any, size: int) -> Any:
        """`rest` (the undrawn end of the last block) followed by `size` new uniforms from `source`.
        Two arrays take turns, since `rest` is a view of the one filled last time."""
        self._turn = not self._turn
        out = self.get("uniforms-a" if self._turn else "uniforms-b", len(rest) + size, self.np.float64)
        out[: len(rest)] = rest
        source.random(out=out[len(rest):])
        return out


def _running(np, population, uniforms, scratch: _Scratch, name: str):
    """Sums of the first i picks from `population` (i = 0..len(uniforms)), each pick
    `population[floor(u * len(population))]`, as `Random.choices` picks; kept in
    `scratch` as `name` (valid until the next call with that name)."""
    size = len(uniforms)
    scaled = scratch.get("scaled", size, np.float64)
    np.multiply(uniforms, float(len(population)), out=scaled)
    index = scratch.get("index", size, np.intp)
    np.copyto(index, scaled, casting="unsafe")  # truncates, as int() and astype do: u < 1, so in range
    picks = scratch.get("picks", size, np.int64)
    np.take(population, index, out=picks, mode="clip")  # "clip" only skips the bounds check: all are in range
    sums = scratch.get(name, size + 1, np.int64)
    sums[0] = 0
    np.cumsum(picks, out=sums[1:])
    return sums


def _when_done_numpy(
    rng: Random, history: list[int], n_items: int, chunk: int, horizon: int, trials: int
) -> list[float] | None:
    """`when_done`'s finishing days, trial by trial, identical to the plain loop, drawn with NumPy.

    A plain trial draws `chunk` days at a time until the running total
    reaches `n_items`, so it uses whole chunks (up to the horizon) of the
    stream, and finishes on the first day the total gets there. On one
    running sum of the stream, that day is a binary search.
    """
    np = _numpy() if all(type(x) is int for x in history) else None
    if np is None:
        return None
    source = _mersenne(rng)
    scratch = _Scratch(np)
    counts = np.asarray(history, dtype=np.int64)
    uniforms = np.empty(0)
    sums = np.zeros(1, dtype=np.int64)
    finished: list[float] = []
    at = 0
    for _ in range(trials):
        while True:
            available = len(sums) - 1 - at  # draws left in this block
            found = int(np.searchsorted(sums, sums[at] + n_items))  # first running sum >= n_items
            day = found - at
            if day > horizon:
                if available >= horizon:  # not there within the horizon: the trial drew all of it
                    finished.append(math.inf)
                    at += horizon
                    break
            elif found < len(sums):
                used = min(-(-day // chunk) * chunk, horizon)
                if used <= available:
                    finished.append(day)
                    at += used
                    break
            uniforms = scratch.block(uniforms[at:], source, max(_BLOCK, 2 * horizon))
            sums, at = _running(np, counts, uniforms, scratch, "sums"), 0
    return finished


def _deals_by_numpy(
    rng: Random, closes: list[int], wins: list[int], cents: list[Decimal], days: int, trials: int
) -> tuple[list[int], list[Decimal]] | None:
    """`deals_by`'s closes and won values, trial by trial, identical to the plain loop, drawn with NumPy.

    The plain loop draws one stream of uniforms: `days` picking the days (each gives its
    closes and wins), then one per win picking its value, trial after trial. Here a block
    of that stream is mapped through the three populations at once, with running sums.
    None when the exact integer arithmetic is not possible (the plain loop runs then).
    """
    scaled = _as_ints(cents) if cents else ([], -2)
    if scaled is None or not all(type(x) is int for x in (*closes, *wins)):
        return None
    values, exponent = scaled
    biggest = max(map(abs, values), default=0)
    if biggest * max(wins) * days >= 10 ** getcontext().prec:
        return None  # a total could be rounded by the Decimal context: only the plain sum says how
    np = _numpy()
    if np is None:
        return None
    source = _mersenne(rng)
    scratch = _Scratch(np)
    closes_of, wins_of = np.asarray(closes, dtype=np.int64), np.asarray(wins, dtype=np.int64)
    value_of = np.asarray(values or [0], dtype=np.int64)
    items, total = len(values), sum(values)
    uniforms = np.empty(0)
    closes_sum = wins_sum = values_sum = np.zeros(1, dtype=np.int64)
    counts: list[int] = []
    totals: list[Decimal] = []
    at = 0
    for _ in range(trials):
        while True:
            end = at + days
            if end < len(closes_sum):
                closed = int(closes_sum[end] - closes_sum[at])
                won = _won_among(closed, int(wins_sum[end] - wins_sum[at]), items)
                stop = end + won
                if stop < len(values_sum):
                    break
            # Keep the undrawn rest of the stream and draw a block more.
            uniforms = scratch.block(uniforms[at:], source, max(_BLOCK, 2 * days))
            if biggest * len(uniforms) >= 2**63:
                return None  # `rng` is untouched: the plain loop starts from the same state
            closes_sum = _running(np, closes_of, uniforms, scratch, "closes")
            wins_sum = _running(np, wins_of, uniforms, scratch, "wins")
            values_sum, at = _running(np, value_of, uniforms, scratch, "values"), 0
        counts.append(min(closed, items))
        won_cents = min(total, int(values_sum[stop] - values_sum[end])) if won else 0
        totals.append(Decimal(won_cents).scaleb(exponent))
        at = stop
    return counts, totals


def _how_many_numpy(rng: Random, history: list[int], days: int, trials: int) -> list[int] | None:
    """`how_many_by`'s counts, trial by trial (`days` picks each), identical to the plain loop."""
    np = _numpy() if all(type(x) is int for x in history) else None
    if np is None:
        return None
    source = _mersenne(rng)
    counts = np.asarray(history, dtype=np.int64)
    per_block = max(1, _BLOCK // max(days, 1))
    result: list[int] = []
    for first in range(0, trials, per_block):
        batch = min(per_block, trials - first)
        uniforms = source.random(batch * days).reshape(batch, days)
        result.extend(counts[(uniforms * float(len(history))).astype(np.intp)].sum(axis=1).tolist())
    return result
