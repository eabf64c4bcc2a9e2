"""Renderers for a StandupReport: JSON, Markdown, CSV, HTML and terminal text.

* `to_dict` / `to_json`: the stable schema in SCHEMA.md (times ISO 8601,
  money as JSON numbers, enums as their string values).
* `to_markdown`: pastes into a wiki or chat; every piece of user text is
  escaped so `|`, `*`, `_`, `[` ... in a title cannot break a table.
* `stages_csv` / `deals_csv`: RFC 4180 CSV; text that a spreadsheet would
  run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
* `to_renderable` / `to_text`: Rich, imported lazily here only, with user
  text passed as `rich.text.Text`, never as markup.
* `to_html`: one self-contained page (inline CSS, charts passed in as SVG
  text) to mail; every piece of user text is HTML-escaped.

What makes user text safe in each format (`visible`, `md`, `h`, `cell`) and
how money reads (`money_text`) come from `leankanban.text`, as on every other
surface: control, bidi and zero-width characters show as escapes (`\\x1b`).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from leankanban.reports.model import (
    CycleTimeDays,
    Effectiveness,
    Forecast,
    ForecastReport,
    SalesMetrics,
    StandupReport,
)
from leankanban.text import csv_cell as cell
from leankanban.text import html as h
from leankanban.text import markdown as md
from leankanban.text import money_cents as money_text
from leankanban.text import visible

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType

SCHEMA_VERSION = 1


# -- plain values ----------------------------------------------------------------


def number(amount: Decimal | None) -> int | float | None:
    """Money as a JSON number: an int when whole, else a float (exact to the cent below 10^13)."""
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat()
    return moment.isoformat()


def _round(days: float | None) -> float | None:
    return None if days is None else round(days, 2)


# -- JSON ---------------------------------------------------------------------


def _cycle(cycle: CycleTimeDays) -> dict[str, Any]:
    return {
        "count": cycle.count,
        "p50": _round(cycle.p50),
        "p85": _round(cycle.p85),
        "p95": _round(cycle.p95),
        "mean": _round(cycle.mean),
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
                     "avg_cycle_days": _round(v.avg_cycle_days)},
        "pipeline_value": number(m.pipeline_value),
        "weighted_pipeline": number(m.weighted_pipeline),
        "pipeline_target": number(m.pipeline_target),
        "coverage": _rate(m.coverage),
        "weighted_coverage": _rate(m.weighted_coverage),
        "discards": {
            "total": d.total,
            "by_stage": [{"stage": x.stage, "lost": x.lost, "left": x.left, "rate": _rate(x.rate),
                          "reasons": dict(x.reasons)} for x in d.by_stage],
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
        "target": None if e.target is None else {a.value: _rate(v) for a, v in e.target.items()},
        "activities": [
            {"activity": a.activity.value, "open_deals": a.open_deals, "won_value": number(a.won_value),
             "deal_share": _rate(a.deal_share), "won_value_share": _rate(a.won_value_share), "target": _rate(a.target)}
            for a in e.activities
        ],
        "time": [
            {"person": t.person, "minutes": {a.value: n for a, n in t.minutes.items()},
             "total_minutes": t.total_minutes, "shares": {a.value: _rate(v) for a, v in t.shares.items()}}
            for t in e.time
        ],
    }


def _new_sections(r: StandupReport) -> dict[str, Any]:
    law, cap, sp, ins, bt = r.littles_law, r.capacity, r.sprint, r.insights, r.blocked_time
    return {
        "next_steps": [
            {"deal_id": n.deal_id, "title": n.title, "owner": n.owner, "stage": n.stage, "next_step": n.next_step,
             "due": iso(n.due), "days_overdue": n.days_overdue}
            for n in r.next_steps
        ],
        "sales": _sales(r.sales),
        "flow": {
            "littles_law": None if law is None else {
                "avg_wip": _round(law.avg_wip), "avg_throughput_per_day": _rate(law.avg_throughput_per_day),
                "predicted_days": _round(law.predicted_days), "observed_days": _round(law.observed_days),
                "ratio": _rate(law.ratio)},
            "stage_days": [
                {"stage": x.stage, "count": x.count, "p50": _round(x.p50), "p85": _round(x.p85), "p95": _round(x.p95),
                 "mean": _round(x.mean)}
                for x in r.stage_days
            ],
            "blocked_time": None if bt is None else {
                "closed": bt.closed, "blocked": bt.blocked, "days": _round(bt.days),
                "share_of_cycle": _rate(bt.share_of_cycle)},
        },
        "effectiveness": _effectiveness(r.effectiveness),
        "capacity": None if cap is None else {
            "capacity_per_week": cap.capacity_per_week, "weeks": cap.weeks, "no_throughput": cap.no_throughput,
            "wins_per_week": {"p50": _round(cap.wins_per_week_p50), "p85": _round(cap.wins_per_week_p85)},
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
        "moved": [
            {"deal_id": m.deal_id, "title": m.title, "owner": m.owner, "from": m.from_stage, "to": m.to_stage,
             "at": iso(m.at)}
            for m in r.moved
        ],
        "new_deals": [
            {"deal_id": n.deal_id, "title": n.title, "owner": n.owner, "stage": n.stage, "value": number(n.value),
             "currency": n.currency, "at": iso(n.at)}
            for n in r.new_deals
        ],
        "won": {
            "count": r.won.count,
            "value": number(r.won.value),
            "deals": [
                {"deal_id": c.deal_id, "title": c.title, "owner": c.owner, "value": number(c.value),
                 "currency": c.currency, "at": iso(c.at)}
                for c in r.won.deals
            ],
        },
        "lost": {
            "count": r.lost.count,
            "value": number(r.lost.value),
            "reasons": dict(r.lost.reasons),
            "deals": [
                {"deal_id": c.deal_id, "title": c.title, "owner": c.owner, "value": number(c.value),
                 "currency": c.currency, "at": iso(c.at), "reason": c.reason, "from": c.from_stage}
                for c in r.lost.deals
            ],
        },
        "win_rate": None if r.win_rate is None else round(r.win_rate, 4),
        "win_rate_by_owner": {k: None if v is None else round(v, 4) for k, v in r.win_rate_by_owner.items()},
        "win_rate_by_type": {k: _rate(v) for k, v in r.win_rate_by_type.items()},
        "win_rate_by_source": {k: _rate(v) for k, v in r.win_rate_by_source.items()},
        "throughput_per_week": [
            {"week": w.week, "start": iso(w.start), "days": w.days, "won": w.won, "lost": w.lost,
             "closed": w.closed}
            for w in r.throughput_per_week
        ],
        "cycle_time_days": _cycle(r.cycle_time_days),
        "blocked": [
            {"deal_id": b.deal_id, "title": b.title, "owner": b.owner, "stage": b.stage, "since": iso(b.since),
             "days": _round(b.days), "reason": b.reason}
            for b in r.blocked
        ],
        "stall_days": r.stall_days,
        "stalled": [
            {"deal_id": s.deal_id, "title": s.title, "owner": s.owner, "stage": s.stage, "value": number(s.value),
             "currency": s.currency, "last_activity": iso(s.last_activity), "idle_days": _round(s.idle_days)}
            for s in r.stalled
        ],
        "ageing": [
            {"deal_id": a.deal_id, "title": a.title, "owner": a.owner, "stage": a.stage,
             "age_days": _round(a.age_days), "band": a.band.value}
            for a in r.ageing
        ],
        "wip_breaches": [{"stage": w.stage, "count": w.count, "wip_max": w.limit} for w in r.wip_breaches],
        "under_minimum": [{"stage": w.stage, "count": w.count, "wip_min": w.limit} for w in r.under_minimum],
        "load": [
            {"owner": l.owner, "open": l.open, "active": l.active, "value": number(l.value), "blocked": l.blocked,
             "stalled": l.stalled, "wip_max": l.wip_max, "over_limit": l.over_limit}
            for l in r.load
        ],
        "forecast": _forecast(r.forecast),
        "deals": [
            {"deal_id": d.deal_id, "title": d.title, "account": d.account, "owner": d.owner, "stage": d.stage,
             "status": d.status.value, "value": number(d.value), "currency": d.currency,
             "age_days": _round(d.age_days), "age_band": d.age_band.value, "blocked": d.blocked,
             "idle_days": _round(d.idle_days), "next_step": d.next_step, "closed_at": iso(d.closed_at),
             "probability": d.probability}
            for d in r.deals
        ],
        **_new_sections(r),
    }


def to_json(report: StandupReport, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(report), indent=indent, ensure_ascii=False)


# -- the newer sections, shared by Markdown, text and HTML --------------------------

_ACTIVITY_LABELS = {"origination": "Origination", "influence": "Influence", "support": "Support"}


def _ratio_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _minutes(total: int) -> str:
    hours, minutes = divmod(total, 60)
    return f"{hours}h{minutes:02d}" if hours else f"{minutes}m"


def sales_lines(r: StandupReport) -> list[str]:
    """The key sales metrics as short sentences (numbers only: no user text)."""
    m = r.sales
    if m is None:
        return []
    cur, v = r.currency, m.velocity
    lines = [
        f"Sales velocity: {money_text(v.per_day, cur)} per day ({v.open_deals} active deals x "
        f"{money_text(v.avg_won_value, cur)} average win x {_pct(v.win_rate)} win rate / "
        f"{_d(v.avg_cycle_days)} days average cycle)",
        f"Pipeline: {money_text(m.pipeline_value, cur)}, weighted {money_text(m.weighted_pipeline, cur)}",
    ]
    if m.pipeline_target is None:
        lines.append("Coverage: no pipeline target set (leankanban settings --pipeline-target)")
    else:
        lines.append(
            f"Coverage: {_ratio_text(m.coverage)} of the {money_text(m.pipeline_target, cur)} target "
            f"(weighted {_ratio_text(m.weighted_coverage)})"
        )
    st = m.stalled
    lines.append(
        f"Stalled: {st.count} of {st.open_count} open deals ({_pct(st.share_count)}), "
        f"{money_text(st.value, cur)} of {money_text(st.open_value, cur)} ({_pct(st.share_value)})"
    )
    return lines


def littles_law_line(r: StandupReport) -> str:
    law = r.littles_law
    if law is None:
        return ""
    return (
        f"Little's law: average WIP {law.avg_wip:.1f} / throughput {law.avg_throughput_per_day:.2f} a day = "
        f"{_d(law.predicted_days)} days predicted, {_d(law.observed_days)} observed "
        f"(ratio {_ratio_text(law.ratio)})"
    )


def _rates(rates: dict[str, float | None]) -> str:
    return ", ".join(f"{visible(name)} {_pct(rate)}" for name, rate in rates.items())


def flow_lines(r: StandupReport) -> list[str]:
    """Time in each stage, blocked time and win rate by type and source, one line each (where there are any)."""
    lines = []
    if r.stage_days:
        lines.append("Days in stage, p50/p85/p95 (deals closed in the history): " + "; ".join(
            f"{visible(x.stage)} {x.p50:.1f}/{x.p85:.1f}/{x.p95:.1f}" for x in r.stage_days))
    bt = r.blocked_time
    if bt is not None and bt.closed:
        share = "" if bt.share_of_cycle is None else f", {_pct(bt.share_of_cycle)} of their cycle time"
        lines.append(f"Blocked: {bt.blocked} of {bt.closed} deals closed in the history, {bt.days:.1f} days in all{share}")
    if r.win_rate_by_type:
        lines.append(f"Win rate by type: {_rates(r.win_rate_by_type)}")
    if r.win_rate_by_source:
        lines.append(f"Win rate by source: {_rates(r.win_rate_by_source)}")
    return lines


def capacity_line(r: StandupReport) -> str:
    c = r.capacity
    if c is None:
        return "Delivery capacity: not set (leankanban settings --capacity-per-week)"
    if c.no_throughput:
        return f"Delivery capacity {c.capacity_per_week}/week: no wins in the history window, no forecast"
    words = {"over": "over capacity", "idle": "capacity left idle", "within": "within capacity"}
    return (
        f"Expected {c.wins_per_week_p50:.1f} wins/week at p50 ({c.wins_per_week_p85:.1f} at p85) over the next "
        f"{c.weeks} weeks vs capacity {c.capacity_per_week}: {words.get(c.verdict, c.verdict)}"
    )


def _share_vs(share: float | None, target: float | None) -> str:
    return _pct(share) + ("" if target is None else f" / {_pct(target)}")


def activity_rows(r: StandupReport) -> list[list[str]]:
    """Category, open deals, deal share / target, won value, won share / target."""
    e = r.effectiveness
    if e is None:
        return []
    return [
        [_ACTIVITY_LABELS.get(a.activity.value, a.activity.value), str(a.open_deals),
         _share_vs(a.deal_share, a.target), money_text(a.won_value), _share_vs(a.won_value_share, a.target)]
        for a in e.activities
    ]


def time_rows(r: StandupReport) -> list[tuple[str, list[str]]]:
    """(person, [total, share / target per category]); person '' is the team."""
    e = r.effectiveness
    if e is None:
        return []
    target = e.target or {}
    return [
        (t.person, [_minutes(t.total_minutes)]
         + [_share_vs(t.shares.get(a), target.get(a)) for a in t.minutes])
        for t in e.time
    ]


ACTIVITY_HEADER = ["Category", "Open deals", "Share / target", "Won value", "Won share / target"]
TIME_HEADER = ["Person", "Logged", "Origination", "Influence", "Support"]


def burn_up_rows(r: StandupReport) -> list[list[str]]:
    sp = r.sprint
    if sp is None:
        return []
    return [[_when(p.day), money_text(p.won_value), money_text(p.ideal_value), str(p.objectives_done)]
            for p in sp.burn_up]


def sprint_summary(r: StandupReport) -> str:
    sp = r.sprint
    if sp is None:
        return ""
    target = "" if sp.target_value is None else f", target {money_text(sp.target_value, r.currency)}"
    return (f"Sprint {sp.number} ({sp.status}) {_when(sp.start)} to {_when(sp.end)}{target}; "
            f"objectives met {sp.objectives_met}/{sp.objectives_total}")


def improvements_line(r: StandupReport) -> str:
    ins = r.insights
    if ins is None:
        return ""
    months = ", ".join(f"{m} {n}" for m, n in ins.improvements_per_month)
    return (f"Improvements finished per month (goal {ins.goal_per_month}): {months or '-'}; "
            f"{ins.months_meeting_goal} of {ins.months} month(s) met the goal")


# -- Markdown ---------------------------------------------------------------------


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _d(days: float | None) -> str:
    return "-" if days is None else f"{days:.1f}"


def _when(moment: datetime | date | None) -> str:
    if moment is None:
        return "-"
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _limits(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo}-{hi}"
    if hi is not None:
        return f"max {hi}"
    return "" if lo is None else f"min {lo}"


_BAND_LABELS = {"below_p50": "< p50", "p50_p85": "p50-p85", "p85_p95": "p85-p95", "above_p95": "> p95"}


def band_label(band: str) -> str:
    return _BAND_LABELS.get(band, "-")


def to_markdown(report: StandupReport) -> str:
    r = report
    cur = r.currency
    out = [f"# Stand-up: {md(r.board)}" + (f" ({md(r.owner)})" if r.owner else ""), ""]
    out.append(f"Since {_when(r.period.start)} until {_when(r.period.end)} UTC. Generated {_when(r.generated_at)}.")
    if r.other_currency_deals:
        out.append(f"Money in {cur}; {r.other_currency_deals} deal(s) in other currencies are not in the totals.")
    out += ["", "## Board", ""]
    out += _table(
        ["Stage", "Deals", "Value", "Weighted", "WIP limits", "State"],
        [
            [md(s.name), str(s.count), money_text(s.value), money_text(s.weighted_value),
             _limits(s.wip_min, s.wip_max), s.wip_state]
            for s in r.stages
        ],
    )
    out += ["", "## Since last stand-up", ""]
    out.append(f"- **Won:** {r.won.count} ({money_text(r.won.value, cur)})")
    reasons = ", ".join(f"{md(k)} ({v})" for k, v in r.lost.reasons.items())
    out.append(f"- **Lost:** {r.lost.count} ({money_text(r.lost.value, cur)})" + (f": {reasons}" if reasons else ""))
    out.append(f"- **New deals:** {len(r.new_deals)}")
    out.append(f"- **Moves:** {len(r.moved)}")
    if r.moved:
        out += ["", "### Moves", ""]
        out += _table(
            ["Deal", "Owner", "From", "To", "When"],
            [[md(m.title), md(m.owner), md(m.from_stage), md(m.to_stage), _when(m.at)] for m in r.moved],
        )
    if r.new_deals:
        out += ["", "### New deals", ""]
        out += _table(
            ["Deal", "Owner", "Stage", "Value"],
            [[md(n.title), md(n.owner), md(n.stage), money_text(n.value, n.currency)] for n in r.new_deals],
        )
    out += ["", "## Needs attention", ""]
    alerts = [f"- **Over WIP limit:** {md(w.stage)} ({w.count}/{w.limit})" for w in r.wip_breaches]
    alerts += [f"- **Below minimum:** {md(w.stage)} ({w.count}, minimum {w.limit})" for w in r.under_minimum]
    alerts += [f"- **Over personal WIP limit:** {md(l.owner)} ({l.active}/{l.wip_max})" for l in r.load if l.over_limit]
    out += alerts or ["- No WIP alerts."]
    if r.blocked:
        out += ["", "### Blocked", ""]
        out += _table(
            ["Deal", "Owner", "Stage", "Blocked days", "Reason"],
            [[md(b.title), md(b.owner), md(b.stage), _d(b.days), md(b.reason)] for b in r.blocked],
        )
    if r.stalled:
        out += ["", f"### Stalled (no activity for {r.stall_days}+ days)", ""]
        out += _table(
            ["Deal", "Owner", "Stage", "Idle days", "Value"],
            [[md(s.title), md(s.owner), md(s.stage), _d(s.idle_days), money_text(s.value, s.currency)]
             for s in r.stalled],
        )
    if r.ageing:
        out += ["", "### Ageing work in progress", ""]
        out += _table(
            ["Deal", "Owner", "Stage", "Age (days)", "Band"],
            [[md(a.title), md(a.owner), md(a.stage), _d(a.age_days), band_label(a.band.value)]
             for a in r.ageing],
        )
    if r.load:
        out += ["", "### Load per person", ""]
        out += _table(
            ["Owner", "Open", "Active", "Limit", "Value", "Blocked", "Stalled"],
            [[md(l.owner) or "(nobody)", str(l.open), str(l.active), "" if l.wip_max is None else str(l.wip_max),
              money_text(l.value), str(l.blocked), str(l.stalled)] for l in r.load],
        )
    c = r.cycle_time_days
    out += ["", f"## Flow since {_when(r.history.start.date())}", ""]
    out.append(f"- **Win rate:** {_pct(r.win_rate)}")
    out.append(
        f"- **Cycle time (days):** p50 {_d(c.p50)}, p85 {_d(c.p85)}, p95 {_d(c.p95)} ({c.count} closed)"
    )
    if r.throughput_per_week:
        out += ["", "| Week | Won | Lost | Closed |", "|---|---|---|---|"]
        out += [f"| {w.week} | {w.won} | {w.lost} | {w.closed} |" for w in r.throughput_per_week]
    out += _markdown_new(r)
    f = r.forecast
    out += ["", "## Forecast", ""]
    if f.no_throughput:
        out.append("- No closes in the history window: no forecast.")
    else:
        out.append(
            f"- **{f.items} deal(s) in progress closed by:** {_when(f.done_p50)} (50%), "
            f"{_when(f.done_p85)} (85%), {_when(f.done_p95)} (95%)"
        )
        out.append(
            f"- **Closes by {_when(f.horizon)}:** at least {f.closes_p85} (85%), {f.closes_p95} (95%); "
            f"{f.closes_p50} likely"
        )
        out.append(
            f"- **Won value by {_when(f.horizon)}:** at least {money_text(f.won_value_p85, cur)} (85%); "
            f"{money_text(f.won_value_p50, cur)} likely"
        )
    return "\n".join(out) + "\n"


def _markdown_new(r: StandupReport) -> list[str]:
    """Next steps, key sales metrics, effectiveness, capacity, sprint and insights."""
    out = ["", "## Next steps due", ""]
    if r.next_steps:
        out += _table(
            ["Deal", "Owner", "Stage", "Next step", "Due", "Days overdue"],
            [[md(n.title), md(n.owner), md(n.stage), md(n.next_step), _when(n.due), str(n.days_overdue)]
             for n in r.next_steps],
        )
    else:
        out.append("- No next step due.")
    if r.sales is not None:
        out += ["", "## Key sales metrics", ""]
        out += [f"- {line}" for line in sales_lines(r)]
        if r.littles_law is not None:
            out.append(f"- {littles_law_line(r)}")
        out += [f"- {md(line)}" for line in flow_lines(r)]
        d = r.sales.discards
        if d.total:
            out += ["", "### Where deals are qualified out", ""]
            out += _table(
                ["Stage", "Lost", "Left", "Discard rate", "Reasons"],
                [[md(x.stage), str(x.lost), str(x.left), _pct(x.rate),
                  md(", ".join(f"{k} ({n})" for k, n in x.reasons.items()))] for x in d.by_stage],
            )
    if r.effectiveness is not None:
        out += ["", "## Effectiveness", ""]
        out += _table(ACTIVITY_HEADER, activity_rows(r))
        rows = time_rows(r)
        if rows:
            out += ["", "### Logged time per category (share / target)", ""]
            out += _table(TIME_HEADER, [[md(p) if p else "**team**", *cells] for p, cells in rows])
    out += ["", "## Delivery capacity", "", f"- {capacity_line(r)}"]
    if r.sprint is not None:
        sp = r.sprint
        out += ["", "## Sprint", "", f"- {sprint_summary(r)}", f"- **Goal:** {md(sp.goal) or '-'}"]
        out += [f"- [{'x' if done else ' '}] {md(text)}" for text, done in sp.objectives]
        if sp.burn_up:
            out += ["", "### Burn-up", ""]
            out += _table(["Day", "Won", "Ideal", "Objectives done"], burn_up_rows(r))
    if r.insights is not None:
        ins = r.insights
        out += ["", "## Insights", ""]
        out.append("- **Loss reasons:** " + (", ".join(f"{md(k)} ({n})" for k, n in ins.loss_reasons) or "-"))
        out.append("- **Retro tags:** " + (", ".join(f"{md(k)} ({n})" for k, n in ins.retro_tags) or "-"))
        top = ins.top_discard_stage
        out.append("- **Top discard stage:** " + ("-" if top is None else f"{md(top[0])} ({top[1]})"))
        out.append("- **Win rate by tag:** "
                   + (", ".join(f"{md(k)} {_pct(v)}" for k, v in ins.win_rate_by_tag.items()) or "-"))
        out.append(f"- {improvements_line(r)}")
    return out


# -- CSV --------------------------------------------------------------------------


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _plain(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def stages_csv(report: StandupReport) -> str:
    """One row per stage: name, kind, count, value, weighted_value, wip_min, wip_max, wip_state."""
    return _csv(
        ["stage", "kind", "count", "value", "weighted_value", "currency", "wip_min", "wip_max", "wip_state"],
        [
            [cell(s.name), s.kind.value, s.count, _plain(s.value), _plain(s.weighted_value), report.currency,
             "" if s.wip_min is None else s.wip_min, "" if s.wip_max is None else s.wip_max, s.wip_state]
            for s in report.stages
        ],
    )


def deals_csv(report: StandupReport) -> str:
    """One row per open deal and per deal closed in the period."""
    return _csv(
        ["deal_id", "title", "account", "owner", "stage", "status", "value", "currency", "age_days", "age_band",
         "blocked", "idle_days", "next_step", "closed_at"],
        [
            [d.deal_id, cell(d.title), cell(d.account), cell(d.owner), cell(d.stage), d.status.value,
             _plain(d.value), d.currency, f"{d.age_days:.2f}", d.age_band.value, "yes" if d.blocked else "no",
             f"{d.idle_days:.2f}", cell(d.next_step), iso(d.closed_at) or ""]
            for d in report.deals
        ],
    )


def next_steps_csv(report: StandupReport) -> str:
    """One row per open deal whose next step is due today or overdue."""
    return _csv(
        ["deal_id", "title", "owner", "stage", "next_step", "due", "days_overdue"],
        [[n.deal_id, cell(n.title), cell(n.owner), cell(n.stage), cell(n.next_step), iso(n.due), n.days_overdue]
         for n in report.next_steps],
    )


def discards_csv(report: StandupReport) -> str:
    """One row per stage: deals lost from it and that left it over the history, and the discard rate."""
    rows = [] if report.sales is None else report.sales.discards.by_stage
    return _csv(
        ["stage", "lost", "left", "rate", "reasons"],
        [[cell(x.stage), x.lost, x.left, "" if x.rate is None else f"{x.rate:.4f}",
          cell("; ".join(f"{k}={n}" for k, n in x.reasons.items()))] for x in rows],
    )


# -- terminal text (Rich) ---------------------------------------------------------


def to_renderable(report: StandupReport) -> RenderableType:
    """A Rich renderable of the report. Rich is imported here, not at module load."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    def t(value: str | None) -> Text:
        return Text(visible(value or ""))

    r = report
    cur = r.currency
    parts: list[Any] = []
    title = Text("Stand-up: ", style="bold")
    title.append_text(t(r.board))
    if r.owner:
        title.append(" (")
        title.append_text(t(r.owner))
        title.append(")")
    title.append(f"  since {_when(r.period.start)} until {_when(r.period.end)} UTC", style="dim")
    parts.append(title)

    board = Table(title="Board", title_justify="left", expand=False)
    for name, justify in (("Stage", "left"), ("Deals", "right"), ("Value", "right"), ("Weighted", "right"),
                          ("WIP", "right"), ("State", "left")):
        board.add_column(name, justify=justify)  # type: ignore[arg-type]
    styles = {"over": "bold red", "at": "yellow", "under": "cyan", "ok": ""}
    for s in r.stages:
        board.add_row(t(s.name), str(s.count), money_text(s.value), money_text(s.weighted_value),
                      _limits(s.wip_min, s.wip_max), Text(s.wip_state, style=styles.get(s.wip_state, "")))
    parts.append(board)

    summary = Text()
    summary.append(f"Won {r.won.count} ({money_text(r.won.value, cur)})", style="green")
    summary.append("   ")
    summary.append(f"Lost {r.lost.count} ({money_text(r.lost.value, cur)})", style="red")
    if r.lost.reasons:
        summary.append(": ")
        summary.append_text(t(", ".join(f"{k} ({v})" for k, v in r.lost.reasons.items())))
    summary.append(f"   New {len(r.new_deals)}   Moves {len(r.moved)}")
    parts.append(summary)

    def deal_table(title_text: str, header: list[str], rows: list[list[Text | str]]) -> None:
        if not rows:
            return
        table = Table(title=title_text or None, title_justify="left")
        for name in header:
            table.add_column(name)
        for row in rows:
            table.add_row(*row)
        parts.append(table)

    deal_table("Moves", ["Deal", "Owner", "From", "To", "When"],
               [[t(m.title), t(m.owner), t(m.from_stage), t(m.to_stage), _when(m.at)] for m in r.moved])
    deal_table("New deals", ["Deal", "Owner", "Stage", "Value"],
               [[t(n.title), t(n.owner), t(n.stage), money_text(n.value, n.currency)] for n in r.new_deals])
    deal_table("Blocked", ["Deal", "Owner", "Stage", "Days", "Reason"],
               [[t(b.title), t(b.owner), t(b.stage), _d(b.days), t(b.reason)] for b in r.blocked])
    deal_table(f"Stalled ({r.stall_days}+ days idle)", ["Deal", "Owner", "Stage", "Idle days", "Value"],
               [[t(s.title), t(s.owner), t(s.stage), _d(s.idle_days), money_text(s.value, s.currency)]
                for s in r.stalled])
    deal_table("Ageing WIP", ["Deal", "Owner", "Stage", "Age", "Band"],
               [[t(a.title), t(a.owner), t(a.stage), _d(a.age_days), band_label(a.band.value)]
                for a in r.ageing])
    deal_table("Load", ["Owner", "Open", "Active", "Limit", "Blocked", "Stalled"],
               [[t(l.owner), str(l.open), str(l.active), "" if l.wip_max is None else str(l.wip_max),
                 str(l.blocked), str(l.stalled)] for l in r.load])

    alerts = [f"Over WIP limit: {w.stage} ({w.count}/{w.limit})" for w in r.wip_breaches]
    alerts += [f"Below minimum: {w.stage} ({w.count}, minimum {w.limit})" for w in r.under_minimum]
    for alert in alerts:
        parts.append(Text(visible(alert), style="bold red"))

    c = r.cycle_time_days
    parts.append(Text(
        f"Win rate {_pct(r.win_rate)}   Cycle time p50 {_d(c.p50)} / p85 {_d(c.p85)} / p95 {_d(c.p95)} days "
        f"({c.count} closed since {_when(r.history.start.date())})"
    ))
    f = r.forecast
    if f.no_throughput:
        parts.append(Text("Forecast: no closes in the history window.", style="dim"))
    else:
        parts.append(Text(
            f"Forecast: {f.items} in progress closed by {_when(f.done_p85)} (85%); "
            f"by {_when(f.horizon)} at least {f.closes_p85} closes (85%)"
        ))

    def heading(text: str) -> None:
        parts.append(Text(""))
        parts.append(Text(text, style="bold underline"))

    heading("Next steps due")
    if r.next_steps:
        deal_table("", ["Deal", "Owner", "Stage", "Next step", "Due", "Overdue"],
                   [[t(n.title), t(n.owner), t(n.stage), t(n.next_step), _when(n.due), f"{n.days_overdue}d"]
                    for n in r.next_steps])
    else:
        parts.append(Text("No next step due.", style="dim"))
    if r.sales is not None:
        heading("Key sales metrics")
        parts.extend(Text(line) for line in sales_lines(r))
        if r.littles_law is not None:
            parts.append(Text(littles_law_line(r)))
        parts.extend(Text(line) for line in flow_lines(r))
        d = r.sales.discards
        deal_table("Where deals are qualified out", ["Stage", "Lost", "Left", "Rate", "Reasons"],
                   [[t(x.stage), str(x.lost), str(x.left), _pct(x.rate),
                     t(", ".join(f"{k} ({n})" for k, n in x.reasons.items()))]
                    for x in d.by_stage] if d.total else [])
    if r.effectiveness is not None:
        heading("Effectiveness (share / target)")
        deal_table("", ACTIVITY_HEADER, [[*row] for row in activity_rows(r)])
        deal_table("Logged time", TIME_HEADER,
                   [[t(person) if person else Text("team", style="bold"), *cells] for person, cells in time_rows(r)])
    heading("Delivery capacity")
    verdict_style = {"over": "bold red", "idle": "yellow", "within": "green"}
    parts.append(Text(capacity_line(r), style=verdict_style.get(r.capacity.verdict, "") if r.capacity else "dim"))
    if r.sprint is not None:
        sp = r.sprint
        heading(f"Sprint {sp.number}")
        parts.append(Text(sprint_summary(r)))
        goal = Text("Goal: ", style="bold")
        goal.append_text(t(sp.goal or "-"))
        parts.append(goal)
        for text, done in sp.objectives:
            line = Text("[x] " if done else "[ ] ", style="green" if done else "")
            line.append_text(t(text))
            parts.append(line)
        deal_table("Burn-up", ["Day", "Won", "Ideal", "Objectives done"], [[*row] for row in burn_up_rows(r)])
    if r.insights is not None:
        ins = r.insights
        heading("Insights")
        top = ins.top_discard_stage
        for label, value in (
            ("Loss reasons: ", ", ".join(f"{k} ({n})" for k, n in ins.loss_reasons) or "-"),
            ("Retro tags: ", ", ".join(f"{k} ({n})" for k, n in ins.retro_tags) or "-"),
            ("Top discard stage: ", "-" if top is None else f"{top[0]} ({top[1]})"),
            ("Win rate by tag: ", ", ".join(f"{k} {_pct(v)}" for k, v in ins.win_rate_by_tag.items()) or "-"),
        ):
            line = Text(label, style="bold")
            line.append_text(t(value))
            parts.append(line)
        parts.append(Text(improvements_line(r)))
    return Group(*parts)


