"""The report as one self-contained HTML page to mail (inline CSS, charts passed in as
SVG text); every piece of user text is HTML-escaped by `leankanban.text.html`.
"""

from __future__ import annotations

import re

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
    closes_shown_line,
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
    rates_text,
    sales_lines,
    shown_line,
    sprint_summary,
    time_rows,
    value_rows,
    when,
    win_rate_line,
    worth,
)
from leankanban.text import html as h
from leankanban.text import money_cents as money_text

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
.worth{color:#59636e;font-style:italic}
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


def _note(line: str) -> str:
    """A note under a table, escaped, with its `commands` as code."""
    return '<p class="meta">' + re.sub(r"`([^`]*)`", r"<code>\1</code>", h(line)) + "</p>"


def _deal(title: str, line: object) -> str:
    """A deal's title, and under it its customer value (short) when it has one; escaped."""
    said = worth(line)
    return h(title) + (f'<br><span class="worth">{h(said)}</span>' if said else "")


def _shown(r: StandupReport, name: str) -> str:
    cut = closes_shown_line(r, name) if name in ("won", "lost") else shown_line(r, name)
    return "" if cut is None else _note(cut)


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
        f'<p class="meta">Since {when(r.period.start)} until {when(r.period.end)} UTC. '
        f"Generated {when(r.generated_at)} UTC. Money in {cur}"
        + (f"; {r.other_currency_deals} deal(s) in other currencies are not in the totals." if r.other_currency_deals
           else ".")
        + "</p>",
    ]
    qualified = "" if r.qualified_out is None else f"<li>Qualified out {r.qualified_out.period_count}</li>"
    out.append(
        '<ul class="kpi">'
        f'<li class="won">Won {r.won.count} ({h(money_text(r.won.value, r.currency))})</li>'
        f'<li class="lost">Lost {r.lost.count} ({h(money_text(r.lost.value, r.currency))})</li>'
        f"{qualified}<li>New deals {r.new_deals.total:,}</li><li>Moves {r.moved.total:,}</li>"
        f"<li>{h(win_rate_line(r))}</li>"
        f"<li>{h(cycle_line(r))}</li></ul>"
    )
    out.append("<h2>Board</h2>")
    out.append(_html_table(
        ["Stage", "Deals", "Value", "Weighted", "WIP limits", "State"],
        [[h(s.name), str(s.count), h(money_text(s.value)), h(money_text(s.weighted_value)),
          h(limits_text(s.wip_min, s.wip_max)), f'<span class="{s.wip_state}">{s.wip_state}</span>']
         for s in r.stages],
        frozenset({1, 2, 3}),
    ))
    out.append("<h2>Since last stand-up</h2>")
    if r.lost.reasons:
        out.append("<p>Lost reasons: " + ", ".join(f"{h(k)} ({v})" for k, v in r.lost.reasons.items()) + "</p>")
    sections = [
        ("Won", ["Deal", "Owner", "Value", "When"],
         [[_deal(d.title, d), h(d.owner), h(money_text(d.value, d.currency)), when(d.at)] for d in r.won.deals], "won"),
        ("Lost", ["Deal", "Owner", "From", "Reason", "Value", "When"],
         [[_deal(d.title, d), h(d.owner), h(d.from_stage), h(d.reason), h(money_text(d.value, d.currency)), when(d.at)]
          for d in r.lost.deals], "lost"),
        ("Moves", ["Deal", "Owner", "From", "To", "When", "Value"],
         [[_deal(m.title, m), h(m.owner), h(m.from_stage), h(m.to_stage), when(m.at), h(money_text(m.value, m.currency))]
          for m in r.moved], "moved"),
        ("New deals", ["Deal", "Owner", "Stage", "Value"],
         [[_deal(n.title, n), h(n.owner), h(n.stage), h(money_text(n.value, n.currency))] for n in r.new_deals],
         "new_deals"),
    ]
    for name, header, rows, listing in sections:
        if rows:
            out.append(f"<h3>{name}</h3>" + _html_table(header, rows) + (_shown(r, listing) if listing else ""))
    out.append("<h2>Needs attention</h2>")
    alerts = [f"Over WIP limit: {h(w.stage)} ({w.count}/{w.limit})" for w in r.wip_breaches]
    alerts += [f"Below minimum: {h(w.stage)} ({w.count}, minimum {w.limit})" for w in r.under_minimum]
    alerts += [f"Over personal WIP limit: {h(l.owner)} ({l.active + l.work}/{l.wip_max})" for l in r.load if l.over_limit]
    out.append("<ul>" + "".join(f'<li class="over">{a}</li>' for a in alerts) + "</ul>" if alerts
               else "<p>No WIP alerts.</p>")
    attention = [
        ("Blocked", ["Deal", "Owner", "Stage", "Blocked days", "Reason"],
         [[h(b.title), h(b.owner), h(b.stage), days_text(b.days), h(b.reason)] for b in r.blocked], "blocked"),
        (f"Stalled (no activity for {r.stall_days}+ days)", ["Deal", "Owner", "Stage", "Idle days", "Value"],
         [[h(s.title), h(s.owner), h(s.stage), days_text(s.idle_days), h(money_text(s.value, s.currency))]
          for s in r.stalled], "stalled"),
        ("Ageing work in progress", ["Deal", "Owner", "Stage", "Age (days)", "Band"],
         [[h(a.title), h(a.owner), h(a.stage), days_text(a.age_days), h(band_label(a.band.value))] for a in r.ageing],
         "ageing"),
        ("Load per person", ["Owner", "Open", "Active", "Limit", "Value", "Blocked", "Stalled"],
         [[h(l.owner) or "(nobody)", str(l.open), str(l.active), "" if l.wip_max is None else str(l.wip_max),
           h(money_text(l.value)), str(l.blocked), str(l.stalled)] for l in r.load], ""),
    ]
    for name, header, rows, listing in attention:
        if rows:
            out.append(f"<h3>{name}</h3>" + _html_table(header, rows) + (_shown(r, listing) if listing else ""))
            if name.startswith("Ageing") and age_bands_line(r):
                out.append(f"<p>{h(age_bands_line(r))}</p>")
    out.append(f"<h2>Flow since {when(r.history.start.date())}</h2>")
    if r.qualified_out is not None:
        out.append(f"<p>{h(qualified_out_line(r))}</p>")
    if r.win_rate_by_owner:
        out.append("<p>Win rate by owner: " + h(rates_text(r.win_rate_by_owner)) + "</p>")
    if r.throughput_per_week:
        out.append(_html_table(
            ["Week", "Won", "Lost", "Qualified out", "Closed"],
            [[w.week, str(w.won), str(w.lost), str(w.qualified_out), str(w.closed)] for w in r.throughput_per_week],
            frozenset({1, 2, 3, 4}),
        ))
    for chart_title, svg in (charts or {}).items():
        out.append(f"<figure>{_inline_svg(svg)}<figcaption>{h(chart_title)}</figcaption></figure>")
    out += _html_new(r)
    f = r.forecast
    out.append("<h2>Forecast</h2>")
    out.append("<ul>" + "".join(f"<li>{h(line)}</li>" for line in forecast_lines(f, r.currency)) + "</ul>")
    if r.policies is not None:
        out.append("<h2>Policies</h2>")
        if r.policies.stages:
            out.append("<ul>" + "".join(
                f"<li><b>{h(stage.stage)}</b>: "
                + "; ".join(f"{name} {h(text)}" for name, text in stage_line(stage)) + "</li>"
                for stage in r.policies.stages
            ) + "</ul>")
        out.append(_note(pointer_line(r.policies)))
    footer = limit_line(r)
    if footer is not None:
        out.append(_note(footer))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_new(r: StandupReport) -> list[str]:
    """Next steps, key sales metrics, effectiveness, capacity, sprint and insights, escaped."""
    out = ["<h2>Next steps due</h2>"]
    if r.next_steps:
        out.append(_html_table(
            ["Deal", "Owner", "Stage", "Next step", "Due", "Days overdue"],
            [[h(n.title), h(n.owner), h(n.stage), h(n.next_step), when(n.due), str(n.days_overdue)]
             for n in r.next_steps],
            frozenset({5}),
        ) + _shown(r, "next_steps"))
    else:
        out.append("<p>No next step due.</p>")
    if r.sales is not None:
        out.append("<h2>Key sales metrics</h2>")
        lines = [*sales_lines(r), *([littles_law_line(r)] if r.littles_law is not None else []), *flow_lines(r)]
        out.append("<ul>" + "".join(f"<li>{h(line)}</li>" for line in lines) + "</ul>")
        rows = qualified_out_rows(r)
        if rows:
            out.append("<h3>Where deals are qualified out before commitment</h3>" + _html_table(
                QUALIFIED_OUT_HEADER, [[h(c) for c in row] for row in rows], frozenset({1, 2})))
        d = r.sales.discards
        if d.total:
            out.append("<h3>Where deals are discarded (every loss)</h3>" + _html_table(
                ["Stage", "Lost", "Left", "Discard rate", "Reasons"],
                [[h(x.stage), str(x.lost), str(x.left), x.sample.reason or pct(x.rate),
                  h(", ".join(f"{k} ({n})" for k, n in x.reasons.items()))] for x in d.by_stage],
                frozenset({1, 2, 3}),
            ))
    if r.effectiveness is not None:
        out.append("<h2>Effectiveness</h2><p>Over the history window; the target first.</p>")
        for title, header, rows in (("Logged time", TIME_HEADER, time_rows(r)),
                                    ("Pipeline value", VALUE_HEADER, value_rows(r))):
            out.append(f"<h3>{title}</h3>" + _html_table(
                header,
                [["<i>target</i>" if p is None else h(p) if p else "<b>team</b>", *(h(c) for c in cells)]
                 for p, cells in rows],
                frozenset(range(1, len(header))),
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
            ("Win rate by tag", ", ".join(f"{h(k)} {pct(v)}" for k, v in ins.win_rate_by_tag.items()) or "-"),
        ]
        out.append("<h2>Insights</h2><ul>" + "".join(f"<li><b>{label}:</b> {value}</li>" for label, value in items)
                   + f"<li>{h(improvements_line(r))}</li></ul>")
    return out


def _inline_svg(svg: str) -> str:
    """An SVG document without its XML prolog and doctype, for inlining in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


