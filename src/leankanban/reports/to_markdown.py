"""The report as Markdown, to paste into a wiki or chat: every piece of user text is
escaped (`leankanban.text.markdown`) so `|`, `*`, `_`, `[` ... in a title cannot break a table.
"""

from __future__ import annotations

from leankanban.reports.model import (
    StandupReport,
)
from leankanban.reports.policies import pointer_line, stage_line
from leankanban.reports.shared import (
    QUALIFIED_OUT_HEADER,
    TIME_HEADER,
    VALUE_HEADER,
    age_bands_line,
    band_label,
    burn_up_rows,
    capacity_line,
    cycle_line,
    days_text,
    flow_lines,
    forecast_lines,
    improvements_line,
    limit_line,
    limits_text,
    littles_law_line,
    md_table,
    pct,
    qualified_out_line,
    qualified_out_rows,
    sales_lines,
    shown_line,
    sprint_summary,
    time_rows,
    value_rows,
    when,
    win_rate_line,
    worth,
)
from leankanban.text import markdown as md
from leankanban.text import money_cents as money_text


def _shown(r: StandupReport, name: str) -> list[str]:
    """The line under a list the report cut short (numbers and commands only, no user text)."""
    cut = shown_line(r, name)
    return [] if cut is None else ["", f"_{cut}_"]


def _deal(title: str, line: object) -> str:
    """A deal's title, then its customer value (short, in italics) when it has one."""
    said = worth(line)
    return md(title) + (f" — *{md(said)}*" if said else "")


def to_markdown(report: StandupReport) -> str:
    r = report
    cur = r.currency
    out = [f"# Stand-up: {md(r.board)}" + (f" ({md(r.owner)})" if r.owner else ""), ""]
    out.append(f"Since {when(r.period.start)} until {when(r.period.end)} UTC. Generated {when(r.generated_at)}.")
    if r.other_currency_deals:
        out.append(f"Money in {cur}; {r.other_currency_deals} deal(s) in other currencies are not in the totals.")
    out += ["", "## Board", ""]
    out += md_table(
        ["Stage", "Deals", "Value", "Weighted", "WIP limits", "State"],
        [
            [md(s.name), str(s.count), money_text(s.value), money_text(s.weighted_value),
             limits_text(s.wip_min, s.wip_max), s.wip_state]
            for s in r.stages
        ],
    )
    out += ["", "## Since last stand-up", ""]
    out.append(f"- **Won:** {r.won.count} ({money_text(r.won.value, cur)})")
    reasons = ", ".join(f"{md(k)} ({v})" for k, v in r.lost.reasons.items())
    out.append(f"- **Lost:** {r.lost.count} ({money_text(r.lost.value, cur)})" + (f": {reasons}" if reasons else ""))
    if r.qualified_out is not None:
        q = r.qualified_out
        out.append(f"- **Qualified out:** {q.period_count} ({money_text(q.period_value, cur)})")
    out.append(f"- **New deals:** {r.new_deals.total:,}")
    out.append(f"- **Moves:** {r.moved.total:,}")
    if r.moved:
        out += ["", "### Moves", ""]
        out += md_table(
            ["Deal", "Owner", "From", "To", "When", "Value"],
            [[_deal(m.title, m), md(m.owner), md(m.from_stage), md(m.to_stage), when(m.at), money_text(m.value, m.currency)]
             for m in r.moved],
        )
        out += _shown(r, "moved")
    if r.new_deals:
        out += ["", "### New deals", ""]
        out += md_table(
            ["Deal", "Owner", "Stage", "Value"],
            [[_deal(n.title, n), md(n.owner), md(n.stage), money_text(n.value, n.currency)] for n in r.new_deals],
        )
        out += _shown(r, "new_deals")
    out += ["", "## Needs attention", ""]
    alerts = [f"- **Over WIP limit:** {md(w.stage)} ({w.count}/{w.limit})" for w in r.wip_breaches]
    alerts += [f"- **Below minimum:** {md(w.stage)} ({w.count}, minimum {w.limit})" for w in r.under_minimum]
    alerts += [f"- **Over personal WIP limit:** {md(l.owner)} ({l.active + l.work}/{l.wip_max})" for l in r.load if l.over_limit]
    out += alerts or ["- No WIP alerts."]
    if r.blocked:
        out += ["", "### Blocked", ""]
        out += md_table(
            ["Deal", "Owner", "Stage", "Blocked days", "Reason"],
            [[md(b.title), md(b.owner), md(b.stage), days_text(b.days), md(b.reason)] for b in r.blocked],
        )
        out += _shown(r, "blocked")
    if r.stalled:
        out += ["", f"### Stalled (no activity for {r.stall_days}+ days)", ""]
        out += md_table(
            ["Deal", "Owner", "Stage", "Idle days", "Value"],
            [[md(s.title), md(s.owner), md(s.stage), days_text(s.idle_days), money_text(s.value, s.currency)]
             for s in r.stalled],
        )
        out += _shown(r, "stalled")
    if r.ageing:
        out += ["", "### Ageing work in progress", ""]
        out += md_table(
            ["Deal", "Owner", "Stage", "Age (days)", "Band"],
            [[md(a.title), md(a.owner), md(a.stage), days_text(a.age_days), band_label(a.band.value)]
             for a in r.ageing],
        )
        if age_bands_line(r):
            out += ["", age_bands_line(r)]
        out += _shown(r, "ageing")
    if r.load:
        out += ["", "### Load per person", ""]
        out += md_table(
            ["Owner", "Open", "Active", "Limit", "Value", "Blocked", "Stalled"],
            [[md(l.owner) or "(nobody)", str(l.open), str(l.active), "" if l.wip_max is None else str(l.wip_max),
              money_text(l.value), str(l.blocked), str(l.stalled)] for l in r.load],
        )
    out += ["", f"## Flow since {when(r.history.start.date())}", ""]
    out.append(f"- {win_rate_line(r)}")
    out.append(f"- {cycle_line(r)}")
    if r.qualified_out is not None:
        out.append(f"- {qualified_out_line(r)}")
    if r.throughput_per_week:
        out += ["", "| Week | Won | Lost | Qualified out | Closed |", "|---|---|---|---|---|"]
        out += [f"| {w.week} | {w.won} | {w.lost} | {w.qualified_out} | {w.closed} |" for w in r.throughput_per_week]
    out += _markdown_new(r)
    f = r.forecast
    out += ["", "## Forecast", ""]
    out += [f"- {line}" for line in forecast_lines(f, cur)]
    out += _markdown_policies(r)
    footer = limit_line(r)
    if footer is not None:
        out += ["", f"_{footer}_"]
    return "\n".join(out) + "\n"


