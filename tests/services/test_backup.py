"""Export everything, restore into a fresh database, export again: the same."""

import json

import pytest

from leankanban.domain.errors import Conflict, InvalidInput
from leankanban.services import LeanKanban, open_database
from leankanban.services.backup import export_data, restore
from tests.conftest import FakeClock, seed_pipeline


def rich_board(lk: LeanKanban, seeded: dict[str, int]) -> None:
    lk.init_board("accounts", "blank")
    lk.add_deal("Key account plan", board="accounts", tags="strategic")
    lk.require_criterion("Budget", "Proposal")
    lk.set_lane_limit("owner", "ann", 4)
    lk.set_stage_limits("Leads", wip_min=1)
    deal_id = seeded["Initech renewal"]
    lk.add_contact(deal_id, "Bill Lumbergh", role="decision maker", stance="neutral")
    lk.qualify(deal_id, "Budget", "yes", note="signed off")
    lk.move_deal(deal_id, "Proposal")
    lk.block(seeded["Hooli platform"], "Legal review")
    lk.discard(seeded["Globex pilot"], "Lost to competitor", competitor="Initrode")
    lk.add_note(seeded["Acme rollout"], "First call went well")
    lk.edit_deal(seeded["Acme rollout"], expected_close="2026-12-15", helpers="bob")
    lk.start_sprint(goal="Close Hooli", target_value="100000")
    objective = lk.add_objective("Book 3 demos", target=3)
    lk.tick_objective(objective.id)
    lk.commit_deal(seeded["Hooli platform"])
    lk.log_time("45m", deal_id=seeded["Acme rollout"], category="influence")
    lk.close_sprint(carry_over=True, well=["Demos"], improve=["Ask for budget on call one"], tags=["budget"])
    lk.retro_why("Deals stall in Proposal", ["No champion", "We never asked"])


def without_time(dump: dict) -> dict:
    return {k: v for k, v in dump.items() if k != "exported_at"}


def test_round_trip_gives_the_same_content(lk: LeanKanban, seeded, tmp_path, db_url):
    rich_board(lk, seeded)
    first = export_data(lk)
    text = json.dumps(first)
    fresh = LeanKanban(open_database(str(tmp_path / "restored.db")), actor="ann", clock=FakeClock())
    fresh.ensure_default_board()  # as a first run would
    counts = restore(fresh, json.loads(text))
    assert counts["boards"] == 3 and counts["deals"] == 7
    assert (counts["sprints"], counts["objectives"], counts["retros"], counts["time_logs"]) == (1, 1, 2, 1)
    second = export_data(fresh)
    assert without_time(second) == without_time(first)
    # The restored database keeps working, with new ids after the old ones.
    new = fresh.add_deal("After restore")
    assert new.id > max(d["id"] for b in first["boards"] for d in b["deals"])
    assert fresh.get_deal(seeded["Initech renewal"]).qualification["Budget"].note == "signed off"
    fresh.engine.dispose()


def test_sqlite_backup_restores_into_postgres(lk_sqlite: LeanKanban, pg_url):
    rich_board(lk_sqlite, seed_pipeline(lk_sqlite))
    dump = export_data(lk_sqlite)
    target = LeanKanban(open_database(pg_url), actor="ann", clock=FakeClock())
    restore(target, dump)
    assert without_time(export_data(target)) == without_time(dump)
    assert target.add_deal("New").id > max(d["id"] for b in dump["boards"] for d in b["deals"])
    target.engine.dispose()


def test_restore_refuses_a_database_with_deals(lk: LeanKanban, seeded):
    with pytest.raises(Conflict, match="already holds deals"):
        restore(lk, export_data(lk))


def test_restore_refuses_what_is_not_a_backup(lk: LeanKanban):
    with pytest.raises(InvalidInput, match="not a leankanban backup"):
        restore(lk, {"boards": []})
    bad = export_data(lk)
    bad["boards"][0]["created_at"] = "yesterday"
    with pytest.raises(InvalidInput, match="yesterday"):
        restore(lk, bad)
    assert [b.name for b in lk.list_boards()] == ["pipeline"]


def test_export_of_one_board(lk: LeanKanban, seeded):
    lk.init_board("accounts", "blank")
    dump = export_data(lk, board="accounts")
    assert [b["name"] for b in dump["boards"]] == ["accounts"]
    assert dump["boards"][0]["deals"] == []


def test_restore_refuses_a_database_with_sprints_or_time_logs(lk: LeanKanban, tmp_path):
    source = LeanKanban(open_database(str(tmp_path / "source.db")), actor="ann", clock=FakeClock())
    source.ensure_default_board()
    source.add_deal("Acme")
    dump = export_data(source)
    source.engine.dispose()
    lk.start_sprint(goal="First sprint")
    lk.log_time("45m", category="influence")
    with pytest.raises(Conflict, match="^This database already holds sprints and time logs; restore a backup into"):
        restore(lk, dump)
    assert lk.list_deals() == [] and [b.name for b in lk.list_boards()] == ["pipeline"]


def test_work_cards_round_trip_with_their_links_and_estimates(lk: LeanKanban, db_url, tmp_path):
    # The work board comes first, the deal its card links to after it: the restore
    # links the card once every deal is in.
    lk.init_board("Work", "activities")
    lk.init_board("Sales", "lean-sales")
    deal = lk.add_deal("Acme rollout", board="Sales")
    card = lk.add_deal("Acme account plan", board="Work", activity="support", estimate_minutes="90m",
                       linked_deal_id=str(deal.id))
    dump = export_data(lk)
    [work] = [b for b in dump["boards"] if b["name"] == "Work"]
    assert (work["deals"][0]["linked_deal_id"], work["deals"][0]["estimate_minutes"]) == (deal.id, 90)
    fresh = LeanKanban(open_database(str(tmp_path / "restored.db")), actor="ann", clock=FakeClock())
    restore(fresh, json.loads(json.dumps(dump)))
    restored = fresh.get_deal(card.id)
    assert (restored.linked_deal_id, restored.estimate_minutes) == (deal.id, 90)
    assert without_time(export_data(fresh)) == without_time(dump)
    fresh.engine.dispose()
