"""Use cases: the one facade the CLI, the TUI and the importers call.

Each use case runs in one unit of work and calls the domain rules, so every
policy (WIP limits above all) holds whichever way a change arrives. The
families live one per module, each a mixin over `ServiceBase` (base.py):

- boards.py: boards and the board view
- policies.py: stages and WIP limits, criteria, discard reasons, settings, lane limits
- deals.py: reading, adding and editing deals; notes, contacts, blockers, qualification, undo
- moves.py: moving, discarding, winning and reopening deals
- sprints.py / retros.py: sprints; retrospectives, improvements, time logs, insights
- team.py: the team's people and their roles on a shared PostgreSQL database
- work.py: people's WIP on every board (deals and work cards), work cards' checks

Read models and batch use cases are functions over a `LeanKanban`:
reports.py (the stand-up report and forecasts), imports.py (CRM imports),
backup.py (export and restore).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from leankanban.services.base import (
    EDITABLE_FIELDS,
    UNSET,
    BoardChanges,
    Clock,
    MoveResult,
    ServiceBase,
    StageLimits,
    StageSummary,
    clean_field,
    utcnow,
)
from leankanban.services.boards import BoardsMixin
from leankanban.services.deals import DealsMixin
from leankanban.services.moves import MovesMixin
from leankanban.services.policies import PoliciesMixin
from leankanban.services.retros import RetrosMixin
from leankanban.services.sprints import SprintsMixin
from leankanban.services.team import TeamMixin
from leankanban.services.work import WorkMixin
from leankanban.store import engine as store_engine
from leankanban.store import roles

__all__ = [
    "EDITABLE_FIELDS",
    "UNSET",
    "BoardChanges",
    "Clock",
    "LeanKanban",
    "MoveResult",
    "StageLimits",
    "StageSummary",
    "clean_field",
    "connect",
    "open_database",
    "person",
    "utcnow",
]


class LeanKanban(
    BoardsMixin, PoliciesMixin, DealsMixin, MovesMixin, SprintsMixin, RetrosMixin, TeamMixin, WorkMixin, ServiceBase
):
    """The application's use cases over one database (one family per module, see above)."""


def open_database(target: str, *, create_folders: bool = False, migrate: bool = True) -> Engine:
    """An engine for `target` with its schema brought up to date (see `store.engine.open`)."""
    return store_engine.open(target, create_folders=create_folders, migrate=migrate)


def person(engine: Engine, fallback: str) -> str:
    """Who is acting over `engine`: on PostgreSQL the role connected (`session_user`),
    never a name from the environment; on an SQLite file (one person's) `fallback`,
    LEANKANBAN_USER or the login name."""
    if engine.dialect.name != "postgresql":
        return fallback
    from leankanban.store.uow import UnitOfWork

    with UnitOfWork(engine) as session:
        return roles.session_user(session.connection())


def connect(target: str, *, actor: str = "me", clock: Clock = utcnow) -> LeanKanban:
    """Open (and upgrade) the database at `target` and return its services."""
    return LeanKanban(open_database(target), actor=actor, clock=clock)
