"""The report (and `leankanban forecast`) as terminal text: Rich, imported here only,
with user text passed as `rich.text.Text` (made visible first), never as markup.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from leankanban.reports.model import (
    ForecastReport,
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
from leankanban.text import money_cents as money_text
from leankanban.text import visible

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import RenderableType


def to_renderable(report: StandupReport) -> RenderableType:
    """A Rich renderable of the report. Rich is imported here, not at module load."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    def t(value: str | None) -> Text:
        return Text(visible(value or ""))

    def deal(title: str, line: object) -> Text | Group:
        """A deal's title, with its customer value (short) on one line under it, cut to the
        column's width (the metrics panel is narrow)."""
        said = worth(line)
        if not said:
            return t(title)
        return Group(t(title), Text(visible(said), style="dim", no_wrap=True, overflow="ellipsis"))

    r = report
    cur = r.currency
    parts: list[Any] = []
    title = Text("Stand-up: ", style="bold")
    title.append_text(t(r.board))
    if r.owner:
        title.append(" (")
        title.append_text(t(r.owner))
        title.append(")")
    title.append(f"  since {when(r.period.start)} until {when(r.period.end)} UTC", style="dim")
    parts.append(title)

    board = Table(title="Board", title_justify="left", expand=False)
    for name, justify in (("Stage", "left"), ("Deals", "right"), ("Value", "right"), ("Weighted", "right"),
                          ("WIP", "right"), ("State", "left")):
        board.add_column(name, justify=justify)  # type: ignore[arg-type]
    styles = {"over": "bold red", "at": "yellow", "under": "cyan", "ok": ""}
    for s in r.stages:
        board.add_row(t(s.name), str(s.count), money_text(s.value), money_text(s.weighted_value),
                      limits_text(s.wip_min, s.wip_max), Text(s.wip_state, style=styles.get(s.wip_state, "")))
    parts.append(board)

    summary = Text()
    summary.append(f"Won {r.won.count} ({money_text(r.won.value, cur)})", style="green")
    summary.append("   ")
    summary.append(f"Lost {r.lost.count} ({money_text(r.lost.value, cur)})", style="red")
    if r.lost.reasons:
        summary.append(": ")
        summary.append_text(t(", ".join(f"{k} ({v})" for k, v in r.lost.reasons.items())))
    if r.qualified_out is not None:
        summary.append(f"   Qualified out {r.qualified_out.period_count}")
    summary.append(f"   New {r.new_deals.total:,}   Moves {r.moved.total:,}")
    parts.append(summary)

    def deal_table(title_text: str, header: list[str], rows: list[list[Text | str]], listing: str = "") -> None:
        if not rows:
            return
        table = Table(title=title_text or None, title_justify="left")
        for name in header:
            table.add_column(name)
        for row in rows:
            table.add_row(*row)
        parts.append(table)
        cut = shown_line(r, listing) if listing else None
        if cut is not None:
            parts.append(Text(cut, style="dim"))

    # No value column: the table stays narrow enough for the TUI's metrics panel; the title says the order.
    deal_table("Moves (the biggest deals first)", ["Deal", "Owner", "From", "To", "When"],
               [[deal(m.title, m), t(m.owner), t(m.from_stage), t(m.to_stage), when(m.at)] for m in r.moved], "moved")
    deal_table("New deals", ["Deal", "Owner", "Stage", "Value"],
               [[deal(n.title, n), t(n.owner), t(n.stage), money_text(n.value, n.currency)] for n in r.new_deals],
               "new_deals")
    deal_table("Blocked", ["Deal", "Owner", "Stage", "Days", "Reason"],
               [[t(b.title), t(b.owner), t(b.stage), days_text(b.days), t(b.reason)] for b in r.blocked], "blocked")
    deal_table(f"Stalled ({r.stall_days}+ days idle)", ["Deal", "Owner", "Stage", "Idle days", "Value"],
               [[t(s.title), t(s.owner), t(s.stage), days_text(s.idle_days), money_text(s.value, s.currency)]
                for s in r.stalled], "stalled")
    deal_table("Ageing WIP", ["Deal", "Owner", "Stage", "Age", "Band"],
               [[t(a.title), t(a.owner), t(a.stage), days_text(a.age_days), band_label(a.band.value)]
                for a in r.ageing], "ageing")
    if age_bands_line(r):
        parts.append(Text(age_bands_line(r), style="dim"))
    deal_table("Load", ["Owner", "Open", "Active", "Work cards", "Limit", "Blocked", "Stalled"],
               [[t(l.owner), str(l.open), str(l.active), str(l.work), "" if l.wip_max is None else str(l.wip_max),
                 str(l.blocked), str(l.stalled)] for l in r.load])

    alerts = [f"Over WIP limit: {w.stage} ({w.count}/{w.limit})" for w in r.wip_breaches]
    alerts += [f"Below minimum: {w.stage} ({w.count}, minimum {w.limit})" for w in r.under_minimum]
    for alert in alerts:
        parts.append(Text(visible(alert), style="bold red"))

    parts.append(Text(win_rate_line(r)))
    parts.append(Text(cycle_line(r)))
    if r.qualified_out is not None:
        parts.append(Text(qualified_out_line(r)))
    f = r.forecast
    parts.extend(Text(line, style="dim" if f.reason else "") for line in forecast_lines(f, cur))

    def heading(text: str) -> None:
        parts.append(Text(""))
        parts.append(Text(text, style="bold underline"))

    heading("Next steps due")
    if r.next_steps:
        deal_table("", ["Deal", "Owner", "Stage", "Next step", "Due", "Overdue"],
                   [[t(n.title), t(n.owner), t(n.stage), t(n.next_step), when(n.due), f"{n.days_overdue}d"]
                    for n in r.next_steps], "next_steps")
    else:
        parts.append(Text("No next step due.", style="dim"))
    if r.sales is not None:
        heading("Key sales metrics")
        parts.extend(Text(line) for line in sales_lines(r))
        if r.littles_law is not None:
            parts.append(Text(littles_law_line(r)))
        parts.extend(Text(line) for line in flow_lines(r))
        deal_table("Where deals are qualified out before commitment", QUALIFIED_OUT_HEADER,
                   [[t(stage), out, left, rate, t(reasons)] for stage, out, left, rate, reasons in qualified_out_rows(r)])
        d = r.sales.discards
        deal_table("Where deals are discarded (every loss)", ["Stage", "Lost", "Left", "Rate", "Reasons"],
                   [[t(x.stage), str(x.lost), str(x.left), x.sample.reason or pct(x.rate),
                     t(", ".join(f"{k} ({n})" for k, n in x.reasons.items()))]
                    for x in d.by_stage] if d.total else [])
    if r.effectiveness is not None:
        heading("Effectiveness (over the history window; the target first)")

        def who(person: str | None) -> Text:
            return Text("target", style="dim") if person is None else t(person) if person else Text("team", style="bold")

        deal_table("Logged time", TIME_HEADER, [[who(person), *cells] for person, cells in time_rows(r)])
        deal_table("Pipeline value", VALUE_HEADER, [[who(person), *cells] for person, cells in value_rows(r)])
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
            ("Win rate by tag: ", ", ".join(f"{k} {pct(v)}" for k, v in ins.win_rate_by_tag.items()) or "-"),
        ):
            line = Text(label, style="bold")
            line.append_text(t(value))
            parts.append(line)
        parts.append(Text(improvements_line(r)))
    if r.policies is not None:
        heading("Policies")
        for stage in r.policies.stages:
            line = Text(visible(stage.stage), style="bold")
            for number, (name, text) in enumerate(stage_line(stage)):
                line.append(f"{';' if number else ':'} {name} ")
                line.append_text(t(text))
            parts.append(line)
        parts.append(Text(pointer_line(r.policies), style="dim"))
    footer = limit_line(r)
    if footer is not None:
        parts.append(Text(""))
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


