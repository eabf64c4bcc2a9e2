"""The analytics path on boards of several shapes: report, forecast, metrics screen.

    .venv/bin/python bench/analytics_bench.py [--shape open --shape wide ...] [--deals 100000]
        [--events 1000000] [--runs 3] [--db sqlite|postgresql] [--no-pilot] [--rebuild] [--src TREE]

For each shape of bench/shapes.py (default: all of them) it builds a board
(SQLite: once, cached under bench/.data/; PostgreSQL: a database
`lk_bench_perf` on 127.0.0.1, made again for each shape and dropped at the
end), then runs, each in its own process so that its peak RSS is its own
(`os.wait4`; this process imports no leankanban code, so it stays small and
cannot lend its own high-water mark to a child):

  report    `leankanban --db DB report --format json --seed 1` (wall, peak RSS, output size)
  forecast  `leankanban --db DB forecast --seed 1`
  metrics   what the metrics screen computes in its worker:
            `services.reports.report_and_inputs` + `charts.chart_series` for the four charts
  pilot     the real MetricsScreen in a headless Textual app (`App.run_test`, 160x45): from
            pushing the screen to the frame that first renders the chart (before 2026-12-02,
            session 6: to the end of the pause after it, up to a second later; with --pilot-full, also to
            the whole screen, summary included, drawn)

Each is run `--runs` times after one untimed warm-up (bytecode written, the
database in the OS page cache); the best and the median are printed.
Targets (issue 11): report < 2 s and < 300 MB, first chart < 2 s, forecast < 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_NAME = "lk_bench_perf"

METRICS = """
import sys, time
began = time.perf_counter()
from leankanban import charts
from leankanban.services import connect, reports
from leankanban.tui.screens.metrics import CHARTS
lk = connect(sys.argv[1], actor="bench")
opened = time.perf_counter()
report, inputs = reports.report_and_inputs(lk, since="90d", seed=1, history_days=90)
built = time.perf_counter()
series = {kind: charts.chart_series(kind, inputs, days=90) for kind in CHARTS}
done = time.perf_counter()
print(f"TIMES {opened - began:.3f} {built - opened:.3f} {done - built:.3f}")
"""

PILOT = """
import asyncio, os, sys, time
began = time.perf_counter()
from textual.app import App
from leankanban.services import connect
from leankanban.tui.screens.metrics import MetricsScreen
from leankanban.tui.widgets.plot import PlotView
lk = connect(sys.argv[1], actor="bench")
drawn = []  # when the chart widget first rendered a drawing: the frame it is on screen in

_render = PlotView.render
def render(self):
    found = _render(self)
    if self._draw is not None and not drawn:
        drawn.append(time.perf_counter())
    return found
PlotView.render = render

class Bench(App):
    def on_mount(self):
        self.pushed = time.perf_counter()
        self.push_screen(MetricsScreen(lk, board=None))

async def main():
    app = Bench()
    async with app.run_test(size=(160, 45)) as pilot:
        for _ in range(60_000):
            screen = app.screen
            # `early`: the series drawn before the report is built (after issue 11), else `series`.
            if isinstance(screen, MetricsScreen) and (getattr(screen, "early", None) or screen.series):
                chart = screen.query_one("#metrics-chart", PlotView)
                if chart._draw is not None:
                    await pilot.pause()  # the frame that draws it
                    break
            await pilot.pause(0.01)
        else:
            raise SystemExit("no chart")
        # The frame's render, not the end of the pause: that waits for the app to be idle, up to a
        # second later while the worker reads the rest of the report.
        shown = drawn[0] if drawn else time.perf_counter()
        complete = shown
        if "--full" in sys.argv:  # the summary too (a report listing every open deal: minutes, gigabytes)
            while not screen.series:
                await pilot.pause(0.01)
            await pilot.pause()
            complete = time.perf_counter()
        print(f"TIMES {app.pushed - began:.3f} {shown - app.pushed:.3f} {complete - app.pushed:.3f}", flush=True)
        os._exit(0)  # not waiting for the worker thread to finish the report (the RSS is reported still)

