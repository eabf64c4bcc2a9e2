"""Start-up of the board screen (issue 10): what `leankanban` with no command loads first.

Each probe runs `main()` in a fresh interpreter, as the `leankanban` script
does, with `_open_tui` replaced by a recorder, so Textual never starts.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

_PROBE = """
import gc, json, sys
sys.argv = ["leankanban", *json.loads(sys.argv[1])]
import leankanban.cli as cli
seen = {}
def recorder(ctx):
    seen.update(
        collecting=gc.isenabled(),
        tui="leankanban.tui.app" in sys.modules,
        # gc.get_objects() leaves out what gc.freeze() set aside.
        app_class_frozen="textual.app" in sys.modules
        and not any(o is sys.modules["textual.app"].App for o in gc.get_objects()),
        commands=sorted(m for m in sys.modules if m.startswith("leankanban.commands.")),
    )
cli._open_tui = recorder
try:
    cli.main()
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(seen), file=sys.stderr)
"""


def opening(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(list(args))], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_no_command_loads_no_command_module(tmp_path):
    seen = opening("--db", str(tmp_path / "x.db"), "--board", "pipeline")
    assert seen["commands"] == ["leankanban.commands.state"]


def test_the_board_screen_loads_before_the_start_up_objects_are_frozen(tmp_path):
    """Textual's modules are set aside with the database code's, as for a command (bench/README.md)."""
    seen = opening("--db", str(tmp_path / "x.db"))
    assert seen == {**seen, "tui": True, "collecting": True, "app_class_frozen": True}


def test_after_a_double_dash_the_whole_app_is_built(tmp_path):
    """`leankanban -- report` is click's to refuse, with every command known, as before."""
    done = subprocess.run(
        [sys.executable, "-m", "leankanban", "--db", str(tmp_path / "x.db"), "--", "reprot"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "No such command" in done.stderr


_ORM = ("sqlalchemy", "sqlmodel", "leankanban.services", "leankanban.store.tables")

#: Runs `main()` as the script does, the app headless: when the services are asked to
#: open (right after the first board is painted), notes what is on screen and loaded.
_PAINT_PROBE = """
import json, sys
ORM = json.loads(sys.argv[2])
sys.argv = ["leankanban", *json.loads(sys.argv[1])]
import leankanban.cli as cli
import leankanban.tui.app as tui_app
from textual.geometry import Region
from leankanban.tui.widgets.column import DealList
seen = {}
apps = []
run = tui_app.LeanKanbanApp.run
def headless(self, **options):
    apps.append(self)
    return run(self, headless=True, size=(160, 45))
tui_app.LeanKanbanApp.run = headless
start = tui_app.StartingServices.start
def noted(self):
    if not seen:
        app = apps[0]
        seen.update(
            orm=sorted(m for m in ORM if m in sys.modules),
            cards=[
                strip.text.strip()
                for widget in app.screen.query(DealList)
                for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
                if "Deal" in strip.text
            ],
        )
        app.exit()
    start(self)
tui_app.StartingServices.start = noted
try:
    cli.main()
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(seen), file=sys.stderr)
"""


def _small_board(path) -> str:
    db = str(path / "small.db")
    for title in ("Deal 1", "Deal 2"):
        done = subprocess.run([sys.executable, "-m", "leankanban", "--db", db, "add", title], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return db


def test_the_first_paint_of_a_board_loads_no_orm(tmp_path):
    """The board is on screen before SQLAlchemy, SQLModel or the services load (bench/README.md)."""
    db = _small_board(tmp_path)
    done = subprocess.run([sys.executable, "-c", _PAINT_PROBE, json.dumps(["--db", db]), json.dumps(_ORM)], capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stderr.strip().splitlines()[-1])
    assert seen["orm"] == []
    assert seen["cards"], "the board was not on screen yet"


_OPEN_PROBE = """
import json, sqlite3, sys
sys.argv = ["leankanban", *json.loads(sys.argv[1])]
import leankanban.cli as cli
import leankanban.tui.app as tui_app
seen = {}
def recorder(services, board=None):
    seen.update(services=type(services).__name__, orm="sqlalchemy" in sys.modules, board=board)
tui_app.run_tui = recorder
try:
    cli.main()
except SystemExit as done:
    seen["exit"] = done.code
print(json.dumps(seen), file=sys.stderr)
"""


def opened(*args: str) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-c", _OPEN_PROBE, json.dumps(list(args))], capture_output=True, text=True, timeout=60)
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stderr


def test_a_new_database_is_opened_the_usual_way_before_the_screen(tmp_path):
    """A new file gets its schema and the default board as before; then the board opens."""
    seen, _ = opened("--db", str(tmp_path / "new.db"))
    assert seen == {"services": "LeanKanban", "orm": True, "board": None, "exit": 0}
    names = [name for (name,) in sqlite3.connect(tmp_path / "new.db").execute("SELECT name FROM board")]
    assert names == ["pipeline"]


def test_an_existing_board_opens_on_its_first_read(tmp_path):
    db = _small_board(tmp_path)
    seen, _ = opened("--db", db, "--board", "PIPELINE")
    assert seen == {"services": "StartingServices", "orm": False, "board": "PIPELINE", "exit": 0}


def test_an_unknown_board_is_refused_with_the_usual_sentence(tmp_path):
    db = _small_board(tmp_path)
    seen, stderr = opened("--db", db, "--board", "nope")
    assert seen == {"exit": 4}
    assert "nope" in stderr and "pipeline" in stderr
