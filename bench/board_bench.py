"""How fast the TUI opens and moves on a board with 10,000 deals.

    /work/venv/bin/python bench/board_bench.py [--deals 10000] [--moves 20] [--db PATH] [--teammate]

Builds an SQLite database with the lean sales board and N deals (bulk
inserted through the store's tables, with the WIP limits lifted so the moves
measure moving, not refusing), then runs the real `LeanKanbanApp` headless
(`App.run_test`) and measures:

  (a) time from starting the app to the first paint of every column with its cards
      (every column whose cards are on screen: a folded Won or Lost shows only
      its count);
  (b) move latency: from sending `>` (or `<`) to the repaint of the target
      column showing the moved deal, median over the moves;
  (c) peak RSS of the process running the app (the database is built in a
      child process so its memory does not count);
  (d) views: from pressing `s` (owner swimlanes) to the repaint of every
      column; move latency with lanes on (every column repaints when the
      lanes scroll: they share one offset); the same for account lanes
      (~2,000 lanes); from typing a text filter to the repaint of every
      column; move latency with the filter on.

With --teammate, another person (their own connection, in a thread) moves a
deal every second throughout, as on a team's board: (b) is then measured while
the board catches up with their changes, and the report says how many times
the board was read whole (it should apply their deals one by one).

Targets: (a) < 2 s, (b) < 100 ms (moves with lanes or a filter too, and with a
teammate moving a deal a second), (c) < 250 MB.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

STAGE_SHARE = (
    ("Leads", 0.40),
    ("Qualifying", 0.20),
    ("Discovery", 0.15),
    ("Proposal", 0.10),
    ("Negotiation", 0.05),
    ("Won", 0.06),
    ("Lost", 0.04),
)


def build_database(path: Path, deals: int) -> None:
    """The lean sales board with `deals` deals, WIP limits lifted."""
    from sqlalchemy import insert, update

    from leankanban.services import connect
    from leankanban.store.tables import BoardRow, DealRow

    services = connect(str(path), actor="bench")
    board = services.ensure_default_board()
    for stage in board.stages:
        if not stage.is_closed:
            services.set_stage_limits(stage.name, wip_min=None, wip_max=None)
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    stage_ids = {stage.name: stage.id for stage in board.stages}
    rows: list[dict] = []
    for name, share in STAGE_SHARE:
        count = round(deals * share) if name != "Lost" else deals - len(rows)
        for _ in range(count):
            at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
            rows.append(
                {
                    "board_id": board.id,
                    "stage_id": stage_ids[name],
                    "title": f"Deal {len(rows) + 1} for {rng.choice(['rollout', 'pilot', 'renewal', 'expansion'])}",
                    "account": f"Account {rng.randrange(2000)}",
                    "value_cents": rng.randrange(1_000_00, 500_000_00),
                    "currency": rng.choice(["EUR", "EUR", "USD"]),
                    "owner": rng.choice(["ann", "bob", "cy", "dee"]),
                    "status": {"Won": "won", "Lost": "lost"}.get(name, "open"),
                    "created_at": at,
                    "stage_entered_at": at,
                    "closed_at": at if name in ("Won", "Lost") else None,
                    "updated_at": at,
                    "next_step": "",
                    # What each deal is worth to its customer: a lean-sales board gates
                    # Proposal on it (no rng draw, so the deals are the ones measured before).
                    "customer_value": f"Saves EUR {len(rows) % 400 + 5}k a year",
                    "tags": [],
                    "helpers": [],
                }
            )
    with services.engine.begin() as conn:
        conn.execute(insert(DealRow), rows)
        conn.execute(update(BoardRow).where(BoardRow.id == board.id).values(revision=BoardRow.revision + 1))
    services.engine.dispose()


def _teammate(path: Path, stop: threading.Event, moved: list[int]) -> None:
    """Another person: a Leads deal to Qualifying and back, one move a second, until `stop`."""
    from leankanban.services import connect

    other = connect(str(path), actor="teammate")
    try:
        leads = [d.id for d in other.list_deals(stage="Leads")[:25]]
        number = 0
        while not stop.wait(1.0):
            deal = leads[(number // 2) % len(leads)]
            other.step_deal(deal, +1 if number % 2 == 0 else -1)
            moved.append(deal)
            number += 1
    finally:
        other.engine.dispose()


async def measure(path: Path, moves: int, teammate: bool = False) -> dict[str, Any]:
    from leankanban.domain.model import Lane
    from leankanban.services import connect
    from leankanban.tui.app import LeanKanbanApp
    from leankanban.tui.display import LANE_CYCLE
    from leankanban.tui.widgets.column import DealList

    # Record when each column last rendered, and which deals it showed.
    painted: dict[int, tuple[float, tuple[int, ...]]] = {}
    original_render = DealList.render

    def timed_render(self: DealList):  # type: ignore[no-untyped-def]
        result = original_render(self)
        shown = tuple(self.deals[index].id for index in self.in_view())
        painted[self.column_index] = (time.perf_counter(), shown)
        return result

    DealList.render = timed_render  # type: ignore[method-assign]

    def cards_on_screen() -> set[int]:
        """The columns whose cards are on screen: a folded Won or Lost shows only its count, no list."""
        lists = app.screen.query(DealList)
        return {deal_list.column_index for deal_list in lists if deal_list.display and deal_list.parent.display}

    def all_painted() -> bool:
        expected = cards_on_screen()
        return bool(expected) and expected <= painted.keys()

    services = connect(str(path), actor="bench")
    started = time.perf_counter()
    app = LeanKanbanApp(services)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.board_screen
        while not (screen.view is not None and all_painted()):
            await asyncio.sleep(0.001)
        first_paint = max(at for at, _ in painted.values()) - started
        total = sum(column.count for column in screen.view.columns)

        # Move a Discovery deal on and back, so the columns stay the same size.
        await pilot.press("right", "right")
        stop, theirs = threading.Event(), []
        mate = threading.Thread(target=_teammate, args=(path, stop, theirs), daemon=True) if teammate else None
        if mate is not None:
            mate.start()
            await pilot.pause(1.5)  # their first move is in
        loads = screen.loads
        latencies: list[float] = []
        for number in range(moves):
            deal = screen.focused_deal()
            assert deal is not None
            step = +1 if number % 2 == 0 else -1
            target = screen.active_column + step
            painted.pop(target, None)
            sent = time.perf_counter()
            app.simulate_key("greater_than_sign" if step > 0 else "less_than_sign")
            while not (target in painted and deal.id in painted[target][1]):
                await asyncio.sleep(0.0005)
            latencies.append(painted[target][0] - sent)
            await pilot.pause(0.05 if mate is None else 0.2)
        full_reads = screen.loads - loads
        if mate is not None:
            stop.set()
            mate.join(timeout=10)
        final = services.get_deal(deal.id)

        async def repaint_all(action) -> float:  # type: ignore[no-untyped-def]
            painted.clear()
            sent = time.perf_counter()
            action()
            while not all_painted():
                await asyncio.sleep(0.0005)
            took = max(at for at, _ in painted.values()) - sent
            await pilot.pause(0.05)
            return took

        async def moves_now(count: int) -> list[float]:
            took: list[float] = []
            for number in range(count):
                moving = screen.focused_deal()
                assert moving is not None
                step = +1 if number % 2 == 0 else -1
                target = screen.active_column + step
                painted.pop(target, None)
                sent = time.perf_counter()
                app.simulate_key("greater_than_sign" if step > 0 else "less_than_sign")
                while not (target in painted and moving.id in painted[target][1]):
                    await asyncio.sleep(0.0005)
                took.append(painted[target][0] - sent)
                await pilot.pause(0.05)
            return took

        lanes_on = await repaint_all(lambda: app.simulate_key("s"))
        lane_moves = await moves_now(10)
        # On to account lanes (owner -> type -> priority -> account): about 2,000 lanes.
        account_on = await repaint_all(lambda: [app.simulate_key("s") for _ in range(LANE_CYCLE.index(Lane.ACCOUNT) - 1)])
        account_lanes = 0 if screen.lane_layout is None else len(screen.lane_layout.bands)
        account_moves = await moves_now(10)
        await repaint_all(lambda: app.simulate_key("s"))  # back to no lanes
        await pilot.press("slash")
        filter_on = await repaint_all(lambda: setattr(screen.query_one("#filter-input"), "value", "rollout"))
        await pilot.press("enter")
        filter_moves = await moves_now(10)
        hidden = screen.hidden_count()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "deals": total,
        "first_paint_s": first_paint,
        "move_median_ms": statistics.median(latencies) * 1000,
        "move_p90_ms": sorted(latencies)[int(0.9 * (len(latencies) - 1))] * 1000,
        "move_max_ms": max(latencies) * 1000,
        "peak_rss_mb": peak_kib / 1024,
        "moves": len(latencies),
        "all_ms": [round(x * 1000, 1) for x in latencies],
        "final_stage_ok": float(final.stage == "Discovery"),
        "lanes_on_ms": lanes_on * 1000,
        "lane_move_median_ms": statistics.median(lane_moves) * 1000,
        "lane_move_max_ms": max(lane_moves) * 1000,
        "account_on_ms": account_on * 1000,
        "account_lanes": account_lanes,
        "account_move_median_ms": statistics.median(account_moves) * 1000,
        "account_move_max_ms": max(account_moves) * 1000,
        "filter_on_ms": filter_on * 1000,
        "filter_move_median_ms": statistics.median(filter_moves) * 1000,
        "filter_move_max_ms": max(filter_moves) * 1000,
        "filter_hidden": hidden,
        "teammate_moves": len(theirs),
        "full_reads": full_reads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--db", type=Path, help="where to build the database (default: a temp folder)")
    parser.add_argument("--teammate", action="store_true", help="another person moves a deal a second throughout (b)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.build_only:
        build_database(args.db, args.deals)
        return

    with tempfile.TemporaryDirectory(prefix="lk-bench-") as folder:
        path = args.db or Path(folder) / "bench.db"
        if path.exists():
            sys.exit(f"{path} exists; give a new path")
        began = time.perf_counter()
        # A child builds the database so its memory does not count towards (c).
        subprocess.run(
            [sys.executable, __file__, "--build-only", "--db", str(path), "--deals", str(args.deals)],
            check=True,
        )
        built = time.perf_counter() - began
        results = asyncio.run(measure(path, args.moves, teammate=args.teammate))

    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"database: {results['deals']:.0f} deals, built in {built:.1f} s")
    print(f"(a) start to first paint of the board: {results['first_paint_s']:.2f} s   (target < 2 s)")
    print(
        f"(b) move repaint latency over {results['moves']:.0f} moves: median {results['move_median_ms']:.1f} ms, "
        f"p90 {results['move_p90_ms']:.1f} ms, max {results['move_max_ms']:.1f} ms   (target < 100 ms)"
    )
    print("    each move (ms):", results["all_ms"])
    if args.teammate:
        print(
            f"    meanwhile a teammate moved {results['teammate_moves']:.0f} deals; the board was read whole "
            f"{results['full_reads']:.0f} times (their changes applied deal by deal)"
        )
    print(f"(c) peak RSS: {results['peak_rss_mb']:.0f} MB   (target < 250 MB)")
    print(
        f"(d) owner lanes on: {results['lanes_on_ms']:.0f} ms to repaint; moves in lanes: median "
        f"{results['lane_move_median_ms']:.1f} ms, max {results['lane_move_max_ms']:.1f} ms"
    )
    print(
        f"    account lanes on ({results['account_lanes']:.0f} lanes): {results['account_on_ms']:.0f} ms to repaint; "
        f"moves in them: median {results['account_move_median_ms']:.1f} ms, max {results['account_move_max_ms']:.1f} ms"
    )
    print(
        f"    text filter 'rollout' ({results['filter_hidden']:.0f} deals hidden): {results['filter_on_ms']:.0f} ms "
        f"to repaint; moves while filtered: median {results['filter_move_median_ms']:.1f} ms, "
        f"max {results['filter_move_max_ms']:.1f} ms"
    )
    if not results["final_stage_ok"]:
        sys.exit("the moved deal did not end where it started: the moves did not all go through")


if __name__ == "__main__":
    main()
