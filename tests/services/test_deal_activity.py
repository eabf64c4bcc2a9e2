"""A deal has no activity category (origination / influence / support) unless someone gives it one."""

import json

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity, EventKind
from leankanban.services import LeanKanban, open_database
from leankanban.services.backup import export_data, restore
from tests.conftest import FakeClock


def test_a_new_deal_has_no_category(lk: LeanKanban):
    deal = lk.add_deal("Acme")
    assert deal.activity is None
    assert lk.get_deal(deal.id).activity is None


def test_a_category_given_is_kept_and_none_clears_it_with_an_event(lk: LeanKanban):
    deal = lk.add_deal("Acme", activity="influence")
    assert lk.get_deal(deal.id).activity is Activity.INFLUENCE
    assert lk.edit_deal(deal.id, activity="none").activity is None
    assert lk.get_deal(deal.id).activity is None
    edits = [e for e in lk.history(deal.id) if e.kind is EventKind.EDITED]
    assert [(e.field, e.old_value, e.new_value) for e in edits] == [("activity", "influence", "")]
    assert lk.edit_deal(deal.id, activity="Support").activity is Activity.SUPPORT


def test_an_unknown_category_names_the_choices_and_none(lk: LeanKanban):
    deal = lk.add_deal("Acme")
    with pytest.raises(InvalidInput, match=r"origination, influence, support, none") as caught:
        lk.edit_deal(deal.id, activity="hunting")
    assert caught.value.field == "activity"


def test_a_backup_with_deals_without_category_restores(lk: LeanKanban, tmp_path):
    lk.add_deal("Acme")
    lk.add_deal("Globex", activity="support")
    dump = json.loads(json.dumps(export_data(lk)))
    assert [d["activity"] for d in dump["boards"][0]["deals"]] == [None, "support"]
    fresh = LeanKanban(open_database(str(tmp_path / "restored.db")), actor="ann", clock=FakeClock())
    fresh.ensure_default_board()
    restore(fresh, dump)
    assert [d.activity for d in fresh.list_deals()] == [None, Activity.SUPPORT]
    fresh.engine.dispose()
