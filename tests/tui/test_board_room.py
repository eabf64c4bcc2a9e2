"""Room for the cards: titles on two lines, the owner on a line of its own, closed columns folded
to strips; at 160x45 and 100x30."""

from __future__ import annotations

import pytest

from leankanban.services import LeanKanban
from leankanban.tui.format import wrap_lines
from leankanban.tui.screens.board import STRIP_WIDTH, fit_window
from leankanban.tui.widgets.column import StageColumn
from tests.conftest import seed_pipeline
from tests.hostile import WIPE, assert_harmless, assert_shown
from tests.tui.tui_helpers import column_text, focused_title, header_text, loaded, make_app

LONG_TITLE = "Acme Corporation global CRM rollout for three regions and the support desk"


def card_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_a_title_wraps_at_words_into_two_lines_and_a_cut_ends_in_an_ellipsis() -> None:
    assert wrap_lines("Umbrella expansion", 12) == ["Umbrella", "expansion"]
    assert wrap_lines("Acme", 12) == ["Acme"]
    assert wrap_lines("", 12) == []
    assert wrap_lines("Umbrella expansion into three regions", 12) == ["Umbrella", "expansion i…"]
    assert wrap_lines("Supercalifragilistic deal", 10) == ["Supercalif", "ragilisti…"]  # a long word is broken
    assert wrap_lines("日本語のタイトルです長い", 8) == ["日本語の", "タイト…"]  # by cells, not characters


def test_a_wrapped_title_is_made_visible_first() -> None:
    lines = wrap_lines("pwn\x1b[31mred and \u202eeve", 40)
    assert lines == ["pwn\\x1b[31mred and \\u202eeve"]


@pytest.mark.parametrize("size", [(160, 45), (100, 30)])
async def test_a_long_title_takes_two_lines_and_the_owner_has_its_own(lk_sqlite: LeanKanban, size) -> None:
    lk_sqlite.add_deal(LONG_TITLE, stage="Leads", account="Acme Corporation", value="120000", owner="annabelle")
    app = make_app(lk_sqlite)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        lines = card_lines(column_text(pilot, 0))
        first, second = lines[0], lines[1]
        assert LONG_TITLE.startswith(first) and len(first) > 12
        assert second.endswith("…") and LONG_TITLE.startswith(f"{first} {second[:-1]}")
        assert lines[2] == "Acme Corporation"
        assert lines[3].startswith("EUR 120,000") and lines[3].endswith("0d")
        assert lines[4] == "annabelle"


