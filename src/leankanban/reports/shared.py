"""Pieces every report format shares: plain values (numbers, ISO times, rounded days)
and the newer sections' lines and rows, worded once for Markdown, text and HTML.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from leankanban.domain.model import Activity
from leankanban.metrics.effectiveness import VALUE_CATEGORIES
from leankanban.reports.model import (
    Forecast,
    StandupReport,
    WinRateLine,
)
from leankanban.text import compact_money, visible
from leankanban.text import money_cents as money_text

# -- plain values ----------------------------------------------------------------

#: How much of a customer value statement a deal line shows (a stand-up is a page, and the
#: text tables fit the TUI's metrics panel).
WORTH_CHARS = 48


def worth(line: object) -> str:
    """A deal line's customer value, short: the statement cut to WORTH_CHARS with an
    ellipsis (as written: each format escapes it), its impact after it; "" when none."""
    statement = " ".join(str(getattr(line, "customer_value", "") or "").split())
    if len(statement) > WORTH_CHARS:
        statement = statement[: WORTH_CHARS - 1].rstrip() + "…"
    impact: Decimal | None = getattr(line, "customer_impact", None)
    if impact is not None:
        currency = str(getattr(line, "currency", ""))
        statement = f"{statement} ({compact_money(impact, currency)})" if statement else compact_money(impact, currency)
    return statement



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


def rounded(days: float | None) -> float | None:
    return None if days is None else round(days, 2)


# -- capped lists, worded once for Markdown, text and HTML ---------------------------

#: Each list of the report: its name in a sentence, and where to see all of it (commands in
#: backticks). The full lists are what `leankanban deals` is for; the rest, `--limit all`.
LISTS = {
    "moved": ("moves", "`leankanban report --limit all` shows them all"),
    "new_deals": ("new deals", "`leankanban report --limit all` shows them all"),
    "blocked": ("blocked deals", "`leankanban deals --blocked` lists them all"),
    "stalled": ("stalled deals", "`leankanban deals --stalled` lists them all"),
    "ageing": ("deals in progress", "`leankanban deals --status open` lists every open deal"),
    "next_steps": ("next steps due", "`leankanban report --limit all` shows them all"),
    "deals": ("deals", "`leankanban deals` lists them all"),
}
#: The period's wins and losses (`won.deals`, `lost.deals`: `count` is the whole list's).
CLOSES = {
    "won": ("won deals", "`leankanban deals --status won` lists every won deal"),
    "lost": ("lost deals", "`leankanban deals --status lost` lists every lost deal"),
}


def _cut(shown: int, total: int, value: Decimal, currency: str, words: tuple[str, str]) -> str | None:
    if shown >= total:
        return None
    noun, rest = words
    return f"showing {shown:,} of {total:,} {noun}, {money_text(value, currency)}; {rest}"


def shown_line(r: StandupReport, name: str) -> str | None:
    """For a list the report cut short, what it shows of how many, and where the rest is:
    "showing 10 of 70,012 stalled deals, EUR 12,345.00; `leankanban deals --stalled` lists
    them all". None when the list is shown whole. No user text in it."""
    listing = getattr(r, name)
    return _cut(listing.shown, listing.total, listing.value, r.currency, LISTS[name])


def closes_shown_line(r: StandupReport, name: str) -> str | None:
    """The same for the period's wins (`won`) or losses (`lost`)."""
    closed = getattr(r, name)
    return _cut(len(closed.deals), closed.count, closed.value, r.currency, CLOSES[name])


def limit_line(r: StandupReport) -> str | None:
    """Said once under a report that cut any list short; None otherwise."""
    capped = [getattr(r, name) for name in LISTS if getattr(r, name).capped]
    if not capped:
        return None
    narrowed = "; `leankanban deals` takes the same `--owner`" if r.owner else ""
    return (f"Each list shows its {max(x.shown for x in capped):,} most important entries first; "
            f"`--limit N` shows more, `--limit all` every one{narrowed}.")


# -- the newer sections, shared by Markdown, text and HTML --------------------------


def ratio_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def minutes_text(total: int) -> str:
    hours, minutes = divmod(total, 60)
    return f"{hours}h{minutes:02d}" if hours else f"{minutes}m"


