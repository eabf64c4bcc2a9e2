"""store/bulk.py: bulk inserts convert and default values exactly like single ORM writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from leankanban.services import LeanKanban
from leankanban.store import repository as repo
from leankanban.store.bulk import BulkInsert, deal_ids
from leankanban.store.tables import DealRow, EventRow

EVENT = ("board_id", "deal_id", "kind", "at", "actor", "from_stage", "to_stage", "reason", "data")
DEAL = ("board_id", "stage_id", "title", "created_at", "stage_entered_at", "updated_at", "external_source",
        "external_id", "tags", "helpers")


def _board(session) -> tuple[int, int]:
    board = repo.board_row(session=session, name="pipeline")
    stage = repo.stage_rows(session=session, board_id=board.id)[0]
    return board.id, stage.id


def test_bulk_rows_read_back_like_orm_rows(lk: LeanKanban):
    at = datetime(2026, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    with lk.write() as session:
        board_id, stage_id = _board(session)
        BulkInsert(session, DealRow.__table__, DEAL).insert(
            [(board_id, stage_id, "Bulk", at, at, at, "csv", "b1", ["x"], [])]
        )
        session.add(DealRow(board_id=board_id, stage_id=stage_id, title="Orm", created_at=at, stage_entered_at=at,
                            updated_at=at, external_source="csv", external_id="o1", tags=["x"], helpers=[]))
        session.flush()
        ids = deal_ids(session, board_id=board_id, source="csv", external_ids=["b1", "o1", "missing"])
        assert set(ids) == {"b1", "o1"}
        events = BulkInsert(session, EventRow.__table__, EVENT)
        assert events.insert([(board_id, ids["b1"], "note", at, "ann", None, None, None, {"import": "csv"})]) == 1
        session.add(EventRow(board_id=board_id, deal_id=ids["o1"], kind="note", at=at, actor="ann", data={"import": "csv"}))
    with lk.read() as session:
        bulk, orm = (session.exec(select(DealRow).where(DealRow.external_id == key)).one() for key in ("b1", "o1"))
        skip = {"id", "title", "external_id"}
        assert {k: v for k, v in bulk.model_dump().items() if k not in skip} == {
            k: v for k, v in orm.model_dump().items() if k not in skip
        }
        assert bulk.created_at == at and bulk.created_at.tzinfo == UTC
        assert (bulk.currency, bulk.status, bulk.deal_type) == ("EUR", "open", "new_logo")  # column defaults
        first, second = session.exec(select(EventRow).order_by(EventRow.id)).all()[-2:]
        assert (first.at, first.data) == (second.at, second.data) == (at, {"import": "csv"})


def test_a_naive_datetime_is_refused_as_by_a_single_write(lk: LeanKanban):
    with pytest.raises(ValueError, match="aware"), lk.write() as session:
        board_id, _stage_id = _board(session)
        BulkInsert(session, EventRow.__table__, EVENT).insert(
            [(board_id, None, "note", datetime(2026, 3, 1), "ann", None, None, None, None)]
        )


def test_a_required_column_left_out_is_refused():
    with pytest.raises(ValueError, match="title"):
        BulkInsert(_FakeSession(), DealRow.__table__, ("board_id", "stage_id"))  # type: ignore[arg-type]


class _FakeSession:
    def get_bind(self):
        from sqlalchemy.dialects import sqlite

        class Bind:
            dialect = sqlite.dialect()

        return Bind()


def test_a_none_json_value_is_stored_as_a_single_write_stores_it(lk: LeanKanban):
    from sqlalchemy import text

    at = datetime(2026, 3, 1, tzinfo=UTC)
    with lk.write() as session:
        board_id, _stage_id = _board(session)
        BulkInsert(session, EventRow.__table__, EVENT).insert([(board_id, None, "bulk", at, "ann", None, None, None, None)])
        session.add(EventRow(board_id=board_id, kind="orm", at=at, actor="ann", data=None))
    with lk.read() as session:
        stored = dict(session.execute(text("SELECT kind, data IS NULL FROM event WHERE kind IN ('bulk', 'orm')")).all())
    assert stored["bulk"] == stored["orm"]
