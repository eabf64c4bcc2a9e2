"""Pilot tests: the deal screen, qualification in the flow, outcomes, blockers, lanes, filters, undo."""

from __future__ import annotations

from textual.widgets import Button, Input

from leankanban.domain.model import DealStatus, EventKind
from leankanban.services import LeanKanban
from leankanban.tui.screens.deal import DealScreen
from leankanban.tui.screens.deal_form import DealForm
from leankanban.tui.screens.discard import DiscardDialog
from leankanban.tui.screens.help import HelpScreen
from leankanban.tui.screens.prompts import TextPrompt, WinDialog
from leankanban.tui.screens.qualify import QualifyDialog
from leankanban.tui.widgets.deal_view import DealFacts, Timeline
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import (
    column_text,
    focused_title,
    header_text,
    loaded,
    make_app,
    skip_retro,
    wait_for,
    widget_text,
)

SIZE = (160, 45)


async def open_deal(pilot, *keys: str) -> DealScreen:  # type: ignore[no-untyped-def]
    await pilot.press(*keys, "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DealScreen) and pilot.app.screen.deal is not None)
    await pilot.pause()
    return pilot.app.screen


async def test_deal_screen_shows_every_field_and_the_timeline_newest_first(
    lk_sqlite: LeanKanban, clock: FakeClock
) -> None:
    ids = seed_pipeline(lk_sqlite)
    initech = ids["Initech renewal"]
    lk_sqlite.edit_deal(
        initech, tags="renewal, q4", helpers="bob, cy", priority="expedite", activity="origination",
        next_step="Send quote",
        next_step_due="2026-11-20", expected_close="2026-12-15",
    )
    lk_sqlite.add_contact(initech, "Bill Lumbergh", role="decision_maker", stance="opposed")
    lk_sqlite.qualify(initech, "Budget", "yes", note="signed off")
    clock.advance(days=2)
    lk_sqlite.add_note(initech, "Call went well")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_deal(pilot, "right", "right")
        facts = widget_text(screen.query_one(DealFacts))
        for expected in (
            "Initech renewal", "Initech", "EUR 30,000", "ann", "bob, cy", "new logo", "expedite",
            "origination", "2026-12-15", "Send quote", "2026-11-20", "renewal, q4", "open",
            "Discovery, 2 days in stage", "Bill Lumbergh", "decision maker", "opposed",
            "Budget", "yes", "signed off",
        ):
            assert expected in facts, expected
        timeline = widget_text(screen.query_one(Timeline)).splitlines()
        assert "note: Call went well" in timeline[0]
        assert "created in Discovery" in timeline[-1]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealScreen))


