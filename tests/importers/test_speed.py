"""A 100,000-row export parses well inside the 15 s import budget."""

from __future__ import annotations

import time

from leankanban.importers import read_import

STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Closed Won", "Closed Lost"]


def test_hundred_thousand_salesforce_rows_parse_quickly(tmp_path):
    lines = ["Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CreatedDate,AccountId,OwnerId"]
    for i in range(100_000):
        stage = STAGES[i % len(STAGES)]
        closed = "1" if stage.startswith("Closed") else ""
        won = "1" if stage == "Closed Won" else ""
        lines.append(
            f'006{i:015d},"Deal {i}, renewal",{stage},{(i * 37) % 900_000}.{i % 100:02d},'
            f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d},{closed},{won},"
            f"2024-01-{i % 28 + 1:02d}T{i % 24:02d}:{i % 60:02d}:25.000+0000,001{i % 5000:015d},005AAA"
        )
    path = tmp_path / "Opportunity.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    start = time.perf_counter()
    batch = read_import(path)
    elapsed = time.perf_counter() - start
    assert len(batch.deals) == 100_000
    assert elapsed < 10, f"parsing took {elapsed:.1f} s"
