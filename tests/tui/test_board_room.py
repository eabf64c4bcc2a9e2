"""Room for the cards: titles on two lines, the owner on a line of its own, closed columns folded
to strips; at 160x45 and 100x30."""

from __future__ import annotations

import pytest

from leankanban.services import LeanKanban
from leankanban.tui.format import wrap_lines
from tests.conftest import seed_pipeline
from tests.tui.tui_helpers import column_text, loaded, make_app

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


@pytest.mark.parametrize("size", [(160, 45)])
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

