"""A tiny history builder: deals and the events services would write for them.

Day 0 is Monday 5 January 2026 at 09:00 UTC; `day=2.5` is Wednesday 21:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from leankanban.domain import rules
from leankanban.domain.model import STATUS_FOR_KIND, Deal, DealStatus, Event, EventKind, Stage

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LEAN = rules.template("lean-sales")


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


class Story:
    """Deals and their events, written the way services write them."""

    def __init__(self, stages: tuple[Stage, ...] = LEAN) -> None:
        self.stages = stages
        self.by_name = {s.name: s for s in stages}
        self.deals: dict[int, Deal] = {}
        self.events: list[Event] = []

    def add(
        self,
        deal_id: int,
        stage: str = "Discovery",
        day: float = 0,
        *,
        value: str | int = 0,
        owner: str = "ann",
        title: str | None = None,
        currency: str = "EUR",
    ) -> Story:
        self.deals[deal_id] = Deal(
            title=title or f"Deal {deal_id}",
            stage=stage,
            value=Decimal(str(value)),
            owner=owner,
            currency=currency,
            created_at=at(day),
            stage_entered_at=at(day),
            id=deal_id,
        )
        self.events.append(Event(EventKind.CREATED, at(day), deal_id, to_stage=stage))
        return self

    def move(self, deal_id: int, to: str, day: float, *, reason: str | None = None) -> Story:
        deal = self.deals[deal_id]
        status = STATUS_FOR_KIND[self.by_name[to].kind]
        self.events.append(Event(EventKind.MOVED, at(day), deal_id, from_stage=deal.stage, to_stage=to))
        if status is not deal.status:
            kind = {DealStatus.WON: EventKind.WON, DealStatus.LOST: EventKind.LOST, DealStatus.OPEN: EventKind.REOPENED}
            self.events.append(
                Event(kind[status], at(day), deal_id, from_stage=deal.stage, to_stage=to, reason=reason)
            )
        deal.stage, deal.stage_entered_at, deal.status = to, at(day), status
        deal.closed_at = at(day) if status is not DealStatus.OPEN else None
        deal.lost_reason = reason if status is DealStatus.LOST else None
        return self

    def win(self, deal_id: int, day: float) -> Story:
        return self.move(deal_id, "Won", day)

    def lose(self, deal_id: int, day: float, reason: str | None = "no budget") -> Story:
        return self.move(deal_id, "Lost", day, reason=reason)

    def block(self, deal_id: int, day: float, reason: str = "legal review") -> Story:
        self.events.append(Event(EventKind.BLOCKED, at(day), deal_id, reason=reason))
        return self

    def unblock(self, deal_id: int, day: float) -> Story:
        self.events.append(Event(EventKind.UNBLOCKED, at(day), deal_id))
        return self

    def note(self, deal_id: int, day: float) -> Story:
        self.events.append(Event(EventKind.NOTE, at(day), deal_id, new_value="called"))
        return self

    def cycle(self, deal_id: int, start: float, days: float, *, won: bool = True, value: str | int = 0) -> Story:
        """A deal created in Discovery on `start` and closed `days` later."""
        self.add(deal_id, "Discovery", start, value=value)
        return self.win(deal_id, start + days) if won else self.lose(deal_id, start + days)

    @property
    def deal_list(self) -> list[Deal]:
        return list(self.deals.values())
