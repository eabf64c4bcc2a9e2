"""The report as JSON: the stable schema in SCHEMA.md (times ISO 8601, money as JSON
numbers, enums as their string values), for the stand-up report and `leankanban forecast`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from leankanban.metrics.flow import Sample
from leankanban.reports.model import (
    CycleTimeDays,
    Effectiveness,
    EffectivenessLine,
    Forecast,
    ForecastReport,
    Listing,
    QualifiedOutLine,
    SalesMetrics,
    StandupReport,
    WinRateLine,
)
from leankanban.reports.shared import iso, number, rounded

SCHEMA_VERSION = 2


def _sample(sample: Sample, reason: str | None = None) -> dict[str, Any]:
    """The one convention for a statistic that can be undefined (SCHEMA.md): beside its
    number(s), `n` (the sample it is read from), `need` (the fewest it needs) and `reason`
    (null when the figure is given, else why not; the number(s) are then null)."""
    return {"n": sample.n, "need": sample.need, "reason": reason if reason is not None else sample.reason}


def _win_rate(w: WinRateLine) -> dict[str, Any]:
    return {"value": _rate(w.rate), "won": w.won, "lost": w.lost, **_sample(w.sample)}


def _qualified_out(q: QualifiedOutLine | None) -> dict[str, Any] | None:
    if q is None:
        return None
    return {
        "count": q.count,
        "value": number(q.value),
        "rate": {"value": _rate(q.rate), **_sample(q.rate_sample)},
        "reasons": dict(q.reasons),
        "median_days_to_discard": {"value": rounded(q.median_days_to_discard), **_sample(q.median_sample)},
        "by_stage": [
            {"stage": x.stage, "qualified_out": x.qualified_out, "left": x.left,
             "rate": {"value": _rate(x.rate), **_sample(x.sample)}, "reasons": dict(x.reasons)}
            for x in q.by_stage
        ],
        "in_period": {"count": q.period_count, "value": number(q.period_value)},
    }

T = TypeVar("T")


def _worth(line: Any) -> dict[str, Any]:
    """A deal line's customer value: the statement as written, the impact as a number (or null)."""
    impact = line.customer_impact
    return {"customer_value": line.customer_value, "customer_impact": None if impact is None else number(impact)}


