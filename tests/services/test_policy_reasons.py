"""Why a policy changed, and the improvement card that changed it (issue 13, explicit policies).

A retro decides to change a policy; the change then says why and links to the
improvement card that asked for it, so the next retro can see what changed,
when and why, and the card shows the policies it changed.
"""

from __future__ import annotations

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import EventKind, PolicyReason
from leankanban.services import LeanKanban


def _card(lk: LeanKanban, deal_id: int) -> int:
    retro = lk.create_retro("deal", deal_id=deal_id, improve=["Send proposals only after a demo"])
    return next(i.card_id for i in retro.items if i.card_id)


def test_a_policy_change_records_why_and_the_card(lk: LeanKanban, seeded):
    card = _card(lk, seeded["Globex pilot"])
    because = PolicyReason("retro: proposals went out before anyone saw a demo", card)
    lk.set_stage_policy("Proposal", entry="A demo was given.", because=because)
    lk.set_stage_limits("Proposal", wip_max=4, because=because)
    changes = lk.policy_history()
    entry = next(e for e in changes if e.field == "entry_policy")
    assert entry.reason == "retro: proposals went out before anyone saw a demo"
    assert entry.data == {"card": str(card)}
    assert next(e for e in changes if e.field == "wip_max").data == {"card": str(card)}
    assert [e.field for e in lk.policy_changes_of_card(card)] == ["entry_policy", "wip_max"]


def test_every_policy_use_case_takes_a_reason(lk: LeanKanban, seeded):
    why = PolicyReason("decided in the retro")
    lk.define_criterion("Budget", "A budget holder confirmed the amount.", because=why)
    lk.require_criterion("Budget", "Proposal", because=why)
    lk.define_reason("Timing", "The buyer has no project this year.", because=why)
    lk.set_discard_reasons(["Timing", "Not a fit"], because=why)
    lk.set_lane_limit("owner", "ann", 3, because=why)
    lk.add_stage("Demo", position=3, because=why)
    lk.rename_stage("Demo", "Demo given", because=why)
    lk.reorder_stage("Demo given", 4, because=why)
    lk.remove_stage("Demo given", because=why)
    lk.add_criterion("Champion", because=why)
    lk.remove_criterion("Champion", because=why)
    lk.set_allocation({"origination": 60, "influence": 30, "support": 10}, because=why)
    lk.set_board_settings(stall_days=10, because=why)
    changes = lk.policy_history()
    assert changes and all(e.reason == "decided in the retro" for e in changes)


def test_a_card_that_is_not_an_improvement_card_is_refused_and_nothing_changes(lk: LeanKanban, seeded):
    before = lk.get_board().stage("Proposal")
    with pytest.raises(InvalidInput, match="not an improvement card"):
        lk.set_stage_policy("Proposal", entry="A demo was given.", because=PolicyReason("x", seeded["Acme rollout"]))
    with pytest.raises(InvalidInput, match="not an improvement card"):
        lk.set_stage_policy("Proposal", entry="A demo was given.", because=PolicyReason("x", 9999))
    assert lk.get_board().stage("Proposal") == before
    assert not [e for e in lk.policy_history() if e.kind is EventKind.POLICY_CHANGED and e.field == "entry_policy"]


def test_a_reason_is_plain_text_of_bounded_length(lk: LeanKanban, seeded):
    with pytest.raises(InvalidInput):
        lk.set_stage_policy("Proposal", entry="x", because=PolicyReason("y" * 5000))
    lk.set_stage_policy("Proposal", entry="x", because=PolicyReason("   "))  # blank: no reason
    assert next(e for e in lk.policy_history() if e.field == "entry_policy").reason is None
