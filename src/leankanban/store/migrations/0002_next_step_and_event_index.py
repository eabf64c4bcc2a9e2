"""Deals get a next step; events are indexed by deal and time for history views."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("next_step", sa.String(200), nullable=False, server_default=""))
    op.create_index("ix_event_deal_at", "event", ["deal_id", "at"])
