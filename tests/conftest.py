"""Shared fixtures: a fresh database per test, a frozen clock, seeded boards.

`db_url` runs a test on SQLite and, where a server answers, on PostgreSQL
(each test in its own schema, dropped afterwards). Set
LEANKANBAN_REQUIRE_PG=1 (CI does) to fail instead of skip when no server answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from leankanban.services import LeanKanban, open_database

# CI explores the same examples on every run (a red CI must be reproducible);
# locally each run tries new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PG_URL = os.environ.get("LEANKANBAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock tests move by hand: `clock.advance(days=3)`."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def _pg_answer() -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as err:
        return f"no PostgreSQL server answers at {PG_URL}: {str(err).strip().splitlines()[0]}"


_PG_PROBLEM: str | None | bool = False


def pg_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_answer()
    return _PG_PROBLEM  # type: ignore[return-value]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An SQLAlchemy URL to a fresh PostgreSQL schema, dropped after the test."""
    problem = pg_problem()
    if problem:
        if os.environ.get("LEANKANBAN_REQUIRE_PG"):
            pytest.fail(f"LEANKANBAN_REQUIRE_PG is set but {problem}")
        pytest.skip(problem)
    import psycopg

    schema = f"lk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE SCHEMA {}").format(psycopg.sql.Identifier(schema)))
    try:
        yield f"{PG_URL}?schema={schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP SCHEMA {} CASCADE").format(psycopg.sql.Identifier(schema)))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "leankanban.db")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "leankanban.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lk(db_url: str, clock: FakeClock) -> Iterator[LeanKanban]:
    """Services over a fresh, migrated database with the default lean sales board."""
    engine = open_database(db_url)
    service = LeanKanban(engine, actor="ann", clock=clock)
    service.ensure_default_board()
    yield service
    engine.dispose()


@pytest.fixture
def lk_sqlite(sqlite_url: str, clock: FakeClock) -> Iterator[LeanKanban]:
    """Like `lk`, SQLite only (for TUI and CLI tests)."""
    engine = open_database(sqlite_url)
    service = LeanKanban(engine, actor="ann", clock=clock)
    service.ensure_default_board()
    yield service
    engine.dispose()


def seed_pipeline(lk: LeanKanban) -> dict[str, int]:
    """A small realistic pipeline; returns deal ids by title."""
    plan = [
        ("Acme rollout", "Leads", "Acme Corp", "12000", "ann"),
        ("Globex pilot", "Qualifying", "Globex", "4500", "bob"),
        ("Initech renewal", "Discovery", "Initech", "30000", "ann"),
        ("Umbrella expansion", "Proposal", "Umbrella", "80000", "cy"),
        ("Hooli platform", "Negotiation", "Hooli", "150000", "ann"),
    ]
    # What the deals in and next to Proposal are worth to their customers (a new lean-sales
    # board gates Proposal on "Customer value quantified", which a written statement meets).
    worth = {
        "Initech renewal": ("Keeps 40 support agents on one system: no EUR 90k re-training", "90000"),
        "Umbrella expansion": ("Cuts claim handling from 5 days to 1 (about EUR 250k a year)", "250000"),
    }
    ids = {}
    for title, stage, account, value, owner in plan:
        customer_value, impact = worth.get(title, ("", None))
        ids[title] = lk.add_deal(
            title, stage=stage, account=account, value=value, owner=owner,
            customer_value=customer_value, customer_impact=impact,
        ).id
    return ids


@pytest.fixture
def seeded(lk: LeanKanban) -> dict[str, int]:
    return seed_pipeline(lk)
