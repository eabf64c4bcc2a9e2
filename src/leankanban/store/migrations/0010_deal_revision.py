"""Each deal remembers the board revision of its last change, so an open board can
fetch just the deals changed since the revision it shows (`repository.changed_deals`)."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_deal_board_revision", "deal", ["board_id", "revision"])
