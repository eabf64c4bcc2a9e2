"""The shared rows -> ImportedDeal pipeline (importers/pipeline.py), apart from any one source."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers import ImportFailed, ParseOptions, RawFile
from leankanban.importers.pipeline import ColumnMap, RowReader, kinds_by_name, settle_by_stage, settle_by_status
from leankanban.importers.textio import read_table

COLUMNS = ColumnMap(
    source="test",
    title=("Name", "Title"),
    stage=("Stage",),
    external_id=("Id",),
    value=("Amount",),
    currency=("Currency",),
    owner=("Owner",),
    closed_at=("Closed",),
    status=("Status",),
    no_title="the thing has no name",
)


def reader(text: str, currency: str = "EUR") -> RowReader:
    return RowReader(read_table(RawFile("t.csv", text.encode())), ParseOptions(currency=currency), COLUMNS)


def test_the_first_candidate_header_present_wins():
    rows = list(reader("Title,Name,Stage\nwrong,right,Open\n").rows())
    assert [r.title for r in rows] == ["right"]


def test_title_and_stage_are_required_and_named():
    with pytest.raises(ImportFailed, match="'Stage'"):
        reader("Name,Amount\nAcme,1\n")


def test_rows_without_title_stage_or_with_a_repeated_id_are_skipped_in_order():
    r = reader("Id,Name,Stage\n1,Acme,Open\n2,,Open\n3,Globex,\n1,Acme again,Open\n")
    assert [row.title for row in r.rows()] == ["Acme"]
    assert [(s.line, s.reason, s.file) for s in r.skipped] == [
        (3, "the thing has no name", "t.csv"),
        (4, "'Globex' has no stage", "t.csv"),
        (5, "duplicate id 1 (first on line 2)", "t.csv"),
    ]


def test_values_currencies_and_the_fallback_currency():
    r = reader("Name,Stage,Amount,Currency\nA,Open,\"$1,200\",\nB,Open,10,gbp\nC,Open,5,\n", currency="USD")
    assert [(row.value, row.currency) for row in r.rows()] == [
        (Decimal("1200.00"), "USD"), (Decimal("10.00"), "GBP"), (Decimal("5.00"), "USD"),
    ]


def test_a_status_rule_can_skip_and_lets_closed_rows_go_without_a_stage():
    def rule(reader, line, cells, title, stage):
        raw = reader.text(cells, "status")
        return {"won": DealStatus.WON, "gone": f"'{title}' is gone"}.get(raw, DealStatus.OPEN)

    r = reader("Name,Stage,Status,Closed\nA,,won,2024-03-01\nB,Open,gone,\nC,Open,,\n")
    rows = list(r.rows(status=rule))
    assert [(row.title, row.status) for row in rows] == [("A", DealStatus.WON), ("C", DealStatus.OPEN)]
    stages, deals = settle_by_status(r, rows)
    assert [(s.name, s.kind) for s in stages] == [("Open", StageKind.OPEN), ("Won", StageKind.WON)]
    won = deals[0]
    assert (won.stage, won.status, won.closed_at) == ("Won", DealStatus.WON, datetime(2024, 3, 1, tzinfo=UTC))
    assert [e.stage for e in won.history] == ["Won"]


def test_an_open_row_in_an_outcome_stage_takes_its_outcome():
    r = reader("Name,Stage\nA,Closed Lost\n")
    rows = list(r.rows(status=lambda *args: DealStatus.OPEN))
    _stages, (deal,) = settle_by_status(r, rows)
    assert (deal.stage, deal.status) == ("Closed Lost", DealStatus.LOST)


def test_settle_by_stage_keeps_lost_reasons_and_expected_dates_only_where_they_belong():
    r = reader("Name,Stage\nA,Won\nB,Open\n")
    rows = list(r.rows())
    for row in rows:
        row.lost_reason, row.expected_close = "price", datetime(2024, 5, 1).date()
    won, open_ = settle_by_stage("test", rows, kinds_by_name(r.appearance), lambda row, kind: None)
    assert (won.status, won.lost_reason, won.expected_close) == (DealStatus.WON, None, None)
    assert (open_.status, open_.lost_reason, open_.expected_close) == (DealStatus.OPEN, None, datetime(2024, 5, 1).date())


def test_currency_warning_only_when_nothing_names_a_currency():
    plain = reader("Name,Stage,Amount\nA,Open,10\n")
    deals = settle_by_stage("test", list(plain.rows()), {"Open": StageKind.OPEN}, lambda r, k: None)
    assert plain.currency_warnings(deals) == ["The file names no currency; amounts are taken as EUR."]
    symbol = reader("Name,Stage,Amount\nA,Open,€10\n")
    deals = settle_by_stage("test", list(symbol.rows()), {"Open": StageKind.OPEN}, lambda r, k: None)
    assert symbol.currency_warnings(deals) == []