def sales_lines(r: StandupReport) -> list[str]:
    """The key sales metrics as short sentences (numbers only: no user text)."""
    m = r.sales
    if m is None:
        return []
    cur, v = r.currency, m.velocity
    if v.reason is not None:
        speed = f"Sales velocity: {v.reason}"
    else:
        speed = (f"Sales velocity: {money_text(v.per_day, cur)} per day ({v.open_deals} active deals x "
                 f"{money_text(v.avg_won_value, cur)} average win x {pct(v.win_rate)} win rate / "
                 f"{days_text(v.avg_cycle_days)} days average cycle)")
    lines = [
        speed,
        f"Pipeline: {money_text(m.pipeline_value, cur)}, weighted {money_text(m.weighted_pipeline, cur)}",
    ]
    if m.pipeline_target is None:
        lines.append("Coverage: no pipeline target set (leankanban settings --pipeline-target)")
    else:
        lines.append(
            f"Coverage: {ratio_text(m.coverage)} of the {money_text(m.pipeline_target, cur)} target "
            f"(weighted {ratio_text(m.weighted_coverage)})"
        )
    st = m.stalled
    lines.append(
        f"Stalled: {st.count} of {st.open_count} open deals ({pct(st.share_count)}), "
        f"{money_text(st.value, cur)} of {money_text(st.open_value, cur)} ({pct(st.share_value)})"
    )
    return lines


def littles_law_line(r: StandupReport) -> str:
    law = r.littles_law
    if law is None:
        return ""
    if law.sample.reason is not None:
        return f"Little's law: {law.sample.reason}"
    return (
        f"Little's law: average WIP {law.avg_wip:.1f} / throughput {law.avg_throughput_per_day:.2f} a day = "
        f"{days_text(law.predicted_days)} days predicted, {days_text(law.observed_days)} observed "
        f"(ratio {ratio_text(law.ratio)})"
    )


def rate_text(rate: WinRateLine) -> str:
    """A win rate as a percentage, or why there is none ("not enough history (n closed, need N)")."""
    return rate.reason or pct(rate.rate)


def rates_text(rates: dict[str, WinRateLine]) -> str:
    return ", ".join(f"{visible(name)} {rate_text(rate)}" for name, rate in rates.items())


def win_rate_line(r: StandupReport) -> str:
    """The win rate with what it is read from (numbers only: no user text)."""
    w = r.win_rate
    if w.reason is not None:
        return f"Win rate: {w.reason}"
    return f"Win rate: {pct(w.rate)} ({w.won} won of {w.won + w.lost} committed closes; qualify-outs apart)"


def cycle_line(r: StandupReport) -> str:
    c = r.cycle_time_days
    since = when(r.history.start.date())
    if c.reason is not None:
        return f"Cycle time: {c.reason}"
    return (f"Cycle time p50 {days_text(c.p50)} / p85 {days_text(c.p85)} / p95 {days_text(c.p95)} days "
            f"({c.count} closed since {since})")


def age_bands_line(r: StandupReport) -> str:
    """Why the ageing bands are blank, or '' when they are given."""
    reason = r.cycle_time_days.reason
    return "" if reason is None or not r.ageing else f"Age bands: {reason}"


def qualified_out_line(r: StandupReport) -> str:
    """The qualify-outs of the history in one sentence (numbers only: no user text)."""
    q = r.qualified_out
    if q is None:
        return ""
    rate = q.rate_sample.reason or f"{pct(q.rate)} of {q.rate_sample.n} deals decided at the commitment point"
    median = q.median_sample.reason or f"{days_text(q.median_days_to_discard)} days"
    return (f"Qualified out before commitment: {q.count} ({money_text(q.value, r.currency)}) since "
            f"{when(r.history.start.date())}, {q.period_count} since the last stand-up; rate {rate}; "
            f"median from creation to discard {median}")


def qualified_out_rows(r: StandupReport) -> list[list[str]]:
    """Per upstream stage: stage, qualified out, left, rate (or why not), reasons (user text, unescaped)."""
    q = r.qualified_out
    if q is None or not q.count:
        return []
    return [[x.stage, str(x.qualified_out), str(x.left), x.sample.reason or pct(x.rate),
             ", ".join(f"{k} ({n})" for k, n in x.reasons.items())] for x in q.by_stage]


QUALIFIED_OUT_HEADER = ["Upstream stage", "Qualified out", "Left", "Rate", "Reasons"]


def forecast_lines(f: Forecast, currency: str) -> list[str]:
    """The report's forecast as sentences (numbers only), or why there is none."""
    covers = f"{f.items} deal(s) in progress ({money_text(f.value, currency)})"
    if f.reason is not None:
        return [f"Forecast of {covers}: {f.reason}"]
    if not f.items:
        return ["Forecast: no deal in progress to forecast."]
    return [
        f"Forecast: the {covers} all closed by {when(f.done_p50)} (50%), {when(f.done_p85)} (85%), "
        f"{when(f.done_p95)} (95%)",
        f"Of them, closed by {when(f.horizon)}: at least {f.closes_p85} (85%), {f.closes_p95} (95%); "
        f"{f.closes_p50} likely",
        f"Won of their value by {when(f.horizon)}: at least {money_text(f.won_value_p85, currency)} (85%); "
        f"{money_text(f.won_value_p50, currency)} likely",
    ]


