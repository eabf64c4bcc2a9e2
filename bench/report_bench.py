"""How fast `leankanban report` runs on 100,000 deals and 1,000,000 events.

    /work/venv/bin/python bench/report_bench.py [--deals 100000] [--events 1000000] [--rebuild]

Builds (once, then cached under bench/.data/, which git ignores) an SQLite
database with the lean sales board and N deals spread over about two years:
most of them closed (won or lost with a reason), about 10% still open,
with a history of creations, moves, closes, a few reopens, blocks and notes.
Rows go in as bulk Core inserts of ready-made values, so the build takes
seconds, not minutes.

Then it measures:

  (c) first, in a subprocess running the CLI as its console script does: whether
      Textual got imported (it must not be) and the peak RSS; this run is also
      the untimed warm-up (bytecode cache written, as an installed package has
      it, and the database in the OS page cache);
  (a) `leankanban --db DB report --format json` end to end as a subprocess
      (the real console script), median of 3 runs;
  (b) the same use case in-process (`reports.report` + `to_json`), median of 3.

Target: (a) < 2 s on the project's 2-core machine. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
DAYS = 730
OPEN_SHARE = 0.08
OWNERS = ("ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kim", "lou")
CURRENCIES = ("EUR",) * 17 + ("USD", "USD", "GBP")
REASONS = ("Lost to competitor", "No budget", "No decision / status quo", "Not a fit", "Timing")
OPEN_STAGES = ("Leads", "Qualifying", "Discovery", "Proposal", "Negotiation")
#: Chance a deal is lost (rather than moving on) in each open stage.
LOSS_AT = {"Leads": 0.30, "Qualifying": 0.30, "Discovery": 0.25, "Proposal": 0.25, "Negotiation": 0.30}
MEAN_STAY_DAYS = {"Leads": 4.0, "Qualifying": 6.0, "Discovery": 9.0, "Proposal": 8.0, "Negotiation": 7.0}


def _t(moment: datetime) -> str:
    """A naive UTC time as SQLAlchemy stores it in SQLite (`2026-01-05 09:00:00.000000`)."""
    return moment.isoformat(" ", "microseconds")


def _deal_history(rng: random.Random, deal_id: int, created: datetime, now: datetime, stay_open: bool) -> dict:
    """One deal's events (without notes) and the fields its row ends with.

    The deal walks Leads -> ... -> Negotiation -> Won, and may be lost at any
    stage. It stays open when its next step would fall after `now`, or, for a
    `stay_open` deal, when it decides to sit in its current stage.
    """
    events: list[tuple] = [(deal_id, "created", created, None, "Leads", None, None)]
    at, stage = created, "Leads"
    status, closed_at, lost_reason = "open", None, None
    blocked: tuple[str, datetime] | None = None
    reopened = False
    while True:
        nxt = at + timedelta(days=rng.expovariate(1.0 / MEAN_STAY_DAYS[stage]), minutes=rng.randrange(1, 600))
        if nxt >= now or (stay_open and rng.random() < 0.4):
            if rng.random() < 0.1:  # blocked now
                blocked = ("Waiting on legal", at + (min(nxt, now) - at) * 0.5)
                events.append((deal_id, "blocked", blocked[1], None, None, blocked[0], None))
            break
        if rng.random() < 0.08:
            start = at + (nxt - at) * 0.3
            events.append((deal_id, "blocked", start, None, None, "Waiting on legal", None))
            events.append((deal_id, "unblocked", start + (nxt - start) * 0.5, None, None, None, None))
        at = nxt
        if rng.random() < LOSS_AT[stage] and not stay_open:
            reason = rng.choice(REASONS)
            events.append((deal_id, "moved", at, stage, "Lost", None, None))
            events.append((deal_id, "lost", at, stage, "Lost", reason, None))
            status, closed_at, lost_reason = "lost", at, reason
            back = at + timedelta(days=rng.uniform(1, 20))
            if not reopened and back < now and rng.random() < 0.02:
                # Reopened a while later, back into Discovery; its cycle goes on.
                reopened = True
                at = back
                events.append((deal_id, "moved", at, "Lost", "Discovery", None, None))
                events.append((deal_id, "reopened", at, "Lost", "Discovery", None, None))
                status, closed_at, lost_reason, stage = "open", None, None, "Discovery"
                continue
            stage = "Lost"
            break
        if stage == "Negotiation":
            if stay_open:
                break
            events.append((deal_id, "moved", at, stage, "Won", None, None))
            events.append((deal_id, "won", at, stage, "Won", None, None))
            status, closed_at, stage = "won", at, "Won"
            break
        following = OPEN_STAGES[OPEN_STAGES.index(stage) + 1]
        events.append((deal_id, "moved", at, stage, following, None, None))
        stage = following
    return {
        "events": events,
        "stage": stage,
        "status": status,
        "closed_at": closed_at,
        "lost_reason": lost_reason,
        "entered": max(e[2] for e in events if e[1] in ("created", "moved")),
        "blocked": blocked,
    }


def build_database(path: Path, deals: int, total_events: int, seed: int = 7) -> datetime:
    """The lean sales board with `deals` deals and `total_events` events; returns 'now' of the data."""
    from sqlalchemy import column, insert, table

    from leankanban.services import connect

    path.parent.mkdir(parents=True, exist_ok=True)
    services = connect(str(path), actor="bench")
    board = services.ensure_default_board()
    stage_ids = {stage.name: stage.id for stage in board.stages}
    rng = random.Random(seed)
    # Naive UTC inside the generator: formatting is then one fast isoformat().
    now = datetime.now(UTC).replace(second=0, microsecond=0, tzinfo=None)
    begin = now - timedelta(days=DAYS)

    histories = []
    for number in range(1, deals + 1):
        stay_open = rng.random() < OPEN_SHARE
        if stay_open:
            created = now - timedelta(days=rng.uniform(0.5, 150))
        else:
            created = begin + timedelta(days=rng.uniform(0, DAYS - 1))
        histories.append(_deal_history(rng, number, created, now, stay_open))

    # Notes fill the rest of the million, spread over each deal's life.
    core = sum(len(h["events"]) for h in histories)
    notes = max(0, total_events - core)
    for number in rng.choices(range(deals), k=notes):
        history = histories[number]
        first = history["events"][0][2]
        last = history["closed_at"] or now
        at = first + (last - first) * rng.random()
        history["events"].append((number + 1, "note", at, None, None, None, None))

    deal_rows, event_rows = [], []
    for number, history in enumerate(histories, start=1):
        events = sorted(history["events"], key=lambda e: e[2])
        last = events[-1][2]
        blocked = history["blocked"] if history["status"] == "open" else None
        deal_rows.append(
            {
                "id": number,
                "board_id": board.id,
                "stage_id": stage_ids[history["stage"]],
                "title": f"Deal {number} {rng.choice(['rollout', 'pilot', 'renewal', 'expansion', 'platform'])}",
                "account": f"Account {rng.randrange(5000)}",
                "value_cents": rng.randrange(1_000_00, 250_000_00, 100),
                "currency": rng.choice(CURRENCIES),
                "owner": rng.choice(OWNERS),
                "status": history["status"],
                "created_at": _t(events[0][2]),
                "stage_entered_at": _t(history["entered"]),
                "closed_at": _t(history["closed_at"]) if history["closed_at"] else None,
                "lost_reason": history["lost_reason"],
                "next_step": "Call back" if history["status"] == "open" else "",
                "updated_at": _t(last),
                "deal_type": "new_logo",
                "priority": "standard",
                "activity": "origination",
                "tags": "[]",
                "helpers": "[]",
                "blocked_reason": blocked[0] if blocked else None,
                "blocked_since": _t(blocked[1]) if blocked else None,
                "last_activity_at": _t(last),
            }
        )
        for deal_id, kind, at, from_stage, to_stage, reason, data in events:
            event_rows.append(
                (board.id, deal_id, kind, _t(at), "bench", from_stage, to_stage, reason, data or "null")
            )
    # Ready-made values, one executemany per table of an INSERT that SQLAlchemy
    # compiles: no per-row type processing, no foreign-key checks while loading.
    event_names = ("board_id", "deal_id", "kind", "at", "actor", "from_stage", "to_stage", "reason", "data")
    raw = services.engine.raw_connection()
    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        cursor = raw.cursor()
        cursor.execute("BEGIN")  # the engine's connections run in autocommit mode: one transaction for all
        for name, names, rows in (
            ("deal", tuple(deal_rows[0]), [tuple(row.values()) for row in deal_rows]),
            ("event", event_names, event_rows),
        ):
            compiled = insert(table(name, *(column(c) for c in names))).compile(
                dialect=services.engine.dialect, column_keys=list(names)
            )
            assert list(compiled.positiontup or ()) == list(names)
            cursor.executemany(compiled.string, rows)
        raw.commit()
    finally:
        raw.close()
    services.engine.dispose()
    return now


def _median_seconds(fn, runs: int = 3) -> tuple[float, list[float]]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples), samples


PROBE = """
import resource, sys
from leankanban.cli import main
sys.argv[0] = "leankanban"
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
print("PROBE", "textual" in sys.modules, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code, file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    path = DATA / f"report-{args.deals}-{args.events}.db"
    if args.build_only:
        build_database(path, args.deals, args.events)
        return
    if args.rebuild or not path.exists():
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        began = time.perf_counter()
        # In a child process: the build's memory would otherwise count in (c), since a
        # process started from this one reports this one's peak RSS as its own until it
        # outgrows it (Linux keeps ru_maxrss across fork and exec).
        subprocess.run(
            [sys.executable, __file__, "--deals", str(args.deals), "--events", str(args.events), "--build-only"],
            check=True,
        )
        print(f"built {path} in {time.perf_counter() - began:.1f} s")
    else:
        print(f"using cached {path} (--rebuild to make it again)")

    import sqlite3

    with sqlite3.connect(path) as db:
        deals = db.execute("select count(*), sum(status = 'open') from deal").fetchone()
        events = db.execute("select count(*) from event").fetchone()[0]
    print(f"database: {deals[0]:,} deals ({deals[1]:,} open), {events:,} events")

    exe = Path(sys.executable).with_name("leankanban")
    command = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "leankanban"])]
    command += ["--db", str(path), "report", "--format", "json", "--seed", "1"]
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("LEANKANBAN_BOARD", None)
    # As installed, the package has its bytecode compiled; a source checkout under
    # PYTHONDONTWRITEBYTECODE would compile every module on every run (~0.1 s more).
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def cli() -> None:
        done = subprocess.run(command, capture_output=True, env=env)
        if done.returncode != 0:
            sys.exit(f"report failed: {done.stderr.decode()}")
        json.loads(done.stdout)

    # (c) first, while this process is small: a process started from this one reports this
    # one's peak RSS as its own until it outgrows it. It is also the warm-up, untimed: it
    # writes the bytecode cache and reads the database into the OS page cache.
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(path), "report", "--format", "json", "--seed", "1"],
        capture_output=True, env=env, text=True,
    )
    line = next(l for l in probe.stderr.splitlines() if l.startswith("PROBE"))
    _, textual, rss_kib, code = line.split()

    end_to_end, samples = _median_seconds(cli, args.runs)

    from leankanban.reports.render import to_json
    from leankanban.services import connect, reports

    services = connect(str(path), actor="bench")

    def in_process() -> None:
        to_json(reports.report(services, seed=1))

    inside, inside_samples = _median_seconds(in_process, args.runs)
    services.engine.dispose()

    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"command: {' '.join(command[:1] + ['--db', 'DB'] + command[command.index('report'):])}")
    print(f"(a) end to end (subprocess): median {end_to_end:.2f} s of {[round(s, 2) for s in samples]}   (target < 2 s)")
    print(f"(b) in-process report + JSON: median {inside:.2f} s of {[round(s, 2) for s in inside_samples]}")
    print(f"(c) textual imported: {textual == 'True'}   peak RSS: {int(rss_kib) / 1024:.0f} MB   exit {code}")
    if textual == "True" or code != "0":
        sys.exit("the report loaded Textual or failed")


if __name__ == "__main__":
    main()