async def test_add_a_note_from_the_deal_screen(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_deal(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"[b]asked for a demo[/b]", "enter")
        await wait_for(pilot, lambda: "asked for a demo" in widget_text(screen.query_one(Timeline)))
        notes = [e.new_value for e in lk_sqlite.timeline(ids["Acme rollout"]) if e.kind is EventKind.NOTE]
        assert notes == ["[b]asked for a demo[/b]"]
        assert "note: [b]asked for a demo[/b]" in widget_text(screen.query_one(Timeline)).splitlines()[0]


async def test_edit_with_a_bad_date_shows_the_error_by_the_field_and_saves_nothing(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_deal(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        form.query_one("#title", Input).value = "Acme big rollout"
        form.query_one("#tags", Input).value = "hot, q4"
        form.query_one("#expected_close", Input).value = "31/12/2026"
        form.save()
        await pilot.pause()
        assert isinstance(app.screen, DealForm)
        assert "'31/12/2026' is not a date" in str(form.query_one("#expected_close-error").render())
        assert form.query_one("#expected_close-error").has_class("-shown")
        assert str(form.query_one("#title-error").render()) == ""
        saved = lk_sqlite.get_deal(acme)
        assert (saved.title, saved.tags, saved.expected_close) == ("Acme rollout", (), None), "nothing half-saved"
        form.query_one("#expected_close", Input).value = "2026-12-31"
        from leankanban.domain.model import Priority

        form.query_one("#priority").value = Priority.EXPEDITE
        form.save()
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        saved = lk_sqlite.get_deal(acme)
        assert (saved.title, saved.tags, str(saved.expected_close), saved.priority.value) == (
            "Acme big rollout", ("hot", "q4"), "2026-12-31", "expedite",
        )
        await wait_for(pilot, lambda: "Acme big rollout" in widget_text(screen.query_one(DealFacts)))


async def test_contacts_and_criteria_from_the_deal_screen(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_deal(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ContactDialog")
        app.screen.query_one("#name", Input).value = "Peter Gibbons"
        from leankanban.domain.model import ContactRole

        app.screen.query_one("#role").value = ContactRole.CHAMPION
        await pilot.click("#ok")
        await wait_for(pilot, lambda: "Peter Gibbons" in widget_text(screen.query_one(DealFacts)))
        assert [(c.name, c.role.value) for c in lk_sqlite.get_deal(acme).contacts] == [("Peter Gibbons", "champion")]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, QualifyDialog))
        await pilot.click("#q-1-yes")  # Budget
        app.screen.query_one("#q-1-note", Input).value = "CFO confirmed"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: not isinstance(app.screen, QualifyDialog))
        await wait_for(pilot, lambda: "CFO confirmed" in widget_text(screen.query_one(DealFacts)))
        answer = lk_sqlite.get_deal(acme).qualification["Budget"]
        assert (answer.answer.value, answer.note, answer.actor) == ("yes", "CFO confirmed", "ann")
        await pilot.press("C")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not lk_sqlite.get_deal(acme).contacts)


async def test_a_gated_move_asks_for_the_missing_criteria_then_moves(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.require_criterion("Budget", "Proposal")
    initech = ids["Initech renewal"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, QualifyDialog))
        dialog = app.screen
        assert dialog.criteria == ["Budget"]
        assert lk_sqlite.get_deal(initech).stage == "Discovery"
        await pilot.click("#q-0-yes")
        await pilot.click("#ok")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(initech).stage == "Proposal")
        assert lk_sqlite.get_deal(initech).qualification["Budget"].answer.value == "yes"
        await wait_for(pilot, lambda: "Initech renewal" in column_text(pilot, 3))


async def test_discard_needs_a_reason_then_loses_the_deal_with_reason_and_competitor(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    globex = ids["Globex pilot"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog))
        dialog = app.screen
        assert dialog.query_one("#ok", Button).disabled, "no reason chosen yet"
        assert dialog.query_one("#competitor-field").has_class("-hidden")
        await pilot.click("#reason-0")  # Lost to competitor
        await pilot.pause()
        assert not dialog.query_one("#ok", Button).disabled
        assert not dialog.query_one("#competitor-field").has_class("-hidden")
        dialog.query_one("#competitor", Input).value = "Initrode"
        dialog.query_one("#note", Input).value = "cheaper"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(globex).status is DealStatus.LOST)
        await skip_retro(pilot)
        lost = lk_sqlite.get_deal(globex)
        assert (lost.stage, lost.lost_reason) == ("Lost", "Lost to competitor: Initrode")
        event = [e for e in lk_sqlite.history(globex) if e.kind is EventKind.LOST][-1]
        assert (event.reason, event.data, event.new_value) == ("Lost to competitor", {"competitor": "Initrode"}, "cheaper")
        await wait_for(pilot, lambda: "Globex pilot" in column_text(pilot, 6))


async def test_a_competitor_loss_without_a_name_shows_why_and_asks_again(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog))
        await pilot.click("#reason-0")
        await pilot.click("#ok")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog) and app.screen.error is not None)
        assert "competitor" in str(app.screen.query_one("#discard-error").render())
        assert app.screen.chosen() == "Lost to competitor"
        assert lk_sqlite.get_deal(ids["Acme rollout"]).is_open


