"""Pilot tests: the board, its keys, moves, WIP overrides, forms and polling."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from leankanban.domain.model import EventKind
from leankanban.services import LeanKanban, open_database
from leankanban.tui.screens.board_picker import BoardPicker
from leankanban.tui.screens.deal_form import DealForm
from leankanban.tui.screens.help import HelpScreen
from leankanban.tui.screens.wip_override import WipOverrideDialog
from leankanban.tui.widgets.column import DealList, StageColumn
from tests.conftest import FakeClock, seed_pipeline
from tests.tui.tui_helpers import (
    board_screen,
    column_text,
    focused_title,
    header_text,
    loaded,
    make_app,
    wait_for,
)


def fill_negotiation(lk: LeanKanban) -> None:
    """Negotiation (limit 3) already holds Hooli; two more make it full."""
    lk.add_deal("Stark deal", stage="Negotiation", account="Stark", value="5000")
    lk.add_deal("Wayne deal", stage="Negotiation", account="Wayne", value="7000")


async def test_columns_follow_stage_order_with_counts_limits_and_totals(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        names = [column.stage.name for column in screen.view.columns]
        assert names == ["Leads", "Qualifying", "Discovery", "Proposal", "Negotiation", "Won", "Lost"]
        assert len(app.screen.query(StageColumn)) == 7
        qualifying = header_text(pilot, 1)
        assert "Qualifying  1" in qualifying
        assert "WIP 1/10 · min 3" in qualifying
        assert "EUR 4.5k" in qualifying
        assert app.screen.query(StageColumn)[1].has_class("-under")
        assert app.screen.sub_title == "pipeline"


async def test_card_shows_title_account_owner_value_and_days_in_stage(
    lk_sqlite: LeanKanban, clock: FakeClock
) -> None:
    seed_pipeline(lk_sqlite)
    clock.advance(days=4)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        card = column_text(pilot, 2)
        assert "Initech renewal" in card
        lines = [line.strip() for line in card.splitlines()]
        # Title (two lines, the second empty here), account, value and age, then the owner on its own line.
        assert lines[:3] == ["Initech renewal", "", "Initech"]
        assert lines[4] == "ann"
        assert "EUR 30,000" in card
        assert "4d" in card


async def test_arrows_and_hjkl_move_the_cursor(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    lk_sqlite.add_deal("Second lead", stage="Leads")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("down")
        assert focused_title(pilot) == "Second lead"
        await pilot.press("k")
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("right")
        assert focused_title(pilot) == "Globex pilot"
        await pilot.press("l", "l")
        assert focused_title(pilot) == "Umbrella expansion"
        await pilot.press("h")
        assert focused_title(pilot) == "Initech renewal"
        await pilot.press("left", "left", "left", "left")
        assert board_screen(pilot).active_column == 0
        await pilot.press("j")
        assert focused_title(pilot) == "Second lead"


async def test_clicking_a_card_focuses_it(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        lists = list(app.screen.query(DealList))
        await pilot.click(lists[3], offset=(3, 1))
        assert focused_title(pilot) == "Umbrella expansion"
        assert board_screen(pilot).active_column == 3


async def test_move_forward_and_back_changes_the_deal_in_the_database(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Qualifying")
        await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 1))
        assert focused_title(pilot) == "Acme rollout", "the cursor follows the moved deal"
        assert "Acme rollout" not in column_text(pilot, 0)
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Discovery")
        await pilot.press("shift+left")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Qualifying")
        await pilot.press("less_than_sign")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Leads")
        await wait_for(pilot, lambda: "Acme rollout" in column_text(pilot, 0))


async def test_warnings_from_a_move_are_notified(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    seen: list[str] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        app.notify = lambda message, **kw: seen.append(message)  # type: ignore[method-assign]
        await pilot.press("right", "greater_than_sign")  # Globex leaves Qualifying (min 3) empty
        await wait_for(pilot, lambda: bool(seen))
        assert "below its minimum" in seen[0]


async def test_refused_move_shows_why_and_cancel_moves_nothing(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    fill_negotiation(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right")
        assert focused_title(pilot) == "Umbrella expansion"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        dialog = app.screen
        assert (dialog.error.stage, dialog.error.limit, dialog.error.current) == ("Negotiation", 3, 3)
        why = str(dialog.query_one("#wip-why").render())
        assert "Negotiation" in why and "3 deals for a limit of 3" in why
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WipOverrideDialog))
        await pilot.pause()
        assert lk_sqlite.get_deal(ids["Umbrella expansion"]).stage == "Proposal"
        kinds = [event.kind for event in lk_sqlite.history(ids["Umbrella expansion"])]
        assert EventKind.WIP_OVERRIDE not in kinds


async def test_override_needs_a_reason_then_moves_and_records_it(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    fill_negotiation(lk_sqlite)
    umbrella = ids["Umbrella expansion"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("right", "right", "right", "shift+right")
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        await pilot.press("enter")  # no reason yet
        assert isinstance(app.screen, WipOverrideDialog)
        assert "needs a reason" in str(app.screen.query_one("#reason-error").render())
        assert lk_sqlite.get_deal(umbrella).stage == "Proposal"
        await pilot.press(*"board approved")
        await pilot.press("enter")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(umbrella).stage == "Negotiation")
        overrides = [e for e in lk_sqlite.history(umbrella) if e.kind is EventKind.WIP_OVERRIDE]
        assert [e.reason for e in overrides] == ["board approved"]
        await wait_for(pilot, lambda: "Umbrella expansion" in column_text(pilot, 4))
        assert "WIP 4/3" in header_text(pilot, 4)
        assert app.screen.query(StageColumn)[4].has_class("-over")


async def test_an_owner_lane_limit_can_be_overridden_too(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    lk_sqlite.step_deal(acme, +1)  # Acme (ann) to Qualifying; ann already has two active deals
    lk_sqlite.set_lane_limit("owner", "ann", 2)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("right")
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        assert "ann" in str(app.screen.query_one("#wip-why").render())
        await pilot.press(*"exec sponsor", "enter")
        await wait_for(pilot, lambda: lk_sqlite.get_deal(acme).stage == "Discovery")
        reasons = [e.reason for e in lk_sqlite.history(acme) if e.kind is EventKind.WIP_OVERRIDE]
        assert reasons == ["exec sponsor"]


async def test_new_deal_through_the_form(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("right", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        form.query_one("#title", Input).value = "Wonka sweets"
        form.query_one("#account", Input).value = "Wonka"
        form.query_one("#value", Input).value = "2,500"
        form.query_one("#currency", Input).value = "usd"
        form.query_one("#owner", Input).value = "dee"
        form.query_one("#title", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        deals = {d.title: d for d in lk_sqlite.list_deals()}
        wonka = deals["Wonka sweets"]
        assert (wonka.stage, wonka.account, str(wonka.value), wonka.currency, wonka.owner) == (
            "Qualifying",
            "Wonka",
            "2500.00",
            "USD",
            "dee",
        )
        await wait_for(pilot, lambda: focused_title(pilot) == "Wonka sweets")
        assert "USD 2,500" in column_text(pilot, 1)


async def test_new_deal_with_a_blank_title_shows_the_error_and_saves_nothing(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        await pilot.press("enter")
        assert isinstance(app.screen, DealForm)
        assert "needs a title" in str(app.screen.query_one("#title-error").render())
        assert lk_sqlite.list_deals() == []


async def test_edit_with_a_bad_value_shows_the_error_by_the_field(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        assert form.query_one("#title", Input).value == "Acme rollout"
        form.query_one("#title", Input).value = "Acme big rollout"
        form.query_one("#value", Input).value = "lots"
        form.query_one("#value", Input).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DealForm)
        assert "'lots' is not a number" in str(form.query_one("#value-error").render())
        assert str(form.query_one("#title-error").render()) == ""
        assert lk_sqlite.get_deal(acme).title == "Acme rollout", "nothing is half-saved"
        form.query_one("#value", Input).value = "15000"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        saved = lk_sqlite.get_deal(acme)
        assert (saved.title, str(saved.value)) == ("Acme big rollout", "15000.00")
        await wait_for(pilot, lambda: "Acme big rollout" in column_text(pilot, 0))


async def test_escape_cancels_an_edit(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        app.screen.query_one("#title", Input).value = "Changed"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        assert lk_sqlite.get_deal(ids["Acme rollout"]).title == "Acme rollout"


async def test_switch_board(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    lk_sqlite.init_board("partners", template="blank")
    lk_sqlite.add_deal("Reseller deal", board="partners", stage="Doing")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardPicker))
        assert app.screen.query_one(OptionList).highlighted == 0
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: screen.view.board.name == "partners")
        await wait_for(pilot, lambda: len(app.screen.query(StageColumn)) == 4)
        assert screen.sub_title == "partners"
        assert "Reseller deal" in column_text(pilot, 1)
        await pilot.press("right")
        assert focused_title(pilot) == "Reseller deal"


async def test_help_lists_every_binding(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        described = [description for _keys, description in app.screen.rows]
        for binding in screen.BINDINGS:
            assert binding.tooltip in described
        keys = " ".join(keys for keys, _ in app.screen.rows)
        for shown in ("←", "h", "shift+←", "<", ">", "?", "n", "e", "⏎", "b", "r", "q"):
            assert shown in keys
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_user_text_is_shown_literally(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.add_deal("[bold red]x[/]", stage="Leads", account="[i]acme[/i]", owner="")
    lk_sqlite.add_deal("pwn\x1b[31mred\x07", stage="Leads", owner="\u202eeve")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        text = column_text(pilot, 0)
        assert "[bold red]x[/]" in text
        assert "[i]acme[/i]" in text
        assert "pwn\\x1b[31mred\\x07" in text
        assert "\\u202eeve" in text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


async def test_external_change_is_picked_up_and_focus_stays_on_the_deal(
    lk_sqlite: LeanKanban, sqlite_url: str, clock: FakeClock
) -> None:
    ids = seed_pipeline(lk_sqlite)
    other_engine = open_database(sqlite_url)
    other = LeanKanban(other_engine, actor="cli", clock=clock)
    app = make_app(lk_sqlite, poll=0.1)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            screen = await loaded(pilot)
            await pilot.press("right", "right")
            assert focused_title(pilot) == "Initech renewal"
            other.move_deal(ids["Initech renewal"], "Proposal")
            other.add_deal("Added elsewhere", stage="Leads")
            await wait_for(pilot, lambda: "Added elsewhere" in column_text(pilot, 0))
            assert "Initech renewal" in column_text(pilot, 3)
            assert focused_title(pilot) == "Initech renewal"
            assert screen.active_column == 3
            assert screen.revision == lk_sqlite.revision(screen.view.board.id)
    finally:
        other_engine.dispose()


async def test_quit(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_long_column_scrolls_with_the_cursor(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.set_stage_limits("Leads", wip_max=None)
    for number in range(1, 41):
        lk_sqlite.add_deal(f"Lead {number}", stage="Leads")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        first = [line.strip() for line in column_text(pilot, 0).splitlines()]
        assert "Lead 1" in first and "Lead 40" not in first
        assert first[-1] == "↑0  ↓34  of 40"  # six-line cards: six fit in 45 rows
        await pilot.press("end")
        assert focused_title(pilot) == "Lead 40"
        last = [line.strip() for line in column_text(pilot, 0).splitlines()]
        assert "Lead 40" in last and "Lead 1" not in last
        assert last[-1] == "↑34  ↓0  of 40"
        await pilot.press("pageup")
        assert focused_title(pilot) != "Lead 40"
        await pilot.press("home")
        assert focused_title(pilot) == "Lead 1"


async def test_a_narrow_terminal_shows_the_columns_around_the_focus(lk_sqlite: LeanKanban) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(90, 24)) as pilot:
        screen = await loaded(pilot)
        shown = lambda: [c.column_index for c in app.screen.query(StageColumn) if c.display]  # noqa: E731
        assert shown() == [0, 1, 2, 3]
        assert screen.sub_title == "pipeline · stages 1–4 of 7"
        await pilot.press("l", "l", "l", "l", "l")
        await pilot.pause()
        assert shown() == [2, 3, 4, 5, 6]  # Lost, folded to a strip, fits beside Won
        assert focused_title(pilot) is None and screen.active_column == 5
        await pilot.resize_terminal(160, 45)
        await wait_for(pilot, lambda: len(shown()) == 7)
        assert screen.sub_title == "pipeline"


async def test_an_unknown_board_says_so(lk_sqlite: LeanKanban) -> None:
    app = make_app(lk_sqlite, board="nope")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: "no board 'nope'" in str(app.screen.query_one("#loading").render()))
        assert board_screen(pilot).view is None


async def test_edit_sets_and_clears_a_deals_own_win_probability(lk_sqlite: LeanKanban) -> None:
    ids = seed_pipeline(lk_sqlite)
    acme = ids["Acme rollout"]
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        form = app.screen
        assert form.query_one("#probability", Input).value == ""  # the stage's
        form.query_one("#probability", Input).value = "250"
        form.query_one("#probability", Input).focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DealForm)
        assert "'250' is not a win probability" in str(form.query_one("#probability-error").render())
        form.query_one("#probability", Input).value = "75%"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        assert lk_sqlite.get_deal(acme).probability == 75
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, DealForm))
        assert app.screen.query_one("#probability", Input).value == "75"
        app.screen.query_one("#probability", Input).value = ""
        app.screen.query_one("#probability", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, DealForm))
        assert lk_sqlite.get_deal(acme).probability is None
