"""A deal's customer value: what it is worth to the customer, in their terms (free text),
and optionally that value as an amount in the deal's currency (cents, None: no estimate).

Existing boards keep their gates: only boards made after this step have the lean-sales
criterion "Customer value quantified" gating Proposal (domain/rules.DEFAULT_CRITERIA); a
team adds it to an older board with `criteria add` and `criteria require`.
"""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("customer_value", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("customer_impact_cents", sa.BigInteger, nullable=True))
