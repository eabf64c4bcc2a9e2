"""What an importer produces: plain frozen records, ready for a service to write.

Every datetime is timezone-aware UTC. `history` lists the known stage entries
of a deal, oldest first; it may be empty or partial (a source may not keep
history, or keep only part of it) and the deal's `stage` field is the truth
about where the deal is now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from leankanban.domain.model import DealStatus, StageKind


@dataclass(frozen=True, slots=True)
class ImportedStage:
    name: str
    kind: StageKind
    position: int


@dataclass(frozen=True, slots=True)
class StageEntry:
    """The deal entered `stage` at `at` (UTC)."""

    stage: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ImportedDeal:
    source: str
    external_id: str | None
    title: str
    stage: str
    account: str = ""
    value: Decimal = Decimal("0")
    currency: str = "EUR"
    owner: str = ""
    status: DealStatus = DealStatus.OPEN
    created_at: datetime | None = None
    closed_at: datetime | None = None
    lost_reason: str | None = None
    expected_close: date | None = None
    probability: int | None = None  # the deal's own win probability in percent; None: its stage's
    history: tuple[StageEntry, ...] = ()
    line: int | None = None  # where the deal came from, for messages


@dataclass(frozen=True, slots=True)
class Skip:
    """A record that could not become a deal, and why."""

    line: int | None
    reason: str
    file: str = ""


@dataclass(frozen=True, slots=True)
class ImportBatch:
    source: str
    stages: tuple[ImportedStage, ...]
    deals: tuple[ImportedDeal, ...]
    skipped: tuple[Skip, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]