@pytest.mark.parametrize("size", [(160, 45), (100, 30)])
async def test_every_open_card_shows_its_owner_and_account_uncut(lk_sqlite: LeanKanban, size) -> None:
    seed_pipeline(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        for index, (title, account, owner) in enumerate([
            ("Acme rollout", "Acme Corp", "ann"),
            ("Globex pilot", "Globex", "bob"),
            ("Initech renewal", "Initech", "ann"),
            ("Umbrella expansion", "Umbrella", "cy"),
            ("Hooli platform", "Hooli", "ann"),
        ]):
            lines = card_lines(column_text(pilot, index))
            assert " ".join(lines[:2]).strip() == title
            assert lines[2:5:2] == [account, owner]
            assert "…" not in "".join(lines[:5])


async def test_a_card_without_an_owner_says_so(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.add_deal("Orphan deal", stage="Leads", account="Nobody Inc", owner="")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        assert card_lines(column_text(pilot, 0))[4] == "no owner"


# -- closed columns folded to strips ------------------------------------------


def won_and_lost_board(lk: LeanKanban) -> None:
    ids = seed_pipeline(lk)
    lk.win(ids["Hooli platform"])
    lk.add_deal("Stark deal", stage="Negotiation", account="Stark", value="5000", owner="dee")
    lk.discard(ids["Globex pilot"], "No budget")


def columns(pilot) -> list[StageColumn]:
    return list(pilot.app.screen.query(StageColumn))


def test_the_window_fits_strips_beside_full_columns() -> None:
    assert fit_window([20] * 5 + [7, 7], 160, 0, 0) == range(7)
    assert fit_window([20] * 5 + [7, 7], 100, 0, 0) == range(5)  # the five open stages
    assert fit_window([20] * 5 + [7, 7], 100, 0, 4) == range(5)
    assert fit_window([20] * 6 + [7], 100, 0, 5) == range(1, 6)  # the cursor in Won: it is a full column
    assert fit_window([20] * 4, 30, 3, 0) == range(1)
    assert fit_window([20, 20], 0, 0, 1) == range(2)  # no size yet: every column
    assert fit_window([], 100, 0, 0) == range(0)


async def test_won_and_lost_start_as_strips_that_show_their_counts(lk_sqlite: LeanKanban) -> None:
    won_and_lost_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        folded = [column.column_index for column in columns(pilot) if column.has_class("-collapsed")]
        assert folded == [5, 6]
        won, lost = columns(pilot)[5], columns(pilot)[6]
        assert won.outer_size.width == lost.outer_size.width == STRIP_WIDTH
        assert card_lines(header_text(pilot, 5))[:2] == ["Won", "1"]
        assert card_lines(header_text(pilot, 6))[:2] == ["Lost", "1"]
        assert not won.deal_list.display


async def test_the_fold_key_opens_the_closed_columns_and_the_open_ones_give_way(lk_sqlite: LeanKanban) -> None:
    won_and_lost_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        folded_width = columns(pilot)[0].outer_size.width
        assert folded_width >= (160 - 2 * STRIP_WIDTH) // 5  # the strips' room went to the open stages
        await pilot.press("c")
        await pilot.pause()
        assert not any(column.has_class("-collapsed") for column in columns(pilot))
        assert "Hooli platform" in column_text(pilot, 5) and "Globex pilot" in column_text(pilot, 6)
        assert "Won  1" in header_text(pilot, 5)
        assert columns(pilot)[0].outer_size.width < folded_width
        assert screen.active_column == 0
        await pilot.press("c")
        await pilot.pause()
        assert [column.column_index for column in columns(pilot) if column.has_class("-collapsed")] == [5, 6]
        assert columns(pilot)[0].outer_size.width == folded_width


async def test_the_cursor_opens_a_folded_column_while_it_is_in_it(lk_sqlite: LeanKanban) -> None:
    won_and_lost_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("l", "l", "l", "l", "l")
        await pilot.pause()
        assert screen.active_column == 5 and focused_title(pilot) == "Hooli platform"
        assert not columns(pilot)[5].has_class("-collapsed") and columns(pilot)[6].has_class("-collapsed")
        assert "Hooli platform" in column_text(pilot, 5)
        await pilot.press("l")
        await pilot.pause()
        assert focused_title(pilot) == "Globex pilot"
        assert columns(pilot)[5].has_class("-collapsed") and not columns(pilot)[6].has_class("-collapsed")
        await pilot.press("c", "c")  # open every closed column, then fold them: the cursor steps out
        await pilot.pause()
        assert screen.active_column == 4 and focused_title(pilot) == "Stark deal"
        assert [column.column_index for column in columns(pilot) if column.has_class("-collapsed")] == [5, 6]


async def test_a_filtered_strip_shows_the_count_shown_of_all(lk_sqlite: LeanKanban) -> None:
    won_and_lost_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"acme", "enter")
        await pilot.pause()
        assert card_lines(header_text(pilot, 5))[:2] == ["Won", "0/1"]


async def test_at_100_columns_every_open_stage_is_on_screen(lk_sqlite: LeanKanban) -> None:
    won_and_lost_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await loaded(pilot)
        assert [column.column_index for column in columns(pilot) if column.display] == [0, 1, 2, 3, 4]
        assert screen.sub_title == "pipeline · stages 1–5 of 7"
        await pilot.press("l", "l", "l", "l", "l", "l")
        await pilot.pause()
        assert [column.column_index for column in columns(pilot) if column.display] == [2, 3, 4, 5, 6]
        assert focused_title(pilot) == "Globex pilot"
        assert columns(pilot)[5].outer_size.width == STRIP_WIDTH
        assert card_lines(header_text(pilot, 5))[:2] == ["Won", "1"]
        assert card_lines(column_text(pilot, 4))[4] == "dee"  # Stark deal's owner, at 20 columns wide


async def test_a_click_on_a_strip_focuses_its_column_and_opens_it(lk_sqlite: LeanKanban) -> None:
    won_and_lost_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(pilot)
        await pilot.click(columns(pilot)[6], offset=(3, 10))
        await pilot.pause()
        assert screen.active_column == 6 and focused_title(pilot) == "Globex pilot"
        assert not columns(pilot)[6].has_class("-collapsed")


async def test_a_strip_shows_a_hostile_stage_name_as_escapes(lk_sqlite: LeanKanban) -> None:
    lk_sqlite.rename_stage("Won", WIPE)
    app = make_app(lk_sqlite)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        strip = header_text(pilot, 5)
        assert_harmless(strip)
        assert card_lines(strip)[:2] == ["Wipe…", "0"]  # cut to the strip, never raw
        await pilot.press("c")
        await pilot.pause()
        assert_shown(header_text(pilot, 5), WIPE)