def to_text(report: StandupReport, *, width: int = 100, color: bool = False) -> str:
    """The Rich rendering as a string; plain text unless `color`."""
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color, highlight=False)
    console.print(to_renderable(report))
    return buf.getvalue()


def forecast_to_text(report: ForecastReport) -> str:
    """The forecast as plain lines for a terminal or a chat (user text shown literally)."""
    r, f = report, report.forecast
    who = f" ({visible(r.owner)}'s deals)" if r.owner else ""
    stages = ", ".join(visible(s) for s in r.stages)
    which_closes = ("committed closes (wins and losses after commitment; "
                    f"{r.qualified_out:,} qualified out left out)" if f.sampled == "committed"
                    else f"closes (qualify-outs included: {r.qualified_out:,})")
    lines = [
        f"Forecast for {visible(r.board)}{who}: {f.items:,} open deal{'s' if f.items != 1 else ''} in {stages}, "
        f"worth {money_text(f.value, r.currency)}.",
        f"Sampling the {which_closes} of {r.window_days} day{'s' if r.window_days != 1 else ''}, {r.window.start:%Y-%m-%d} to {r.window.end:%Y-%m-%d}: "
        f"{r.closed:,} closed, {r.won:,} won, {r.closes_per_day:,.2f} a day. "
        f"{f.trials:,} trials{'' if f.seed is None else f', seed {f.seed}'}.",
        "",
    ]
    if f.reason is not None:
        lines.append(f"No forecast: {f.reason}; widen the window with --window.")
        return "\n".join(lines) + "\n"
    if f.items:
        which = "Closed by" if f.items == 1 else f"All {f.items:,} closed by"
        lines.append(f"{which}   50%: {when(f.done_p50)}   85%: {when(f.done_p85)}   "
                     f"95%: {when(f.done_p95)}")
        if f.beyond_horizon:
            lines.append(f"  ({f.beyond_horizon:.0%} of trials had not closed them all within three years: '-')")
    else:
        lines.append("No open deal in those stages.")
    lines += [
        f"By {f.horizon.isoformat()}, of these {f.items:,} deals (85% = at least this much in 85% of trials):",
        f"  deals closed        50%: {f.closes_p50:,}   85%: {f.closes_p85:,}   95%: {f.closes_p95:,}",
        f"  value won ({r.currency})   50%: {money_text(f.won_value_p50)}   85%: {money_text(f.won_value_p85)}   "
        f"95%: {money_text(f.won_value_p95)}   (of {money_text(f.value)})",
    ]
    return "\n".join(lines) + "\n"
