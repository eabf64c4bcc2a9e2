"""The core never loads the TUI: `leankanban report` must not pay for Textual."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CORE = ["leankanban.domain.model", "leankanban.domain.rules", "leankanban.services", "leankanban.store.repository", "leankanban.config"]


def test_core_imports_without_textual():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.') or m.startswith('leankanban.tui')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_domain_is_pure():
    code = (
        "import sys\nimport leankanban.domain.model, leankanban.domain.rules, leankanban.domain.errors\n"
        "print(sorted(m for m in ('sqlalchemy','sqlmodel','textual','rich','typer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


#: What the board's first paint does without: each is imported by the key that opens it
#: (the charts and their libraries with the metrics and sprint screens; bench/README.md, "Start-up");
#: the database code (the ORM, the services) after the first board is on screen.
LAZY_FOR_THE_BOARD = [
    "sqlalchemy", "sqlmodel", "pydantic", "alembic", "leankanban.services", "leankanban.store.tables",
    "leankanban.store.repository", "leankanban.store.engine", "leankanban.store.migrations",
    "plotext", "matplotlib", "numpy", "leankanban.charts", "leankanban.metrics", "leankanban.reports",
    "leankanban.importers", "leankanban.commands", "leankanban.tui.widgets.plot", "leankanban.tui.widgets.deal_view",
    *(f"leankanban.tui.screens.{name}" for name in (
        "metrics", "sprint", "retros", "retro", "timelog", "deal", "deal_form", "discard", "help", "prompts",
        "qualify", "wip_override", "board_picker",
    )),
]


def test_opening_the_app_module_loads_no_screen_the_first_paint_does_not_show():
    code = (
        "import json, sys\nimport leankanban.tui.app, leankanban.store.first_read\n"
        f"lazy = {LAZY_FOR_THE_BOARD!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if any(m == x or m.startswith(x + '.') for x in lazy))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
