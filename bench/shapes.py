"""Boards of several shapes for the analytics benchmarks (and the shape tests).

    from bench.shapes import SHAPES, build_board
    now = build_board("sqlite:///x.db" or a path, SHAPES["open"], deals=100_000, events=1_000_000)

Every shape is the lean sales board's way of working (deals created over
two years walk the open stages towards Won, or are lost with a reason at any
stage; a few lost ones are reopened; some stays have a block; notes fill the
rest of the events), with a different mix:

* `closed`: about 10 % of the deals still open, as report_bench.py built;
* `open`: about 70 % open, spread over the two years (most of them have not
  moved for months: the board a team that never cleans up ends with);
* `wide`: 20 stages (18 open, the first 3 upstream) and 50 owners, about 30 % open;
* `long-titles`: as `open`, with titles, accounts and next steps of
  150-200 characters (some of them not ASCII).

Rows go in as one driver-level `executemany` per table on SQLite (foreign
keys off, one transaction), and through `COPY` on PostgreSQL, so 100,000
deals and a million events take about a minute to make, most of it
generating the history in Python.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DAYS = 730
CURRENCIES = ("EUR",) * 17 + ("USD", "USD", "GBP")
REASONS = ("Lost to competitor", "No budget", "No decision / status quo", "Not a fit", "Timing")
LEAN_STAGES = ("Leads", "Qualifying", "Discovery", "Proposal", "Negotiation")
NAMES = ("ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal", "ivy", "jo", "kim", "lou")
WORDS = ("rollout", "pilot", "renewal", "expansion", "platform", "Zürich", "naïve", "data", "cloud", "édition")


@dataclass(frozen=True)
class Shape:
    name: str
    #: Share of deals that stay open.
    open_share: float
    #: Open stages, in order (Won and Lost come after).
    stages: tuple[str, ...] = LEAN_STAGES
    #: How many of the first stages are upstream (the backlog).
    upstream: int = 2
    owners: tuple[str, ...] = NAMES[:12]
    #: Days before now the open deals are created within.
    open_days: float = 150.0
    long_titles: bool = False
    #: Chance a deal is lost rather than moving on, per stage (default 0.3 up front, 0.25 later).
    loss_at: dict[str, float] = field(default_factory=dict)
    mean_stay: dict[str, float] = field(default_factory=dict)

    def loss(self, stage: str) -> float:
        return self.loss_at.get(stage, 0.30 if self.stages.index(stage) < 2 else 0.25)

    def stay(self, stage: str) -> float:
        return self.mean_stay.get(stage, 6.0)


_WIDE_STAGES = tuple(f"Stage {n:02d}" for n in range(1, 19))
SHAPES = {
    "closed": Shape(
        "closed", 0.08,
        loss_at={"Leads": 0.30, "Qualifying": 0.30, "Discovery": 0.25, "Proposal": 0.25, "Negotiation": 0.30},
        mean_stay={"Leads": 4.0, "Qualifying": 6.0, "Discovery": 9.0, "Proposal": 8.0, "Negotiation": 7.0},
    ),
    "open": Shape("open", 0.70, open_days=DAYS - 1),
    "wide": Shape(
        "wide", 0.30, stages=_WIDE_STAGES, upstream=3, owners=tuple(f"owner{n:02d}" for n in range(50)),
        open_days=365, loss_at=dict.fromkeys(_WIDE_STAGES, 0.08), mean_stay=dict.fromkeys(_WIDE_STAGES, 2.5),
    ),
    "long-titles": Shape("long-titles", 0.70, open_days=DAYS - 1, long_titles=True),
}


def _history(rng: random.Random, shape: Shape, deal_id: int, created: datetime, now: datetime,
             stay_open: bool) -> dict[str, Any]:
    """One deal's events (without notes) and the fields its row ends with."""
    stages = shape.stages
    events: list[tuple] = [(deal_id, "created", created, None, stages[0], None)]
    at, stage = created, stages[0]
    status, closed_at, lost_reason = "open", None, None
    blocked: tuple[str, datetime] | None = None
    reopened = False
    while True:
        nxt = at + timedelta(days=rng.expovariate(1.0 / shape.stay(stage)), minutes=rng.randrange(1, 600))
        if nxt >= now or (stay_open and rng.random() < 0.3):
            if status == "open" and rng.random() < 0.1:  # blocked now
                blocked = ("Waiting on legal", at + (min(nxt, now) - at) * 0.5)
                events.append((deal_id, "blocked", blocked[1], None, None, blocked[0]))
            break
        if rng.random() < 0.08:
            start = at + (nxt - at) * 0.3
            events.append((deal_id, "blocked", start, None, None, "Waiting on legal"))
            events.append((deal_id, "unblocked", start + (nxt - start) * 0.5, None, None, None))
        at = nxt
        if not stay_open and rng.random() < shape.loss(stage):
            reason = rng.choice(REASONS)
            events.append((deal_id, "moved", at, stage, "Lost", None))
            events.append((deal_id, "lost", at, stage, "Lost", reason))
            status, closed_at, lost_reason = "lost", at, reason
            back = at + timedelta(days=rng.uniform(1, 20))
            if not reopened and back < now and rng.random() < 0.02:
                reopened = True
                at, stage = back, stages[min(2, len(stages) - 1)]
                events.append((deal_id, "moved", at, "Lost", stage, None))
                events.append((deal_id, "reopened", at, "Lost", stage, None))
                status, closed_at, lost_reason = "open", None, None
                continue
            stage = "Lost"
            break
        if stage == stages[-1]:
            if stay_open:
                break
            events.append((deal_id, "moved", at, stage, "Won", None))
            events.append((deal_id, "won", at, stage, "Won", None))
            status, closed_at, stage = "won", at, "Won"
            break
        following = stages[stages.index(stage) + 1]
        events.append((deal_id, "moved", at, stage, following, None))
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


