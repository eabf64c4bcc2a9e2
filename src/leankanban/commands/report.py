"""Report commands: `report` (the stand-up report), `forecast` (Monte Carlo on its own) and
`chart` (flow charts).

Parse -> `services.reports` use case -> render. Rich, plotext and matplotlib are
imported only by the formats that draw with them, so `report --format json`
loads none of them (and never Textual).
"""

from __future__ import annotations

import enum
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from leankanban.commands.state import state
from leankanban.domain.errors import InvalidInput
from leankanban.files import write_private
from leankanban.text import visible


class ReportFormat(str, enum.Enum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"
    html = "html"


class ChartKind(str, enum.Enum):
    cfd = "cfd"
    throughput = "throughput"
    cycle_time = "cycle-time"
    ageing = "ageing"


BoardOption = Annotated[
    str | None, typer.Option("--board", "-b", metavar="NAME", help="Board to report on (default: the global --board, else the first).")
]

#: Charts inlined in the HTML report, in order.
HTML_CHARTS = ("cfd", "throughput", "cycle-time", "ageing")


def report(
    ctx: typer.Context,
    board: BoardOption = None,
    since: Annotated[
        str, typer.Option("--since", "-s", metavar="7d|2w|DATE", help="Start of the period: days (7d), weeks (2w), hours (36h) before now, or a date (2026-11-01, UTC).")
    ] = "7d",
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="Only this person's deals (case-insensitive).")] = None,
    format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="text (terminal), md, json (indented on a terminal, one line when piped), csv or html (one page with inline charts)."),
    ] = ReportFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="FILE",
            help="Write to FILE instead of stdout. With csv, four files: FILE-stages.csv, FILE-deals.csv, "
            "FILE-next-steps.csv and FILE-discards.csv (to stdout, the same four tables in that order, "
            "each after a blank line).",
            dir_okay=False,
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", metavar="N", help="Seed for the Monte Carlo forecast (same seed, same forecast).")] = None,
    limit: Annotated[
        str | None,
        typer.Option(
            "--limit",
            "-n",
            metavar="N|all",
            help="At most N entries in each list (moves, new deals, wins, losses, blocked, stalled, ageing, "
            "next steps, deals; the csv deals and next-steps tables too), the most important first, each with "
            "its total count and value; 'all' for every entry. Default: 10.",
        ),
    ] = None,
) -> None:
    """The stand-up report: what moved, was won or lost since --since, flow, alerts and a forecast.

    A stand-up is a page: each list shows its 10 most important entries (--limit). The full
    lists are `leankanban deals --stalled`, `leankanban deals --blocked` and
    `leankanban deals --status open` (or won, lost), each with --format json or csv.
    """
    from leankanban.reports import render
    from leankanban.reports.model import parse_limit
    from leankanban.services import reports

    shown = parse_limit(limit)
    app = state(ctx)
    services = app.services()
    name = board or app.board
    now = services.clock()
    start = reports.parse_since(since, now)
    # The report's objects all live until it is written: no cyclic GC passes over them meanwhile.
    with reports.paused_gc():
        if format is ReportFormat.html:
            built, inputs = reports.report_and_inputs(services, board=name, since=start, owner=owner, seed=seed,
                                                      limit=shown)
            text = render.to_html(built, charts=_html_charts(inputs, built))
        else:
            built = reports.report(services, board=name, since=start, owner=owner, seed=seed, limit=shown)
            if format is ReportFormat.json:
                # Indented for a person at a terminal; compact (and much faster) for a pipe or a file.
                text = render.to_json(built, indent=2 if output is None and sys.stdout.isatty() else None) + "\n"
            elif format is ReportFormat.md:
                text = render.to_markdown(built)
            elif format is ReportFormat.csv:
                _write_csv(
                    {
                        "stages": render.stages_csv(built),
                        "deals": render.deals_csv(built),
                        "next-steps": render.next_steps_csv(built),
                        "discards": render.discards_csv(built),
                    },
                    output,
                )
                return
            else:
                text = None
        if text is None:  # text: Rich for a terminal, or plain text into a file
            if output is None:
                from leankanban.commands.printing import make_console

                make_console().print(render.to_renderable(built))
                return
            text = render.to_text(built, width=120)
        _write(text, output)


class ForecastFormat(str, enum.Enum):
    text = "text"
    json = "json"