def to_text(report: StandupReport, *, width: int = 100, color: bool = False) -> str:
    """The Rich rendering as a string; plain text unless `color`."""
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color, highlight=False)
    console.print(to_renderable(report))
    return buf.getvalue()


# -- HTML ---------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328;margin:24px auto;
max-width:1000px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;
padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
p.meta{color:#59636e;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.over{color:#b3261e;font-weight:600}.at{color:#9a6700}.under{color:#0969da}
ul.kpi{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:8px}
ul.kpi li{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;background:#f6f8fa}
.won{color:#1a7f37}.lost{color:#b3261e}
figure{margin:12px 0}figure svg{max-width:100%;height:auto}
"""


def _html_table(header: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    head = "".join(f"<th>{h(name)}</th>" for name in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: StandupReport, *, charts: dict[str, str] | None = None) -> str:
    """One self-contained HTML page (inline CSS; `charts` as inline SVG documents,
    title -> SVG text) that can be mailed. Every piece of user text is escaped."""
    r = report
    cur = h(r.currency)
    title = f"Stand-up: {h(r.board)}" + (f" ({h(r.owner)})" if r.owner else "")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="meta">Since {_when(r.period.start)} until {_when(r.period.end)} UTC. '
        f"Generated {_when(r.generated_at)} UTC. Money in {cur}"
        + (f"; {r.other_currency_deals} deal(s) in other currencies are not in the totals." if r.other_currency_deals
           else ".")
        + "</p>",
    ]
    c = r.cycle_time_days
    out.append(
        '<ul class="kpi">'
        f'<li class="won">Won {r.won.count} ({h(money_text(r.won.value, r.currency))})</li>'
        f'<li class="lost">Lost {r.lost.count} ({h(money_text(r.lost.value, r.currency))})</li>'
        f"<li>New deals {len(r.new_deals)}</li><li>Moves {len(r.moved)}</li>"
        f"<li>Win rate {_pct(r.win_rate)}</li>"
        f"<li>Cycle time p50 {_d(c.p50)} / p85 {_d(c.p85)} / p95 {_d(c.p95)} days</li></ul>"
    )
    out.append("<h2>Board</h2>")
    out.append(_html_table(
        ["Stage", "Deals", "Value", "Weighted", "WIP limits", "State"],
        [[h(s.name), str(s.count), h(money_text(s.value)), h(money_text(s.weighted_value)),
          h(_limits(s.wip_min, s.wip_max)), f'<span class="{s.wip_state}">{s.wip_state}</span>']
         for s in r.stages],
        frozenset({1, 2, 3}),
    ))
    out.append("<h2>Since last stand-up</h2>")
    if r.lost.reasons:
        out.append("<p>Lost reasons: " + ", ".join(f"{h(k)} ({v})" for k, v in r.lost.reasons.items()) + "</p>")
    sections = [
        ("Won", ["Deal", "Owner", "Value", "When"],
         [[h(d.title), h(d.owner), h(money_text(d.value, d.currency)), _when(d.at)] for d in r.won.deals]),
        ("Lost", ["Deal", "Owner", "From", "Reason", "Value", "When"],
         [[h(d.title), h(d.owner), h(d.from_stage), h(d.reason), h(money_text(d.value, d.currency)), _when(d.at)]
          for d in r.lost.deals]),
        ("Moves", ["Deal", "Owner", "From", "To", "When"],
         [[h(m.title), h(m.owner), h(m.from_stage), h(m.to_stage), _when(m.at)] for m in r.moved]),
        ("New deals", ["Deal", "Owner", "Stage", "Value"],
         [[h(n.title), h(n.owner), h(n.stage), h(money_text(n.value, n.currency))] for n in r.new_deals]),
    ]
    for name, header, rows in sections:
        if rows:
            out.append(f"<h3>{name}</h3>" + _html_table(header, rows))
    out.append("<h2>Needs attention</h2>")
    alerts = [f"Over WIP limit: {h(w.stage)} ({w.count}/{w.limit})" for w in r.wip_breaches]
    alerts += [f"Below minimum: {h(w.stage)} ({w.count}, minimum {w.limit})" for w in r.under_minimum]
    alerts += [f"Over personal WIP limit: {h(l.owner)} ({l.active}/{l.wip_max})" for l in r.load if l.over_limit]
    out.append("<ul>" + "".join(f'<li class="over">{a}</li>' for a in alerts) + "</ul>" if alerts
               else "<p>No WIP alerts.</p>")
    attention = [
        ("Blocked", ["Deal", "Owner", "Stage", "Blocked days", "Reason"],
         [[h(b.title), h(b.owner), h(b.stage), _d(b.days), h(b.reason)] for b in r.blocked]),
        (f"Stalled (no activity for {r.stall_days}+ days)", ["Deal", "Owner", "Stage", "Idle days", "Value"],
         [[h(s.title), h(s.owner), h(s.stage), _d(s.idle_days), h(money_text(s.value, s.currency))]
          for s in r.stalled]),
        ("Ageing work in progress", ["Deal", "Owner", "Stage", "Age (days)", "Band"],
         [[h(a.title), h(a.owner), h(a.stage), _d(a.age_days), h(band_label(a.band.value))] for a in r.ageing]),
        ("Load per person", ["Owner", "Open", "Active", "Limit", "Value", "Blocked", "Stalled"],
         [[h(l.owner) or "(nobody)", str(l.open), str(l.active), "" if l.wip_max is None else str(l.wip_max),
           h(money_text(l.value)), str(l.blocked), str(l.stalled)] for l in r.load]),
    ]
    for name, header, rows in attention:
        if rows:
            out.append(f"<h3>{name}</h3>" + _html_table(header, rows))
    out.append(f"<h2>Flow since {_when(r.history.start.date())}</h2>")
    if r.win_rate_by_owner:
        out.append("<p>Win rate by owner: " + ", ".join(
            f"{h(k)} {_pct(v)}" for k, v in r.win_rate_by_owner.items()) + "</p>")
    if r.throughput_per_week:
        out.append(_html_table(
            ["Week", "Won", "Lost", "Closed"],
            [[w.week, str(w.won), str(w.lost), str(w.closed)] for w in r.throughput_per_week],
            frozenset({1, 2, 3}),
        ))
    for chart_title, svg in (charts or {}).items():
        out.append(f"<figure>{_inline_svg(svg)}<figcaption>{h(chart_title)}</figcaption></figure>")
    out += _html_new(r)
    f = r.forecast
    out.append("<h2>Forecast</h2>")
    if f.no_throughput:
        out.append("<p>No closes in the history window: no forecast.</p>")
    else:
        out.append(
            "<ul>"
            f"<li>{f.items} deal(s) in progress closed by {_when(f.done_p50)} (50%), {_when(f.done_p85)} (85%), "
            f"{_when(f.done_p95)} (95%)</li>"
            f"<li>Closes by {_when(f.horizon)}: at least {f.closes_p85} (85%), {f.closes_p95} (95%); "
            f"{f.closes_p50} likely</li>"
            f"<li>Won value by {_when(f.horizon)}: at least {h(money_text(f.won_value_p85, r.currency))} (85%); "
            f"{h(money_text(f.won_value_p50, r.currency))} likely</li></ul>"
        )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_new(r: StandupReport) -> list[str]:
    """Next steps, key sales metrics, effectiveness, capacity, sprint and insights, escaped."""
    out = ["<h2>Next steps due</h2>"]
    if r.next_steps:
        out.append(_html_table(
            ["Deal", "Owner", "Stage", "Next step", "Due", "Days overdue"],
            [[h(n.title), h(n.owner), h(n.stage), h(n.next_step), _when(n.due), str(n.days_overdue)]
             for n in r.next_steps],
            frozenset({5}),
        ))
    else:
        out.append("<p>No next step due.</p>")
    if r.sales is not None:
        out.append("<h2>Key sales metrics</h2>")
        lines = [*sales_lines(r), *([littles_law_line(r)] if r.littles_law is not None else []), *flow_lines(r)]
        out.append("<ul>" + "".join(f"<li>{h(line)}</li>" for line in lines) + "</ul>")
        d = r.sales.discards
        if d.total:
            out.append("<h3>Where deals are qualified out</h3>" + _html_table(
                ["Stage", "Lost", "Left", "Discard rate", "Reasons"],
                [[h(x.stage), str(x.lost), str(x.left), _pct(x.rate),
                  h(", ".join(f"{k} ({n})" for k, n in x.reasons.items()))] for x in d.by_stage],
                frozenset({1, 2, 3}),
            ))
    if r.effectiveness is not None:
        out.append("<h2>Effectiveness</h2>")
        out.append(_html_table(ACTIVITY_HEADER, [[h(c) for c in row] for row in activity_rows(r)],
                               frozenset({1, 2, 3, 4})))
        rows = time_rows(r)
        if rows:
            out.append("<h3>Logged time per category (share / target)</h3>" + _html_table(
                TIME_HEADER, [[h(p) if p else "<b>team</b>", *(h(c) for c in cells)] for p, cells in rows],
                frozenset({1, 2, 3, 4}),
            ))
    css = {"over": "over", "idle": "at", "within": "won"}.get(r.capacity.verdict, "") if r.capacity else ""
    out.append(f'<h2>Delivery capacity</h2><p class="{css}">{h(capacity_line(r))}</p>')
    if r.sprint is not None:
        sp = r.sprint
        out.append(f"<h2>Sprint {sp.number}</h2><p>{h(sprint_summary(r))}</p><p><b>Goal:</b> {h(sp.goal) or '-'}</p>")
        if sp.objectives:
            out.append("<ul>" + "".join(
                f"<li>{'&#9745;' if done else '&#9744;'} {h(text)}</li>" for text, done in sp.objectives) + "</ul>")
        if sp.burn_up:
            out.append("<h3>Burn-up</h3>" + _html_table(
                ["Day", "Won", "Ideal", "Objectives done"], [[h(c) for c in row] for row in burn_up_rows(r)],
                frozenset({1, 2, 3}),
            ))
    if r.insights is not None:
        ins = r.insights
        top = ins.top_discard_stage
        items = [
            ("Loss reasons", ", ".join(f"{h(k)} ({n})" for k, n in ins.loss_reasons) or "-"),
            ("Retro tags", ", ".join(f"{h(k)} ({n})" for k, n in ins.retro_tags) or "-"),
            ("Top discard stage", "-" if top is None else f"{h(top[0])} ({top[1]})"),
            ("Win rate by tag", ", ".join(f"{h(k)} {_pct(v)}" for k, v in ins.win_rate_by_tag.items()) or "-"),
        ]
        out.append("<h2>Insights</h2><ul>" + "".join(f"<li><b>{label}:</b> {value}</li>" for label, value in items)
                   + f"<li>{h(improvements_line(r))}</li></ul>")
    return out


def _inline_svg(svg: str) -> str:
    """An SVG document without its XML prolog and doctype, for inlining in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


# -- `leankanban forecast` ------------------------------------------------------------


def forecast_to_dict(report: ForecastReport) -> dict[str, Any]:
    """`leankanban forecast --format json`, in the shape SCHEMA.md documents."""
    r, f = report, report.forecast
    return {
        **_head(r),
        "stages": list(r.stages),
        "window": {"start": iso(r.window.start), "end": iso(r.window.end), "days": r.window_days,
                   "closed": r.closed, "won": r.won, "closed_per_day": round(r.closes_per_day, 4)},
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


def forecast_to_text(report: ForecastReport) -> str:
    """The forecast as plain lines for a terminal or a chat (user text shown literally)."""
    r, f = report, report.forecast
    who = f" ({visible(r.owner)}'s deals)" if r.owner else ""
    stages = ", ".join(visible(s) for s in r.stages)
    lines = [
        f"Forecast for {visible(r.board)}{who}: {f.items:,} open deal{'s' if f.items != 1 else ''} in {stages}.",
        f"Sampling {r.window_days} days of closes ({r.window.start:%Y-%m-%d} to {r.window.end:%Y-%m-%d}): "
        f"{r.closed:,} closed, {r.won:,} won, {r.closes_per_day:,.2f} a day. "
        f"{f.trials:,} trials{'' if f.seed is None else f', seed {f.seed}'}.",
        "",
    ]
    if f.no_throughput:
        lines.append("No deal closed in that window, so there is nothing to forecast from; widen it with --window.")
        return "\n".join(lines) + "\n"
    if f.items:
        which = "Closed by" if f.items == 1 else f"All {f.items:,} closed by"
        lines.append(f"{which}   50%: {_when(f.done_p50)}   85%: {_when(f.done_p85)}   "
                     f"95%: {_when(f.done_p95)}")
        if f.beyond_horizon:
            lines.append(f"  ({f.beyond_horizon:.0%} of trials had not closed them all within three years: '-')")
    else:
        lines.append("No open deal in those stages.")
    lines += [
        f"By {f.horizon.isoformat()} (85% = at least this much in 85% of trials):",
        f"  deals closed        50%: {f.closes_p50:,}   85%: {f.closes_p85:,}   95%: {f.closes_p95:,}",
        f"  value won ({r.currency})   50%: {money_text(f.won_value_p50)}   85%: {money_text(f.won_value_p85)}   "
        f"95%: {money_text(f.won_value_p95)}",
    ]
    return "\n".join(lines) + "\n"
