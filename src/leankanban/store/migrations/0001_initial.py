"""The first schema: boards, stages, deals and the event history."""

import sqlalchemy as sa


def upgrade(op) -> None:
    op.create_table(
        "board",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(60), nullable=False, unique=True),
        sa.Column("template", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_table(
        "stage",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("wip_min", sa.Integer, nullable=True),
        sa.Column("wip_max", sa.Integer, nullable=True),
        sa.Column("upstream", sa.Boolean, nullable=False),
        sa.UniqueConstraint("board_id", "name", name="uq_stage_board_name"),
    )
    op.create_index("ix_stage_board_id", "stage", ["board_id"])
    op.create_table(
        "deal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("stage_id", sa.Integer, sa.ForeignKey("stage.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("value_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lost_reason", sa.String(200), nullable=True),
        sa.Column("external_source", sa.String(30), nullable=True),
        sa.Column("external_id", sa.String(100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_deal_board_stage_status", "deal", ["board_id", "stage_id", "status"])
    op.create_index("ix_deal_external", "deal", ["board_id", "external_source", "external_id"])
    op.create_table(
        "event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_stage", sa.String(60), nullable=True),
        sa.Column("to_stage", sa.String(60), nullable=True),
        sa.Column("field", sa.String(60), nullable=True),
        sa.Column("old_value", sa.String, nullable=True),
        sa.Column("new_value", sa.String, nullable=True),
        sa.Column("reason", sa.String, nullable=True),
    )
    op.create_index("ix_event_board_id", "event", ["board_id"])
