"""How long the CLI takes to start, and the board screen to first show a small board.

    python bench/startup_bench.py [--runs 10] [--src PATH ...] [--ktui PATH/TO/ktui] [--no-compile]

Builds a board with 10 deals (through the CLI) in a temp folder, then, for
each leankanban source tree given with `--src` (default: the installed one;
give an old checkout's `src` to compare), runs interleaved, `--runs` times:

  (a) `leankanban --help`, `leankanban --version` and
      `leankanban --db small.db deals` as child processes: wall time and the
      child's CPU time (user + system, from os.wait4), medians;
  (b) first paint of the board screen in a real terminal: `tmux new-session`
      (160x45) starts `leankanban --db small.db`, and `tmux capture-pane` is
      polled every 10 ms until the first card ("Deal 1") shows; the time from
      starting the session to that capture.

  (c) first move: as (b), on a fresh copy of the board, then `>` (move the
      focused deal, "Deal 1", on) is sent as soon as the card shows, and the
      pane polled until the next stage's header counts it ("Qualifying  1"):
      the time from starting the session until the move is on screen. Since
      the board is painted before the services (SQLAlchemy ...) have loaded,
      (c) - (b) includes the wait for them.

With `--ktui`, (b) also runs kanban-tui (another Textual kanban) on a board of
its own with 10 tasks (in a temp XDG home), detected the same way, in the
same interleaved loop. See bench/README.md, "Start-up".

Each source tree is byte-compiled first (`compileall`, into its __pycache__),
as pip does for an installed package (kanban-tui's included): with
PYTHONDONTWRITEBYTECODE set, a source tree would otherwise be compiled again
on every start. `--no-compile` measures without that step.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARKER = "Deal 1"
#: The next stage's header once the first deal moved there.
MOVED = "Qualifying  1"


def child_times(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    began = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv} failed")
    return wall, usage.ru_utime + usage.ru_stime


def first_paint(command: str, env: dict[str, str], timeout: float = 30.0, *, then: str | None = None) -> float:
    """Seconds from starting `command` in a tmux session until its screen shows MARKER;
    with `then`, until it shows MOVED after the keys `then` were sent on seeing MARKER."""
    session = f"lkbench{os.getpid()}"
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    sent = False
    began = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "45", f"env {exports} {command}"], check=True
    )
    try:
        while time.perf_counter() - began < timeout:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
            if then is None and MARKER in screen:
                return time.perf_counter() - began
            if then is not None and MOVED in screen:
                return time.perf_counter() - began
            if then is not None and MARKER in screen and not sent:
                subprocess.run(["tmux", "send-keys", "-t", session, then], check=True)
                sent = True
            time.sleep(0.01)
        sys.exit(f"{command} showed no {MOVED if then else MARKER!r} within {timeout} s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--src", action="append", type=Path, help="a leankanban src folder to measure (repeatable)")
    parser.add_argument("--ktui", type=Path, help="kanban-tui's ktui script, to measure its first paint too")
    parser.add_argument("--no-compile", action="store_true", help="do not byte-compile the source trees first")
    args = parser.parse_args()
    if not args.no_compile:
        import compileall

        import leankanban

        for src in args.src or [Path(leankanban.__file__).parent]:
            compileall.compile_dir(str(src), quiet=1)

    with tempfile.TemporaryDirectory(prefix="lk-startup-") as folder:
        tmp = Path(folder)
        base = {k: v for k, v in os.environ.items() if not k.startswith("LEANKANBAN_")}
        base.update(LEANKANBAN_USER="ann", TERM="xterm-256color")
        trees = {str(src): {**base, "PYTHONPATH": str(src.resolve())} for src in (args.src or [])} or {"installed": base}
        # The board is made by the first tree (give the oldest first), and each tree gets its
        # own copy: a newer tree migrates its copy, and an older one would open a migrated
        # file read-only (a database from a newer version), so it could not move a card.
        built = tmp / "small.db"
        for i in range(1, 11):
            subprocess.run(
                [sys.executable, "-m", "leankanban", "--db", str(built), "add", f"Deal {i}", "--value", str(i * 1000)],
                check=True, env=next(iter(trees.values())), stdout=subprocess.DEVNULL,
            )
        dbs = {}
        for number, name in enumerate(trees):
            dbs[name] = tmp / f"small-{number}.db"
            with sqlite3.connect(built) as source, sqlite3.connect(dbs[name]) as copy:
                source.backup(copy)
            source.close()
            copy.close()
        cli = {
            "--help": lambda name: ["--help"],
            "--version": lambda name: ["--version"],
            "deals (10 deals)": lambda name: ["--db", str(dbs[name]), "deals"],
        }
        screens: dict[str, tuple[str, dict[str, str]]] = {
            f"leankanban [{name}]": (
                f"{sys.executable} -m leankanban --db {dbs[name]}", {"PYTHONPATH": env["PYTHONPATH"]} if "PYTHONPATH" in env else {}
            )
            for name, env in trees.items()
        }
        db_of = {f"leankanban [{name}]": dbs[name] for name in trees}
        if args.ktui:
            home = {"XDG_DATA_HOME": str(tmp / "data"), "XDG_CONFIG_HOME": str(tmp / "config")}
            ktui_env = {**base, **home}
            subprocess.run([str(args.ktui), "board", "create", "pipeline", "--set-active"], check=True, env=ktui_env, stdout=subprocess.DEVNULL)
            for i in range(1, 11):
                subprocess.run([str(args.ktui), "task", "create", f"Deal {i}"], check=True, env=ktui_env, stdout=subprocess.DEVNULL)
            screens["kanban-tui"] = (str(args.ktui), home)

        subprocess.run(["tmux", "new-session", "-d", "-s", "lkbench-server"], check=True)  # keep one server up
        walls: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        paints: dict[str, list[float]] = {name: [] for name in screens}
        moves: dict[str, list[float]] = {name: [] for name in screens if name != "kanban-tui"}
        try:
            for _ in range(args.runs):
                for tree, env in trees.items():
                    for what, argv_of in cli.items():
                        wall, cpu = child_times([sys.executable, "-m", "leankanban", *argv_of(tree)], env)
                        walls.setdefault(f"{what} [{tree}]", []).append(wall)
                        cpus.setdefault(f"{what} [{tree}]", []).append(cpu)
                for name, (command, extra) in screens.items():
                    paints[name].append(first_paint(command, {"TERM": "xterm-256color", "LEANKANBAN_USER": "ann", **extra}))
                for name in moves:
                    command, extra = screens[name]
                    fresh = tmp / f"moved{len(moves[name])}.db"
                    with sqlite3.connect(db_of[name]) as source, sqlite3.connect(fresh) as copy:
                        source.backup(copy)  # the WAL's pages too
                    source.close()
                    copy.close()
                    moves[name].append(first_paint(
                        command.replace(str(db_of[name]), str(fresh)), {"TERM": "xterm-256color", "LEANKANBAN_USER": "ann", **extra},
                        then=">",
                    ))  # fmt: skip
        finally:
            subprocess.run(["tmux", "kill-session", "-t", "lkbench-server"], capture_output=True)

    print(f"load average before/after: {os.getloadavg()[0]:.2f}; {args.runs} runs, interleaved; medians (min)")
    for name in walls:
        wall, cpu = walls[name], cpus[name]
        print(
            f"(a) {name:60s} wall {statistics.median(wall) * 1000:6.0f} ms ({min(wall) * 1000:4.0f})"
            f"   cpu {statistics.median(cpu) * 1000:6.0f} ms ({min(cpu) * 1000:4.0f})"
        )
    for name, times in paints.items():
        print(f"(b) first paint {name:48s} {statistics.median(times) * 1000:6.0f} ms ({min(times) * 1000:4.0f})")
    for name, times in moves.items():
        print(f"(c) first move  {name:48s} {statistics.median(times) * 1000:6.0f} ms ({min(times) * 1000:4.0f})")


if __name__ == "__main__":
    main()
