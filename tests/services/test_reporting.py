"""The report use case: the efficient read gives the same report as feeding
build_report every deal and event; hand-counted numbers; --since parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from leankanban import charts
from leankanban.domain.errors import InvalidInput
from leankanban.domain.model import Activity, Event, EventKind
from leankanban.reports.model import build_forecast, build_report
from leankanban.services import LeanKanban, reports
from leankanban.store import readers
from leankanban.store import repository as repo
from leankanban.store.tables import DealRow
from tests.conftest import FakeClock


def _full_report(lk: LeanKanban, since: datetime, owner: str | None = None, seed: int = 3):
    """The reference: build_report over every deal and every event, read the plain way."""
    board = lk.get_board()
    start = reports.window_start(lk.clock(), since, 90)
    context = reports.load_context(lk, since=since, start=start)
    return build_report(board, board.stages, lk.list_deals(), lk.board_events(), lk.clock(), since, owner, seed,
                        context=context)


#: What the deals that reach Proposal are worth to their customers (a new lean-sales board
#: gates Proposal on it).
VALUE = "Saves a day a week"


def seed_history(lk: LeanKanban, clock: FakeClock) -> dict[str, int]:
    """Deals over ~200 days: old closes, recent closes, a reopen, blocks, notes, two currencies."""
    ids: dict[str, int] = {}
    clock.advance(days=-200)
    # Old, closed long before the 90-day history: only currency counts remain of them.
    for n in range(6):
        old = lk.add_deal(f"Old {n}", stage="Discovery", value=str(1000 + n), owner=("ann", "bob")[n % 2],
                          currency="USD" if n == 0 else "EUR", customer_value=VALUE)
        clock.advance(days=2)
        if n % 3 == 0:
            lk.discard(old.id, "Timing")
        else:
            lk.move_deal(old.id, "Proposal")
            clock.advance(hours=5)
            lk.win(old.id)
        ids[f"Old {n}"] = old.id
    # Lost long ago, reopened inside the window, still open.
    back = lk.add_deal("Comeback", stage="Qualifying", value="700", owner="cy")
    clock.advance(days=1)
    lk.discard(back.id, "No budget")
    ids["Comeback"] = back.id
    # Closed long ago, with a note inside the window (it must change nothing).
    noted = ids["Old 1"]
    clock.advance(days=100)  # now at -93 days
    for n in range(8):
        deal = lk.add_deal(f"Mid {n}", stage="Leads", value=str(200 * (n + 1)), owner=("ann", "bob", "cy")[n % 3],
                           customer_value=VALUE)
        ids[f"Mid {n}"] = deal.id
        clock.advance(days=3)
        lk.move_deal(deal.id, "Discovery")
        clock.advance(days=4, hours=n)
        if n % 4 == 0:
            lk.discard(deal.id, "Not a fit")
        elif n % 4 == 1:
            lk.move_deal(deal.id, "Proposal")
            clock.advance(days=2)
            lk.win(deal.id)
        elif n % 4 == 2:
            lk.block(deal.id, "Waiting for <legal> & co")
    lk.reopen(ids["Comeback"], stage="Discovery")
    lk.add_note(noted, "Customer asked for a reference")
    clock.advance(days=40)
    recent = lk.add_deal("Recent", stage="Discovery", value="999", owner="Ann", customer_value=VALUE)
    ids["Recent"] = recent.id
    clock.advance(days=2)
    lk.move_deal(recent.id, "Proposal")
    lk.win(ids["Mid 3"]) if lk.get_deal(ids["Mid 3"]).is_open else None
    clock.advance(days=3)
    lk.discard(ids["Mid 2"], "Timing")  # blocked, then lost: the block ends with the close
    clock.advance(days=1, hours=3)
    return ids


@pytest.mark.parametrize("since_days", [7, 120])
def test_efficient_report_equals_build_report_over_everything(lk: LeanKanban, clock: FakeClock, since_days: int) -> None:
    seed_history(lk, clock)
    since = clock.now - timedelta(days=since_days)
    efficient = reports.report(lk, since=since, seed=3)
    everything = reports.report(lk, since=since, seed=3, everything=True)
    reference = _full_report(lk, since)
    assert efficient == reference
    assert everything == reference
    # The efficient read really left the old closed deals out.
    inputs = reports.load_inputs(lk, start=reports.window_start(clock.now, since, 90))
    titles = {d.title for d in inputs.deals}
    if since_days < 90:
        assert "Old 2" not in titles and "Old 1" in titles  # Old 1 has a recent note
        assert "Comeback" in titles
    assert efficient.other_currency_deals == 1


def test_efficient_report_for_one_owner_equals_reference(lk: LeanKanban, clock: FakeClock) -> None:
    seed_history(lk, clock)
    since = clock.now - timedelta(days=7)
    assert reports.report(lk, since=since, owner=" ANN ", seed=3) == _full_report(lk, since, owner=" ANN ")


def test_without_ids_as_one_value_the_deal_condition_picks_the_events(
    lk: LeanKanban, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A database that takes neither a JSON array nor an array of ids (or an SQLite before 3.38).
    seed_history(lk, clock)
    since = clock.now - timedelta(days=7)
    monkeypatch.setattr(readers, "_one_of", lambda *_args: None)
    assert reports.report(lk, since=since, seed=3) == _full_report(lk, since)
    assert reports.report(lk, since=since, owner="ann", seed=3) == _full_report(lk, since, owner="ann")


def test_an_older_event_never_moves_last_activity_back(lk: LeanKanban, clock: FakeClock) -> None:
    deal = lk.add_deal("Acme", stage="Discovery")
    clock.advance(days=3)
    lk.add_note(deal.id, "Called back")
    latest = lk.get_deal(deal.id).last_activity_at
    with lk.write() as session:
        board_id = repo.board_row(session=session, name=None).id
        repo.add_events(session=session, board_id=board_id,
                        events=[Event(EventKind.NOTE, clock.now - timedelta(days=2), deal.id)])
    assert lk.get_deal(deal.id).last_activity_at == latest
    clock.advance(days=1)
    lk.add_note(deal.id, "Sent the proposal")
    assert lk.get_deal(deal.id).last_activity_at == clock.now


def test_a_deal_without_last_activity_takes_its_latest_event(lk: LeanKanban, clock: FakeClock) -> None:
    # Only the earliest time of a deal's notes and edits is read, and the latest where the
    # deal has no last_activity_at (a database written before the field was kept).
    ids = seed_history(lk, clock)
    clock.advance(hours=6)
    lk.add_note(ids["Recent"], "Legal has the contract")
    with lk.write() as session:
        session.exec(update(DealRow).values(last_activity_at=None))
    clock.advance(days=1)
    since = clock.now - timedelta(days=7)
    efficient = reports.report(lk, since=since, seed=3)
    assert efficient == _full_report(lk, since)
    noted = next(d for d in efficient.deals if d.deal_id == ids["Recent"])
    assert noted.idle_days == pytest.approx(1.0)  # the note, a day ago (its last move was days before)


def test_a_deals_own_probability_weighs_it_in_the_report(lk: LeanKanban, clock: FakeClock) -> None:
    ids = seed_history(lk, clock)
    since = clock.now - timedelta(days=7)
    before = {s.name: s.weighted_value for s in reports.report(lk, since=since, seed=3).stages}
    recent = lk.get_deal(ids["Recent"])  # 999 EUR in Proposal (4/6 by its stage)
    lk.edit_deal(recent.id, probability=10)
    efficient = reports.report(lk, since=since, seed=3)
    assert efficient == _full_report(lk, since)
    after = {s.name: s.weighted_value for s in efficient.stages}
    assert after["Proposal"] == before["Proposal"] - Decimal("666.00") + Decimal("99.90")
    assert next(d for d in efficient.deals if d.deal_id == recent.id).probability == 10


def test_old_deals_that_tip_the_currency_are_read_too(lk: LeanKanban, clock: FakeClock) -> None:
    clock.advance(days=-300)
    for n in range(4):
        old = lk.add_deal(f"Old USD {n}", stage="Leads", value="10", currency="USD", owner="ann")
        lk.discard(old.id, "Timing")
    clock.advance(days=299)
    for n in range(2):
        lk.add_deal(f"EUR {n}", stage="Leads", value="20", owner="ann")
    clock.advance(days=1)
    since = clock.now - timedelta(days=7)
    report = reports.report(lk, since=since, seed=1)
    assert report.currency == "USD"
    assert report.other_currency_deals == 2
    assert report == _full_report(lk, since, seed=1)


def test_hand_counted_board(lk: LeanKanban, clock: FakeClock) -> None:
    won = []
    for title, value in (("Alpha", "100"), ("Beta", "200"), ("Gamma", "300")):
        deal = lk.add_deal(title, stage="Discovery", value=value, owner="ann")
        won.append(deal.id)
    lost = lk.add_deal("Delta", stage="Discovery", value="400", owner="bob")
    open_deal = lk.add_deal("Epsilon", stage="Proposal", value="1000", owner="bob", customer_value=VALUE)
    clock.advance(days=2)
    for deal_id in won:
        lk.win(deal_id)
    lk.discard(lost.id, "No budget")
    clock.advance(hours=1)
    report = reports.report(lk, since="7d", seed=1)
    assert report.won.count == 3 and report.won.value == Decimal("600.00")
    assert report.lost.count == 1 and report.lost.value == Decimal("400.00")
    assert report.lost.reasons == {"No budget": 1}
    # 3 won and 1 lost after commitment: too few committed closes for a rate (5) or percentiles (10).
    assert (report.win_rate.won, report.win_rate.lost, report.win_rate.rate) == (3, 1, None)
    assert {k: (v.won, v.lost, v.rate) for k, v in report.win_rate_by_owner.items()} == {
        "ann": (3, 0, None), "bob": (0, 1, None)}
    assert report.cycle_time_days.count == 4 and report.cycle_time_days.p50 is None
    stages = {s.name: s for s in report.stages}
    assert stages["Won"].count == 3 and stages["Won"].value == Decimal("600.00")
    assert stages["Lost"].count == 1
    assert stages["Proposal"].count == 1 and stages["Proposal"].value == Decimal("1000.00")
    assert len(report.new_deals) == 5
    assert [d.title for d in report.deals if d.deal_id == open_deal.id] == ["Epsilon"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
        ("2w", datetime(2026, 10, 19, 9, 0, tzinfo=UTC)),
        ("36h", datetime(2026, 10, 31, 21, 0, tzinfo=UTC)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        (" 7D ", datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
    ],
)
def test_since_parses_days_weeks_hours_and_dates(text: str, expected: datetime) -> None:
    assert reports.parse_since(text, datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) == expected


@pytest.mark.parametrize("text", ["garbage", "7", "d7", "2026-13-01", "-3d"])
def test_since_refuses_anything_else_in_one_sentence(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        reports.parse_since(text, datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    assert "\n" not in str(err.value) and "7d" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14d", date(2026, 11, 16)), ("2w", date(2026, 11, 16)), ("36h", date(2026, 11, 3)),
     ("2026-11-02", date(2026, 11, 2)), ("2027-01-31", date(2027, 1, 31)), (None, date(2026, 11, 16)), ("", date(2026, 11, 16))],
)
def test_until_parses_days_weeks_hours_and_dates_from_today_on(text: str | None, expected: date) -> None:
    assert reports.parse_until(text, datetime(2026, 11, 2, 9, 0, tzinfo=UTC), default_days=14) == expected


@pytest.mark.parametrize("text", ["soon", "-3d", "2026-13-01"])
def test_until_refuses_anything_else_in_one_sentence(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        reports.parse_until(text, datetime(2026, 11, 2, 9, 0, tzinfo=UTC), default_days=14)
    assert "\n" not in str(err.value) and "14d" in str(err.value)


def test_a_forecast_to_a_past_date_is_refused(lk: LeanKanban, clock: FakeClock) -> None:
    yesterday = (clock.now - timedelta(days=1)).date()
    with pytest.raises(InvalidInput) as err:
        reports.forecast(lk, until=yesterday.isoformat())
    assert "\n" not in str(err.value) and "past" in str(err.value)


def test_since_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput, match="future"):
        reports.parse_since("2027-01-01", datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


def test_chart_series_come_from_the_same_inputs(lk: LeanKanban, clock: FakeClock) -> None:
    seed_history(lk, clock)
    inputs = reports.load_inputs(lk, start=clock.now - timedelta(days=90))
    cfd = charts.chart_series("cfd", inputs, days=90)
    assert cfd["stages"][:2] == ["Leads", "Qualifying"] and len(cfd["days"]) == 91
    last = {name: counts[-1] for name, counts in cfd["counts"].items()}
    report = reports.report(lk, since="7d", seed=1)
    assert last["Discovery"] == {s.name: s.count for s in report.stages}["Discovery"]
    throughput = charts.chart_series("throughput", inputs, days=90)
    assert sum(throughput["closed"]) == sum(w.closed for w in report.throughput_per_week)
    cycle = charts.chart_series("cycle-time", inputs, days=90)
    assert len(cycle["points"]) == report.cycle_time_days.count
    assert report.cycle_time_days.reason == f"not enough history ({len(cycle['points'])} closed, need 10)"
    # 4 cycle times are too few for percentile lines: the chart says so as the report does.
    assert (cycle["p85"], cycle["note"]) == (None, report.cycle_time_days.reason)
    ageing = charts.chart_series("ageing", inputs, days=90)
    assert len(ageing["points"]) == report.ageing.total
    assert ageing["stages"] == ["Discovery", "Proposal", "Negotiation"]
    with pytest.raises(ValueError):
        charts.chart_series("pie", inputs)


def test_overdue_next_steps_follow_the_clock(lk: LeanKanban, clock: FakeClock) -> None:
    from datetime import date

    soon = lk.add_deal("Soon", stage="Discovery", value="100", owner="bob", next_step="Call back",
                       next_step_due="2026-11-03")
    lk.add_deal("Later", stage="Discovery", value="100", next_step="Demo", next_step_due="2026-11-10")
    assert reports.report(lk, seed=1).next_steps.items == ()
    clock.advance(days=1)  # 3 November: due today
    assert [(n.deal_id, n.days_overdue) for n in reports.report(lk, seed=1).next_steps] == [(soon.id, 0)]
    clock.advance(days=3)  # 6 November: three days overdue
    (step,) = reports.report(lk, seed=1).next_steps
    assert (step.title, step.owner, step.next_step, step.due, step.days_overdue) == (
        "Soon", "bob", "Call back", date(2026, 11, 3), 3)


def test_report_shows_the_open_sprint_time_shares_and_insights(lk: LeanKanban, clock: FakeClock) -> None:
    lk.set_board_settings(pipeline_target="1000", capacity_per_week=2)
    deal = lk.add_deal("Big", stage="Discovery", value="600", tags=["smb"])
    lost = lk.add_deal("Gone", stage="Discovery", value="50", tags=["smb"])
    lk.start_sprint(length="1w", goal="Win <Big>", target_value="700")
    lk.add_objective("Close Big")
    lk.log_time("1h", category="origination")
    lk.log_time("30m", category="support")
    clock.advance(days=1)
    lk.win(deal.id)
    lk.discard(lost.id, "Timing")
    lk.create_retro("sprint", well=["fast"], tags=["pricing"])
    clock.advance(days=1)
    r = reports.report(lk, seed=1, since="7d")
    assert (r.sprint.number, r.sprint.goal, r.sprint.status, r.sprint.objectives_total) == (1, "Win <Big>", "open", 1)
    assert [(p.won_value, p.ideal_value) for p in r.sprint.burn_up] == [
        (Decimal("0"), Decimal("100.00")), (Decimal("600.00"), Decimal("200.00")), (Decimal("600.00"), Decimal("300.00"))]
    team = r.effectiveness.team
    assert (team.person, team.total_minutes) == ("", 90)
    assert {a.activity: a.time_share for a in team.activities}[Activity.ORIGINATION] == pytest.approx(2 / 3)
    assert r.effectiveness.target[Activity.ORIGINATION] == 0.5
    assert r.insights.loss_reasons == (("Timing", 1),)
    assert r.insights.retro_tags == (("pricing", 1),)
    assert r.insights.win_rate_by_tag == {"smb": 0.5}
    assert r.capacity.capacity_per_week == 2
    assert r.sales.coverage == 0.0  # nothing open any more
    assert reports.load_insights(lk, since=(clock.now - timedelta(days=7)).date()) == lk.insights(
        since=(clock.now - timedelta(days=7)).date())


def test_a_sprint_closed_before_the_period_is_left_out(lk: LeanKanban, clock: FakeClock) -> None:
    lk.start_sprint(length="1w", goal="Old")
    clock.advance(days=7)
    lk.close_sprint(retro=False)
    assert reports.report(lk, seed=1, since="2d").sprint.goal == "Old"  # closed in the period
    clock.advance(days=3)
    assert reports.report(lk, seed=1, since="2d").sprint is None


def test_the_report_reads_deals_with_every_field_the_app_reads(lk: LeanKanban, clock: FakeClock) -> None:
    # The report's fast read used to drop fields (priority, tags, helpers, expected close ...).
    deal = lk.add_deal(
        "Full", account="Acme", value="1234.5", currency="usd", owner="ann", deal_type="expansion",
        priority="expedite", activity="influence", tags="a,b", helpers="bob", expected_close="2026-12-24",
        next_step="call", next_step_due="2026-11-20", probability="40",
    )
    lk.block(deal.id, "legal")
    inputs = reports.load_inputs(lk, start=clock.now - timedelta(days=90))
    [read] = [d for d in inputs.deals if d.id == deal.id]
    assert read == lk.get_deal(deal.id)


def test_report_forecast_and_charts_share_the_inputs_timelines(lk: LeanKanban, clock: FakeClock) -> None:
    # One read model: the timelines are built once in load_inputs; each surface gives what it
    # gave building its own from the inputs' deals and events.
    from dataclasses import replace

    seed_history(lk, clock)
    since = clock.now - timedelta(days=7)
    built, inputs = reports.report_and_inputs(lk, since=since, seed=3)
    assert len(inputs.lines) == len(inputs.deals)
    bare = replace(inputs, lines=None)
    assert reports.from_inputs(bare, since, seed=3, context=reports.load_context(lk, since=since,
                               start=inputs.start, deals=inputs.deals)) == built
    for kind in charts.KINDS:
        assert charts.chart_series(kind, inputs, days=90) == charts.chart_series(kind, bare, days=90)
    for owner in (None, "ann"):
        mine = reports.load_inputs(lk, start=inputs.start, owner=owner)
        args = (mine.board, mine.stages, mine.deals, mine.events, mine.now)
        keywords = {"window_start": mine.start, "target": clock.now.date() + timedelta(days=14), "seed": 3}
        assert build_forecast(*args, owner=owner, lines=mine.lines, **keywords) == build_forecast(
            *args, owner=owner, **keywords
        )
        assert build_forecast(*args, owner="bob", lines=mine.lines, **keywords) == build_forecast(
            *args, owner="bob", **keywords
        )
