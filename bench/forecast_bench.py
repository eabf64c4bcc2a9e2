"""Monte Carlo forecast speed: 10,000 trials must run well under a second.

Run: python bench/forecast_bench.py
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

from leankanban.metrics import forecast

START = date(2026, 11, 2)
HISTORY = [0, 1, 2, 0, 3, 1, 0, 0, 2, 1] * 9  # 90 days, one close a day on average


def timed(fn, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main() -> None:
    target = START + timedelta(days=30)
    cases = {
        "when_done(30 items)": lambda: forecast.when_done(30, HISTORY, trials=10_000, seed=1, start=START),
        "how_many_by(30 days)": lambda: forecast.how_many_by(target, HISTORY, trials=10_000, seed=1, start=START),
        "value_by(30 days)": lambda: forecast.value_by(
            target, HISTORY, [1000 + i for i in range(50)], trials=10_000, seed=1, start=START
        ),
    }
    for name, fn in cases.items():
        print(f"{name:24} median of 5: {timed(fn) * 1000:7.1f} ms (10,000 trials)")


if __name__ == "__main__":
    main()
