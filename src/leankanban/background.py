"""One call run on a thread of its own, for work that overlaps with waiting.

A big report has two such stretches: the database reading and sorting events
(SQLite and psycopg let go of the GIL while they work) and NumPy drawing a
forecast (it lets go of the GIL over its large arrays). Whatever runs in the
background meanwhile uses the machine's other core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`fn(*args)` started on a thread now; `result()` waits for it and returns
    its value, or raises what it raised."""

    def __init__(self, fn: Callable[..., T], *args: object) -> None:
        self._fn, self._args = fn, args
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"leankanban-{fn.__name__}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn(*self._args)
        except BaseException as err:  # noqa: BLE001 - handed over in result()
            self._error = err

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