async def test_moving_into_lost_opens_the_discard_dialog(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.reorder_stage("Lost", 5)  # Negotiation -> Lost -> Won, so `>` from Negotiation discards
    hooli = ids["Hooli platform"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "right")
        assert focused_title(pilot) == "Hooli platform"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiscardDialog))
        assert lk_sqlite.get_deal(hooli).stage == "Negotiation"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog))
        await pilot.click("#reason-1")  # No budget
        await pilot.click("#ok")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(hooli).stage == "Lost")
        await skip_retro(pilot)
        assert lk_sqlite.get_deal(hooli).lost_reason == "No budget"
        await wait_for(pilot, lambda: "Hooli platform" in column_text(pilot, 5))


async def test_win_with_a_final_value_and_reopen(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    hooli = ids["Hooli platform"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "right", "w")
        await wait_for(pilot, lambda: isinstance(app.screen, WinDialog))
        await pilot.press(*"140000", "enter")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(hooli).status is DealStatus.WON)
        await skip_retro(pilot)
        assert str(lk_sqlite.get_deal(hooli).value) == "140000.00"
        await wait_for(pilot, lambda: "Hooli platform" in column_text(pilot, 5))
        await wait_for(pilot, lambda: focused_title(pilot) == "Hooli platform")
        await pilot.press("o")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(hooli).stage == "Negotiation")
        await wait_for(pilot, lambda: "Hooli platform" in column_text(pilot, 4))


async def test_block_and_unblock_show_on_the_card_and_in_the_header(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    umbrella = ids["Umbrella expansion"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "x")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("enter")  # no reason: refused in the dialog
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"legal review", "enter")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(umbrella).blocked_reason == "legal review")
        await wait_for(pilot, lambda: "⊘ legal review" in column_text(pilot, 3))
        assert "⊘1" in header_text(pilot, 3) or "1 blocked" in header_text(pilot, 3)
        await pilot.press("x")
        await wait_for(pilot, lambda: not lk_sqlite.get_deal(umbrella).is_blocked)
        await wait_for(pilot, lambda: "legal review" not in column_text(pilot, 3))
        assert "blocked" not in header_text(pilot, 3) and "⊘" not in header_text(pilot, 3)


