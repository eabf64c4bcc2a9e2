"""Sales sprints with objectives, retrospectives with 5-whys and improvement
cards, and time logs for activity allocation."""

import sqlalchemy as sa


def upgrade(op) -> None:
    with op.batch_alter_table("board") as batch:
        batch.add_column(sa.Column("allocation", sa.JSON, nullable=True))
        batch.add_column(sa.Column("improvements_board_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_board_improvements_board", "board", ["improvements_board_id"], ["id"])
    op.create_table(
        "sprint",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("goal", sa.String(300), nullable=False),
        sa.Column("target_cents", sa.BigInteger, nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("velocity", sa.JSON, nullable=True),
        sa.UniqueConstraint("board_id", "number", name="uq_sprint_board_number"),
    )
    op.create_index("ix_sprint_board_id", "sprint", ["board_id"])
    op.create_table(
        "objective",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sprint_id", sa.Integer, sa.ForeignKey("sprint.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("target", sa.Integer, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carried_from", sa.Integer, sa.ForeignKey("objective.id"), nullable=True),
    )
    op.create_index("ix_objective_sprint_id", "objective", ["sprint_id"])
    op.create_table(
        "sprint_deal",
        sa.Column("sprint_id", sa.Integer, sa.ForeignKey("sprint.id"), primary_key=True),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), primary_key=True),
    )
    op.create_table(
        "retro",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("sprint_id", sa.Integer, sa.ForeignKey("sprint.id"), nullable=True),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=True),
        sa.Column("problem", sa.String(500), nullable=False),
        sa.Column("whys", sa.JSON, nullable=False),
        sa.Column("root_cause", sa.String(500), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
    )
    op.create_index("ix_retro_board_id", "retro", ["board_id"])
    op.create_table(
        "retro_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("retro_id", sa.Integer, sa.ForeignKey("retro.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("card_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=True),
    )
    op.create_index("ix_retro_item_retro_id", "retro_item", ["retro_id"])
    op.create_table(
        "time_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=False),
        sa.Column("deal_id", sa.Integer, sa.ForeignKey("deal.id"), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_time_log_board_at", "time_log", ["board_id", "at"])