def _text(rng: random.Random, shape: Shape, head: str) -> str:
    if not shape.long_titles:
        return head
    words = [head]
    while sum(map(len, words)) + len(words) < rng.randrange(150, 200):
        words.append(rng.choice(WORDS))
    return " ".join(words)[:200]


def generate(shape: Shape, deals: int, total_events: int, now: datetime, seed: int = 7):
    """The deal rows (dicts of naive UTC datetimes) and event tuples
    (deal_id, kind, at, from_stage, to_stage, reason) of a board of `shape`."""
    rng = random.Random(seed)
    begin = now - timedelta(days=DAYS)
    histories = []
    for number in range(1, deals + 1):
        stay_open = rng.random() < shape.open_share
        if stay_open:
            created = now - timedelta(days=rng.uniform(0.5, shape.open_days))
        else:
            created = begin + timedelta(days=rng.uniform(0, DAYS - 1))
        histories.append(_history(rng, shape, number, created, now, stay_open))
    core = sum(len(h["events"]) for h in histories)
    for number in rng.choices(range(deals), k=max(0, total_events - core)):
        history = histories[number]
        first = history["events"][0][2]
        last = history["closed_at"] or now
        history["events"].append((number + 1, "note", first + (last - first) * rng.random(), None, None, None))

    deal_rows, event_rows = [], []
    for number, history in enumerate(histories, start=1):
        events = sorted(history["events"], key=lambda e: e[2])
        last = events[-1][2]
        is_open = history["status"] == "open"
        blocked = history["blocked"] if is_open else None
        deal_rows.append({
            "id": number,
            "stage": history["stage"],
            "title": _text(rng, shape, f"Deal {number} {rng.choice(WORDS[:5])}"),
            "account": _text(rng, shape, f"Account {rng.randrange(5000)}"),
            "value_cents": rng.randrange(1_000_00, 250_000_00, 100),
            "currency": rng.choice(CURRENCIES),
            "owner": rng.choice(shape.owners),
            "status": history["status"],
            "created_at": events[0][2],
            "stage_entered_at": history["entered"],
            "closed_at": history["closed_at"],
            "lost_reason": history["lost_reason"],
            "next_step": _text(rng, shape, "Call back") if is_open else "",
            "updated_at": last,
            "blocked_reason": blocked[0] if blocked else None,
            "blocked_since": blocked[1] if blocked else None,
            "last_activity_at": last,
        })
        event_rows.extend(events)
    return deal_rows, event_rows


