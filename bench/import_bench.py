"""Import speed: a 100,000-row Salesforce export, parsed and written in one transaction.

Target (issue 4): under 15 s on this 2-core machine, SQLite default database.
Run: python bench/import_bench.py [--rows N] [--db postgresql://...]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from leankanban.importers import read_import
from leankanban.services.imports import import_batch
from leankanban.services import LeanKanban, open_database

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "Opportunity.csv"
        write_export(export, args.rows)
        lk = LeanKanban(open_database(args.db or str(Path(tmp) / "bench.db")), actor="bench")
        began = time.perf_counter()
        batch = read_import(export)
        parsed = time.perf_counter()
        summary = import_batch(lk, batch)
        done = time.perf_counter()
        again = import_batch(lk, read_import(export))
        redone = time.perf_counter()
        lk.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rows: {args.rows:,}  created: {summary.created:,}  events: {summary.events:,}")
    print(f"parse: {parsed - began:.2f} s  write: {done - parsed:.2f} s  total: {done - began:.2f} s")
    print(f"re-import (all unchanged: {again.unchanged:,}): {redone - done:.2f} s")
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
