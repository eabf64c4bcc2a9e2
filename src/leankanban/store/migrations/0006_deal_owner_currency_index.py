"""Index deals by board, owner and currency (the report's per-owner currency count)."""


def upgrade(op) -> None:
    op.create_index("ix_deal_board_owner_currency", "deal", ["board_id", "owner", "currency"])