def _markdown_policies(r: StandupReport) -> list[str]:
    """The board's policies, briefly: each open stage that has one, and where the page is."""
    if r.policies is None:
        return []
    out = ["", "## Policies", ""]
    for stage in r.policies.stages:
        parts = "; ".join(f"{name} {md(text)}" for name, text in stage_line(stage))
        out.append(f"- **{md(stage.stage)}**: {parts}")
    out += ["", pointer_line(r.policies)]
    return out


def _markdown_new(r: StandupReport) -> list[str]:
    """Next steps, key sales metrics, effectiveness, capacity, sprint and insights."""
    out = ["", "## Next steps due", ""]
    if r.next_steps:
        out += md_table(
            ["Deal", "Owner", "Stage", "Next step", "Due", "Days overdue"],
            [[md(n.title), md(n.owner), md(n.stage), md(n.next_step), when(n.due), str(n.days_overdue)]
             for n in r.next_steps],
        )
        out += _shown(r, "next_steps")
    else:
        out.append("- No next step due.")
    if r.sales is not None:
        out += ["", "## Key sales metrics", ""]
        out += [f"- {line}" for line in sales_lines(r)]
        if r.littles_law is not None:
            out.append(f"- {littles_law_line(r)}")
        out += [f"- {md(line)}" for line in flow_lines(r)]
        rows = qualified_out_rows(r)
        if rows:
            out += ["", "### Where deals are qualified out before commitment", ""]
            out += md_table(QUALIFIED_OUT_HEADER, [[md(stage), n, left, rate, md(reasons)]
                                                   for stage, n, left, rate, reasons in rows])
        d = r.sales.discards
        if d.total:
            out += ["", "### Where deals are discarded (every loss)", ""]
            out += md_table(
                ["Stage", "Lost", "Left", "Discard rate", "Reasons"],
                [[md(x.stage), str(x.lost), str(x.left), x.sample.reason or pct(x.rate),
                  md(", ".join(f"{k} ({n})" for k, n in x.reasons.items()))] for x in d.by_stage],
            )
    if r.effectiveness is not None:
        out += ["", "## Effectiveness", "", "Over the history window; the target first."]
        def who(person: str | None) -> str:
            return "*target*" if person is None else md(person) if person else "**team**"

        for title, header, rows in (("Logged time", TIME_HEADER, time_rows(r)),
                                    ("Pipeline value", VALUE_HEADER, value_rows(r))):
            out += ["", f"### {title}", ""]
            out += md_table(header, [[who(p), *cells] for p, cells in rows])
    out += ["", "## Delivery capacity", "", f"- {capacity_line(r)}"]
    if r.sprint is not None:
        sp = r.sprint
        out += ["", "## Sprint", "", f"- {sprint_summary(r)}", f"- **Goal:** {md(sp.goal) or '-'}"]
        out += [f"- [{'x' if done else ' '}] {md(text)}" for text, done in sp.objectives]
        if sp.burn_up:
            out += ["", "### Burn-up", ""]
            out += md_table(["Day", "Won", "Ideal", "Objectives done"], burn_up_rows(r))
    if r.insights is not None:
        ins = r.insights
        out += ["", "## Insights", ""]
        out.append("- **Loss reasons:** " + (", ".join(f"{md(k)} ({n})" for k, n in ins.loss_reasons) or "-"))
        out.append("- **Retro tags:** " + (", ".join(f"{md(k)} ({n})" for k, n in ins.retro_tags) or "-"))
        top = ins.top_discard_stage
        out.append("- **Top discard stage:** " + ("-" if top is None else f"{md(top[0])} ({top[1]})"))
        out.append("- **Win rate by tag:** "
                   + (", ".join(f"{md(k)} {pct(v)}" for k, v in ins.win_rate_by_tag.items()) or "-"))
        out.append(f"- {improvements_line(r)}")
    return out


