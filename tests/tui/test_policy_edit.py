"""Editing a stage's policies on the board (issue 13: "Edit them ... and in the TUI")."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban
from tests.conftest import seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for

SIZE = (160, 45)


async def _open_editor(app, pilot, rights: int):
    from leankanban.tui.screens.policies import PoliciesDialog, PolicyEditDialog

    await loaded(pilot)
    await pilot.press(*["right"] * rights, "P")
    await wait_for(pilot, lambda: isinstance(app.screen, PoliciesDialog))
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, PolicyEditDialog))


async def test_e_in_the_policies_dialog_writes_the_stage_policy_with_why_and_card(lk_sqlite: LeanKanban) -> None:
    from leankanban.tui.screens.policies import PoliciesDialog

    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.discard(ids["Globex pilot"], "Timing")
    retro = lk_sqlite.create_retro("deal", deal_id=ids["Globex pilot"], improve=["Demo before proposal"])
    card = next(i.card_id for i in retro.items if i.card_id)
    lk_sqlite.set_stage_policy("Proposal", exit="Walked through.")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await _open_editor(app, pilot, 3)
        assert app.screen.query_one("#exit", TextArea).text == "Walked through."
        app.screen.query_one("#entry", TextArea).text = "A demo was given."
        app.screen.query_one("#why", Input).value = "retro: proposals before demos"
        app.screen.query_one("#card", Input).value = str(card)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PoliciesDialog))
        shown = str(app.screen.query_one("#policies-text").render())
        assert "A demo was given." in shown and "Walked through." in shown
    stage = lk_sqlite.get_board().stage("Proposal")
    assert (stage.entry_policy, stage.exit_policy) == ("A demo was given.", "Walked through.")
    change = [e for e in lk_sqlite.policy_history() if e.kind is EventKind.POLICY_CHANGED][-1]
    assert (change.field, change.reason, change.data) == ("entry_policy", "retro: proposals before demos", {"card": str(card)})


async def test_a_refused_policy_edit_says_why_in_the_dialog_and_changes_nothing(lk_sqlite: LeanKanban) -> None:
    from leankanban.tui.screens.policies import PolicyEditDialog

    ids = seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await _open_editor(app, pilot, 3)
        app.screen.query_one("#entry", TextArea).text = "A demo was given."
        app.screen.query_one("#card", Input).value = str(ids["Acme rollout"])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "not an improvement card" in str(app.screen.query_one("#policy-error").render()))
        assert isinstance(app.screen, PolicyEditDialog)
        await pilot.press("escape")
    assert lk_sqlite.get_board().stage("Proposal").entry_policy == ""
