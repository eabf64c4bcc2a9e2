"""Use cases for retrospectives, 5-whys, improvement cards, time logs and insights.

The rules are in domain/sprints.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from leankanban.domain import rules, work
from leankanban.domain import sprints as sp
from leankanban.domain.errors import (
    InvalidInput,
    UnknownDeal,
    UnknownRetro,
    UnknownSprint,
)
from leankanban.domain.model import Activity, Board, DealStatus, EventKind, PolicyReason
from leankanban.services.base import (
    ServiceBase,
)
from leankanban.store import repository as repo
from leankanban.store.tables import (
    BoardRow,
    DealRow,
    EventRow,
    RetroItemRow,
    RetroRow,
    SprintRow,
    TimeLogRow,
)


class RetrosMixin(ServiceBase):
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
        with self.write() as session:
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
        now = self.now()
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
        return repo.retro_from_row(session, row)

    def _improvements_board(self, session: Session, board_row: BoardRow) -> Board:
        """The board's Improvements board (To do / Doing / Done), made on first use."""
        if board_row.improvements_board_id is not None:
            linked = repo.board_row_by_id(session=session, board_id=board_row.improvements_board_id)
            return repo.load_board(session=session, row=linked)
        names = {n.casefold() for n in repo.board_names(session=session)}
        name = "improvements" if "improvements" not in names else f"{board_row.name} improvements"
        board = self.create_board(session, name, rules.IMPROVEMENTS_TEMPLATE)  # type: ignore[attr-defined]
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
                self.event(EventKind.CREATED, now, card.id, to_stage=first.name, data={"retro": str(retro_id)})  # type: ignore[attr-defined]
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
        with self.write() as session:
            if retro_id is not None:
                row = session.get(RetroRow, retro_id)
                if row is None:
                    raise UnknownRetro(retro_id)
                repo.board_row_by_id(session=session, board_id=row.board_id, lock=True)
            else:
                board_row = repo.board_row(session=session, name=board, lock=True)
                row = RetroRow(
                    board_id=board_row.id, kind=sp.RetroKind.WHYS.value, created_at=self.now(), actor=self.actor,
                    whys=[], tags=[],
                )
            row.problem, row.whys, row.root_cause = chain.problem, list(chain.whys), chain.root_cause
            row.tags = list(dict.fromkeys([*(row.tags or []), *rules.parse_tags(list(tags))]))
            session.add(row)
            session.flush()
            return repo.retro_from_row(session, row)

    def get_retro(self, retro_id: int) -> sp.Retro:
        with self.read() as session:
            row = session.get(RetroRow, retro_id)
            if row is None:
                raise UnknownRetro(retro_id)
            return repo.retro_from_row(session, row)

    def list_retros(self, *, board: str | None = None) -> list[sp.Retro]:
        with self.read() as session:
            board_row = repo.board_row(session=session, name=board)
            rows = session.exec(
                select(RetroRow).where(RetroRow.board_id == board_row.id).order_by(RetroRow.created_at, RetroRow.id)
            ).all()
            return [repo.retro_from_row(session, r) for r in rows]

    def improvement_origin(self, deal_id: int) -> sp.Retro | None:
        """The retro an improvement card came from, if it did."""
        with self.read() as session:
            item = session.exec(select(RetroItemRow).where(RetroItemRow.card_id == deal_id)).first()
            return None if item is None else repo.retro_from_row(session, session.get(RetroRow, item.retro_id))

    def open_improvements(self, *, board: str | None = None) -> list:
        """Improvement cards not yet done, for the next sprint to see."""
        with self.read() as session:
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
        category: str | Activity | None = Activity.ORIGINATION,
        note: str = "",
        board: str | None = None,
    ) -> sp.TimeLog:
        """Log time on a deal (or outside any, on `board`). Time on a work card is logged in
        the card's category (domain/work.log_category): `category` may be None then."""
        minutes = sp.parse_duration(duration)
        given = None if category is None else rules.parse_choice(Activity, category, "category")
        note = rules.validate_text(note or "", "note")
        now = self.now()
        with self.write() as session:
            card = card_board = None
            if deal_id is not None:
                deal = repo.deal_row(session=session, deal_id=deal_id)
                board_id = deal.board_id
                card_board = repo.load_board(session=session, row=repo.board_row_by_id(session=session, board_id=board_id))
                card = repo.deal_from_row(deal, card_board.stage_by_id(deal.stage_id).name)
            else:
                board_id = repo.board_row(session=session, name=board).id
            activity = work.log_category(card, card_board, given)
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
                        self.event(  # type: ignore[attr-defined]
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

    def set_allocation(
        self, shares: dict[str, int], *, board: str | None = None, because: PolicyReason | None = None
    ) -> dict[Activity, int]:
        parsed = {rules.parse_choice(Activity, k, "category"): v for k, v in shares.items()}
        cleaned = sp.validate_allocation(parsed)
        with self.write() as session:
            row = repo.board_row(session=session, name=board, lock=True)
            self.require_manager(session, "Changing the target allocation")
            before = row.allocation or {a.value: v for a, v in sp.DEFAULT_ALLOCATION.items()}
            row.allocation = {a.value: v for a, v in cleaned.items()}
            session.add(row)
            self.policy_changes(
                session, row.id,
                [("target_allocation", None, _shares(before), _shares(row.allocation))],
                because=because,
            )
            repo.bump_revision(session=session, board_id=row.id)
        return cleaned

    def target_allocation(self, *, board: str | None = None) -> dict[Activity, int]:
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            if not row.allocation:
                return dict(sp.DEFAULT_ALLOCATION)
            return {Activity(k): v for k, v in row.allocation.items()}

    def time_logs(self, *, board: str | None = None, since: datetime | None = None) -> list[sp.TimeLog]:
        """The time logged on `board`; a deal board's includes the time logged on the work
        boards (work cards and their board), which counts in its effectiveness (domain/work.py)."""
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            boards = [row.id]
            if not work.is_work_board(row.template):
                boards += session.exec(select(BoardRow.id).where(col(BoardRow.template).in_(work.WORK_TEMPLATES))).all()
            query = select(TimeLogRow).where(col(TimeLogRow.board_id).in_(boards))
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
        with self.read() as session:
            board_row = repo.board_row(session=session, name=board)
            first = repo.first_activity(session=session, row=board_row)
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
            retros = [repo.retro_from_row(session, r) for r in retro_rows]
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
            lost=lost, retros=retros, closed_by_tag=by_tag, improvements_done=done, start=start, end=today,
            first_activity=first.date() if first is not None else None,
        )


def _shares(allocation: dict[str, int]) -> str:
    """`origination 50%, influence 30%, support 20%`, in a fixed order."""
    return ", ".join(f"{name} {allocation.get(name, 0)}%" for name in (a.value for a in Activity))
