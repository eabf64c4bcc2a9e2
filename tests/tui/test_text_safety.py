"""The TUI shows hostile user text as visible escapes: on the board, on the deal screen, in messages."""

from __future__ import annotations

from textual.widgets._toast import Toast

from leankanban.services import LeanKanban
from leankanban.tui.screens.deal import DealScreen
from leankanban.tui.screens.deal_form import DealForm
from leankanban.tui.widgets.deal_view import DealFacts, Timeline
from tests.hostile import (
    BIDI,
    C1_CSI,
    HOSTILE,
    MARKUP,
    OSC_CLIPBOARD,
    OSC_ST,
    OSC_TITLE,
    SHOWN,
    WIPE,
    assert_harmless,
    assert_shown,
)
from tests.tui.tui_helpers import board_screen, column_text, header_text, loaded, make_app, wait_for, widget_text

SIZE = (200, 60)
STAGES = ("Leads", "Qualifying", "Discovery", "Proposal", "Negotiation")


def hostile_board(lk: LeanKanban) -> list[int]:
    """The hostile strings as titles (two a column), accounts and owners; a hostile stage and board name."""
    ids = []
    for number, raw in enumerate(HOSTILE):
        # Each says what it is worth to its customer: Proposal is gated on it.
        ids.append(lk.add_deal(raw, stage=STAGES[number // 2], account=raw, owner=raw, customer_value="Saves time").id)
    lk.rename_stage("Leads", WIPE)
    return ids


async def test_board_cards_headers_and_title_show_hostile_text_as_escapes(lk_sqlite: LeanKanban) -> None:
    hostile_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        cards = "\n".join(column_text(pilot, index) for index in range(len(STAGES)))
        assert_harmless(cards)
        for raw in HOSTILE:  # a title may be cut short on its card, but is never raw
            assert SHOWN[raw][:12] in cards, raw
        assert_shown(header_text(pilot, 0), WIPE)
        assert_harmless(screen.sub_title)


async def test_a_hostile_board_name_is_shown_as_escapes(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.init_board(OSC_TITLE)
    app = make_app(lk_sqlite, board=OSC_TITLE)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert_shown(screen.sub_title, OSC_TITLE)


async def test_deal_screen_shows_every_hostile_field_as_escapes(lk_sqlite: LeanKanban) -> None:
    deal = lk_sqlite.add_deal(OSC_TITLE, stage="Leads", account=OSC_CLIPBOARD, owner=BIDI, next_step=OSC_ST,
                              tags="x", helpers="bob")
    lk_sqlite.add_note(deal.id, f"{WIPE}\nsecond line {C1_CSI}")
    lk_sqlite.add_contact(deal.id, MARKUP, email="zero\u200bwidth@example.com")
    lk_sqlite.block(deal.id, "Soft\u00adhyphen")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DealScreen) and app.screen.deal is not None)
        await pilot.pause()
        screen = app.screen
        facts = widget_text(screen.query_one(DealFacts))
        assert_shown(facts, OSC_TITLE, OSC_CLIPBOARD, BIDI, OSC_ST, MARKUP)
        assert "Soft\\xadhyphen" in facts and "zero\\u200bwidth" in facts
        timeline = widget_text(screen.query_one(Timeline))
        assert_shown(timeline, WIPE, C1_CSI)
        assert_shown(screen.sub_title, OSC_TITLE)


async def test_the_edit_form_shows_escapes_and_keeps_an_untouched_title(lk_sqlite: LeanKanban) -> None:
    deal = lk_sqlite.add_deal(OSC_TITLE, stage="Leads", account=WIPE)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        from textual.widgets import Input

        assert form.query_one("#title", Input).value == SHOWN[OSC_TITLE]
        assert form.query_one("#account", Input).value == SHOWN[WIPE]
        form.query_one("#next_step", Input).value = "Call"
        form.save()
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
    saved = lk_sqlite.get_deal(deal.id)
    assert (saved.title, saved.account, saved.next_step) == (OSC_TITLE, WIPE, "Call")


async def test_notifications_show_user_text_as_escapes(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot)
        board_screen(pilot).notify(f"There is no stage '{OSC_TITLE}'.", title=WIPE, markup=False)
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)))
        toast = app.screen.query(Toast).first()
        shown = str(toast.render()) + "\n" + widget_text(toast)
        assert_shown(shown, OSC_TITLE, WIPE)
