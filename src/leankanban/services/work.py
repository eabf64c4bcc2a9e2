"""All the work on the board: people's WIP on every board, and the checks of work cards.

The design is in domain/work.py. Here: a person's WIP (`load`, `people_of`) is
counted across boards in the transaction of the change it decides (a move, a
new card, a re-assignment), after that change has locked its board and under
one more lock every such decision takes (`repo.lock_people`), so two changes
on two boards for one person cannot both pass their limit.
"""

from __future__ import annotations

from sqlmodel import Session

from leankanban.domain import work
from leankanban.domain.errors import UnknownDeal
from leankanban.domain.model import Board, Deal
from leankanban.services.base import ServiceBase
from leankanban.store import repository as repo


def people_of(session: Session, owner: str) -> dict[str, work.PersonLoad]:
    """`owner`'s WIP on every board with their person limit, for `rules.check_move` and
    the like (`people`); empty when no board sets them a limit (nothing to count, no lock)."""
    limits = work.person_limits(repo.owner_limits(session=session, owner=owner))
    if owner not in limits:
        return {}
    repo.lock_people(session=session)
    counts = repo.people_counts(session=session, owner=owner)
    return {load.person: load for load in work.loads(_on_work_boards(counts), limits)}


def check_card(session: Session, board: Board, card: Deal) -> None:
    """`work.check_work_fields` with the linked deal (and its board) read."""
    linked = None
    if card.linked_deal_id is not None and work.is_work_board(board):
        try:
            row = repo.deal_row(session=session, deal_id=card.linked_deal_id)
        except UnknownDeal:
            row = None
        if row is not None:
            its_board = repo.load_board(session=session, row=repo.board_row_by_id(session=session, board_id=row.board_id))
            linked = (repo.deal_from_row(row, its_board.stage_by_id(row.stage_id).name), its_board)
    work.check_work_fields(board, card, linked)


def _on_work_boards(counts: list[tuple[str, str, int]]) -> list[tuple[str, bool, int]]:
    return [(owner, work.is_work_board(template), count) for owner, template, count in counts]


class WorkMixin(ServiceBase):
    def load(self, *, person: str | None = None) -> list[work.PersonLoad]:
        """Each person's WIP on every board (deals and work cards in progress) and their
        limit; with `person`, theirs only (listed even with nothing in progress)."""
        with self.read() as session:
            limits = work.person_limits(repo.owner_limits(session=session, owner=person))
            counts = repo.people_counts(session=session, owner=person)
        found = work.loads(_on_work_boards(counts), limits)
        if person is not None and not found:
            return [work.PersonLoad(person)]
        return found

    def load_beside(self, *, board: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
        """What a board's report needs of people's WIP elsewhere, by name casefolded: each
        person's limit (the smallest of any board) and their work cards in progress on the
        other boards."""
        with self.read() as session:
            row = repo.board_row(session=session, name=board)
            limits = work.person_limits(repo.owner_limits(session=session))
            counts = repo.people_counts(session=session, except_board=row.id)
        folded: dict[str, int] = {}
        for person, limit in limits.items():
            folded[person.casefold()] = min(limit, folded.get(person.casefold(), limit))
        cards: dict[str, int] = {}
        for owner, template, count in counts:
            if work.is_work_board(template):
                cards[owner.casefold()] = cards.get(owner.casefold(), 0) + count
        return folded, cards