asyncio.run(main())
"""


def run(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, int, str]:
    """(wall s, peak RSS MB, stdout bytes, the TIMES line) of one child process run through WRAP,
    which prints the RSS line (RUSAGE_CHILDREN would give the max over all children so far)."""
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = child.communicate(timeout=timeout)
    wall = time.perf_counter() - began
    if child.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} ... failed:\n{err.decode()[-3000:]}")
    times = next((line for line in out.decode(errors="replace").splitlines() if line.startswith("TIMES")), "")
    rss = next((line for line in err.decode().splitlines() if line.startswith("RSS")), "RSS 0").split()[1]
    return wall, int(rss) / 1024, len(out), times


#: Runs the command as a grandchild and reports its own wait4 rusage: the child's peak RSS alone.
WRAP = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print("RSS", usage.ru_maxrss, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(label: str, command: list[str], env: dict[str, str], runs: int, timeout: float) -> dict:
    wrapped = [sys.executable, "-c", WRAP, *command]
    run(wrapped, env, timeout)  # warm-up, untimed
    samples = [run(wrapped, env, timeout) for _ in range(runs)]
    walls = [s[0] for s in samples]
    result = {
        "label": label,
        "best": min(walls),
        "median": statistics.median(walls),
        "rss": max(s[1] for s in samples),
        "bytes": samples[0][2],
        "times": [s[3] for s in samples],
    }
    print(f"  {label:9s} best {result['best']:6.2f} s  median {result['median']:6.2f} s  "
          f"peak RSS {result['rss']:5.0f} MB  output {result['bytes'] / 1e6:6.2f} MB  "
          f"{' | '.join(t.removeprefix('TIMES ') for t in result['times'] if t)}", flush=True)
    return result


def sqlite_board(shape: str, deals: int, events: int, rebuild: bool, env: dict[str, str]) -> str:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"shape-{shape}-{deals}-{events}.db"
    if rebuild or not path.exists():
        for leftover in DATA.glob(path.name + "*"):
            leftover.unlink()
        build(str(path), shape, deals, events, env)
    return str(path)


def postgres_board(shape: str, deals: int, events: int, env: dict[str, str]) -> str:
    recreate_pg(env, drop_only=False)
    url = f"{PG_SERVER}/{PG_NAME}"
    build(url, shape, deals, events, env)
    return url


def recreate_pg(env: dict[str, str], *, drop_only: bool) -> None:
    code = (
        "import psycopg, sys\n"
        f"with psycopg.connect('{PG_SERVER}/test', autocommit=True) as c:\n"
        f"    c.execute('DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)')\n"
        + ("" if drop_only else f"    c.execute('CREATE DATABASE {PG_NAME}')\n")
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def build(target: str, shape: str, deals: int, events: int, env: dict[str, str]) -> None:
    began = time.perf_counter()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from bench.shapes import SHAPES, build_board\n"
        "build_board(sys.argv[2], SHAPES[sys.argv[3]], int(sys.argv[4]), int(sys.argv[5]))\n"
    )
    subprocess.run([sys.executable, "-c", code, str(ROOT), target, shape, str(deals), str(events)], check=True, env=env)
    print(f"  built in {time.perf_counter() - began:.1f} s", flush=True)


def describe(target: str, env: dict[str, str]) -> str:
    code = (
        "import sys\nfrom sqlalchemy import create_engine, text\n"
        "url = sys.argv[1] if '://' in sys.argv[1] else 'sqlite:///' + sys.argv[1]\n"
        "url = url.replace('postgresql://', 'postgresql+psycopg://')\n"
        "with create_engine(url).connect() as c:\n"
        "    d = c.execute(text(\"select count(*), sum(case when status = 'open' then 1 else 0 end) from deal\")).one()\n"
        "    e = c.execute(text('select count(*) from event')).scalar()\n"
        "    s = c.execute(text('select count(*) from stage')).scalar()\n"
        "    o = c.execute(text('select count(distinct owner) from deal')).scalar()\n"
        "print(f'{d[0]:,} deals ({d[1]:,} open), {e:,} events, {s} stages, {o} owners')\n"
    )
    return subprocess.run([sys.executable, "-c", code, target], check=True, env=env, capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", action="append", help="a shape of bench/shapes.py (repeat; default all)")
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rebuild", action="store_true", help="build the SQLite boards again even if cached")
    parser.add_argument("--only", action="append", choices=("report", "forecast", "metrics", "pilot"),
                        help="run only these measurements (repeat)")
    parser.add_argument("--no-pilot", action="store_true", help="skip the Textual first-chart measurement")
    parser.add_argument("--pilot-full", action="store_true", help="the pilot also waits for the summary")
    parser.add_argument("--src", help="run this source tree instead (PYTHONPATH), e.g. a `git archive` of before")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds a single run may take")
    args = parser.parse_args()

    from shapes import SHAPES  # bench/ is on sys.path as the script's folder; nothing of leankanban loads

    env = {**os.environ, "COLUMNS": "120"}
    env.pop("LEANKANBAN_BOARD", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled once, then reused
    if args.src:
        env["PYTHONPATH"] = str(Path(args.src).resolve())
    exe = Path(sys.executable).with_name("leankanban")
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "leankanban"]
    wanted = args.only or ["report", "forecast", "metrics", *([] if args.no_pilot else ["pilot"])]

    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    try:
        for shape in args.shape or list(SHAPES):
            print(f"shape {shape} ({args.db}, {args.deals:,} deals, {args.events:,} events)", flush=True)
            if args.db == "sqlite":
                target = sqlite_board(shape, args.deals, args.events, args.rebuild, env)
            else:
                target = postgres_board(shape, args.deals, args.events, env)
            print(f"  {describe(target, env)}", flush=True)
            commands = {
                "report": [*cli, "--db", target, "report", "--format", "json", "--seed", "1"],
                "forecast": [*cli, "--db", target, "forecast", "--seed", "1"],
                "metrics": [sys.executable, "-c", METRICS, target],
                "pilot": [sys.executable, "-c", PILOT, target, *(["--full"] if args.pilot_full else [])],
            }
            for label in wanted:
                measure(label, commands[label], env, args.runs, args.timeout)
            print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    finally:
        if args.db == "postgresql":
            recreate_pg(env, drop_only=True)


if __name__ == "__main__":
    main()
