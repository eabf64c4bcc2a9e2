"""Synthetic HubSpot, Pipedrive, Trello, Kanboard and generic CSV exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers import ImportFailed, StageEntry, parse_column_map, read_import


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------ HubSpot


@pytest.fixture
def hubspot(fixtures):
    return read_import(fixtures / "hubspot" / "deals.csv")


def test_hubspot_stage_order_comes_from_date_entered_columns(hubspot):
    assert hubspot.source == "hubspot"
    assert [(s.name, s.kind) for s in hubspot.stages] == [
        ("Appointment Scheduled", StageKind.OPEN),
        ("Qualified To Buy", StageKind.OPEN),
        ("Presentation Scheduled", StageKind.OPEN),
        ("Decision Maker Bought-In", StageKind.OPEN),
        ("Contract Sent", StageKind.OPEN),
        ("Closed Won", StageKind.WON),
        ("Closed Lost", StageKind.LOST),
    ]


def test_hubspot_quoted_fields_history_and_outcomes(hubspot):
    deals = {d.external_id: d for d in hubspot.deals}
    acme = deals["18234500101"]
    assert (acme.title, acme.account, acme.owner, acme.value) == (
        "Acme Corp - Platform licence", "Acme Corp", "Jane Doe", Decimal("24000")
    )
    assert acme.history == (
        StageEntry("Appointment Scheduled", utc(2024, 1, 8, 9, 12)),
        StageEntry("Qualified To Buy", utc(2024, 1, 15, 14, 0)),
        StageEntry("Presentation Scheduled", utc(2024, 2, 1, 10, 30)),
        StageEntry("Contract Sent", utc(2024, 2, 20, 16, 45)),
    )
    assert acme.expected_close == date(2024, 4, 30) and acme.status is DealStatus.OPEN
    globex = deals["18234500102"]
    assert globex.value == Decimal("9500.00") and globex.status is DealStatus.WON
    assert globex.closed_at == utc(2024, 3, 14, 17, 5)
    initech = deals["18234500103"]
    assert initech.status is DealStatus.LOST and initech.lost_reason == "Chose a competitor"
    assert initech.closed_at == utc(2024, 2, 28, 15, 10)


def test_hubspot_row_without_name_is_skipped_with_its_line(hubspot):
    # Line 2-3 hold one record (a quoted newline), so the nameless deal is on line 6.
    assert [(s.line, s.reason) for s in hubspot.skipped] == [(6, "the deal has no name")]
    assert len(hubspot.deals) == 4


# ------------------------------------------------------------------ Pipedrive


@pytest.fixture
def pipedrive(fixtures):
    return read_import(fixtures / "pipedrive" / "deals.csv")


def test_pipedrive_known_stage_order_and_outcomes(pipedrive):
    assert pipedrive.stage_names == [
        "Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started", "Won", "Lost",
    ]
    assert [s.kind for s in pipedrive.stages][-2:] == [StageKind.WON, StageKind.LOST]


def test_pipedrive_won_time_lost_reason_and_currency(pipedrive):
    deals = {d.external_id: d for d in pipedrive.deals}
    won = deals["101"]
    assert (won.stage, won.status, won.value, won.currency) == ("Won", DealStatus.WON, Decimal("12500.50"), "EUR")
    assert won.closed_at == utc(2024, 3, 18, 16, 40, 12)
    assert won.history == (StageEntry("Won", utc(2024, 3, 18, 16, 40, 12)),)
    lost = deals["102"]
    assert (lost.stage, lost.status, lost.lost_reason, lost.currency) == ("Lost", DealStatus.LOST, "Budget cut", "USD")
    assert lost.closed_at == utc(2024, 3, 5, 11, 20)
    open_deal = deals["103"]
    assert (open_deal.owner, open_deal.account) == ("Ana Silva", "Fabrikam")
    assert open_deal.created_at == utc(2024, 2, 10, 14, 30)
    assert open_deal.expected_close == date(2024, 5, 1)
    assert [(s.line, s.reason) for s in pipedrive.skipped] == [(6, "'Old deal' is deleted in Pipedrive")]


# ------------------------------------------------------------------ Trello


@pytest.fixture
def trello(fixtures):
    return read_import(fixtures / "trello" / "board.json")


def test_trello_lists_become_stages_in_pos_order(trello):
    assert [(s.name, s.kind) for s in trello.stages] == [
        ("Leads", StageKind.OPEN),
        ("Qualified", StageKind.OPEN),
        ("Proposal", StageKind.OPEN),
        ("Won 🎉", StageKind.WON),
        ("Lost", StageKind.LOST),
    ]


def test_trello_moves_from_actions_with_exact_times(trello):
    deals = {d.title: d for d in trello.deals}
    acme = deals["Acme platform deal"]
    assert acme.history == (
        StageEntry("Leads", utc(2024, 3, 1, 9, 0)),
        StageEntry("Qualified", utc(2024, 3, 4, 10, 30)),
        StageEntry("Proposal", utc(2024, 3, 11, 15, 45)),
    )
    assert acme.created_at == utc(2024, 3, 1, 9, 0)
    assert (acme.value, acme.account, acme.owner) == (Decimal("24000"), "Acme Corp", "Ana Silva")
    assert acme.expected_close == date(2024, 4, 30)
    globex = deals["Globex pilot"]
    assert globex.status is DealStatus.WON and globex.closed_at == utc(2024, 3, 15, 17, 20)
    assert deals["Initech upgrade"].status is DealStatus.LOST
    assert deals["Initech upgrade"].closed_at == utc(2024, 3, 18, 12, 0)


def test_trello_archived_cards(trello):
    titles = {d.title for d in trello.deals}
    assert "Archived win" in titles  # archived in the Won list: still a win
    assert "Archived idea" not in titles
    assert any("archived" in s.reason for s in trello.skipped)
    hooli = next(d for d in trello.deals if d.title == "Hooli intro")
    assert hooli.created_at == datetime.fromtimestamp(0x65E59540, UTC)  # from the card id


def test_truncated_trello_json_names_line_and_column(fixtures, write):
    text = (fixtures / "trello" / "board.json").read_text(encoding="utf-8")
    path = write("board.json", text[: len(text) // 2])
    with pytest.raises(ImportFailed) as err:
        read_import(path, format="trello")
    assert err.value.file == "board.json" and err.value.line is not None and err.value.column is not None
    assert "JSON" in str(err.value)


def test_trello_wrong_shape_names_the_json_path(write):
    path = write("board.json", '{"lists": [{"id": "l1", "name": "A"}], "cards": [{"id": "c", "name": 5, "idList": "l1"}]}')
    with pytest.raises(ImportFailed, match=r"cards\[0\]\.name"):
        read_import(path)


# ------------------------------------------------------------------ Kanboard


def test_kanboard_tasks_with_transitions(fixtures):
    batch = read_import(fixtures / "kanboard" / "tasks.csv", history=fixtures / "kanboard" / "transitions.csv")
    assert batch.source == "kanboard"
    assert [(s.name, s.kind) for s in batch.stages] == [
        ("Prospect", StageKind.OPEN), ("Meeting", StageKind.OPEN), ("Proposal", StageKind.OPEN), ("Won", StageKind.WON),
    ]
    deals = {d.external_id: d for d in batch.deals}
    globex = deals["2"]
    assert globex.status is DealStatus.WON and globex.closed_at == utc(2024, 3, 20, 17, 0)
    assert globex.history == (
        StageEntry("Prospect", utc(2024, 3, 2, 11, 30)),
        StageEntry("Meeting", utc(2024, 3, 5, 10, 0)),
        StageEntry("Proposal", utc(2024, 3, 12, 15, 30)),
        StageEntry("Won", utc(2024, 3, 20, 17, 0)),
    )
    assert deals["1"].expected_close == date(2024, 4, 30) and deals["1"].owner == "Ana Silva"
    assert deals["4"].owner == "ben"  # falls back to the username
    assert deals["4"].status is DealStatus.OPEN  # closed, but not in a Won/Lost column
    assert any("closed task" in w for w in batch.warnings)


def test_kanboard_transitions_alone_are_refused(fixtures):
    with pytest.raises(ImportFailed, match="transitions"):
        read_import(fixtures / "kanboard" / "transitions.csv")


# ------------------------------------------------------------------ generic


MAPPING = {
    "Opportunity": "title",
    "Phase": "stage",
    "Volumen": "value",
    "Kunde": "account",
    "Verantwortlich": "owner",
    "Angelegt": "created_at",
    "Abschluss": "closed_at",
}


def test_generic_csv_with_a_mapping(fixtures):
    batch = read_import(fixtures / "generic" / "deals_semicolon.csv", mapping=MAPPING)
    assert batch.source == "csv"
    assert [(s.name, s.kind) for s in batch.stages] == [
        ("Angebot", StageKind.OPEN), ("Verhandlung", StageKind.OPEN), ("Gewonnen", StageKind.WON),
    ]
    web, maintenance, seo = batch.deals
    assert (web.value, web.currency, web.account, web.owner) == (Decimal("1234.50"), "EUR", "Müller AG", "Jörg")
    assert web.created_at == utc(2024, 1, 22)
    assert maintenance.title == "Wartungsvertrag 2024"  # quoted CRLF folded into a space
    assert maintenance.value == Decimal("12000")
    assert seo.status is DealStatus.WON and seo.closed_at == utc(2024, 2, 28)
    assert [(s.line, s.reason) for s in batch.skipped] == [(5, "the row has no title")]


def test_generic_self_named_columns_and_status(write):
    path = write(
        "deals.csv",
        "title,stage,value,status,lost_reason\nA,Proposal,100,open,\nB,Proposal,200,lost,Price\nC,Demo,5,won,\n",
    )
    batch = read_import(path)
    assert batch.source == "csv"
    assert batch.stage_names == ["Demo", "Proposal", "Won", "Lost"]
    a, b, c = batch.deals
    assert (b.stage, b.status, b.lost_reason) == ("Lost", DealStatus.LOST, "Price")
    assert (c.stage, c.status) == ("Won", DealStatus.WON)
    assert a.status is DealStatus.OPEN


def test_generic_mapping_to_a_missing_column_names_it(fixtures):
    with pytest.raises(ImportFailed) as err:
        read_import(fixtures / "generic" / "deals_semicolon.csv", mapping={"Deal title": "title", "Phase": "stage"})
    assert err.value.column == "Deal title" and err.value.line == 1
    assert "'Deal title'" in str(err.value)


def test_generic_without_a_stage_column_says_how_to_map(write):
    path = write("d.csv", "Name;Amount\nA;1\n")
    with pytest.raises(ImportFailed, match="COLUMN=stage"):
        read_import(path, mapping={"Name": "title"})


def test_parse_column_map():
    assert parse_column_map(["Deal title=title", "Amount (EUR)=value", "a=b=amount"]) == {
        "Deal title": "title", "Amount (EUR)": "value", "a=b": "value",
    }
    with pytest.raises(InvalidInput, match="not a deal field"):
        parse_column_map(["X=colour"])
    with pytest.raises(InvalidInput, match="COLUMN=FIELD"):
        parse_column_map(["nothing"])
