"""Use cases for sales sprints, retrospectives, improvements and time logs.

Mixed into `LeanKanban` (services.py), so the CLI and TUI call them on the
same object: `lk.start_sprint(...)`, `lk.close_sprint(...)`, `lk.create_retro(...)`.
Each runs in one unit of work; the rules are in domain/sprints.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, col, func, select

from leankanban.domain import rules
from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput, NotFound, UnknownDeal
from leankanban.domain.model import Activity, Board, DealStatus, EventKind, StageKind
from leankanban.store import repository as repo
from leankanban.store.tables import (
    BoardRow,
    DealRow,
    EventRow,
    ObjectiveRow,
    RetroItemRow,
    RetroRow,
    SprintDealRow,
    SprintRow,
    StageRow,
    TimeLogRow,
)

IMPROVEMENTS_TEMPLATE = "improvements"


class UnknownSprint(NotFound):
    def __init__(self, what: str) -> None:
        super().__init__(f"There is no {what}.")


class UnknownRetro(NotFound):
    def __init__(self, retro_id: int) -> None:
        super().__init__(f"There is no retro {retro_id}.")


def _objective(row: ObjectiveRow) -> sp.Objective:
    return sp.Objective(
        id=row.id,
        text=row.text,
        target=row.target,
        progress=row.progress,
        deal_id=row.deal_id,
        done_at=repo.from_db_time(row.done_at),
        carried_from=row.carried_from,
    )


def _velocity(data: dict | None) -> sp.Velocity | None:
    if not data:
        return None
    return sp.Velocity(
        won_value=Decimal(data["won_value"]),
        won_count=data["won_count"],
        deals_advanced=data["deals_advanced"],
        objectives_met=data["objectives_met"],
        objectives_total=data["objectives_total"],
    )


def _sprint(session: Session, row: SprintRow) -> sp.Sprint:
    objectives = session.exec(
        select(ObjectiveRow).where(ObjectiveRow.sprint_id == row.id).order_by(ObjectiveRow.position)
    ).all()
    committed = session.exec(
        select(SprintDealRow.deal_id).where(SprintDealRow.sprint_id == row.id).order_by(SprintDealRow.deal_id)
    ).all()
    return sp.Sprint(
        id=row.id,
        board_id=row.board_id,
        number=row.number,
        start=row.start,
        end=row.end,
        goal=row.goal,
        target_value=None if row.target_cents is None else repo.from_cents(row.target_cents),
        status=sp.SprintStatus(row.status),
        closed_at=repo.from_db_time(row.closed_at),
        objectives=tuple(_objective(o) for o in objectives),
        committed=tuple(committed),
        velocity=_velocity(row.velocity),
    )


def _retro(session: Session, row: RetroRow) -> sp.Retro:
    items = session.exec(select(RetroItemRow).where(RetroItemRow.retro_id == row.id).order_by(RetroItemRow.id))
    return sp.Retro(
        id=row.id,
        board_id=row.board_id,
        kind=sp.RetroKind(row.kind),
        created_at=repo.from_db_time(row.created_at),
        actor=row.actor,
        sprint_id=row.sprint_id,
        deal_id=row.deal_id,
        problem=row.problem,
        whys=tuple(row.whys or ()),
        root_cause=row.root_cause,
        why_tags=tuple(row.tags or ()),
        items=tuple(
            sp.RetroItem(id=i.id, kind=sp.ItemKind(i.kind), text=i.text, tags=tuple(i.tags or ()), card_id=i.card_id)
            for i in items
        ),
    )


class SprintsMixin:
    """Sprints, retros, improvements and time logs (see the module docstring)."""

    # LeanKanban provides actor, _read(), _write(), _now(), _event() and _create_board().
    actor: str

    def _today(self) -> date:
        return self._now().date()

    # -- sprints ----------------------------------------------------------

    def _open_sprint_row(self, session: Session, board_id: int) -> SprintRow | None:
        return session.exec(
            select(SprintRow).where(SprintRow.board_id == board_id, SprintRow.status == "open")
        ).first()

    def current_sprint(self, *, board: str | None = None) -> sp.Sprint | None:
        with self._read() as session:
            row = repo.board_row(session=session, name=board)
            open_row = self._open_sprint_row(session, row.id)
            return None if open_row is None else _sprint(session, open_row)

    def get_sprint(self, number: int | None = None, *, board: str | None = None) -> sp.Sprint:
        """Sprint `number`, or the open sprint (else the latest) when None."""
        with self._read() as session:
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
            return _sprint(session, found)

    def list_sprints(self, *, board: str | None = None) -> list[sp.Sprint]:
        with self._read() as session:
            board_row = repo.board_row(session=session, name=board)
            rows = session.exec(
                select(SprintRow).where(SprintRow.board_id == board_row.id).order_by(SprintRow.number)
            ).all()
            return [_sprint(session, r) for r in rows]

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
        now = self._now()
        with self._write() as session:
            board_row = repo.board_row(session=session, name=board, lock=True)
            open_row = self._open_sprint_row(session, board_row.id)
            sp.check_can_start(None if open_row is None else _sprint(session, open_row))
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
                for position, objective in enumerate(sp.carry_over(_objective(o) for o in old)):
                    self._add_objective_row(session, row.id, position, objective)
            repo.bump_revision(session=session, board_id=board_row.id)
            session.flush()
            return _sprint(session, row)

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
        with self._write() as session:
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
            return _objective(row)

    def tick_objective(self, objective_id: int, *, count: int = 1, board: str | None = None) -> sp.Objective:
        """Record progress on an objective; it is met when progress reaches its target.

        A negative count takes progress back (and un-meets it).
        """
        now = self._now()
        with self._write() as session:
            board_row, sprint_row = self._require_open(session, board)
            row = session.get(ObjectiveRow, objective_id)
            if row is None or row.sprint_id != sprint_row.id:
                raise InvalidInput(f"Objective {objective_id} is not in the open sprint.")
            row.progress = max(0, min(row.target, row.progress + count))
            row.done_at = (row.done_at or now) if row.progress >= row.target else None
            session.add(row)
            repo.bump_revision(session=session, board_id=board_row.id)
            session.flush()
            return _objective(row)

    def commit_deal(self, deal_id: int, *, board: str | None = None, remove: bool = False) -> sp.Sprint:
        """Commit a deal to the open sprint (or take it out with remove=True)."""
        with self._write() as session:
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
            return _sprint(session, sprint_row)

    def _wins(self, session: Session, board_id: int, start: date, end: date) -> list[tuple[datetime, Decimal]]:
        """Won events in [start, end] (whole days, UTC) with the deal's value."""
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        stop = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
        rows = session.exec(
            select(EventRow.at, DealRow.value_cents, DealRow.status)
            .join(DealRow, DealRow.id == EventRow.deal_id)
            .where(EventRow.board_id == board_id, EventRow.kind == EventKind.WON.value)
            .where(EventRow.at >= begin, EventRow.at < stop)
            .order_by(EventRow.at)
        ).all()
        # A win that was later reopened no longer counts.
        return [(repo.from_db_time(at), repo.from_cents(cents)) for at, cents, status in rows if status == "won"]

    def _advanced(self, session: Session, board_id: int, start: date, end: date) -> int:
        """Deals moved forward at least one open stage during [start, end]."""
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        stop = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
        positions = {
            name: (pos, kind)
            for name, pos, kind in session.exec(
                select(StageRow.name, StageRow.position, StageRow.kind).where(StageRow.board_id == board_id)
            )
        }
        moves = session.exec(
            select(EventRow.deal_id, EventRow.from_stage, EventRow.to_stage)
            .where(EventRow.board_id == board_id, EventRow.kind == EventKind.MOVED.value)
            .where(EventRow.at >= begin, EventRow.at < stop)
        ).all()
        advanced = set()
        for deal_id, src, dst in moves:
            if src in positions and dst in positions and positions[dst][1] == StageKind.OPEN.value:
                if positions[dst][0] > positions[src][0]:
                    advanced.add(deal_id)
        return len(advanced)

    def burn_up(self, number: int | None = None, *, board: str | None = None) -> list[sp.BurnUpPoint]:
        sprint = self.get_sprint(number, board=board)
        with self._read() as session:
            wins = self._wins(session, sprint.board_id, sprint.start, sprint.end)
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
        now = self._now()
        with self._write() as session:
            board_row, row = self._require_open(session, board)
            if retro and not items:
                raise InvalidInput(
                    "A sprint retro needs at least one item (went well, did not, to improve); "
                    "or close the sprint without a retro."
                )
            sprint = _sprint(session, row)
            last_day = min(sprint.end, now.date())
            wins = self._wins(session, board_row.id, sprint.start, last_day)
            result = sp.velocity(wins, self._advanced(session, board_row.id, sprint.start, last_day), sprint.objectives)
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
            return _sprint(session, row), held

    # -- retros -------------------------------------------------------------

    def _retro_items(
        self, well: Sequence[str], not_well: Sequence[str], improve: Sequence[str], tags: Sequence[str]
    ) -> list[sp.RetroItem]:
        clean_tags = rules.parse_tags(list(tags))
        return [
            *sp.clean_items(well, sp.ItemKind.WELL, clean_tags),
            *sp.clean_items(not_well, sp.ItemKind.NOT_WELL, clean_tags),
            *sp.clean_items(improve, sp.ItemKind.IMPROVE, clean_tags),
        ]

    def create_retro(
        self,
        kind: str | sp.RetroKind,
        *,
        board: str | None = None,
        sprint: int | None = None,
        deal_id: int | None = None,
        well: Sequence[str] = (),
        not_well: Sequence[str] = (),
        improve: Sequence[str] = (),
        tags: Sequence[str] = (),
    ) -> sp.Retro:
        """Hold a retro for a sprint (by number; default the latest) or a deal.

        Each `improve` item becomes a card on the Improvements board.
        """
        kind = rules.parse_choice(sp.RetroKind, kind, "retro kind")
        items = self._retro_items(well, not_well, improve, tags)
        if not items:
            raise InvalidInput("A retro needs at least one item (--well, --not-well or --improve).")
        with self._write() as session:
            if kind is sp.RetroKind.DEAL:
                if deal_id is None:
                    raise InvalidInput("Say which deal the retro is about.")
                deal = session.get(DealRow, deal_id)
                if deal is None:
                    raise UnknownDeal(deal_id)
                board_row = repo.board_row_by_id(session=session, board_id=deal.board_id, lock=True)
                return self._create_retro(session, board_row, kind, items, deal_id=deal_id)
            if kind is sp.RetroKind.SPRINT:
                board_row = repo.board_row(session=session, name=board, lock=True)
                query = select(SprintRow).where(SprintRow.board_id == board_row.id)
                query = (
                    query.where(SprintRow.number == sprint)
                    if sprint is not None
                    else query.order_by(col(SprintRow.number).desc())
                )
                sprint_row = session.exec(query).first()
                if sprint_row is None:
                    raise UnknownSprint(
                        f"sprint {sprint}" if sprint is not None else f"sprint on board '{board_row.name}' yet"
                    )
                return self._create_retro(session, board_row, kind, items, sprint_id=sprint_row.id)
            raise InvalidInput("Use retro_why for a 5-whys.")

    def _create_retro(
        self,
        session: Session,
        board_row: BoardRow,
        kind: sp.RetroKind,
        items: Sequence[sp.RetroItem],
        *,
        sprint_id: int | None = None,
        deal_id: int | None = None,
    ) -> sp.Retro:
        now = self._now()
        row = RetroRow(
            board_id=board_row.id,
            kind=kind.value,
            created_at=now,
            actor=self.actor,
            sprint_id=sprint_id,
            deal_id=deal_id,
            whys=[],
            tags=[],
        )
        session.add(row)
        session.flush()
        improvements = None
        for item in items:
            card_id = None
            if item.kind is sp.ItemKind.IMPROVE:
                improvements = improvements or self._improvements_board(session, board_row)
                card_id = self._improvement_card(session, improvements, item, row.id, now)
            session.add(
                RetroItemRow(retro_id=row.id, kind=item.kind.value, text=item.text, tags=list(item.tags), card_id=card_id)
            )
        session.flush()
        return _retro(session, row)

    def _improvements_board(self, session: Session, board_row: BoardRow) -> Board:
        """The board's Improvements board (To do / Doing / Done), made on first use."""
        if board_row.improvements_board_id is not None:
            linked = repo.board_row_by_id(session=session, board_id=board_row.improvements_board_id)
            return repo.load_board(session=session, row=linked)
        names = {n.casefold() for n in repo.board_names(session=session)}
        name = "improvements" if "improvements" not in names else f"{board_row.name} improvements"
        board = self._create_board(session, name, IMPROVEMENTS_TEMPLATE)  # type: ignore[attr-defined]
        board_row.improvements_board_id = board.id
        session.add(board_row)
        session.flush()
        return board

    def _improvement_card(
        self, session: Session, board: Board, item: sp.RetroItem, retro_id: int, now: datetime
    ) -> int:
        first = min(board.stages, key=lambda s: s.position)
        card = DealRow(
            board_id=board.id,
            stage_id=first.id,
            title=rules.validate_title(item.text[: rules.MAX_TITLE]),
            owner=self.actor,
            status=DealStatus.OPEN.value,
            created_at=now,
            stage_entered_at=now,
            updated_at=now,
            last_activity_at=now,
            next_step=f"From retro #{retro_id}",
            tags=list(dict.fromkeys(["improvement", *item.tags])),
            helpers=[],
            activity=Activity.SUPPORT.value,
        )
        session.add(card)
        session.flush()
        repo.add_events(
            session=session,
            board_id=board.id,
            events=[
                self._event(EventKind.CREATED, now, card.id, to_stage=first.name, data={"retro": str(retro_id)})  # type: ignore[attr-defined]
            ],
        )
        repo.bump_revision(session=session, board_id=board.id)
        return card.id

    def retro_why(
        self,
        problem: str,
        whys: Sequence[str],
        *,
        board: str | None = None,
        retro_id: int | None = None,
        tags: Sequence[str] = (),
    ) -> sp.Retro:
        """Save a 5-whys chain: with a retro it is added to it, else it is its own retro."""
        chain = sp.five_whys(problem, whys)
        with self._write() as session:
            if retro_id is not None:
                row = session.get(RetroRow, retro_id)
                if row is None:
                    raise UnknownRetro(retro_id)
                repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            else:
                board_row = repo.board_row(session=session, name=board, lock=True)
                row = RetroRow(
                    board_id=board_row.id, kind=sp.RetroKind.WHYS.value, created_at=self._now(), actor=self.actor,
                    whys=[], tags=[],
                )
            row.problem, row.whys, row.root_cause = chain.problem, list(chain.whys), chain.root_cause
            row.tags = list(dict.fromkeys([*(row.tags or []), *rules.parse_tags(list(tags))]))
            session.add(row)
            session.flush()
            return _retro(session, row)

    def get_retro(self, retro_id: int) -> sp.Retro:
        with self._read() as session:
            row = session.get(RetroRow, retro_id)
            if row is None:
                raise UnknownRetro(retro_id)
            return _retro(session, row)

    def list_retros(self, *, board: str | None = None) -> list[sp.Retro]:
        with self._read() as session:
            board_row = repo.board_row(session=session, name=board)
            rows = session.exec(
                select(RetroRow).where(RetroRow.board_id == board_row.id).order_by(RetroRow.created_at, RetroRow.id)
            ).all()
            return [_retro(session, r) for r in rows]

    def improvement_origin(self, deal_id: int) -> sp.Retro | None:
        """The retro an improvement card came from, if it did."""
        with self._read() as session:
            item = session.exec(select(RetroItemRow).where(RetroItemRow.card_id == deal_id)).first()
            return None if item is None else _retro(session, session.get(RetroRow, item.retro_id))

    def open_improvements(self, *, board: str | None = None) -> list:
        """Improvement cards not yet done, for the next sprint to see."""
        with self._read() as session:
            board_row = repo.board_row(session=session, name=board)
            if board_row.improvements_board_id is None:
                return []
            improvements = repo.load_board(
                session=session, row=repo.board_row_by_id(session=session, board_id=board_row.improvements_board_id)
            )
            return repo.deals(session=session, board=improvements, status=DealStatus.OPEN)

    # -- time and allocation ---------------------------------------------------

    def log_time(
        self,
        duration: str,
        *,
        deal_id: int | None = None,
        category: str | Activity = Activity.ORIGINATION,
        note: str = "",
        board: str | None = None,
    ) -> sp.TimeLog:
        minutes = sp.parse_duration(duration)
        activity = rules.parse_choice(Activity, category, "category")
        note = rules.validate_text(note or "", "note")
        now = self._now()
        with self._write() as session:
            if deal_id is not None:
                deal = repo.deal_row(session=session, deal_id=deal_id)
                board_id = deal.board_id
            else:
                board_id = repo.board_row(session=session, name=board).id
            row = TimeLogRow(
                board_id=board_id, deal_id=deal_id, actor=self.actor, minutes=minutes, category=activity.value,
                note=note, at=now,
            )
            session.add(row)
            if deal_id is not None:
                repo.add_events(
                    session=session,
                    board_id=board_id,
                    events=[
                        self._event(  # type: ignore[attr-defined]
                            EventKind.NOTE, now, deal_id, new_value=f"Logged {sp.format_minutes(minutes)} "
                            f"({activity.value}){': ' + note if note else ''}"
                        )
                    ],
                )
            repo.bump_revision(session=session, board_id=board_id)
            session.flush()
            return sp.TimeLog(
                id=row.id, minutes=minutes, category=activity, at=now, actor=self.actor, deal_id=deal_id, note=note
            )

    def set_allocation(self, shares: dict[str, int], *, board: str | None = None) -> dict[Activity, int]:
        parsed = {rules.parse_choice(Activity, k, "category"): v for k, v in shares.items()}
        cleaned = sp.validate_allocation(parsed)
        with self._write() as session:
            row = repo.board_row(session=session, name=board, lock=True)
            row.allocation = {a.value: v for a, v in cleaned.items()}
            session.add(row)
            repo.bump_revision(session=session, board_id=row.id)
        return cleaned

    def target_allocation(self, *, board: str | None = None) -> dict[Activity, int]:
        with self._read() as session:
            row = repo.board_row(session=session, name=board)
            if not row.allocation:
                return dict(sp.DEFAULT_ALLOCATION)
            return {Activity(k): v for k, v in row.allocation.items()}

    def time_logs(self, *, board: str | None = None, since: datetime | None = None) -> list[sp.TimeLog]:
        with self._read() as session:
            row = repo.board_row(session=session, name=board)
            query = select(TimeLogRow).where(TimeLogRow.board_id == row.id)
            if since is not None:
                query = query.where(TimeLogRow.at >= since)
            return [
                sp.TimeLog(
                    id=r.id, minutes=r.minutes, category=Activity(r.category), at=repo.from_db_time(r.at),
                    actor=r.actor, deal_id=r.deal_id, note=r.note,
                )
                for r in session.exec(query.order_by(TimeLogRow.at, TimeLogRow.id))
            ]

    def time_allocation(self, *, board: str | None = None, since: datetime | None = None) -> list[sp.Allocation]:
        return sp.allocation(self.time_logs(board=board, since=since), self.target_allocation(board=board))

    # -- insights ----------------------------------------------------------------

    def insights(self, *, board: str | None = None, since: date | None = None) -> sp.Insights:
        """Loss reasons, retro tags, where deals are discarded, win rate by tag, improvement cadence."""
        today = self._today()
        start = since or (today - timedelta(days=180))
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        with self._read() as session:
            board_row = repo.board_row(session=session, name=board)
            lost = session.exec(
                select(EventRow.reason, EventRow.from_stage)
                .join(DealRow, DealRow.id == EventRow.deal_id)
                .where(EventRow.board_id == board_row.id, EventRow.kind == EventKind.LOST.value)
                .where(EventRow.at >= begin, DealRow.status == DealStatus.LOST.value)
            ).all()
            closed = session.exec(
                select(DealRow.tags, DealRow.status).where(
                    DealRow.board_id == board_row.id,
                    col(DealRow.status).in_([DealStatus.WON.value, DealStatus.LOST.value]),
                    DealRow.closed_at >= begin,
                )
            ).all()
            by_tag: dict[str, tuple[int, int]] = {}
            for tags, status in closed:
                for tag in tags or ():
                    won, lost_n = by_tag.get(tag, (0, 0))
                    by_tag[tag] = (won + (status == "won"), lost_n + (status == "lost"))
            retro_rows = session.exec(
                select(RetroRow).where(RetroRow.board_id == board_row.id, RetroRow.created_at >= begin)
            ).all()
            retros = [_retro(session, r) for r in retro_rows]
            done: list[datetime] = []
            if board_row.improvements_board_id is not None:
                done = [
                    repo.from_db_time(at)
                    for at in session.exec(
                        select(DealRow.closed_at).where(
                            DealRow.board_id == board_row.improvements_board_id,
                            DealRow.status == DealStatus.WON.value,
                            DealRow.closed_at >= begin,
                        )
                    )
                ]
        return sp.insights(
            lost=lost, retros=retros, closed_by_tag=by_tag, improvements_done=done, start=start, end=today
        )

