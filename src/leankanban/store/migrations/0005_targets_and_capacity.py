"""Board targets for the report: pipeline coverage target and delivery capacity."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("board") as batch:
        batch.add_column(sa.Column("pipeline_target_cents", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("capacity_per_week", sa.Integer, nullable=True))