def forecast(
    ctx: typer.Context,
    board: BoardOption = None,
    stage: Annotated[
        list[str] | None,
        typer.Option("--stage", "-s", metavar="STAGE", help="Forecast the open deals in this stage (repeat for several; default: every active stage)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="14d|4w|DATE", help="How many deals and how much value close by this date (default: 14d from today)."),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", "-w", metavar="90d|12w|DATE", help="Throughput history to sample: days or weeks back, or a start date.")
    ] = "90d",
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="Only this person's deals and closes (case-insensitive).")] = None,
    trials: Annotated[int, typer.Option("--trials", metavar="N", help="Monte Carlo trials (100 to 1,000,000).")] = 10_000,
    seed: Annotated[int | None, typer.Option("--seed", metavar="N", help="Seed (same seed, same forecast).")] = None,
    format: Annotated[ForecastFormat, typer.Option("--format", "-f", help="text or json.")] = ForecastFormat.text,
) -> None:
    """When will the open deals in a stage be done, and what will close by a date (Monte Carlo)."""
    from leankanban.reports import render
    from leankanban.services import reports

    app = state(ctx)
    found = reports.forecast(
        app.services(), board=board or app.board, stages=stage or (), until=by, window=window, owner=owner,
        trials=trials, seed=seed,
    )
    if format is ForecastFormat.json:
        typer.echo(render.forecast_to_json(found, indent=2 if sys.stdout.isatty() else None))
    else:
        typer.echo(render.forecast_to_text(found), nl=False)


def _html_charts(inputs, built) -> dict[str, str]:
    from leankanban import charts

    days = max(1, round((built.generated_at - built.history.start).total_seconds() / 86400))
    return {
        charts.TITLES[kind]: charts.svg_chart(kind, charts.chart_series(kind, inputs, days=days))
        for kind in HTML_CHARTS
    }


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text.encode("utf-8"), nl=False)
        return
    try:
        write_private(output, text, encoding="utf-8")
    except OSError as err:
        raise InvalidInput(f"Cannot write {output}: {err.strerror or err}.") from None
    typer.echo(visible(f"Wrote {output}."), err=True)


def _write_csv(tables: dict[str, str], output: Path | None) -> None:
    """The report's tables: one after another on stdout, or FILE-<name>.csv each."""
    if output is None:
        typer.echo("\n".join(tables.values()).encode("utf-8"), nl=False)
        return
    stem = output.with_suffix("") if output.suffix.lower() == ".csv" else output
    paths = []
    for name, text in tables.items():
        path = stem.with_name(f"{stem.name}-{name}.csv")
        try:
            write_private(path, text, encoding="utf-8", newline="")
        except OSError as err:
            raise InvalidInput(f"Cannot write {path}: {err.strerror or err}.") from None
        paths.append(str(path))
    typer.echo(visible(f"Wrote {', '.join(paths)}."), err=True)


def chart(
    ctx: typer.Context,
    kind: Annotated[ChartKind, typer.Argument(metavar="cfd|throughput|cycle-time|ageing", help="Which chart.")],
    board: BoardOption = None,
    days: Annotated[int, typer.Option("--days", "-d", min=1, max=3650, help="How many days back the chart covers.")] = 90,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="Only this person's deals.")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", metavar="FILE.png|FILE.svg", help="Write an image (PNG or SVG) instead of drawing in the terminal.", dir_okay=False),
    ] = None,
) -> None:
    """Draw a flow chart in the terminal, or write it as a PNG or SVG image."""
    from leankanban import charts
    from leankanban.services import reports

    if output is not None and output.suffix.lower() not in (".png", ".svg"):
        raise InvalidInput(f"Charts are written as .png or .svg; '{output.name}' is neither.")
    app = state(ctx)
    services = app.services()
    now = services.clock()
    inputs = reports.load_inputs(services, board=board or app.board, start=now - timedelta(days=days), owner=owner, now=now)
    series = charts.chart_series(kind.value, inputs, days=days)
    if output is None:
        import shutil

        width, height = shutil.get_terminal_size((100, 30))
        typer.echo(charts.terminal_chart(kind.value, series, width=min(width, 160), height=max(15, min(height - 2, 40)),
                                         color=sys.stdout.isatty()))
        return
    try:
        charts.save_chart(kind.value, series, output)
    except OSError as err:
        raise InvalidInput(f"Cannot write {output}: {err.strerror or err}.") from None
    typer.echo(visible(f"Wrote {output}."), err=True)
