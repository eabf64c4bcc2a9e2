"""Each deal's flow summary, kept on write: what a report needs of a settled deal.

A report over the last 90 days reads every open deal, and on a board of 100,000
deals most of them have not changed stage, status or blocks for months. Their
histories (some 240,000 events on a mostly-open board) told the report only two
things it could not read from the deal itself: when the deal started (its first
entry into an active stage, with the undo rule of `metrics.timelines`) and
whether anything changed since. Those two are kept on the deal row, in the
columns `started_at` and `state_changed_at`, written in the same transaction as
the events:

* `repository.add_events` marks the deals it writes events for, and the unit of
  work refreshes the marked ones just before it commits (after the use case has
  set the deal's own fields), replaying each one's history through
  `metrics.timelines` (the one home of the rule);
* imports tell the new deals' summaries from the history they write, by the
  same rule, and mark the deals a re-import changes; restores and the schema
  step that added the columns refresh every deal (`refresh`); a stage renamed, added or removed
  refreshes the deals whose history names it (`refresh_stage`), since the same
  history then tells them another timeline.

`state_changed_at` is NULL where the summary cannot stand for the history
(`timelines.summary_of`: a deal blocked now, a history that disagrees with the
deal's fields, a deal with no stage history) or was never computed: such a
deal's history is read, as before. So a writer that forgets to refresh makes a
report slower, never wrong, as long as it writes a new deal (NULL) or calls
`mark`; a writer that adds events to a summarised deal must mark it.

On PostgreSQL the deals are locked (FOR UPDATE) before their histories are read,
so that of two transactions writing events for the same deal the second waits
and then reads the first one's events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError

from leankanban.domain.model import Board
from leankanban.metrics import timelines as tl
from leankanban.store import readers
from leankanban.store import repository as repo
from leankanban.store.tables import BoardRow, DealRow, EventRow
from leankanban.store.uow import FLOW_MARKED

_DEAL = DealRow.__table__.c  # type: ignore[attr-defined]
MARKED = FLOW_MARKED
#: Deals refreshed per statement (bound ids stay well under SQLite's cap).
_BATCH = 5_000
#: Before every stored time: the history of a deal is read from here on.
_EVER = datetime(1, 1, 2, tzinfo=UTC)


def mark(session: Any, deal_ids: Iterable[int | None]) -> None:
    """Refresh these deals' summaries before the session commits (see the module's docstring)."""
    session.info.setdefault(MARKED, set()).update(i for i in deal_ids if i is not None)


def refresh_marked(session: Any) -> None:
    """Refresh the deals marked in this session (the unit of work calls it before committing)."""
    marked = session.info.pop(MARKED, None)
    if not marked:
        return
    session.flush()
    ids = sorted(marked)
    try:
        with session.begin_nested():
            refresh(session, deal_ids=ids)
    except DBAPIError:
        raise  # the database's own trouble: the use case fails with its sentence
    except Exception:  # a derived column must never cost the user their change
        # No summary: their histories are read, as before (slower, never wrong).
        session.execute(
            update(DealRow.__table__).where(_DEAL.id.in_(ids)).values(started_at=None, state_changed_at=None)  # type: ignore[arg-type]
        )


def refresh(session: Any, *, board_id: int | None = None, deal_ids: Iterable[int] | None = None) -> int:
    """Recompute the summaries of `deal_ids`, or of every deal of `board_id`; returns how
    many deals were summarised (the rest have NULL: their history is read)."""
    if deal_ids is None:
        if board_id is None:
            raise ValueError("refresh needs a board or deals")
        ids = list(session.execute(select(_DEAL.id).where(_DEAL.board_id == board_id).order_by(_DEAL.id)).scalars())
    else:
        ids = sorted(set(deal_ids))
    summarised = 0
    boards: dict[int, Board] = {}
    for at in range(0, len(ids), _BATCH):
        summarised += _refresh(session, ids[at : at + _BATCH], boards)
    return summarised


def refresh_stage(session: Any, board_id: int, names: Iterable[str], stage_id: int | None = None) -> int:
    """Refresh the deals whose history names one of the stages `names`, and those in the
    stage `stage_id`: after a stage is renamed, added or removed, the same history tells
    them another timeline (a visit to a stage the board no longer has counts as active)."""
    named = list(names)
    event = EventRow.__table__.c  # type: ignore[attr-defined]
    wanted = or_(event.to_stage.in_(named), event.from_stage.in_(named))
    ids = set(session.execute(select(event.deal_id).where(event.board_id == board_id, wanted).distinct()).scalars())
    if stage_id is not None:
        ids.update(session.execute(select(_DEAL.id).where(_DEAL.stage_id == stage_id)).scalars())
    ids.discard(None)
    return refresh(session, deal_ids=ids) if ids else 0


def _refresh(session: Any, ids: list[int], boards: dict[int, Board]) -> int:
    locked = select(_DEAL.id).where(_DEAL.id.in_(ids))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(locked.with_for_update())
    rows = session.execute(readers.summary_rows(ids)).all()
    by_board: defaultdict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_board[row[1]].append(row)
    values: list[dict[str, Any]] = []
    for board_id, board_rows in by_board.items():
        board = boards.get(board_id)
        if board is None:
            board = repo.load_board(session=session, row=session.get(BoardRow, board_id))
            board = boards[board_id] = replace(  # with their renames, as the report reads them
                board, stages=repo.with_renames(session=session, board_id=board_id, stages=board.stages)
            )
        names = {s.id: s.name for s in board.stages}
        events = readers.state_events(session, board_id, _EVER, board_rows)
        changed: dict[int | None, datetime] = {}
        for event in events:
            if event.kind in tl.STATE_KINDS and (event.deal_id not in changed or event.at > changed[event.deal_id]):
                changed[event.deal_id] = event.at
        deals = readers.deals(board_rows, names)
        lines = tl.timelines(board.stages, deals, events, now=datetime.now(UTC))
        for deal, line in zip(deals, lines, strict=True):
            summary = tl.summary_of(line, changed.get(deal.id))
            values.append({
                "deal": deal.id,
                "started": summary.started_at if summary else None,
                "changed": summary.state_changed_at if summary else None,
            })
    if values:
        session.execute(
            update(DealRow.__table__)  # type: ignore[arg-type]
            .where(_DEAL.id == bindparam("deal"))
            .values(started_at=bindparam("started"), state_changed_at=bindparam("changed")),
            values,
            execution_options={"synchronize_session": False},
        )
    return sum(1 for v in values if v["changed"] is not None)
