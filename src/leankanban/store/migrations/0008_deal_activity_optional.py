"""A deal has no activity category (origination / influence / support) unless someone
gives it one: the column becomes nullable, without a default.

Until now every deal was stamped `origination` on creation and on import, so
that value says nothing by itself. It is cleared (NULL) on every deal whose
activity nobody ever set by an edit (no `edited` event for the field
`activity`); `influence` and `support` were never a default, so someone chose
them, and they stay. (A deal created with an explicit `--activity
origination` cannot be told apart from the default and is cleared too: its
owner can set it again.)
"""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("deal") as batch:
        batch.alter_column(
            "activity", existing_type=sa.String(20), nullable=True, server_default=None,
            existing_server_default="origination",
        )
    deal = sa.table("deal", sa.column("id", sa.Integer), sa.column("activity", sa.String))
    event = sa.table("event", sa.column("deal_id", sa.Integer), sa.column("kind", sa.String),
                     sa.column("field", sa.String))
    chosen = sa.select(event.c.deal_id).where(
        event.c.kind == "edited", event.c.field == "activity", event.c.deal_id.is_not(None)
    )
    op.get_bind().execute(
        deal.update()
        .where(deal.c.activity == "origination", deal.c.id.not_in(chosen))
        .values(activity=None)
    )