def flow_lines(r: StandupReport) -> list[str]:
    """Time in each stage, blocked time and win rate by type and source, one line each (where there are any)."""
    lines = []
    if r.stage_days:
        lines.append("Days in stage, p50/p85/p95 (deals closed in the history): " + "; ".join(
            f"{visible(x.stage)} {x.sample.reason}" if x.p50 is None or x.p85 is None or x.p95 is None
            else f"{visible(x.stage)} {x.p50:.1f}/{x.p85:.1f}/{x.p95:.1f}"
            for x in r.stage_days))
    bt = r.blocked_time
    if bt is not None and bt.closed:
        share = "" if bt.share_of_cycle is None else f", {pct(bt.share_of_cycle)} of their cycle time"
        lines.append(f"Blocked: {bt.blocked} of {bt.closed} deals closed in the history, {bt.days:.1f} days in all{share}")
    if r.win_rate_by_type:
        lines.append(f"Win rate by type: {rates_text(r.win_rate_by_type)}")
    if r.win_rate_by_source:
        lines.append(f"Win rate by source: {rates_text(r.win_rate_by_source)}")
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


TIME_HEADER = ["Person", "Logged", "Origination", "Influence", "Support"]
VALUE_HEADER = ["Person", "Created (origination)", "Advanced or won (influence)", "Won"]


def _people(r: StandupReport):  # type: ignore[no-untyped-def]
    e = r.effectiveness
    return () if e is None else (e.team, *e.people)


def time_rows(r: StandupReport) -> list[tuple[str | None, list[str]]]:
    """(person, cells per TIME_HEADER after the first): the target (person None), the team (''),
    then each person; a share of the person's logged time per category, or why there is none."""
    e = r.effectiveness
    if e is None:
        return []
    rows: list[tuple[str | None, list[str]]] = [] if e.target is None else [
        (None, ["", *(pct(e.target.get(a)) for a in Activity)])
    ]
    for line in _people(r):
        shares = ["-" if line.time_reason else pct(a.time_share) for a in line.activities]
        rows.append((line.person, [line.time_reason or minutes_text(line.total_minutes), *shares]))
    return rows


def value_rows(r: StandupReport) -> list[tuple[str | None, list[str]]]:
    """(person, cells per VALUE_HEADER after the first): as `time_rows`, for the pipeline value
    created and advanced or won (amount and share), or why there is none."""
    e = r.effectiveness
    if e is None:
        return []
    rows: list[tuple[str | None, list[str]]] = [] if e.value_target is None else [
        (None, [*(pct(e.value_target.get(a)) for a in VALUE_CATEGORIES), ""])
    ]
    for line in _people(r):
        if line.value_reason:
            rows.append((line.person, [line.value_reason, "-", "-"]))
            continue
        by = {a.activity: a for a in line.activities}
        rows.append((line.person, [
            *(f"{money_text(by[a].value, e.currency)} ({pct(by[a].value_share)})" for a in VALUE_CATEGORIES),
            money_text(line.won_value, e.currency),
        ]))
    return rows


def burn_up_rows(r: StandupReport) -> list[list[str]]:
    sp = r.sprint
    if sp is None:
        return []
    return [[when(p.day), money_text(p.won_value), money_text(p.ideal_value), str(p.objectives_done)]
            for p in sp.burn_up]


def sprint_summary(r: StandupReport) -> str:
    sp = r.sprint
    if sp is None:
        return ""
    target = "" if sp.target_value is None else f", target {money_text(sp.target_value, r.currency)}"
    return (f"Sprint {sp.number} ({sp.status}) {when(sp.start)} to {when(sp.end)}{target}; "
            f"objectives met {sp.objectives_met}/{sp.objectives_total}")


def improvements_line(r: StandupReport) -> str:
    ins = r.insights
    if ins is None:
        return ""
    months = ", ".join(f"{m} {n}" for m, n in ins.improvements_per_month)
    return (f"Improvements finished per month (goal {ins.goal_per_month}): {months or '-'}; "
            f"{ins.cadence}")




def pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def days_text(days: float | None) -> str:
    return "-" if days is None else f"{days:.1f}"


def when(moment: datetime | date | None) -> str:
    if moment is None:
        return "-"
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def limits_text(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo}-{hi}"
    if hi is not None:
        return f"max {hi}"
    return "" if lo is None else f"min {lo}"


BAND_LABELS = {"below_p50": "< p50", "p50_p85": "p50-p85", "p85_p95": "p85-p95", "above_p95": "> p95"}


def band_label(band: str) -> str:
    return BAND_LABELS.get(band, "-")


