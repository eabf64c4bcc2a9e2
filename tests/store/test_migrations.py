"""Schema changes go through migrations; old databases upgrade intact."""

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban, open_database
from leankanban.store import tables  # noqa: F401  (registers the tables)
from leankanban.store.engine import make_engine
from leankanban.store.migrations import all_migrations, pending, upgrade


def test_migrations_are_ordered_and_named():
    names = [m.name for m in all_migrations()]
    assert names == sorted(names)
    assert names[0] == "0001_initial"
    assert len(names) >= 2


def test_fresh_database_gets_every_migration_once(db_url):
    engine = make_engine(db_url)
    assert pending(engine) == [m.name for m in all_migrations()]
    assert upgrade(engine) == [m.name for m in all_migrations()]
    assert pending(engine) == []
    assert upgrade(engine) == []
    engine.dispose()


def test_migrated_schema_matches_the_table_models(db_url):
    engine = open_database(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [
            d for d in compare_metadata(context, SQLModel.metadata)
            # The bookkeeping table is ours, not a model.
            if not (d[0] == "remove_table" and d[1].name == "schema_migrations")
        ]
    engine.dispose()
    assert diffs == []


def test_first_schema_upgrades_with_its_data_intact(db_url):
    engine = make_engine(db_url)
    upgrade(engine, target="0001_initial")
    assert "0002_next_step_and_event_index" in pending(engine)
    when = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    meta = sa.MetaData()
    meta.reflect(engine)
    board, stage, deal, event = (meta.tables[n] for n in ("board", "stage", "deal", "event"))
    with engine.begin() as conn:
        conn.execute(board.insert().values(id=1, name="pipeline", template="lean-sales", created_at=when, revision=3))
        conn.execute(stage.insert().values(id=1, board_id=1, name="Leads", position=0, kind="open", wip_max=9, upstream=True))
        conn.execute(stage.insert().values(id=2, board_id=1, name="Won", position=1, kind="won", upstream=False))
        conn.execute(
            deal.insert().values(
                id=1, board_id=1, stage_id=1, title="Old deal", account="Acme", value_cents=123456,
                currency="EUR", owner="ann", status="open", created_at=when, stage_entered_at=when,
                updated_at=when,
            )
        )
        conn.execute(event.insert().values(board_id=1, deal_id=1, kind="created", at=when, actor="ann", to_stage="Leads"))
    engine.dispose()

    lk = LeanKanban(open_database(db_url), actor="ann")  # upgrades on open
    assert pending(lk.engine) == []
    old = lk.get_deal(1)
    assert (old.title, old.account, str(old.value), old.next_step) == ("Old deal", "Acme", "1234.56", "")
    assert old.created_at == when
    assert [e.kind for e in lk.history(1)] == [EventKind.CREATED]
    assert lk.get_board().stage("Leads").wip_max == 9
    # The upgraded database works as a new one does.
    lk.move_deal(1, "Won")
    assert lk.get_deal(1).status.value == "won"
    lk.engine.dispose()


def test_the_default_origination_stamp_is_cleared_and_chosen_categories_stay(db_url):
    names = [m.name for m in all_migrations()]
    before = names[names.index("0008_deal_activity_optional") - 1]
    engine = make_engine(db_url)
    upgrade(engine, target=before)
    when = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    meta = sa.MetaData()
    meta.reflect(engine)
    board, stage, deal, event = (meta.tables[n] for n in ("board", "stage", "deal", "event"))
    with engine.begin() as conn:
        conn.execute(board.insert().values(id=1, name="pipeline", template="lean-sales", created_at=when, revision=1))
        conn.execute(stage.insert().values(id=1, board_id=1, name="Leads", position=0, kind="open", upstream=True))
        common = {"board_id": 1, "stage_id": 1, "account": "", "value_cents": 0, "currency": "EUR", "owner": "ann",
                  "status": "open", "created_at": when, "stage_entered_at": when, "updated_at": when}
        ids = {
            title: conn.execute(deal.insert().values(title=title, activity=activity, **common)).inserted_primary_key[0]
            for title, activity in (("Stamped", "origination"), ("Chosen", "origination"),
                                    ("Influence", "influence"), ("Support", "support"))
        }
        for deal_id in ids.values():
            conn.execute(event.insert().values(board_id=1, deal_id=deal_id, kind="created", at=when, actor="ann",
                                               to_stage="Leads"))
        # Someone chose origination for "Chosen" (after trying support); "Stamped" kept the old default.
        for old, new in (("origination", "support"), ("support", "origination")):
            conn.execute(event.insert().values(board_id=1, deal_id=ids["Chosen"], kind="edited", at=when,
                                               actor="ann", field="activity", old_value=old, new_value=new))
    engine.dispose()

    lk = LeanKanban(open_database(db_url), actor="ann")  # upgrades on open
    assert [(d.title, d.activity and d.activity.value) for d in lk.list_deals()] == [
        ("Stamped", None), ("Chosen", "origination"), ("Influence", "influence"), ("Support", "support"),
    ]
    assert lk.add_deal("New").activity is None
    lk.engine.dispose()


def test_customer_value_arrives_empty_and_an_old_board_gets_no_new_gate(db_url):
    names = [m.name for m in all_migrations()]
    before = names[names.index("0013_customer_value") - 1]
    engine = make_engine(db_url)
    upgrade(engine, target=before)
    when = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    meta = sa.MetaData()
    meta.reflect(engine)
    board, stage, deal = (meta.tables[n] for n in ("board", "stage", "deal"))
    with engine.begin() as conn:
        conn.execute(board.insert().values(id=1, name="pipeline", template="lean-sales", created_at=when, revision=1))
        conn.execute(stage.insert().values(id=1, board_id=1, name="Discovery", position=0, kind="open", upstream=False))
        conn.execute(stage.insert().values(id=2, board_id=1, name="Proposal", position=1, kind="open", upstream=False))
        conn.execute(deal.insert().values(
            id=1, board_id=1, stage_id=1, title="Old deal", account="", value_cents=0, currency="EUR", owner="ann",
            status="open", created_at=when, stage_entered_at=when, updated_at=when, tags=[], helpers=[],
        ))
    engine.dispose()

    lk = LeanKanban(open_database(db_url), actor="ann")  # upgrades on open
    old = lk.get_deal(1)
    assert (old.customer_value, old.customer_impact) == ("", None)
    assert lk.get_board().criteria == ()
    assert lk.move_deal(1, "Proposal").deal.stage == "Proposal"  # no gate appeared on the old board
    lk.edit_deal(1, customer_value="Saves EUR 10k a year", customer_impact="10000")
    assert lk.get_deal(1).customer_impact == Decimal("10000.00")
    lk.engine.dispose()