_DEAL_FIXED = {"deal_type": "new_logo", "priority": "standard", "activity": "origination", "tags": "[]",
               "helpers": "[]"}
_DEAL_TIMES = ("created_at", "stage_entered_at", "closed_at", "updated_at", "blocked_since", "last_activity_at")
_EVENT_NAMES = ("board_id", "deal_id", "kind", "at", "actor", "from_stage", "to_stage", "reason", "data")


def build_board(target: str, shape: Shape, deals: int, events: int, seed: int = 7) -> datetime:
    """Make the board of `shape` in the (new, empty) database `target`; returns the data's 'now'."""
    from leankanban.domain.model import StageKind
    from leankanban.services import connect

    lk = connect(target, actor="bench")
    board = lk.ensure_default_board()
    if shape.stages != LEAN_STAGES:
        for position, name in enumerate(shape.stages):
            lk.add_stage(name, position=position, upstream=position < shape.upstream)
        for stage in board.stages:
            if stage.kind is StageKind.OPEN:
                lk.remove_stage(stage.name)
        board = lk.get_board()
    stage_ids = {s.name: s.id for s in board.stages}
    assert set(shape.stages) <= set(stage_ids), "the board's stages"
    now = datetime.now(UTC).replace(second=0, microsecond=0, tzinfo=None)
    deal_rows, event_rows = generate(shape, deals, events, now, seed)
    postgres = lk.engine.dialect.name == "postgresql"

    def stamp(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        text = moment.isoformat(" ", "microseconds")
        return text + "+00:00" if postgres else text

    deal_names = ("id", "board_id", "stage_id", "title", "account", "value_cents", "currency", "owner", "status",
                  *_DEAL_TIMES, "lost_reason", "next_step", *_DEAL_FIXED)
    deals_out = [
        (row["id"], board.id, stage_ids[row["stage"]], row["title"], row["account"], row["value_cents"],
         row["currency"], row["owner"], row["status"], *(stamp(row[t]) for t in _DEAL_TIMES),
         row["lost_reason"], row["next_step"], *_DEAL_FIXED.values())
        for row in deal_rows
    ]
    events_out = [
        (board.id, deal_id, kind, stamp(at), "bench", from_stage, to_stage, reason, "null")
        for deal_id, kind, at, from_stage, to_stage, reason in event_rows
    ]
    del deal_rows, event_rows
    raw = lk.engine.raw_connection()
    try:
        if postgres:
            _copy(raw, (("deal", deal_names, deals_out), ("event", _EVENT_NAMES, events_out)))
        else:
            _sqlite_insert(raw, lk.engine.dialect, (("deal", deal_names, deals_out), ("event", _EVENT_NAMES, events_out)))
    finally:
        raw.close()
    try:  # the deals' flow summaries, as the app keeps them on write (store/flow.py)
        from leankanban.store import flow
    except ImportError:  # a tree from before them (`analytics_bench.py --src`)
        pass
    else:
        with lk.write() as session:
            flow.refresh(session, board_id=board.id)
    if not postgres:
        with lk.engine.connect() as conn:  # the planner's statistics, as a long-used database has them
            conn.exec_driver_sql("ANALYZE")
    else:
        with lk.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE deal")
            conn.exec_driver_sql("ANALYZE event")
            conn.commit()
    lk.engine.dispose()
    return now.replace(tzinfo=UTC)


def _sqlite_insert(raw: Any, dialect: Any, tables: Any) -> None:
    from sqlalchemy import column, insert, table

    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    cursor = raw.cursor()
    cursor.execute("BEGIN")  # the engine's connections run in autocommit mode: one transaction for all
    for name, names, rows in tables:
        compiled = insert(table(name, *(column(c) for c in names))).compile(dialect=dialect, column_keys=list(names))
        assert list(compiled.positiontup or ()) == list(names)
        cursor.executemany(compiled.string, rows)
    raw.commit()


def _copy(raw: Any, tables: Any) -> None:
    cursor = raw.cursor()
    for name, names, rows in tables:
        with cursor.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if "id" in names:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
    raw.commit()
