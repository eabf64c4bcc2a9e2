"""Pilot tests: a move acts on what the person saw; a blocked deal stays put (issue 12)."""

from __future__ import annotations

from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban, open_database
from leankanban.tui.screens.wip_override import WipOverrideDialog
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import column_text, focused_title, loaded, make_app, wait_for

SIZE = (160, 45)


async def test_a_step_on_a_deal_someone_moved_meanwhile_changes_nothing_and_refreshes(
    lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock
) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    other_engine = open_database(sqlite_url)
    bob = LeanKanban(other_engine, actor="bob", clock=clock)
    app = make_app(lk_sqlite, poll=3600)  # no poll: the screen still shows Acme in Leads
    said: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert focused_title(pilot) == "Acme rollout"
            bob.step_deal(acme, 1, from_stage="Leads")
            app.notify = lambda message, **kw: said.append(message)  # type: ignore[method-assign]
            await pilot.press("greater_than_sign")
            await wait_for(pilot, lambda: bool(said))
            assert said[-1] == (
                "bob moved this deal to 'Qualifying' at 2026-11-02 09:00 UTC, after you saw it in 'Leads'; "
                "nothing was changed."
            )
            assert lk_sqlite.get_deal(acme).stage == "Qualifying", "moved one stage, not two"
            await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 1))
            assert "Acme rollout" not in column_text(pilot, 0)
    finally:
        other_engine.dispose()


async def test_a_blocked_deal_asks_for_a_reason_before_it_moves_on(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    initech = ids["Initech renewal"]
    lk_sqlite.block(initech, "Legal review")
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right")
        assert focused_title(pilot) == "Initech renewal"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        why = str(app.screen.query_one("#wip-why").render())
        assert "blocked: Legal review" in why and "cannot move forward" in why
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WipOverrideDialog))
        assert lk_sqlite.get_deal(initech).stage == "Discovery"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        await pilot.press(*"legal said go", "enter")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(initech).stage == "Proposal")
        overrides = [e for e in lk_sqlite.history(initech) if e.kind is EventKind.BLOCK_OVERRIDE]
        assert [(e.reason, e.from_stage, e.to_stage) for e in overrides] == [("legal said go", "Discovery", "Proposal")]


async def test_undo_names_the_events_the_move_recorded(lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme, globex = ids["Acme rollout"], ids["Globex pilot"]
    other_engine = open_database(sqlite_url)
    ann_elsewhere = LeanKanban(other_engine, actor="ann", clock=clock)  # the same person, another terminal
    app = make_app(lk_sqlite, poll=3600)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            await pilot.press("greater_than_sign")
            await wait_for(pilot, lambda: len(screen.undo) == 1)
            ann_elsewhere.step_deal(acme, -1)  # a later move of the same deal by the same actor
            ann_elsewhere.step_deal(globex, 1)
            entry = screen.undo.peek()
            moved = [e for e in lk_sqlite.history(acme) if e.kind is EventKind.MOVED]
            assert entry is not None and entry.event_ids == (moved[0].id,)
    finally:
        other_engine.dispose()


async def test_an_edit_of_a_deal_someone_changed_meanwhile_says_who_and_saves_nothing(
    lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock
) -> None:
    from textual.widgets import Input

    from leankanban.tui.screens.deal_form import DealForm

    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    other_engine = open_database(sqlite_url)
    bob = LeanKanban(other_engine, actor="bob", clock=clock)
    app = make_app(lk_sqlite, poll=3600)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
            form = app.screen
            bob.edit_deal(acme, value="99000")
            form.query_one("#value", Input).value = "15000"
            form.query_one("#value", Input).focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: "after you opened it" in " ".join(
                str(w.render()) for w in form.query(".field-error")))
            assert isinstance(app.screen, DealForm)
            assert str(lk_sqlite.get_deal(acme).value) == "99000.00"
    finally:
        other_engine.dispose()


async def test_p_shows_the_focused_stages_policies_and_a_refused_move_quotes_them(lk_sqlite: LeanKanban) -> None:
    from leankanban.tui.screens.policies import PoliciesDialog

    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.set_stage_policy("Negotiation", entry="Proposal **accepted** in principle.", exit="Contract signed.")
    lk_sqlite.require_criterion("Budget", "Negotiation", required=False)
    lk_sqlite.define_criterion("Budget", "An amount and who signs.")
    lk_sqlite.require_criterion("Budget", "Proposal")
    lk_sqlite.set_stage_limits("Negotiation", wip_max=1)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "right")
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PoliciesDialog))
        shown = str(app.screen.query_one("#policies-text").render())
        assert "WIP: max 1" in shown and "Proposal **accepted** in principle." in shown and "Contract signed." in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PoliciesDialog))
        await pilot.press("left", "P")
        await wait_for(pilot, lambda: isinstance(app.screen, PoliciesDialog))
        shown = str(app.screen.query_one("#policies-text").render())
        assert "Budget: An amount and who signs." in shown and "not written yet" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PoliciesDialog))
        assert focused_title(pilot) == "Umbrella expansion"
        await pilot.press("greater_than_sign")  # Negotiation is full
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        assert "Proposal **accepted** in principle." in str(app.screen.query_one("#wip-policy").render())
        assert lk_sqlite.get_deal(ids["Umbrella expansion"]).stage == "Proposal"
