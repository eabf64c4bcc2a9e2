"""`deals` on an existing, current SQLite file reads it without the services (no SQLAlchemy,
bench/README.md "Start-up"), and lists what the services would, filters and all."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

from leankanban.services import LeanKanban
from tests.store.test_first_read import _every_field

#: Each filter as JSON, and the whole list as CSV and as the table (with the hostile titles).
ARGS = [
    *([*f, "-f", "json"] for f in (
        [], ["--stage", "qualifying"], ["--status", "won"], ["--owner", "BOB"], ["--search", "acme"], ["--blocked"],
        ["--stalled"], ["--needs-review"],
    )),
    ["-f", "csv"],
    [],
]  # fmt: skip

_PROBE = """
import json, sys
sys.argv = ["leankanban", *json.loads(sys.argv[1])]
from leankanban.cli import main
try:
    main()
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "orm": sorted(m for m in ("sqlalchemy", "sqlmodel", "leankanban.services") if m in sys.modules)}), file=sys.stderr)
"""


def _main(*args: str) -> tuple[dict, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(args))], capture_output=True, text=True, timeout=60,
        env={"LEANKANBAN_USER": "ann", "COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout, done.stderr


@pytest.mark.parametrize("args", ARGS)
def test_deals_without_the_services_lists_what_they_would(lk_sqlite: LeanKanban, sqlite_url: str, invoke, monkeypatch, args):
    _every_field(lk_sqlite)
    seen, fast, stderr = _main("--db", sqlite_url, "deals", *args)
    assert seen == {"code": 0, "orm": []}, stderr
    # The services' way (a replaced services class turns the first read off), on the real clock.
    from leankanban.commands import state as state_module

    monkeypatch.setattr(state_module, "LeanKanban", functools.partial(LeanKanban))
    usual = invoke("--db", sqlite_url, "deals", *args, env={"COLUMNS": "200"})
    assert usual.exit_code == 0, usual.stderr
    assert fast == usual.stdout
    if "json" in args:
        assert json.loads(fast), "the filter left nothing to compare"


def test_deals_on_a_new_database_opens_it_the_usual_way(tmp_path):
    seen, out, stderr = _main("--db", str(tmp_path / "new.db"), "deals", "-f", "json")
    assert seen == {"code": 0, "orm": ["leankanban.services", "sqlalchemy", "sqlmodel"]}, stderr
    assert json.loads(out) == []


def test_deals_with_an_unknown_stage_or_board_says_so_as_before(lk_sqlite: LeanKanban, sqlite_url: str):
    seen, _, stderr = _main("--db", sqlite_url, "deals", "--stage", "Nowhere")
    assert seen["code"] == 4 and seen["orm"] == []
    assert stderr.splitlines()[0].startswith("There is no stage")
    seen, _, stderr = _main("--db", sqlite_url, "--board", "nope", "deals")
    assert seen["code"] == 4
    assert stderr.splitlines()[0].startswith("There is no board 'nope'")
