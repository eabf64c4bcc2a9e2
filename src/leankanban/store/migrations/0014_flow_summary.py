"""Each deal's flow summary (store/flow.py): when it started (its first entry into an
active stage) and when its stage, status or blocks last changed, kept on write so that a
report need not replay the history of a deal that has not changed for months.

The step fills them in for every deal there is, replaying each board's history once
(some seconds on a board of 100,000 deals); a deal it cannot summarise keeps NULL and
has its history read, as before.
"""

import sqlalchemy as sa
from sqlmodel import Session


def upgrade(op) -> None:
    from leankanban.store import flow

    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("state_changed_at", sa.DateTime(timezone=True), nullable=True))
    session = Session(bind=op.get_bind())
    for (board_id,) in session.execute(sa.text("SELECT id FROM board ORDER BY id")).all():
        flow.refresh(session, board_id=board_id)
    session.flush()
