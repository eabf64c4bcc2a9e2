"""CLI test fixtures: run the real `leankanban` app against a temp SQLite file.

Seed data through `lk_sqlite` (same file as `sqlite_url`), run commands with
`run(...)`, then check the database through the services again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from leankanban.cli import app
from leankanban.services import LeanKanban

#: Every CLI test runs without the host's database, board, user or width.
CLEAN_ENV: dict[str, str | None] = {
    "LEANKANBAN_DB": None,
    "LEANKANBAN_BOARD": None,
    "LEANKANBAN_USER": "ann",
    "COLUMNS": None,
}

Run = Callable[..., Result]


def _invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={**CLEAN_ENV, **(env or {})})


@pytest.fixture
def invoke() -> Run:
    """`invoke("--db", path, "deals")`: the app with exactly these arguments."""
    return _invoke


@pytest.fixture
def run(sqlite_url: str) -> Run:
    """`run("add", "Acme")` is `leankanban --db <temp file> add Acme`."""

    def _run(*args: str, env: dict[str, str | None] | None = None) -> Result:
        return _invoke("--db", sqlite_url, *args, env=env)

    return _run


def _one_sentence(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected exactly one line, got: {text!r}"
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def one_sentence() -> Callable[[str], str]:
    """Checks that a command printed exactly one line (no traceback) and returns it."""
    return _one_sentence



@pytest.fixture
def lk(lk_sqlite: LeanKanban) -> LeanKanban:
    """CLI tests use SQLite only, so `seeded` (tests/conftest.py) fills the file `run` uses."""
    return lk_sqlite


@pytest.fixture
def cli_clock(clock, monkeypatch: pytest.MonkeyPatch):
    """The CLI reads the same FakeClock as `lk_sqlite`: `cli_clock.advance(days=15)` ages deals for both.

    Without it the CLI runs on the real clock, as a user's would.
    """
    from leankanban.commands import state as state_module

    monkeypatch.setattr(state_module, "LeanKanban", functools.partial(LeanKanban, clock=clock))
    return clock
