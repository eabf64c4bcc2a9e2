"""Pilot tests: swimlanes as horizontal rows through every column (issue 13)."""

from __future__ import annotations

from textual.pilot import Pilot

from leankanban.services import LeanKanban
from leankanban.tui.screens.wip_override import WipOverrideDialog
from tests.conftest import seed_pipeline
from tests.tui.tui_helpers import board_screen, column_text, focused_title, loaded, make_app, wait_for

SIZE = (160, 45)
#: Leads to Negotiation: Won and Lost start folded to strips of their counts, without lanes.
OPEN_COLUMNS = 5


def lanes_board(lk: LeanKanban) -> dict[str, int]:
    """ann: Acme rollout and Ann lead 2 (Leads), Initech (Discovery), Hooli (Negotiation);
    bob: Bob lead (Leads), Globex (Qualifying); cy: Umbrella (Proposal)."""
    ids = seed_pipeline(lk)
    lk.set_stage_limits("Leads", wip_max=None)
    ids["Ann lead 2"] = lk.add_deal("Ann lead 2", stage="Leads", account="Wayne", value="300", owner="ann").id
    ids["Bob lead"] = lk.add_deal("Bob lead", stage="Leads", account="Stark", value="700", owner="bob").id
    return ids


def line_of(text: str, marker: str) -> int:
    """The screen row (in a column) of the first line containing `marker`."""
    for row, line in enumerate(text.splitlines()):
        if marker in line:
            return row
    raise AssertionError(f"{marker!r} not shown in:\n{text}")


async def owner_lanes(pilot: Pilot) -> None:
    await loaded(pilot)
    await pilot.press("s")
    await pilot.pause()


async def test_one_owners_cards_are_on_one_row_across_the_stages(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await owner_lanes(pilot)
        columns = [column_text(pilot, index) for index in range(OPEN_COLUMNS)]
        for owner in ("ann", "bob", "cy"):
            rows = {line_of(text, f"▌{owner} · ") for text in columns}
            assert len(rows) == 1, (owner, rows)  # the lane starts on the same row in every column
        ann, bob, cy = (line_of(columns[0], f"▌{owner} · ") for owner in ("ann", "bob", "cy"))
        assert ann < bob < cy
        # ann's cards sit in her lane in each stage: Leads, Discovery, Negotiation.
        assert line_of(columns[0], "Acme rollout") == ann + 1 == line_of(columns[2], "Initech renewal")
        assert line_of(columns[4], "Hooli platform") == ann + 1
        assert ann < line_of(columns[0], "Ann lead 2") < bob
        # bob's lane is as tall as his fullest column; his Qualifying card is on his row.
        assert line_of(columns[1], "Globex pilot") == bob + 1 == line_of(columns[0], "Bob lead")
        assert line_of(columns[3], "Umbrella expansion") == cy + 1
        # The lanes are one layout for the whole board (the screen's), not per column.
        layout = board_screen(pilot).lane_layout
        assert layout is not None and [band.value for band in layout.bands] == ["ann", "bob", "cy"]


async def test_lane_headers_show_count_value_and_wip_per_stage(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    lk_sqlite.set_lane_limit("owner", "ann", 3)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await owner_lanes(pilot)
        leads, qualifying, discovery = (column_text(pilot, index) for index in range(3))
        # ann has Initech (Discovery) and Hooli (Negotiation) active: 2 of her limit of 3, in every stage.
        assert "▌ann · 2" in leads and "WIP 2/3" in leads
        assert "▌ann · 1" in discovery and "WIP 2/3" in discovery
        assert "▌ann · 0" in qualifying and "WIP 2/3" in qualifying
        # Without a limit there is room for the lane's value in the stage.
        assert "▌bob · 1 · EUR 4.5k" in qualifying
        assert "▌bob · 1 · EUR 700" in leads
        assert "▌cy · 0" in leads


async def test_a_move_into_a_full_lane_is_refused_from_the_lanes(lk_sqlite: LeanKanban) -> None:
    ids = lanes_board(lk_sqlite)
    acme = ids["Acme rollout"]
    lk_sqlite.step_deal(acme, +1)  # Acme (ann) to Qualifying; ann already has two active deals
    lk_sqlite.set_lane_limit("owner", "ann", 2)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await owner_lanes(pilot)
        await pilot.press("right")
        assert focused_title(pilot) == "Acme rollout"
        assert "WIP 2/2" in column_text(pilot, 1)
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, WipOverrideDialog))
        assert "ann" in str(app.screen.query_one("#wip-why").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, WipOverrideDialog))
        assert lk_sqlite.get_deal(acme).stage == "Qualifying"
        assert "Acme rollout" in column_text(pilot, 1)


