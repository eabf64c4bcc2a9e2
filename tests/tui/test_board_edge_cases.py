"""The board screen on boards that the rules no longer let anyone make, but old files may hold."""

from __future__ import annotations

from sqlalchemy import text

from leankanban.services import LeanKanban
from tests.tui.tui_helpers import board_screen, make_app, wait_for


async def test_new_deal_on_a_board_without_stages_says_what_to_do(lk_sqlite: LeanKanban) -> None:
    # A header-only import used to leave such a board; `n` on it raised IndexError.
    board = lk_sqlite.init_board("empty", template="blank")
    with lk_sqlite.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM stage WHERE board_id = :b"),
            {"b": board.id},
        )
    app = make_app(lk_sqlite, board="empty")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: board_screen(pilot).view is not None)
        await pilot.press("n")
        await pilot.pause()
        assert app.return_code is None  # still running, no traceback
        assert any("no stage a deal can start in" in str(n.message) for n in app._notifications)


async def test_an_empty_board_says_what_to_press(lk_sqlite) -> None:
    from tests.tui.tui_helpers import loaded, make_app

    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        assert "no deals yet: press n to add one" in screen.sub_title
        lk_sqlite.add_deal("Acme")
        screen.load()
        await pilot.pause(0.3)
        assert "no deals yet" not in screen.sub_title


async def test_typing_into_a_prefilled_field_replaces_it(lk_sqlite) -> None:
    from leankanban.tui.screens.deal_form import DealForm
    from tests.tui.tui_helpers import loaded, make_app, wait_for

    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        await pilot.press("tab", "tab", "tab", "tab")  # title, account, value, currency: to the owner
        assert app.focused.id == "owner" and app.focused.value == "ann"
        await pilot.press(*"bob")
        assert app.focused.value == "bob"


async def test_every_field_error_shows_at_once(lk_sqlite) -> None:
    from textual.widgets import Input

    from leankanban.tui.screens.deal_form import DealForm
    from tests.tui.tui_helpers import loaded, make_app, wait_for

    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        form.query_one("#value", Input).value = "lots"
        form.query_one("#next_step_due", Input).value = "someday"
        form.query_one("#title", Input).focus()
        await pilot.press("enter")  # the title is blank too
        shown = {w.id: str(w.render()) for w in form.query(".field-error") if str(w.render())}
        assert set(shown) == {"title-error", "value-error", "next_step_due-error"}, shown
        assert lk_sqlite.list_deals() == []


async def test_enter_in_the_retro_tags_saves_it(lk_sqlite) -> None:
    from textual.widgets import Input, TextArea

    from leankanban.tui.screens.retro import RetroDialog
    from tests.tui.tui_helpers import make_app

    saved = []
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        dialog = RetroDialog("Retro")
        await app.push_screen(dialog, saved.append)
        dialog.query_one("#well", TextArea).text = "Demo landed"
        dialog.query_one("#tags", Input).focus()
        await pilot.press(*"pricing", "enter")
        await pilot.pause()
        assert saved and saved[0].tags == ["pricing"] and saved[0].well == ["Demo landed"]
