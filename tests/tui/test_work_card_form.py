"""The deal form on an activities board: a work card's category, estimate and deal."""

from __future__ import annotations

from textual.widgets import Input, Label, Select

from leankanban.domain.model import Activity
from leankanban.services import LeanKanban
from leankanban.tui.screens.deal_form import DealForm
from tests.conftest import seed_pipeline
from tests.tui.tui_helpers import loaded, make_app, wait_for


async def test_a_new_work_card_through_the_form(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.init_board("Work", "activities")
    app = make_app(lk_sqlite, board="Work")
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        labels = [str(label.render()) for label in form.query(Label)]
        assert "Category" in labels and "Estimate" in labels and "For deal" in labels
        form.query_one("#title", Input).value = "Hooli account plan"
        form.query_one("#activity", Select).value = Activity.SUPPORT
        form.query_one("#estimate_minutes", Input).value = "41h"
        form.query_one("#linked_deal_id", Input).value = "999"
        form.query_one("#title", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DealForm)  # refused: nothing saved
        assert "at most 40h" in str(form.query_one("#estimate_minutes-error").render())
        assert lk_sqlite.list_deals(board="Work") == []
        form.query_one("#estimate_minutes", Input).value = "1h30m"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no deal 999" in str(form.query_one("#linked_deal_id-error").render()))
        form.query_one("#linked_deal_id", Input).value = str(ids["Hooli platform"])
        form.query_one("#title", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        [card] = lk_sqlite.list_deals(board="Work")
        assert (card.title, card.activity, card.estimate_minutes, card.linked_deal_id) == (
            "Hooli account plan", Activity.SUPPORT, 90, ids["Hooli platform"])


async def test_the_form_on_a_deal_board_has_no_work_card_fields(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        assert not app.screen.query("#estimate_minutes") and not app.screen.query("#linked_deal_id")
        assert "Activity" in [str(label.render()) for label in app.screen.query(Label)]


async def test_editing_a_work_card_shows_its_estimate_and_keeps_it(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.init_board("Work", "activities")
    card = lk_sqlite.add_deal("Security questionnaire", board="Work", estimate_minutes="90m")
    app = make_app(lk_sqlite, board="Work")
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        assert form.query_one("#estimate_minutes", Input).value == "1h30m"
        form.query_one("#linked_deal_id", Input).value = ""
        form.query_one("#title", Input).value = "Security questionnaire v2"
        form.query_one("#title", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        saved = lk_sqlite.get_deal(card.id)
        assert (saved.title, saved.estimate_minutes) == ("Security questionnaire v2", 90)
        assert [e.field for e in lk_sqlite.history(card.id) if e.field] == ["title"]
