"""Deals become lean work items: detail fields, contacts, qualification
criteria, discard reasons, blockers, ageing and lane (person) WIP limits.

Existing boards get the default discard reasons (a discard needs one) and,
for lean sales boards, the default qualification criteria.
"""

import sqlalchemy as sa

REASONS = ("Lost to competitor", "No budget", "No decision / status quo", "Not a fit", "Timing", "Duplicate")
CRITERIA = ("Ideal-customer fit", "Budget", "Authority", "Need", "Timeline", "Compelling event")


def upgrade(op) -> None:
    with op.batch_alter_table("board") as batch:
        batch.add_column(sa.Column("review_days", sa.Integer, nullable=False, server_default="30"))
        batch.add_column(sa.Column("stall_days", sa.Integer, nullable=False, server_default="14"))
    with op.batch_alter_table("stage") as batch:
        batch.add_column(sa.Column("stale_after_days", sa.Integer, nullable=True))
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("deal_type", sa.String(20), nullable=False, server_default="new_logo"))
        batch.add_column(sa.Column("priority", sa.String(20), nullable=False, server_default="standard"))
        batch.add_column(sa.Column("activity", sa.String(20), nullable=False, server_default="origination"))
        batch.add_column(sa.Column("expected_close", sa.Date, nullable=True))
        batch.add_column(sa.Column("next_step_due", sa.Date, nullable=True))
        batch.add_column(sa.Column("tags", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("helpers", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("blocked_reason", sa.String(500), nullable=True))
        batch.add_column(sa.Column("blocked_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("qualified_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("data", sa.JSON, nullable=True))

    op.create_table(
        "contact",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("stance", sa.String(20), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
    )
    op.create_index("ix_contact_deal_id", "contact", ["deal_id"])
    op.create_table(
        "criterion",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("board_id", "name", name="uq_criterion_board_name"),
    )
    op.create_index("ix_criterion_board_id", "criterion", ["board_id"])
    op.create_table(
        "criterion_stage",
        sa.Column("criterion_id", sa.Integer, sa.ForeignKey("criterion.id"), primary_key=True),
        sa.Column("stage_id", sa.Integer, sa.ForeignKey("stage.id"), primary_key=True),
    )
    op.create_table(
        "deal_criterion",
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), primary_key=True),
        sa.Column("criterion_id", sa.Integer, sa.ForeignKey("criterion.id"), primary_key=True),
        sa.Column("answer", sa.String(10), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "discard_reason",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("board_id", "name", name="uq_discard_reason_board_name"),
    )
    op.create_index("ix_discard_reason_board_id", "discard_reason", ["board_id"])
    op.create_table(
        "lane_limit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("dimension", sa.String(20), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("wip_max", sa.Integer, nullable=False),
        sa.UniqueConstraint("board_id", "dimension", "value", name="uq_lane_limit"),
    )
    op.create_index("ix_lane_limit_board_id", "lane_limit", ["board_id"])

    # Backfill: existing deals' last activity, existing boards' reasons and criteria.
    conn = op.get_bind()
    deal = sa.table("deal", sa.column("last_activity_at"), sa.column("updated_at"))
    conn.execute(deal.update().values(last_activity_at=deal.c.updated_at))
    board = sa.table("board", sa.column("id"), sa.column("template"))
    reason = sa.table("discard_reason", sa.column("board_id"), sa.column("name"), sa.column("position"))
    criterion = sa.table("criterion", sa.column("board_id"), sa.column("name"), sa.column("position"))
    for board_id, template in conn.execute(sa.select(board.c.id, board.c.template)).all():
        for position, name in enumerate(REASONS):
            conn.execute(reason.insert().values(board_id=board_id, name=name, position=position))
        if template == "lean-sales":
            for position, name in enumerate(CRITERIA):
                conn.execute(criterion.insert().values(board_id=board_id, name=name, position=position))
