"""All the work on the board: work cards, and a person's WIP counted on every board.

Design
------
* **A work card is a deal row on a work board.** A board made from the template
  `activities` (To do / Doing / Done) holds the team's non-deal work: internal
  requests, support work, account plans. Its cards are `Deal`s, so moves, WIP
  limits, blocks, history and undo work on them unchanged. A work card's
  **category** is the deal's `activity` (origination, influence, support); it
  may name a **linked deal** (`linked_deal_id`: a card on a deal board it does
  work for) and an **estimate** (`estimate_minutes`). Only work cards carry
  those two (`check_work_fields`). The improvements board (retro actions) is
  non-deal work too: its cards count as work cards (WORK_TEMPLATES).
* **A person's WIP** is their open cards in active stages (open and not
  upstream) on *every* board: deals on deal boards plus work cards on work
  boards. On an activities board "To do" is upstream, so only "Doing" counts.
* **A person's WIP limit lives in the owner lane limits**: `leankanban lane
  limit owner ann 3` on any board is ann's limit everywhere; when boards set
  different ones the smallest applies (`person_limits`). A move or a new card
  that would take a person past it is refused with `PersonLimitExceeded`,
  naming their deals and work cards; an override with a reason is recorded as
  for any WIP limit. The services count it across boards inside the move's
  transaction (services/work.py).
* **Time logged on a work card** is logged in the card's category (a
  different one is refused, `log_category`), and counts in the effectiveness
  figures (time shares) of every deal board: a deal board's time logs are its
  own plus those on the work boards' cards.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from leankanban.domain import defaults
from leankanban.domain import sprints as sp
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity, Board, Deal, Lane, LaneLimit

#: Templates whose boards hold work cards (the team's non-deal work).
WORK_TEMPLATES = frozenset({defaults.ACTIVITIES_TEMPLATE, defaults.IMPROVEMENTS_TEMPLATE})
#: The longest estimate: a card bigger than a week of work is several cards.
MAX_ESTIMATE_MINUTES = 40 * 60
#: What clears an estimate or a linked deal (`--estimate none`, `--deal none`, a blank field).
NONE = "none"


def is_work_board(board: Board | str) -> bool:
    """Whether `board` (or a board of the template named) holds work cards, not deals."""
    template = board if isinstance(board, str) else board.template
    return template in WORK_TEMPLATES


@dataclass(frozen=True, slots=True)
class PersonLoad:
    """One person's work in progress on every board, and their WIP limit if one is set."""

    person: str
    #: Open deals in active stages, on the deal boards.
    deals: int = 0
    #: Open work cards in active stages, on the work boards.
    work: int = 0
    limit: int | None = None

    @property
    def total(self) -> int:
        return self.deals + self.work

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.total > self.limit

    def adding(self) -> bool:
        """Whether one more card in progress would take the person past their limit."""
        return self.limit is not None and self.total + 1 > self.limit


def person_limits(limits: Iterable[LaneLimit]) -> dict[str, int]:
    """Each person's WIP limit from the owner lane limits of every board: the smallest one."""
    found: dict[str, int] = {}
    for limit in limits:
        if limit.dimension is Lane.OWNER:
            found[limit.value] = min(limit.wip_max, found.get(limit.value, limit.wip_max))
    return found


def loads(counts: Iterable[tuple[str, bool, int]], limits: Mapping[str, int]) -> list[PersonLoad]:
    """Per person (by name as stored, in name order): `counts` are (owner, on a work board,
    cards in progress) rows; `limits` each person's limit. Everyone with work in progress or a
    limit is listed; cards without an owner are left out (nobody's WIP)."""
    deals: dict[str, int] = {}
    work: dict[str, int] = {}
    for owner, on_work_board, count in counts:
        into = work if on_work_board else deals
        into[owner] = into.get(owner, 0) + count
    people = (set(deals) | set(work) | set(limits)) - {""}
    return [
        PersonLoad(person, deals.get(person, 0), work.get(person, 0), limits.get(person))
        for person in sorted(people, key=lambda p: (p.casefold(), p))
    ]


def parse_estimate(raw: str | int | None) -> int | None:
    """A work card's estimate in minutes from `45m`, `2h`, `1h30m`, `1.5h` (at most 40h);
    blank or `none`: no estimate."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        text = str(raw)
    else:
        text = raw.strip()
        if not text or text.lower() == NONE:
            return None
    try:
        return sp.parse_duration(
            text, at_most=MAX_ESTIMATE_MINUTES,
            too_long=f"An estimate can be at most {MAX_ESTIMATE_MINUTES // 60}h; split bigger work into several cards.",
        )
    except InvalidInput as err:
        message = str(err).replace("a duration", "an estimate").replace("positive duration", "positive estimate")
        raise InvalidInput(message, field="estimate_minutes") from None


def parse_linked_deal(raw: str | int | None) -> int | None:
    """A linked deal's id from `12` or `#12`; blank or `none`: no linked deal."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip().removeprefix("#")
    if not text or text.lower() == NONE:
        return None
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise InvalidInput(f"'{raw}' is not a deal id; give a number from `deals`, or none.", field="linked_deal_id")


def check_work_fields(board: Board, card: Deal, linked: tuple[Deal, Board] | None) -> None:
    """Only a work card has a linked deal and an estimate; the deal it links to is a deal
    (a card on a deal board), not another work card, nor itself."""
    if not is_work_board(board):
        if card.linked_deal_id is not None:
            raise InvalidInput(
                f"Only a work card (on an activities board) links to a deal; '{board.name}' holds deals.",
                field="linked_deal_id",
            )
        if card.estimate_minutes is not None:
            raise InvalidInput(
                f"Only a work card (on an activities board) has an estimate; '{board.name}' holds deals.",
                field="estimate_minutes",
            )
        return
    if card.linked_deal_id is None:
        return
    if linked is None:
        raise InvalidInput(f"There is no deal {card.linked_deal_id} to link to.", field="linked_deal_id")
    deal, its_board = linked
    if deal.id == card.id or is_work_board(its_board):
        raise InvalidInput(
            f"Card {card.linked_deal_id} is a work card on '{its_board.name}'; link a work card to a deal.",
            field="linked_deal_id",
        )


def log_category(card: Deal | None, board: Board | None, given: Activity | None) -> Activity:
    """The category time logged on `card` counts in: a work card's own (a different one is
    refused: the card says what kind of work it is); else the one given."""
    if card is not None and board is not None and is_work_board(board) and card.activity is not None:
        if given is not None and given is not card.activity:
            raise InvalidInput(
                f"Card {card.id} is {card.activity.value} work; log its time as {card.activity.value} "
                "(or change the card's category first).",
                field="category",
            )
        return card.activity
    if given is None:
        raise InvalidInput(
            "Say what kind of work it was: --category origination, influence or support.", field="category"
        )
    return given
