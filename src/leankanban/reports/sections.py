"""The report's later sections, each a pure function of what `build_report` has at hand:
next steps due, key sales metrics, time in stage, Little's law, effectiveness,
delivery capacity, the sprint and insights.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from leankanban.domain import sprints as sp
from leankanban.domain.model import (
    Activity,
    Deal,
    DealStatus,
    Stage,
    StageKind,
)
from leankanban.metrics import effectiveness as eff
from leankanban.metrics import flow, forecast, sales
from leankanban.metrics.flow import Period, day_of
from leankanban.reports.lines import (
    ActivityLine,
    BurnUpLine,
    CapacityLine,
    DiscardLine,
    Effectiveness,
    EffectivenessLine,
    InsightsLine,
    Listing,
    LittlesLawLine,
    NextStep,
    ReportContext,
    SalesMetrics,
    SprintLine,
    StageDaysLine,
    StageDiscardLine,
    StageLine,
    StalledShare,
    VelocityLine,
)

ZERO = Decimal("0")

E = TypeVar("E")
L = TypeVar("L")


def listing(
    entries: Iterable[E],
    limit: int | None,
    *,
    key: Callable[[E], Any],
    make: Callable[[E], L],
    deal: Callable[[E], Deal],
    currency: str,
    first: Callable[[E], Any] | None = None,
) -> Listing[L]:
    """One of the report's lists: the `limit` entries with the largest `key` (None: all of
    them), largest first, each made into its line by `make`; with the count of all the
    entries and the value of their deals in `currency` (each deal once).

    Only the entries shown are sorted and made into lines (`heapq.nlargest`), so a list of
    70,000 stalled deals costs one pass, not a sort and 70,000 line objects.

    `first`, when given, is the first item of `key` (`key(e)[0] == first(e)`), cheaper to
    compute (an `attrgetter`): an entry whose first item is below the `limit`-th largest
    one cannot be shown, so `key` is only computed for the others (a few, not 70,000)."""
    found = entries if isinstance(entries, list) else list(entries)
    if limit is None:
        top = sorted(found, key=key, reverse=True)
    elif first is not None and len(found) > limit:
        firsts = list(map(first, found))
        cut = heapq.nlargest(limit, firsts)[-1]
        # In their order, so that ties between the candidates fall as they would among all.
        top = heapq.nlargest(limit, [e for e, f in zip(found, firsts, strict=True) if f >= cut], key=key)
    else:
        top = heapq.nlargest(limit, found, key=key)
    # Each deal once (a deal not yet saved, without an id, is its own).
    priced = {
        d.id if d.id is not None else -id(d): d.value for d in map(deal, found) if d.currency == currency
    }
    return Listing(tuple(make(e) for e in top), len(found), sales.money(sum(priced.values(), ZERO)))


def lower_id(deal: Deal) -> int:
    """The last tie-break of a largest-first list: the lower id (the older deal) first."""
    return -(deal.id or 0)


def next_steps(deals: list[Deal], today: date, *, limit: int | None, currency: str) -> Listing[NextStep]:
    """Next steps due today or earlier: the most overdue first, then the biggest deal, then the
    oldest deal (lowest id)."""
    return listing(
        sales.next_steps_due(deals, today),
        limit,
        key=lambda n: (n.days_overdue, n.deal.value, lower_id(n.deal)),
        first=attrgetter("days_overdue"),
        make=lambda n: NextStep(n.deal.id, n.deal.title, n.deal.owner, n.deal.stage, n.deal.next_step, n.due,
                                n.days_overdue),
        deal=lambda n: n.deal,
        currency=currency,
    )


def ratio(amount: Decimal, target: Decimal | None) -> float | None:
    return None if not target else float(amount / target)


def sales_metrics(
    lines: list[flow.Timeline],
    stages: list[Stage],
    history: Period,
    stage_lines: tuple[StageLine, ...],
    stalled: sales.Stalled,
    currency: str,
    target: Decimal | None,
    exits: Counter[str] | None = None,
) -> SalesMetrics:
    """`exits`: `sales.stage_exits(lines, history)`, when the caller has it already."""
    v = sales.velocity(lines, stages, history, currency=currency)
    open_lines = [s for s in stage_lines if s.kind is StageKind.OPEN]
    value = sum((s.value for s in open_lines), ZERO)
    weighted = sum((s.weighted_value for s in open_lines), ZERO)
    found = sales.discards(lines, history, stages, exits=exits)
    return SalesMetrics(
        velocity=VelocityLine(v.per_day, v.open_deals, v.avg_won_value, v.win_rate.rate, v.avg_cycle_days,
                              v.sample, v.reason),
        pipeline_value=value,
        weighted_pipeline=weighted,
        pipeline_target=target,
        coverage=ratio(value, target),
        weighted_coverage=ratio(weighted, target),
        discards=DiscardLine(
            total=found.total,
            by_stage=tuple(
                StageDiscardLine(d.stage, d.lost, d.left, d.rate,
                                 dict(sorted(d.reasons.items(), key=lambda i: (-i[1], i[0]))), d.sample)
                for d in found.by_stage.values()
            ),
            reasons=dict(sorted(found.reasons.items(), key=lambda i: (-i[1], i[0]))),
        ),
        stalled=StalledShare(stalled.count, stalled.open_count, stalled.value, stalled.open_value,
                             stalled.share_count, stalled.share_value),
    )


#: Where a deal added in leankanban (not imported) comes from, for the win rate by source.
OWN_SOURCE = "leankanban"


def deal_type(deal: Deal) -> str:
    return deal.deal_type.value


def deal_source(deal: Deal) -> str:
    return deal.external_source or OWN_SOURCE


def stage_days(lines: list[flow.Timeline], stages: list[Stage], history: Period, now: datetime) -> tuple[StageDaysLine, ...]:
    found = flow.stage_time_percentiles(flow.closed_in(lines, history), now)
    known = [s.name for s in stages]
    ordered = [name for name in known if name in found] + sorted(set(found) - set(known))
    rows = []
    for name in ordered:
        p = found[name]
        sample = flow.Sample(p.count, flow.MIN_CYCLE_TIMES)
        if sample.enough:
            rows.append(StageDaysLine(name, p.count, p.p50, p.p85, p.p95, p.mean, sample))
        else:
            rows.append(StageDaysLine(name, p.count, None, None, None, None, sample))
    return tuple(rows)


def littles_law(lines: list[flow.Timeline], history: Period, tz: tzinfo) -> LittlesLawLine:
    law = flow.littles_law(lines, history, tz=tz)
    return LittlesLawLine(law.avg_wip, law.avg_throughput, law.predicted_days, law.observed_days, law.ratio, law.sample)


def effectiveness(
    lines: list[flow.Timeline], stages: list[Stage], history: Period, currency: str, context: ReportContext,
    owner: str | None,
) -> Effectiveness:
    """metrics.effectiveness over the history window: the time logged in it (context.time_allocation,
    per who logged it; with `owner`, that person's only) and the pipeline value of `lines`."""
    rows = [a for a in context.time_allocation if a.person]  # the team row ('') is summed again
    if owner is not None:
        wanted = owner.strip().casefold()
        rows = [a for a in rows if a.person.casefold() == wanted]
    minutes: dict[str, dict[Activity, int]] = {}
    for row in rows:
        into = minutes.setdefault(row.person, {})
        for activity, n in row.minutes.items():
            into[activity] = into.get(activity, 0) + n
    found = eff.effectiveness(lines, stages, history, currency, minutes, context.target_allocation)
    return Effectiveness(
        currency=currency,
        target=found.target,
        value_target=found.value_target,
        people=tuple(_effectiveness_line(p, found) for p in found.people),
        team=_effectiveness_line(found.team, found),
    )


def _effectiveness_line(p: eff.PersonMix, found: eff.EffectivenessMix) -> EffectivenessLine:
    target, value_target = found.target or {}, found.value_target or {}
    return EffectivenessLine(
        person=p.person,
        total_minutes=p.time.total,
        time_reason=p.time.reason,
        pipeline_value=p.value.total,
        won_value=p.value.won_value,
        value_reason=p.value.reason,
        activities=tuple(
            ActivityLine(
                activity=a,
                minutes=p.time.minutes[a],
                time_share=p.time.shares[a],
                time_target=target.get(a),
                value=p.value.value.get(a),
                deals=p.value.deals.get(a),
                value_share=p.value.shares.get(a),
                value_target=value_target.get(a),
            )
            for a in Activity
        ),
    )


def capacity(
    lines: list[flow.Timeline],
    history: Period,
    now: datetime,
    capacity: int,
    trials: int,
    seed: int | None,
    tz: tzinfo,
) -> CapacityLine:
    wins = flow.daily_counts(lines, history, tz=tz, outcome=DealStatus.WON)
    found = forecast.wins_against_capacity(capacity, wins, trials, seed, start=day_of(now, tz))
    return CapacityLine(found.capacity_per_week, found.weeks, found.no_throughput, found.p50, found.p85,
                        found.verdict)


def sprint(context: ReportContext) -> SprintLine | None:
    s = context.sprint
    if s is None:
        return None
    return SprintLine(
        number=s.number,
        status=s.status.value,
        goal=s.goal,
        start=s.start,
        end=s.end,
        target_value=s.target_value,
        objectives_met=sum(1 for o in s.objectives if o.done),
        objectives_total=len(s.objectives),
        objectives=tuple((o.text, o.done) for o in s.objectives),
        burn_up=tuple(BurnUpLine(p.day, p.won_value, p.ideal_value, p.objectives_done) for p in context.burn_up),
    )


def insights(found: sp.Insights | None) -> InsightsLine | None:
    if found is None:
        return None
    return InsightsLine(
        loss_reasons=tuple(found.loss_reasons),
        retro_tags=tuple(found.retro_tags),
        top_discard_stage=found.top_discard_stage,
        win_rate_by_tag=dict(found.win_rate_by_tag),
        improvements_per_month=tuple(found.improvements_per_month),
        months_meeting_goal=found.months_meeting_goal,
        months=found.months,
        cadence=found.cadence(),
    )