async def test_swimlanes_cycle_and_show_lane_headers(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    lk_sqlite.set_stage_limits("Leads", wip_max=None)
    lk_sqlite.add_deal("Bob lead", stage="Leads", owner="bob", deal_type="renewal", priority="expedite")
    lk_sqlite.set_lane_limit("owner", "ann", 3)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert "▌" not in column_text(pilot, 0)
        await pilot.press("s")
        await pilot.pause()
        leads = column_text(pilot, 0)
        assert "▌ann · 1" in leads and "▌bob · 1" in leads
        assert "lanes: owner" in screen.sub_title
        # ann has Initech (Discovery) and Hooli (Negotiation) active: 2 of her limit of 3.
        assert "WIP 2/3" in column_text(pilot, 2)
        await pilot.press("s")
        await pilot.pause()
        assert "▌new logo · 1" in column_text(pilot, 0) and "▌renewal · 1" in column_text(pilot, 0)
        await pilot.press("s")
        await pilot.pause()
        leads = column_text(pilot, 0)
        assert leads.index("▌expedite") < leads.index("▌standard")
        await pilot.press("s")
        await pilot.pause()
        assert "lanes: account" in screen.sub_title and "▌Acme" in column_text(pilot, 0)
        await pilot.press("s")
        await pilot.pause()
        assert "▌" not in column_text(pilot, 0) and "lanes" not in screen.sub_title


async def test_filter_hides_deals_and_the_header_says_how_many(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.add_contact(ids["Hooli platform"], "Gavin Belson", role="decision_maker")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press(*"gavin", "enter")
        await wait_for(pilot, lambda: "4 hidden" in screen.sub_title)
        assert "filter: “gavin”" in screen.sub_title
        assert "Hooli platform" in column_text(pilot, 4)
        assert "Acme rollout" not in column_text(pilot, 0)
        assert "0 of 1" in header_text(pilot, 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "filter" not in screen.sub_title)
        assert "Acme rollout" in column_text(pilot, 0)


async def test_quick_filter_blocked(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.block(ids["Initech renewal"], "waiting for budget")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("B")
        await wait_for(pilot, lambda: "filter: blocked · 4 hidden" in screen.sub_title)
        assert "Initech renewal" in column_text(pilot, 2)
        assert "Acme rollout" not in column_text(pilot, 0)
        await pilot.press("right")
        assert focused_title(pilot) is None
        await pilot.press("right")
        assert focused_title(pilot) == "Initech renewal"
        await pilot.press("M")
        await wait_for(pilot, lambda: "blocked · mine" in screen.sub_title or "mine · blocked" in screen.sub_title)
        await pilot.press("B", "M")
        await wait_for(pilot, lambda: "filter" not in screen.sub_title)


async def test_undo_reverts_a_move_and_says_so(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Qualifying")
        await wait_for(pilot, lambda: len(screen.undo) == 1)
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        await pilot.press("u")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Leads")
        assert said and said[-1].startswith("Undone: move of 'Acme rollout'")
        await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 0))
        assert [e.kind for e in lk_sqlite.history(acme)][-1] is EventKind.UNDONE
        await pilot.press("u")
        assert "Nothing to undo" in said[-1]


async def test_undo_refused_by_a_wip_limit_says_why(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    initech = ids["Initech renewal"]
    app = make_app(lk_sqlite)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("right", "right", "greater_than_sign")
        await wait_for(pilot, lambda: len(screen.undo) == 1)
        lk_sqlite.set_stage_limits("Discovery", wip_max=1)
        lk_sqlite.add_deal("Filler", stage="Discovery")
        app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
        await pilot.press("u")
        assert "Cannot undo the move" in said[-1] and "WIP limit" in said[-1]
        assert lk_sqlite.get_deal(initech).stage == "Proposal"


async def test_undo_reverts_an_edit(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        app.screen.query_one("#title", Input).value = "Acme XL"
        app.screen.query_one("#value", Input).value = "20000"
        app.screen.save()
        await wait_for(pilot, lambda: len(screen.undo) == 1)
        assert lk_sqlite.get_deal(acme).title == "Acme XL"
        await pilot.press("u")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).title == "Acme rollout")
        assert str(lk_sqlite.get_deal(acme).value) == "12000.00"


async def test_help_and_footer_list_the_new_keys(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = [keys for keys, _ in app.screen.rows]
        for key in ("⏎", "e", "d", "w", "o", "x", "u", "s", "/", "M", "B", "S", "R", "esc"):
            assert key in keys, key
        described = [description for _keys, description in app.screen.rows]
        for binding in screen.BINDINGS:
            assert binding.tooltip in described
        await pilot.press("escape")
        shown = {binding.action for (_, binding, _, _) in screen.active_bindings.values() if binding.show}
        for action in ("open_deal", "discard", "win", "reopen", "toggle_block", "undo", "cycle_lanes", "filter",
                       "quick_filter('mine')", "quick_filter('blocked')", "clear_filter"):
            assert action in shown, action


async def test_the_form_offers_no_category_first_and_can_clear_one(lk_sqlite: LeanKanban) -> None:
    from textual.widgets import Select

    from leankanban.domain.model import Activity

    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await open_deal(pilot)
        assert "Activity" in widget_text(screen.query_one(DealFacts))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        select = form.query_one("#activity", Select)
        assert select.value == "none"
        form.save()  # unchanged: no category still, and no edit recorded
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        assert lk_sqlite.get_deal(acme).activity is None
        assert [e.field for e in lk_sqlite.history(acme) if e.kind is EventKind.EDITED] == []

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        app.screen.query_one("#activity", Select).value = Activity.INFLUENCE
        app.screen.save()
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        assert lk_sqlite.get_deal(acme).activity is Activity.INFLUENCE

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        assert app.screen.query_one("#activity", Select).value is Activity.INFLUENCE
        app.screen.query_one("#activity", Select).value = "none"
        app.screen.save()
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        assert lk_sqlite.get_deal(acme).activity is None
