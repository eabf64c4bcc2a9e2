"""Work cards (domain/work.py): a card on an activities board may name the deal it does
work for and carry an estimate in minutes. Both are empty on every existing card."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("linked_deal_id", sa.Integer, sa.ForeignKey("deal.id", name="fk_deal_linked_deal_id"), nullable=True))
        batch.add_column(sa.Column("estimate_minutes", sa.Integer, nullable=True))
