"""A deal's own win probability, in percent (None: its stage's)."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("probability", sa.Integer, nullable=True))
