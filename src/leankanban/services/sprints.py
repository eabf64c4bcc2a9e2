"""Use cases for sales sprints: start, objectives, committed deals, burn-up, close.

The rules are in domain/sprints.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, func, or_, select

from leankanban.domain import rules
from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, UnknownSprint
from leankanban.domain.model import EventKind, StageKind
from leankanban.services.base import (
    ServiceBase,
)
from leankanban.store import repository as repo
from leankanban.store.tables import (
    BoardRow,
    DealRow,
    EventRow,
    ObjectiveRow,
    SprintDealRow,
    SprintRow,
    StageRow,
)


class SprintsMixin(ServiceBase):
    def _today(self) -> date:
        return self.now().date()

    # -- sprints ----------------------------------------------------------

    def _open_sprint_row(self, session: Session, board_id: int) -> SprintRow | None:
        return session.exec(
            select(SprintRow).where(SprintRow.board_id == board_id, SprintRow.status == "open")
        ).first()

    def current_sprint(self, *, board: str | None = None) -> sp.Sprint | None:
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            open_row = self._open_sprint_row(session, row.id)
            return None if open_row is None else repo.sprint_from_row(session, open_row)

    def get_sprint(self, number: int | None = None, *, board: str | None = None) -> sp.Sprint:
        """Sprint `number`, or the open sprint (else the latest) when None."""
        with self.read() as session:
            board_row = repo.board_row(session=session, name=board)
            query = select(SprintRow).where(SprintRow.board_id == board_row.id)
            if number is not None:
                found = session.exec(query.where(SprintRow.number == number)).first()
                if found is None:
                    raise UnknownSprint(f"sprint {number} on board '{board_row.name}'")
            else:
                found = self._open_sprint_row(session, board_row.id) or session.exec(
                    query.order_by(col(SprintRow.number).desc())
                ).first()
                if found is None:
                    raise UnknownSprint(f"sprint on board '{board_row.name}' yet; start one with `sprint start`")
            return repo.sprint_from_row(session, found)

    def list_sprints(self, *, board: str | None = None) -> list[sp.Sprint]:
        with self.read() as session:
            board_row = repo.board_row(session=session, name=board)
            rows = session.exec(
                select(SprintRow).where(SprintRow.board_id == board_row.id).order_by(SprintRow.number)
            ).all()
            return [repo.sprint_from_row(session, r) for r in rows]

    def start_sprint(
        self,
        *,
        board: str | None = None,
        length: str = "2w",
        goal: str = "",
        target_value: str | Decimal | None = None,
    ) -> sp.Sprint:
        """Open the next sprint today; objectives carried over at the last close come along."""
        days = sp.parse_length(length)
        target = None if target_value in (None, "") else rules.parse_value(target_value)
        now = self.now()
        with self.write() as session:
            board_row = repo.board_row(session=session, name=board, lock=True)
            open_row = self._open_sprint_row(session, board_row.id)
            sp.check_can_start(None if open_row is None else repo.sprint_from_row(session, open_row))
            last = session.exec(
                select(SprintRow).where(SprintRow.board_id == board_row.id).order_by(col(SprintRow.number).desc())
            ).first()
            sprint = sp.new_sprint(
                number=(last.number + 1) if last else 1,
                today=now.date(),
                length_days=days,
                goal=goal,
                target_value=target,
            )
            row = SprintRow(
                board_id=board_row.id,
                number=sprint.number,
                start=sprint.start,
                end=sprint.end,
                goal=sprint.goal,
                target_cents=None if target is None else repo.cents(target),
                status="open",
                created_at=now,
            )
            session.add(row)
            session.flush()
            carried = (last.velocity or {}).get("carry", []) if last else []
            if carried:
                old = session.exec(select(ObjectiveRow).where(col(ObjectiveRow.id).in_(carried))).all()
                for position, objective in enumerate(sp.carry_over(repo.objective_from_row(o) for o in old)):
                    self._add_objective_row(session, row.id, position, objective)
            repo.bump_revision(session=session, board_id=board_row.id)
            session.flush()
            return repo.sprint_from_row(session, row)

    def _add_objective_row(self, session: Session, sprint_id: int, position: int, o: sp.Objective) -> ObjectiveRow:
        row = ObjectiveRow(
            sprint_id=sprint_id,
            position=position,
            text=o.text,
            target=o.target,
            progress=o.progress,
            deal_id=o.deal_id,
            carried_from=o.carried_from,
        )
        session.add(row)
        session.flush()
        return row

    def _require_open(self, session: Session, board: str | None) -> tuple[BoardRow, SprintRow]:
        board_row = repo.board_row(session=session, name=board, lock=True)
        open_row = self._open_sprint_row(session, board_row.id)
        if open_row is None:
            raise InvalidInput(f"No sprint is open on board '{board_row.name}'; start one with `sprint start`.")
        return board_row, open_row

    def add_objective(
        self, text: str, *, board: str | None = None, target: int = 1, deal_id: int | None = None
    ) -> sp.Objective:
        text = text.strip()
        if not text:
            raise InvalidInput("An objective needs a description.")
        if len(text) > 300:
            raise InvalidInput("An objective can be at most 300 characters.")
        if target < 1:
            raise InvalidInput("An objective's target count must be at least 1.")
        with self.write() as session:
            board_row, sprint_row = self._require_open(session, board)
            if deal_id is not None:
                deal = repo.deal_row(session=session, deal_id=deal_id)
                if deal.board_id != board_row.id:
                    raise InvalidInput(f"Deal {deal_id} is not on board '{board_row.name}'.")
            count = session.exec(
                select(func.count()).select_from(ObjectiveRow).where(ObjectiveRow.sprint_id == sprint_row.id)
            ).one()
            row = self._add_objective_row(
                session, sprint_row.id, count, sp.Objective(text=text, target=target, deal_id=deal_id)
            )
            repo.bump_revision(session=session, board_id=board_row.id)
            return repo.objective_from_row(row)

    def tick_objective(self, objective_id: int, *, count: int = 1, board: str | None = None) -> sp.Objective:
        """Record progress on an objective; it is met when progress reaches its target.

        A negative count takes progress back (and un-meets it).
        """
        now = self.now()
        with self.write() as session:
            board_row, sprint_row = self._require_open(session, board)
            row = session.get(ObjectiveRow, objective_id)
            if row is None or row.sprint_id != sprint_row.id:
                raise InvalidInput(f"Objective {objective_id} is not in the open sprint.")
            row.progress = max(0, min(row.target, row.progress + count))
            row.done_at = (row.done_at or now) if row.progress >= row.target else None
            session.add(row)
            repo.bump_revision(session=session, board_id=board_row.id)
            session.flush()
            return repo.objective_from_row(row)

    def commit_deal(self, deal_id: int, *, board: str | None = None, remove: bool = False) -> sp.Sprint:
        """Commit a deal to the open sprint (or take it out with remove=True)."""
        with self.write() as session:
            board_row, sprint_row = self._require_open(session, board)
            deal = repo.deal_row(session=session, deal_id=deal_id)
            if deal.board_id != board_row.id:
                raise InvalidInput(f"Deal {deal_id} is not on board '{board_row.name}'.")
            link = session.get(SprintDealRow, (sprint_row.id, deal_id))
            if remove:
                if link is None:
                    raise InvalidInput(f"Deal {deal_id} is not committed to Sprint {sprint_row.number}.")
                session.delete(link)
            elif link is None:
                session.add(SprintDealRow(sprint_id=sprint_row.id, deal_id=deal_id))
            repo.bump_revision(session=session, board_id=board_row.id)
            session.flush()
            return repo.sprint_from_row(session, sprint_row)

    def _wins(self, session: Session, sprint: sp.Sprint) -> list[tuple[datetime, Decimal]]:
        """The wins the sprint counts (the rule: `sprints.sprint_wins`)."""
        outcomes = (EventKind.WON.value, EventKind.LOST.value, EventKind.REOPENED.value)
        rows = session.exec(
            select(EventRow)
            .where(EventRow.board_id == sprint.board_id, EventRow.at >= repo.to_db_time(sprint.begins))
            .where(
                or_(
                    col(EventRow.kind).in_(outcomes),
                    (EventRow.kind == EventKind.EDITED.value) & (EventRow.field == "value"),
                )
            )
            .order_by(EventRow.at, EventRow.id)
        ).all()
        events = [repo.event_from_row(r) for r in rows]
        ids = {e.deal_id for e in events if e.kind is EventKind.WON}
        values = {
            deal_id: repo.from_cents(cents)
            for deal_id, cents in session.exec(
                select(DealRow.id, DealRow.value_cents).where(col(DealRow.id).in_(ids))
            )
        } if ids else {}
        return sp.sprint_wins(sprint, events, values)

    def _advanced(self, session: Session, sprint: sp.Sprint) -> int:
        """Deals moved forward at least one open stage during the sprint."""
        positions = {
            name: (pos, kind)
            for name, pos, kind in session.exec(
                select(StageRow.name, StageRow.position, StageRow.kind).where(StageRow.board_id == sprint.board_id)
            )
        }
        moves = session.exec(
            select(EventRow.deal_id, EventRow.from_stage, EventRow.to_stage)
            .where(EventRow.board_id == sprint.board_id, EventRow.kind == EventKind.MOVED.value)
            .where(EventRow.at >= repo.to_db_time(sprint.begins), EventRow.at < repo.to_db_time(sprint.stops))
        ).all()
        advanced = set()
        for deal_id, src, dst in moves:
            if (
                src in positions
                and dst in positions
                and positions[dst][1] == StageKind.OPEN.value
                and positions[dst][0] > positions[src][0]
            ):
                advanced.add(deal_id)
        return len(advanced)

    def burn_up(self, number: int | None = None, *, board: str | None = None) -> list[sp.BurnUpPoint]:
        sprint = self.get_sprint(number, board=board)
        with self.read() as session:
            wins = self._wins(session, sprint)
        today = self._today()
        if sprint.closed_at is not None:
            today = min(sprint.end, sprint.closed_at.date())
        return sp.burn_up(sprint, wins, sprint.objectives, today)

    def close_sprint(
        self,
        *,
        board: str | None = None,
        carry_over: bool = False,
        retro: bool = True,
        well: Sequence[str] = (),
        not_well: Sequence[str] = (),
        improve: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> tuple[sp.Sprint, sp.Retro | None]:
        """Close the open sprint, keep its velocity, and hold its retro (one transaction)."""
        items = self._retro_items(well, not_well, improve, tags) if retro else []
        now = self.now()
        with self.write() as session:
            board_row, row = self._require_open(session, board)
            if retro and not items:
                raise InvalidInput(
                    "A sprint retro needs at least one item (went well, did not, to improve); "
                    "or close the sprint without a retro."
                )
            # Measured as the sprint stands once closed now (`Sprint.stops`).
            sprint = replace(repo.sprint_from_row(session, row), closed_at=now)
            wins = self._wins(session, sprint)
            result = sp.velocity(wins, self._advanced(session, sprint), sprint.objectives)
            carry = [o.id for o in sprint.objectives if not o.done] if carry_over else []
            row.status, row.closed_at = "closed", now
            row.velocity = {
                "won_value": str(result.won_value),
                "won_count": result.won_count,
                "deals_advanced": result.deals_advanced,
                "objectives_met": result.objectives_met,
                "objectives_total": result.objectives_total,
                "carry": carry,
            }
            session.add(row)
            held = None
            if retro:
                held = self._create_retro(session, board_row, sp.RetroKind.SPRINT, items, sprint_id=row.id)
            repo.bump_revision(session=session, board_id=board_row.id)
            session.flush()
            return repo.sprint_from_row(session, row), held