async def test_collapse_and_expand_the_focused_lane(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await owner_lanes(pilot)
        screen = board_screen(pilot)
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("z")
        await pilot.pause()
        leads = column_text(pilot, 0)
        assert "▸ann · 2" in leads and "Acme rollout" not in leads and "Ann lead 2" not in leads
        assert "Initech renewal" not in column_text(pilot, 2)
        # Only the header line is left: bob's lane follows on the next row, in every column.
        assert {line_of(column_text(pilot, index), "▌bob") for index in range(OPEN_COLUMNS)} == {line_of(leads, "▸ann") + 1}
        assert screen.focused_deal() is None and screen.lane_focus == "ann"
        await pilot.press("enter")  # on a collapsed lane's header, Enter opens the lane
        await pilot.pause()
        assert "▌ann · 2" in column_text(pilot, 0) and "Initech renewal" in column_text(pilot, 2)
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("z", "z")  # z folds the lane again, and opens it again
        await pilot.pause()
        assert "▌ann · 2" in column_text(pilot, 0) and focused_title(pilot) == "Acme rollout"
        # Z folds every lane, and again opens them all.
        await pilot.press("Z")
        await pilot.pause()
        leads = column_text(pilot, 0)
        assert "▸ann" in leads and "▸bob" in leads and "▸cy" in leads and "Bob lead" not in leads
        await pilot.press("Z")
        await pilot.pause()
        assert "Bob lead" in column_text(pilot, 0) and focused_title(pilot) == "Acme rollout"


async def test_j_and_k_go_on_past_a_lanes_last_card_to_the_next_lane(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await owner_lanes(pilot)
        screen = board_screen(pilot)
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("j")
        assert focused_title(pilot) == "Ann lead 2"
        await pilot.press("j")
        assert focused_title(pilot) == "Bob lead"  # ann's last card, then bob's first
        await pilot.press("j")
        assert focused_title(pilot) == "Bob lead"  # cy has no card in Leads: nothing further
        await pilot.press("k", "k")
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("G")
        assert focused_title(pilot) == "Bob lead"
        # A collapsed lane is one stop, its header; its cards are passed over.
        await pilot.press("g", "z", "j")
        assert focused_title(pilot) == "Bob lead"
        await pilot.press("k")
        assert screen.focused_deal() is None and screen.lane_focus == "ann"


async def test_h_and_l_keep_the_lane(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    app = make_app(lk_sqlite)
    async with app.run_test(size=SIZE) as pilot:
        await owner_lanes(pilot)
        screen = board_screen(pilot)
        await pilot.press("j")
        assert focused_title(pilot) == "Ann lead 2"
        await pilot.press("l")
        # Qualifying has no card of ann's: her lane's empty cell there.
        assert screen.active_column == 1 and screen.focused_deal() is None and screen.lane_focus == "ann"
        assert "(none here)" in column_text(pilot, 1)
        await pilot.press("l")
        assert focused_title(pilot) == "Initech renewal"  # the nearest card of ann's in Discovery
        await pilot.press("j")
        assert focused_title(pilot) == "Initech renewal"  # bob and cy have nothing in Discovery
        await pilot.press("h", "h")
        assert focused_title(pilot) == "Acme rollout"
        await pilot.press("j", "j", "l")
        assert focused_title(pilot) == "Globex pilot"  # bob's lane, from Leads to Qualifying
        await pilot.press("k")
        assert screen.lane_focus is None and focused_title(pilot) == "Globex pilot"  # ann has none here


async def test_the_lanes_scroll_together_and_keep_the_focus_in_view(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    for number in range(12):
        lk_sqlite.add_deal(f"More {number}", stage="Leads", account="Acme", value="10", owner="ann")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(120, 30)) as pilot:
        await owner_lanes(pilot)
        screen = board_screen(pilot)
        await pilot.press("G")
        assert focused_title(pilot) == "Bob lead"
        leads, qualifying = column_text(pilot, 0), column_text(pilot, 1)
        assert "Bob lead" in leads and screen.lane_top > 0
        assert line_of(leads, "Bob lead") == line_of(qualifying, "Globex pilot")  # one scroll for all
        assert "↑" in leads.splitlines()[-1]  # the scroll hint: cards above
        await pilot.press("g")
        assert screen.lane_top == 0 and line_of(column_text(pilot, 0), "▌ann") == 0
        # The wheel over any column scrolls them all, and leaves the focus where it was.
        from leankanban.tui.widgets.column import CARD_HEIGHT, DealList

        list(app.screen.query(DealList))[3]._scroll(+2)
        await pilot.pause()
        assert screen.lane_top == 2 * CARD_HEIGHT and focused_title(pilot) == "Acme rollout"
        # Two cards down (Acme rollout, Ann lead 2): the sticky lane header, then the third card.
        assert line_of(column_text(pilot, 0), "More 0") == line_of(column_text(pilot, 0), "▌ann") + 1


async def test_a_scroll_repaints_only_the_columns_whose_window_changed(lk_sqlite: LeanKanban) -> None:
    lanes_board(lk_sqlite)
    for number in range(12):
        lk_sqlite.add_deal(f"More {number}", stage="Leads", account="Acme", value="10", owner="ann")
    app = make_app(lk_sqlite)
    async with app.run_test(size=(120, 30)) as pilot:
        await owner_lanes(pilot)
        from leankanban.tui.widgets.column import DealList

        lists = list(app.screen.query(DealList))
        painted: list[int] = []
        for column in (0, 5):  # Leads scrolls through ann's cards; Won shows blank lines before and after
            original = lists[column].render
            lists[column].render = lambda original=original, column=column: (painted.append(column), original())[1]
        await pilot.press("j", "j", "j", "j", "j")
        await pilot.pause()
        assert board_screen(pilot).lane_top > 0
        assert 0 in painted and 5 not in painted
