"""Explicit policies: what a stage means to enter and to leave, what a criterion and a
discard reason mean (free text, Markdown allowed, shown literally)."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("stage") as batch:
        batch.add_column(sa.Column("entry_policy", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("exit_policy", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("criterion") as batch:
        batch.add_column(sa.Column("definition", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("discard_reason") as batch:
        batch.add_column(sa.Column("definition", sa.Text, nullable=False, server_default=""))
