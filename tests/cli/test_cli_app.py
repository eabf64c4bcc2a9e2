"""The app as a whole: version, help, the TUI entry, database location, errors."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from leankanban import __version__
from leankanban.services import LeanKanban, open_database

COMMANDS = ["add", "move", "edit", "history", "deals", "board", "boards", "init", "stages", "stage"]
STAGE_COMMANDS = ["set", "add", "rename", "remove", "reorder"]


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"leankanban {__version__}\n"


def test_help_lists_every_command_and_the_exit_codes(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f" {command} " in result.stdout, command
    for code in ("3 refused by a board policy", "4 not found", "5 conflict", "6 database error"):
        assert code in result.stdout


@pytest.mark.parametrize("args", [[c] for c in COMMANDS] + [["stage", c] for c in STAGE_COMMANDS])
def test_every_command_has_help_with_a_description(invoke, args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout
    description = result.stdout.split("Usage:")[1].splitlines()[2].strip()
    assert description.endswith("."), (args, description)


def test_shell_completion_is_offered(invoke):
    result = invoke("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


@pytest.fixture
def fake_tui(monkeypatch) -> list[tuple[LeanKanban, str | None]]:
    """Stand in for leankanban.tui.app so these tests never start Textual."""
    calls: list[tuple[LeanKanban, str | None]] = []
    module = types.ModuleType("leankanban.tui.app")
    module.run_tui = lambda services, board=None: calls.append((services, board))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "leankanban.tui.app", module)
    return calls


def test_no_command_opens_the_tui_on_a_new_database(invoke, fake_tui, tmp_path):
    db = tmp_path / "leankanban.db"  # in a folder that exists: a missing one is refused
    result = invoke("--db", str(db), "--board", "pipeline")
    assert result.exit_code == 0, result.stderr
    [(services, board)] = fake_tui
    assert board == "pipeline"
    assert [b.name for b in services.list_boards()] == ["pipeline"]
    assert db.exists()


def test_no_command_with_an_unknown_board_fails_before_the_tui(run, fake_tui, one_sentence):
    result = run("--board", "nope")
    assert result.exit_code == 4
    assert one_sentence(result.stderr).startswith("There is no board 'nope'")
    assert fake_tui == []


def test_help_and_commands_do_not_import_textual(tmp_path):
    script = f"""
