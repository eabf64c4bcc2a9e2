"""Import speed: a 100,000-row CRM export, parsed and written in one transaction.

Shapes: `salesforce` (a Data Loader Opportunity export) and `hubspot` (a deals
export shaped like tests/fixtures/hubspot/deals.csv: every field quoted, one
`Date entered`/`Date exited` column pair per stage, filled for the stages each
deal went through). Target (issues 4 and 10): under 15 s and, for HubSpot,
under 300 MB peak RSS on this 2-core machine, SQLite default database.
Peak RSS is this process's high-water mark (getrusage ru_maxrss, KiB on
Linux, printed / 1024 as MB), read after the import and after the re-import.
Run: python bench/import_bench.py [--shape salesforce|hubspot] [--rows N] [--db postgresql://...]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leankanban.commands.transfer import import_gc
from leankanban.importers import read_import
from leankanban.services import LeanKanban, open_database
from leankanban.services.imports import import_batch

STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Closed Won", "Closed Lost"]


def write_export(path: Path, rows: int) -> None:
    lines = ["Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CreatedDate,AccountId,OwnerId"]
    for i in range(rows):
        stage = STAGES[i % len(STAGES)]
        closed = "1" if stage.startswith("Closed") else ""
        won = "1" if stage == "Closed Won" else ""
        lines.append(
            f'006{i:015d},"Deal {i}, renewal",{stage},{(i * 37) % 900_000}.{i % 100:02d},'
            f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d},{closed},{won},"
            f"2024-01-{i % 28 + 1:02d}T{i % 24:02d}:{i % 60:02d}:25.000+0000,001{i % 5000:015d},005AAA"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


HUBSPOT_PIPELINE = "Sales Pipeline"
HUBSPOT_OPEN = [
    "Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled", "Decision Maker Bought-In", "Contract Sent",
]
HUBSPOT_STAGES = [*HUBSPOT_OPEN, "Closed Won", "Closed Lost"]
OWNERS = ["Jane Doe", "John Roe", "Ana Silva", "Kenji Sato", ""]


def write_hubspot_export(path: Path, rows: int) -> None:
    def q(value: object) -> str:
        return '"' + str(value).replace('"', '""') + '"'

    header = [
        "Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Deal owner", "Create Date", "Pipeline",
        "Associated Company", "Closed Lost Reason", "Deal Description",
    ]
    for stage in HUBSPOT_STAGES:
        header += [f'Date entered "{stage} ({HUBSPOT_PIPELINE})"', f'Date exited "{stage} ({HUBSPOT_PIPELINE})"']
    start = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    fmt = "%Y-%m-%d %H:%M"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(q(h) for h in header) + "\n")
        for i in range(rows):
            stage = HUBSPOT_STAGES[i % len(HUBSPOT_STAGES)]
            # Closed deals walk part of the pipeline first; open ones walk up to their stage.
            walked = HUBSPOT_OPEN[: (i % 5) + 1] if stage.startswith("Closed") else HUBSPOT_OPEN[: HUBSPOT_OPEN.index(stage) + 1]
            path_stages = [*walked, stage] if stage.startswith("Closed") else walked
            created = start + timedelta(hours=i % 8000, minutes=i % 60)
            times = [created + timedelta(days=3 * k, hours=k) for k in range(len(path_stages))]
            entered = dict(zip(path_stages, times, strict=True))
            cells = [
                f"{182345000000 + i}", f"Deal {i} - Platform licence", stage, f"{(i * 37) % 90_000}.{i % 100:02d}",
                (created + timedelta(days=60)).strftime("%Y-%m-%d 00:00"), OWNERS[i % len(OWNERS)],
                created.strftime(fmt), HUBSPOT_PIPELINE, f"Company {i % 5000}",
                "Chose a competitor" if stage == "Closed Lost" else "", "",
            ]
            for _k, name in enumerate(HUBSPOT_STAGES):
                when = entered.get(name)
                after = path_stages.index(name) + 1 if when is not None else None
                left = times[after] if after is not None and after < len(times) else None
                cells += [when.strftime(fmt) if when else "", left.strftime(fmt) if left else ""]
            out.write(",".join(q(c) for c in cells) + "\n")


SHAPES = {"salesforce": ("Opportunity.csv", write_export), "hubspot": ("hubspot-deals.csv", write_hubspot_export)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=sorted(SHAPES), default="salesforce")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        name, write = SHAPES[args.shape]
        export = Path(tmp) / name
        write(export, args.rows)
        lk = LeanKanban(open_database(args.db or str(Path(tmp) / "bench.db")), actor="bench")
        with import_gc():  # as `leankanban import` runs them
            began = time.perf_counter()
            batch = read_import(export)
            parsed = time.perf_counter()
            summary = import_batch(lk, batch)
            done = time.perf_counter()
        import_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        del batch  # the re-import is a second run, not a second batch held beside the first
        with import_gc():
            again = import_batch(lk, read_import(export))
            redone = time.perf_counter()
        lk.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"shape: {args.shape}  rows: {args.rows:,}  created: {summary.created:,}  events: {summary.events:,}")
    print(f"parse: {parsed - began:.2f} s  write: {done - parsed:.2f} s  total: {done - began:.2f} s")
    print(f"re-import (all unchanged: {again.unchanged:,}): {redone - done:.2f} s")
    print(f"peak RSS: {import_peak:.0f} MB after the import, {peak:.0f} MB after the re-import")


if __name__ == "__main__":
    main()
