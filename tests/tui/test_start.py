"""Start-up of the board screen (issue 10): what `leankanban` with no command loads first.

Each probe runs `main()` in a fresh interpreter, as the `leankanban` script
does, with `_open_tui` replaced by a recorder, so Textual never starts.
"""

from __future__ import annotations

import json
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
