"""Real Salesforce exports (tests/fixtures/salesforce, see PROVENANCE.md)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leankanban.domain.model import DealStatus, StageKind
from leankanban.importers import ImportFailed, StageEntry, read_import

SF = "salesforce"


def at(month: int, day: int, hour: int, minute: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def workshop(fixtures):
    return read_import(fixtures / SF / "data-cloud-workshop_Opportunity.csv")


@pytest.fixture
def powerbi(fixtures):
    return read_import(
        fixtures / SF / "powerbi_Opportunity.csv",
        history=fixtures / SF / "powerbi_OpportunityHistory.csv",
        accounts=fixtures / SF / "powerbi_Account.csv",
    )


def test_workshop_export_yields_fifty_deals_in_pipeline_order(workshop):
    assert workshop.source == "salesforce"
    assert len(workshop.deals) == 50 and workshop.skipped == ()
    assert [(s.name, s.kind) for s in workshop.stages] == [
        ("Qualification", StageKind.OPEN),
        ("Discovery", StageKind.OPEN),
        ("Proposal/Quote", StageKind.OPEN),
        ("Negotiation", StageKind.OPEN),
        ("Closed Won", StageKind.WON),
        ("Closed Lost", StageKind.LOST),
    ]
    assert [s.position for s in workshop.stages] == list(range(6))


def test_workshop_flags_one_or_empty_decide_status(workshop):
    counts = Counter((d.stage, d.status) for d in workshop.deals)
    assert counts[("Closed Won", DealStatus.WON)] == 12
    assert counts[("Closed Lost", DealStatus.LOST)] == 3
    assert sum(n for (_s, status), n in counts.items() if status is DealStatus.OPEN) == 35


def test_workshop_values_timestamps_and_ids(workshop):
    first = workshop.deals[0]
    assert first.external_id == "006Ec00000AieKFIAZ"
    assert first.title == "Patterson-Hansen - Merchant Services - November 2024"
    assert first.value == Decimal("1124741.15")
    assert first.created_at == datetime(2024, 1, 22, 16, 14, 25, tzinfo=UTC)
    assert first.expected_close == date(2024, 11, 10) and first.closed_at is None
    assert first.account == "001Ec00000GGw3iIAD"  # no Account file: the id stays
    assert first.line == 2
    quoted = workshop.deals[3]
    assert quoted.title == "Johnson, Avery and Smith - Business Checking Account - July 2024"
    won = workshop.deals[1]
    assert won.status is DealStatus.WON
    assert won.closed_at == datetime(2023, 6, 17, tzinfo=UTC)  # CloseDate, no history
    assert won.expected_close is None
    assert sum(d.value for d in workshop.deals) == Decimal("43603545.98")
    assert any("AccountId" in w for w in workshop.warnings)
    assert any("user ids" in w for w in workshop.warnings)


def test_powerbi_stages_follow_the_classic_salesforce_order(powerbi):
    assert powerbi.stage_names == [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    ]
    assert len(powerbi.deals) == 36


def test_powerbi_true_false_flags_and_empty_amounts(powerbi):
    deals = {d.external_id: d for d in powerbi.deals}
    assert Counter(d.status for d in powerbi.deals) == {
        DealStatus.OPEN: 16,
        DealStatus.WON: 12,
        DealStatus.LOST: 8,
    }
    assert deals["006bm00000LKdM8AAL"].value == 0  # empty Amount
    assert deals["006bm00000LKJNNAA5"].created_at == datetime(2026, 2, 23, tzinfo=UTC)  # MM/DD/YY
    assert deals["006bm00000LKJNNAA5"].expected_close == date(2024, 2, 3)


def test_account_file_turns_ids_into_names(powerbi):
    deals = {d.external_id: d for d in powerbi.deals}
    assert deals["006bm00000LKJNNAA5"].account == "Dickenson plc"
    assert deals["006bm00000LKJNOAA5"].account == "United Oil & Gas Corp."
    assert all(not d.account.startswith("001") for d in powerbi.deals)


def test_history_is_sorted_by_time_not_file_order(powerbi):
    # The file lists Closed Lost (02:20) before Prospecting (02:15).
    jackson = next(d for d in powerbi.deals if d.external_id == "006bm00000LKg0bAAD")
    assert jackson.history == (
        StageEntry("Prospecting", at(2, 24, 2, 15)),
        StageEntry("Closed Lost", at(2, 24, 2, 20)),
    )
    assert jackson.closed_at == at(2, 24, 2, 20)


def test_history_keeps_the_reopen_from_closed_won_into_closed_lost(powerbi):
    sla = next(d for d in powerbi.deals if d.external_id == "006bm00000LKJNTAA5")
    assert sla.status is DealStatus.LOST and sla.stage == "Closed Lost"
    assert sla.history == (
        StageEntry("Closed Won", at(2, 23, 20, 55)),
        StageEntry("Closed Lost", at(3, 7, 21, 0)),
    )
    assert sla.closed_at == at(3, 7, 21, 0)  # when it entered its final stage, not CloseDate
    farmers = next(d for d in powerbi.deals if d.external_id == "006bm00000LKgOnAAL")
    assert [e.stage for e in farmers.history] == ["Prospecting", "Closed Won", "Closed Lost"]
    assert [e.at for e in farmers.history] == [at(2, 24, 2, 18), at(2, 24, 2, 20), at(3, 7, 20, 59)]
    reopened = [d for d in powerbi.deals if [e.stage for e in d.history][-2:] == ["Closed Won", "Closed Lost"]]
    assert len(reopened) == 7


def test_every_history_ends_in_the_current_stage(powerbi):
    assert all(d.history and d.history[-1].stage == d.stage for d in powerbi.deals)
    assert not any("does not end" in w for w in powerbi.warnings)


def test_report_export_with_labels_and_footer(write):
    path = write(
        "report.csv",
        '"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount","Close Date","Created Date"\n'
        '"Jane Doe","Acme","Acme - Renewal","Negotiation/Review","USD 12,500.00","3/31/2024","1/5/2024"\n'
        '"John Roe","Globex","Globex - New","Closed Won","$9,000","2/15/2024","1/10/2024"\n'
        "\n"
        '"Total"\n'
        '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n'
        '"Confidential Information - Do Not Distribute"\n',
    )
    batch = read_import(path)
    assert batch.source == "salesforce" and len(batch.deals) == 2 and batch.skipped == ()
    renewal, new = batch.deals
    assert (renewal.owner, renewal.account, renewal.value, renewal.currency) == ("Jane Doe", "Acme", Decimal("12500"), "USD")
    assert renewal.expected_close == date(2024, 3, 31)
    assert new.status is DealStatus.WON and new.closed_at == datetime(2024, 2, 15, tzinfo=UTC)
    assert any("footer" in w for w in batch.warnings)


def test_history_without_a_time_column_names_the_column(fixtures, write):
    history = write("hist.csv", "OpportunityId,StageName\n006bm00000LKJNNAA5,Prospecting\n")
    with pytest.raises(ImportFailed) as err:
        read_import(fixtures / SF / "powerbi_Opportunity.csv", history=history)
    assert "hist.csv" in str(err.value) and "CreatedDate" in str(err.value)


def test_history_file_alone_is_recognised_and_refused(fixtures):
    with pytest.raises(ImportFailed, match="OpportunityHistory"):
        read_import(fixtures / SF / "powerbi_OpportunityHistory.csv")


def test_probability_becomes_the_deals_own_win_probability(workshop):
    first = workshop.deals[0]
    assert (first.title, first.probability) == ("Patterson-Hansen - Merchant Services - November 2024", 10)
    assert all(d.probability is not None for d in workshop.deals)


def test_currency_iso_code_sets_each_deals_currency(write):
    path = write(
        "Opportunity.csv",
        "Id,Name,StageName,Amount,CurrencyIsoCode,Probability,CloseDate\n"
        "006A,Acme,Prospecting,1000,USD,35,2024-05-01\n"
        "006B,Globex,Prospecting,2000,gbp,12.6,2024-05-01\n"
        "006C,Initech,Prospecting,3000,,,2024-05-01\n",
    )
    acme, globex, initech = read_import(path).deals
    assert (acme.currency, acme.probability) == ("USD", 35)
    assert (globex.currency, globex.probability) == ("GBP", 13)
    assert (initech.currency, initech.probability) == ("EUR", None)


def test_report_export_probability_percent(write):
    path = write(
        "report.csv",
        '"Opportunity Name","Stage","Amount","Probability (%)","Amount Currency"\n'
        '"Acme - Renewal","Negotiation/Review","12,500.00","90%","USD"\n',
    )
    (deal,) = read_import(path).deals
    assert (deal.probability, deal.currency) == (90, "USD")


def test_a_probability_out_of_range_names_line_and_column(write):
    path = write("Opportunity.csv", "Id,Name,StageName,Probability\n006A,Acme,Prospecting,140\n")
    with pytest.raises(ImportFailed) as err:
        read_import(path)
    assert "line 2" in str(err.value) and "Probability" in str(err.value)