import json, sys
from typer.testing import CliRunner
from leankanban.cli import app
db = {str(tmp_path / "x.db")!r}
codes = [CliRunner().invoke(app, args).exit_code for args in (
    ["--help"], ["--version"], ["--db", db, "add", "Acme"], ["--db", db, "deals"],
    ["--db", db, "board"], ["--db", db, "stages", "-f", "json"], ["--db", db, "history", "1"],
)]
print(json.dumps({{"codes": codes, "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("leankanban.tui"))}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"codes": [0, 0, 0, 0, 0, 0, 0], "textual": []}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "-f", "json"], "report"),
        (["--db", "x.db", "-b", "pipeline", "move", "3", "Won"], "move"),
        (["--db", "report", "deals"], "deals"),  # a global option's value is not the command
        (["--board", "sprint", "sprint", "show"], "sprint"),
        (["--help"], None),
        ([], None),
        (["reprot"], None),  # unknown: the whole app, so click can suggest the right name
        (["--", "report"], None),
    ],
)
def test_main_finds_the_command_it_was_asked_for(args, expected):
    from leankanban.cli import command_named

    assert command_named(args) == expected


def test_main_loads_only_the_module_of_the_command_run(tmp_path):
    script = f"""
import json, sys
sys.argv = ["leankanban", "--db", {str(tmp_path / "x.db")!r}, "report", "-f", "json"]
from leankanban.cli import main
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
loaded = sorted(m for m in sys.modules if m.startswith(("leankanban.commands.", "leankanban.importers", "leankanban.tui")))
print(json.dumps(loaded), file=sys.stderr)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["board"] == "pipeline"
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == ["leankanban.commands.report", "leankanban.commands.state"]


def test_python_dash_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "leankanban", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"leankanban {__version__}\n"


# --- where the database is ------------------------------------------------------------


def deal_titles(path: Path) -> list[str]:
    engine = open_database(str(path))
    try:
        return [d.title for d in LeanKanban(engine).list_deals()]
    finally:
        engine.dispose()


def test_the_environment_chooses_the_database(invoke, tmp_path):
    env_db = tmp_path / "env.db"
    assert invoke("add", "From env", env={"LEANKANBAN_DB": str(env_db)}).exit_code == 0
    assert deal_titles(env_db) == ["From env"]


def test_the_db_flag_wins_over_the_environment(invoke, tmp_path):
    env_db, flag_db = tmp_path / "env.db", tmp_path / "flag.db"
    result = invoke("--db", str(flag_db), "add", "From flag", env={"LEANKANBAN_DB": str(env_db)})
    assert result.exit_code == 0, result.stderr
    assert deal_titles(flag_db) == ["From flag"]
    assert not env_db.exists()


def test_without_flag_or_environment_the_user_data_folder_is_used(invoke, tmp_path, monkeypatch):
    from leankanban.config import default_db_path

    if sys.platform != "linux":
        pytest.skip("XDG_DATA_HOME decides the user data folder on Linux only")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = default_db_path()
    assert expected.is_relative_to(tmp_path)
    result = invoke("add", "First run")
    assert result.exit_code == 0, result.stderr
    assert deal_titles(expected) == ["First run"]


# --- a database that cannot be used ------------------------------------------------


def test_a_directory_as_database_gives_one_sentence_and_exit_6(invoke, tmp_path, one_sentence):
    result = invoke("--db", str(tmp_path), "deals")
    assert result.exit_code == 6
    assert one_sentence(result.stderr) == f"Cannot open the database {tmp_path}: unable to open database file."


def test_an_unreachable_postgresql_url_gives_one_sentence_without_the_password(invoke, one_sentence):
    result = invoke("--db", "postgresql://sales:s3cret@127.0.0.1:1/leankanban", "deals")
    assert result.exit_code == 6
    line = one_sentence(result.stderr)
    assert line.startswith("Cannot open the database postgresql://sales:***@127.0.0.1:1/leankanban:")
    assert "s3cret" not in line and line.endswith(".")


def test_an_unsupported_url_gives_one_sentence(invoke, one_sentence):
    result = invoke("--db", "mongodb://localhost/x", "deals")
    assert result.exit_code == 6
    assert "not a supported database" in one_sentence(result.stderr)


@pytest.mark.parametrize(
    "target",
    [
        "postgresql://u:pw@h:abc/db",  # a port that is not a number
        "://u:pw@h",  # no URL at all
        "mongodb://u:pw@h/db",  # an unknown scheme, password in the user part
        "mongodb://h/db?password=pw",  # ... and in the query
        "postgresql://u@127.0.0.1:1/db?password=pw",  # a server that does not answer
    ],
)
def test_a_bad_database_url_is_one_sentence_with_its_password_hidden(invoke, one_sentence, target):
    result = invoke("--db", target, "deals")
    assert result.exit_code == 6
    line = one_sentence(result.stderr)
    assert "pw" not in line and "***" in line and line.endswith(".")


# --- a path whose folder does not exist ---------------------------------------------


def test_a_database_in_a_missing_folder_is_refused_with_how_to_create_it(invoke, tmp_path, one_sentence):
    db = tmp_path / "typo" / "dir" / "x.db"
    result = invoke("--db", str(db), "deals")
    assert result.exit_code == 6
    line = one_sentence(result.stderr)
    assert line == (
        f"There is no folder {db.parent} for the database {db}; if the path is right, "
        f"run `leankanban init --db {db}` to create it."
    )
    assert not (tmp_path / "typo").exists()


def test_a_missing_folder_in_the_environment_is_refused_too(invoke, tmp_path, one_sentence):
    db = tmp_path / "typo" / "x.db"
    result = invoke("add", "Acme", env={"LEANKANBAN_DB": str(db)})
    assert result.exit_code == 6
    assert "leankanban init --db" in one_sentence(result.stderr)
    assert not db.parent.exists()


@pytest.mark.parametrize("where", ["after init", "before init"])
def test_init_creates_the_folders_of_a_new_database(invoke, tmp_path, where):
    db = tmp_path / "new" / "dir" / "x.db"
    args = ["init", "--db", str(db)] if where == "after init" else ["--db", str(db), "init"]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Created board 'pipeline'")
    assert invoke("--db", str(db), "add", "Acme").exit_code == 0
    assert deal_titles(db) == ["Acme"]


def test_a_new_file_in_an_existing_folder_is_created_on_first_use(invoke, tmp_path):
    db = tmp_path / "fresh.db"
    result = invoke("--db", str(db), "add", "First")
    assert result.exit_code == 0, result.stderr
    assert deal_titles(db) == ["First"]


def test_a_database_from_a_newer_version_reads_and_refuses_changes(run, one_sentence, sqlite_url):
    from datetime import UTC, datetime

    from leankanban.store.migrations import applied_table

    assert run("add", "Acme").exit_code == 0
    engine = open_database(sqlite_url)
    with engine.begin() as conn:
        conn.execute(applied_table.insert().values(name="9999_newer", applied_at=datetime.now(UTC)))
    engine.dispose()
    listed = run("deals", "-f", "json")
    assert listed.exit_code == 0, listed.stderr
    assert [d["title"] for d in json.loads(listed.stdout)] == ["Acme"]
    refused = run("add", "Globex")
    assert refused.exit_code == 6
    assert one_sentence(refused.stderr) == (
        f"The database {sqlite_url} was changed by a newer leankanban (schema 9999_newer), so it is open "
        "read-only: upgrade leankanban (pip install -U leankanban) to change it."
    )
