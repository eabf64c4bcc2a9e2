"""The deal screen and form carry the customer value; a move refused for it says what to do."""

from __future__ import annotations

from textual.widgets import Input, Static

from leankanban.services import LeanKanban
from leankanban.tui.screens.deal import DealScreen
from leankanban.tui.screens.deal_form import DealForm
from leankanban.tui.screens.qualify import QualifyDialog
from leankanban.tui.widgets.deal_view import DealFacts
from tests.tui.tui_helpers import column_text, focused_title, loaded, make_app, wait_for, widget_text

SIZE = (160, 45)
STATEMENT = "Cuts month-end close from 10 days to 3 (EUR 140k a year)"


async def test_the_deal_screen_shows_the_customer_value_and_impact(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.add_deal("Acme rollout", customer_value="[b]" + STATEMENT, customer_impact="140000")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DealScreen) and app.screen.deal is not None)
        await pilot.pause()
        facts = widget_text(app.screen.query_one(DealFacts))
        assert "[b]Cuts month-end close" in facts and "EUR 140,000" in facts
        assert "from customer value" in facts


async def test_a_move_refused_for_customer_value_says_what_to_do_and_the_form_fixes_it(lk_sqlite: LeanKanban) -> None:
    deal_id = lk_sqlite.add_deal("Acme rollout", stage="Discovery").id
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right")
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, QualifyDialog))
        dialog = app.screen
        assert dialog.criteria == ["Customer value quantified"]
        meaning = " ".join(str(w.render()) for w in dialog.query(".criterion-definition").results(Static))
        assert "in the customer's terms" in meaning
        assert "write the deal's customer value (e on the board)" in meaning
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, QualifyDialog))
        # e: the form has the customer value and its impact; saved, the move goes through.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        form.query_one("#customer_value", Input).value = STATEMENT
        form.query_one("#customer_impact", Input).value = "140,000"
        form.save()
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        saved = lk_sqlite.get_deal(deal_id)
        assert (saved.customer_value, str(saved.customer_impact)) == (STATEMENT, "140000.00")
        await wait_for(pilot, lambda: focused_title(pilot) == "Acme rollout")
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(deal_id).stage == "Proposal")
        await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 3))


async def test_the_form_shows_a_bad_impact_by_its_field(lk_sqlite: LeanKanban) -> None:
    deal_id = lk_sqlite.add_deal("Acme rollout").id
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        form.query_one("#customer_impact", Input).value = "-5"
        form.save()
        await pilot.pause()
        assert "A customer impact cannot be negative." in str(form.query_one("#customer_impact-error").render())
        assert lk_sqlite.get_deal(deal_id).customer_impact is None
