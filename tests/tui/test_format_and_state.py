"""Pure helpers of the TUI: literal text, money, and patching the board after a move."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from leankanban.domain.model import Stage
from leankanban.services import LeanKanban
from leankanban.tui.board_state import apply_move, locate
from leankanban.tui.format import compact_money, literal, money, visible, wip_label
from tests.conftest import FakeClock, seed_pipeline


def test_control_characters_become_visible_escapes() -> None:
    assert visible("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert visible("tab\there") == "tab\\x09here"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("Zoë · 東京 👩‍💻") == "Zoë · 東京 👩‍💻"


def test_literal_text_is_not_markup() -> None:
    text = literal("[bold red]x[/]")
    assert text.plain == "[bold red]x[/]"
    assert text.spans == []


def test_money_and_limits_read_well() -> None:
    assert money(Decimal("12000.00"), "EUR") == "EUR 12,000"
    assert money(Decimal("99.50"), "USD") == "USD 99.50"
    assert compact_money(Decimal("1234567"), "EUR") == "EUR 1.2M"
    assert compact_money(Decimal("679400000"), "EUR") == "EUR 679M"
    assert compact_money(Decimal("4500"), "EUR") == "EUR 4.5k"
    assert compact_money(Decimal("12000"), "EUR") == "EUR 12k"
    assert wip_label(Stage("Qualifying", 1, wip_min=3, wip_max=10), 2) == "WIP 2/10 · min 3"
    assert wip_label(Stage("Won", 5), 7) == "no limit"


def test_apply_move_matches_a_fresh_board_view(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    ids = seed_pipeline(lk_sqlite)
    lk_sqlite.add_deal("Later lead", stage="Qualifying", currency="USD", value="100")
    before = lk_sqlite.board_view()
    clock.advance(days=2)
    result = lk_sqlite.step_deal(ids["Acme rollout"], +1)
    patched, place = apply_move(before, result.deal)
    assert place == (1, 2)
    hinted, _ = apply_move(before, result.deal, hint=(0, 0))
    assert [c.deals for c in hinted.columns] == [c.deals for c in patched.columns]
    fresh = lk_sqlite.board_view()
    for mine, theirs in zip(patched.columns, fresh.columns, strict=True):
        assert [d.id for d in mine.deals] == [d.id for d in theirs.deals]
        assert mine.totals == theirs.totals, mine.stage.name
        assert mine.wip_state == theirs.wip_state
    assert locate(patched, ids["Acme rollout"]) == (1, 2)
    assert locate(patched, 999) is None
    assert patched.columns[2] is before.columns[2], "untouched columns are kept as they are"


def test_apply_move_keeps_stage_order_by_entry_time(lk_sqlite: LeanKanban, clock: FakeClock) -> None:
    ids = seed_pipeline(lk_sqlite)
    view = lk_sqlite.board_view()
    moved = replace(
        lk_sqlite.get_deal(ids["Acme rollout"]), stage="Qualifying", stage_entered_at=clock() - timedelta(days=9)
    )
    patched, place = apply_move(view, moved)
    assert place == (1, 0)
    assert [d.title for d in patched.columns[1].deals] == ["Acme rollout", "Globex pilot"]


def test_totals_drop_a_currency_only_when_no_deal_has_it(lk_sqlite: LeanKanban) -> None:
    only_usd = lk_sqlite.add_deal("Dollar deal", stage="Leads", currency="USD", value="100")
    lk_sqlite.add_deal("Free deal", stage="Qualifying", currency="GBP", value="0")
    zero_gbp = lk_sqlite.add_deal("Free too", stage="Qualifying", currency="GBP", value="0")
    view = lk_sqlite.board_view()
    view, _ = apply_move(view, lk_sqlite.step_deal(only_usd.id, +1).deal)
    view, _ = apply_move(view, lk_sqlite.step_deal(zero_gbp.id, +1).deal)
    fresh = lk_sqlite.board_view()
    assert [c.totals for c in view.columns] == [c.totals for c in fresh.columns]