def _listing(listing: Listing[T], row: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """One of the report's lists (SCHEMA.md, "Lists"): the whole list's size and the entries shown."""
    return {"total": listing.total, "value": number(listing.value), "items": [row(x) for x in listing]}



def _cycle(cycle: CycleTimeDays) -> dict[str, Any]:
    return {
        "count": cycle.count,
        "p50": rounded(cycle.p50),
        "p85": rounded(cycle.p85),
        "p95": rounded(cycle.p95),
        "mean": rounded(cycle.mean),
        **_sample(cycle.sample),
    }


def _forecast(f: Forecast) -> dict[str, Any]:
    return {
        "trials": f.trials,
        "seed": f.seed,
        "no_throughput": f.no_throughput,
        "in_progress": {"items": f.items, "p50": iso(f.done_p50), "p85": iso(f.done_p85), "p95": iso(f.done_p95)},
        "horizon": iso(f.horizon),
        "closes_by_horizon": {"p50": f.closes_p50, "p85": f.closes_p85, "p95": f.closes_p95},
        "won_value_by_horizon": {
            "p50": number(f.won_value_p50),
            "p85": number(f.won_value_p85),
            "p95": number(f.won_value_p95),
        },
        "covers": {"items": f.items, "value": number(f.value)},
        "sampled": f.sampled,
        **_sample(f.sample),
    }


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _sales(m: SalesMetrics | None) -> dict[str, Any] | None:
    if m is None:
        return None
    v, d, st = m.velocity, m.discards, m.stalled
    return {
        "velocity": {"per_day": number(v.per_day), "open_deals": v.open_deals,
                     "avg_won_value": number(v.avg_won_value), "win_rate": _rate(v.win_rate),
                     "avg_cycle_days": rounded(v.avg_cycle_days), **_sample(v.sample, v.reason)},
        "pipeline_value": number(m.pipeline_value),
        "weighted_pipeline": number(m.weighted_pipeline),
        "pipeline_target": number(m.pipeline_target),
        "coverage": _rate(m.coverage),
        "weighted_coverage": _rate(m.weighted_coverage),
        "discards": {
            "total": d.total,
            "by_stage": [{"stage": x.stage, "lost": x.lost, "left": x.left, "rate": _rate(x.rate),
                          "reasons": dict(x.reasons), **_sample(x.sample)} for x in d.by_stage],
            "reasons": dict(d.reasons),
        },
        "stalled": {"count": st.count, "open_count": st.open_count, "value": number(st.value),
                    "open_value": number(st.open_value), "share_count": _rate(st.share_count),
                    "share_value": _rate(st.share_value)},
    }


def _effectiveness(e: Effectiveness | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "currency": e.currency,
        "target": None if e.target is None else {a.value: _rate(v) for a, v in e.target.items()},
        "value_target": None if e.value_target is None else {a.value: _rate(v) for a, v in e.value_target.items()},
        "team": _effectiveness_line(e.team),
        "people": [_effectiveness_line(p) for p in e.people],
    }


def _effectiveness_line(p: EffectivenessLine) -> dict[str, Any]:
    return {
        "person": p.person, "total_minutes": p.total_minutes, "time_reason": p.time_reason,
        "pipeline_value": number(p.pipeline_value), "won_value": number(p.won_value), "value_reason": p.value_reason,
        "activities": [
            {"activity": a.activity.value, "minutes": a.minutes, "time_share": _rate(a.time_share),
             "time_target": _rate(a.time_target), "value": number(a.value), "deals": a.deals,
             "value_share": _rate(a.value_share), "value_target": _rate(a.value_target)}
            for a in p.activities
        ],
    }


def _new_sections(r: StandupReport) -> dict[str, Any]:
    law, cap, sp, ins, bt = r.littles_law, r.capacity, r.sprint, r.insights, r.blocked_time
    return {
        "next_steps": _listing(r.next_steps, lambda n: {
            "deal_id": n.deal_id, "title": n.title, "owner": n.owner, "stage": n.stage, "next_step": n.next_step,
            "due": iso(n.due), "days_overdue": n.days_overdue}),
        "sales": _sales(r.sales),
        "flow": {
            "littles_law": None if law is None else {
                "avg_wip": rounded(law.avg_wip), "avg_throughput_per_day": _rate(law.avg_throughput_per_day),
                "predicted_days": rounded(law.predicted_days), "observed_days": rounded(law.observed_days),
                "ratio": _rate(law.ratio), **_sample(law.sample)},
            "stage_days": [
                {"stage": x.stage, "count": x.count, "p50": rounded(x.p50), "p85": rounded(x.p85), "p95": rounded(x.p95),
                 "mean": rounded(x.mean), **_sample(x.sample)}
                for x in r.stage_days
            ],
            "blocked_time": None if bt is None else {
                "closed": bt.closed, "blocked": bt.blocked, "days": rounded(bt.days),
                "share_of_cycle": _rate(bt.share_of_cycle)},
        },
        "effectiveness": _effectiveness(r.effectiveness),
        "capacity": None if cap is None else {
            "capacity_per_week": cap.capacity_per_week, "weeks": cap.weeks, "no_throughput": cap.no_throughput,
            "wins_per_week": {"p50": rounded(cap.wins_per_week_p50), "p85": rounded(cap.wins_per_week_p85)},
            "verdict": cap.verdict},
        "sprint": None if sp is None else {
            "number": sp.number, "status": sp.status, "goal": sp.goal, "start": iso(sp.start), "end": iso(sp.end),
            "target_value": number(sp.target_value), "objectives_met": sp.objectives_met,
            "objectives_total": sp.objectives_total,
            "objectives": [{"text": text, "done": done} for text, done in sp.objectives],
            "burn_up": [{"day": iso(p.day), "won_value": number(p.won_value), "ideal_value": number(p.ideal_value),
                         "objectives_done": p.objectives_done} for p in sp.burn_up],
        },
        "insights": None if ins is None else {
            "loss_reasons": [{"reason": k, "count": n} for k, n in ins.loss_reasons],
            "retro_tags": [{"tag": k, "count": n} for k, n in ins.retro_tags],
            "top_discard_stage": None if ins.top_discard_stage is None else {
                "stage": ins.top_discard_stage[0], "count": ins.top_discard_stage[1]},
            "win_rate_by_tag": {k: _rate(v) for k, v in ins.win_rate_by_tag.items()},
            "improvements_per_month": [{"month": m, "count": n} for m, n in ins.improvements_per_month],
            "months_meeting_goal": ins.months_meeting_goal,
            "months": ins.months,
            "goal_per_month": ins.goal_per_month,
        },
    }


def _head(r: StandupReport | ForecastReport) -> dict[str, Any]:
    """The keys every JSON output starts with."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso(r.generated_at),
        "board": r.board,
        "owner": r.owner,
        "currency": r.currency,
    }


def to_dict(report: StandupReport) -> dict[str, Any]:
    """The report as plain JSON-ready data, in the shape SCHEMA.md documents."""
    r = report
    return {
        **_head(r),
        "other_currency_deals": r.other_currency_deals,
        "period": {"start": iso(r.period.start), "end": iso(r.period.end)},
        "history": {"start": iso(r.history.start), "end": iso(r.history.end)},
        "stages": [
            {
                "name": s.name,
                "kind": s.kind.value,
                "upstream": s.upstream,
                "count": s.count,
                "value": number(s.value),
                "weighted_value": number(s.weighted_value),
                "probability": round(float(s.probability), 4),
                "wip_min": s.wip_min,
                "wip_max": s.wip_max,
                "wip_state": s.wip_state,
            }
            for s in r.stages
        ],
        "moved": _listing(r.moved, lambda m: {
            "deal_id": m.deal_id, "title": m.title, "owner": m.owner, "from": m.from_stage, "to": m.to_stage,
            "at": iso(m.at), "value": number(m.value), "currency": m.currency, **_worth(m)}),
        "new_deals": _listing(r.new_deals, lambda n: {
            "deal_id": n.deal_id, "title": n.title, "owner": n.owner, "stage": n.stage, "value": number(n.value),
            "currency": n.currency, "at": iso(n.at), **_worth(n)}),
        "won": {
            "count": r.won.count,
            "value": number(r.won.value),
            "deals": [
                {"deal_id": c.deal_id, "title": c.title, "owner": c.owner, "value": number(c.value),
                 "currency": c.currency, "at": iso(c.at), **_worth(c)}
                for c in r.won.deals
            ],
        },
        "lost": {
            "count": r.lost.count,
            "value": number(r.lost.value),
            "reasons": dict(r.lost.reasons),
            "deals": [
                {"deal_id": c.deal_id, "title": c.title, "owner": c.owner, "value": number(c.value),
                 "currency": c.currency, "at": iso(c.at), "reason": c.reason, "from": c.from_stage, **_worth(c)}
                for c in r.lost.deals
            ],
        },
        "win_rate": _win_rate(r.win_rate),
        "win_rate_by_owner": {k: _win_rate(v) for k, v in r.win_rate_by_owner.items()},
        "win_rate_by_type": {k: _win_rate(v) for k, v in r.win_rate_by_type.items()},
        "win_rate_by_source": {k: _win_rate(v) for k, v in r.win_rate_by_source.items()},
        "qualified_out": _qualified_out(r.qualified_out),
        "throughput_per_week": [
            {"week": w.week, "start": iso(w.start), "days": w.days, "won": w.won, "lost": w.lost,
             "qualified_out": w.qualified_out, "closed": w.closed}
            for w in r.throughput_per_week
        ],
        "cycle_time_days": _cycle(r.cycle_time_days),
        "blocked": _listing(r.blocked, lambda b: {
            "deal_id": b.deal_id, "title": b.title, "owner": b.owner, "stage": b.stage, "since": iso(b.since),
            "days": rounded(b.days), "reason": b.reason}),
        "stall_days": r.stall_days,
        "stalled": _listing(r.stalled, lambda s: {
            "deal_id": s.deal_id, "title": s.title, "owner": s.owner, "stage": s.stage, "value": number(s.value),
            "currency": s.currency, "last_activity": iso(s.last_activity), "idle_days": rounded(s.idle_days)}),
        "ageing": _listing(r.ageing, lambda a: {
            "deal_id": a.deal_id, "title": a.title, "owner": a.owner, "stage": a.stage,
            "age_days": rounded(a.age_days), "band": a.band.value}),
        "wip_breaches": [{"stage": w.stage, "count": w.count, "wip_max": w.limit} for w in r.wip_breaches],
        "under_minimum": [{"stage": w.stage, "count": w.count, "wip_min": w.limit} for w in r.under_minimum],
        "load": [
            {"owner": l.owner, "open": l.open, "active": l.active, "value": number(l.value), "blocked": l.blocked,
             "stalled": l.stalled, "wip_max": l.wip_max, "over_limit": l.over_limit, "work_cards": l.work}
            for l in r.load
        ],
        "forecast": _forecast(r.forecast),
        "deals": _listing(r.deals, lambda d: {
            "deal_id": d.deal_id, "title": d.title, "account": d.account, "owner": d.owner, "stage": d.stage,
            "status": d.status.value, "value": number(d.value), "currency": d.currency,
            "age_days": rounded(d.age_days), "age_band": d.age_band.value, "blocked": d.blocked,
            "idle_days": rounded(d.idle_days), "next_step": d.next_step, "closed_at": iso(d.closed_at),
            "probability": d.probability, **_worth(d)}),
        **_new_sections(r),
        "policies": _policies(r),
    }


def _policies(r: StandupReport) -> dict[str, Any] | None:
    """The board's policies, briefly: each open stage with a policy or a gate (as written),
    and how many criteria and discard reasons have a definition."""
    p = r.policies
    if p is None:
        return None
    return {
        "stages": [{"stage": s.stage, "entry_policy": s.entry, "exit_policy": s.exit, "gated_by": list(s.gated_by)}
                   for s in p.stages],
        "open_stages": p.open_stages,
        "criteria": p.criteria, "criteria_defined": p.criteria_defined,
        "discard_reasons": p.reasons, "discard_reasons_defined": p.reasons_defined,
    }


def to_json(report: StandupReport, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(report), indent=indent, ensure_ascii=False)


# -- `leankanban forecast` ------------------------------------------------------------


def forecast_to_dict(report: ForecastReport) -> dict[str, Any]:
    """`leankanban forecast --format json`, in the shape SCHEMA.md documents."""
    r, f = report, report.forecast
    return {
        **_head(r),
        "stages": list(r.stages),
        "window": {"start": iso(r.window.start), "end": iso(r.window.end), "days": r.window_days,
                   "closed": r.closed, "won": r.won, "qualified_out": r.qualified_out,
                   "closed_per_day": round(r.closes_per_day, 4)},
        "sampled": f.sampled,
        **_sample(f.sample),
        "covers": {"items": f.items, "value": number(f.value)},
        "trials": f.trials,
        "seed": f.seed,
        "no_throughput": f.no_throughput,
        "done": {"items": f.items, "p50": iso(f.done_p50), "p85": iso(f.done_p85), "p95": iso(f.done_p95),
                 "beyond_horizon": round(f.beyond_horizon, 4)},
        "by": iso(f.horizon),
        "closes_by": {"p50": f.closes_p50, "p85": f.closes_p85, "p95": f.closes_p95},
        "won_value_by": {"p50": number(f.won_value_p50), "p85": number(f.won_value_p85),
                         "p95": number(f.won_value_p95)},
        "deals": [{"deal_id": deal_id, "title": title, "stage": stage} for deal_id, title, stage in r.deals],
    }


def forecast_to_json(report: ForecastReport, *, indent: int | None = 2) -> str:
    return json.dumps(forecast_to_dict(report), indent=indent, ensure_ascii=False)


