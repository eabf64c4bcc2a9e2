"""Start-up: `--help`, `--version` and shell completion load no database or TUI code.

Each runs `main()` in a fresh interpreter, as the `leankanban` script does,
then lists the heavy modules it loaded (the pattern of tests/test_layering.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "sqlmodel", "textual", "alembic", "psycopg")

_PROBE = """
import json, sys
args, watched = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["leankanban", *args]
from leankanban.cli import main
try:
    main()
except SystemExit as done:
    code = done.code or 0
else:
    code = 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & watched)
commands = sorted(m for m in sys.modules if m.startswith("leankanban.commands."))
print(json.dumps({"code": code, "heavy": heavy, "commands": commands}), file=sys.stderr)
"""


def loaded_by(args: list[str], env: dict[str, str] | None = None) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-V"], ["deals", "--help"], ["init", "--help"]])
def test_help_and_version_load_no_database_or_tui_code(args):
    report, out = loaded_by(args)
    assert (report["code"], report["heavy"]) == (0, [])
    assert out


def test_version_loads_no_command():
    report, out = loaded_by(["--db", "x.db", "--version"])
    assert out.startswith("leankanban ")
    assert report["commands"] == ["leankanban.commands.state"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("leankanban ", "deals"),  # the commands
        ("leankanban rep", "report"),  # one command
        ("leankanban deals --", "--stage"),  # a command's options
        ("leankanban import --", "--dry-run"),
    ],
)
def test_shell_completion_loads_no_database_or_tui_code(words, expected):
    current = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"_LEANKANBAN_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(current)}
    report, out = loaded_by([], env)
    assert (report["code"], report["heavy"]) == (0, [])
    assert expected in out.split()


def test_importing_the_cli_leaves_garbage_collection_alone():
    code = "import gc, leankanban.cli; print(gc.isenabled(), gc.get_freeze_count())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["True", "0"]


def test_a_command_loads_its_database_code_before_the_start_up_objects_are_frozen(tmp_path):
    """main() keeps collection off while the modules load, the database code included (bench/README.md)."""
    probe = (
        "import gc, json, sys\n"
        f"sys.argv = ['leankanban', '--db', {str(tmp_path / 'x.db')!r}, 'deals', '-f', 'json']\n"
        "from leankanban.cli import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
        "print(json.dumps([gc.isenabled(), gc.get_freeze_count(), 'sqlalchemy' in sys.modules]), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    enabled, frozen, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert enabled and loaded
    assert frozen > 80_000  # SQLAlchemy's and SQLModel's among them (--help freezes ~35,000)
