"""A database that fails under a real command: one sentence, the documented exit code, no data, the database intact."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from leankanban.services import LeanKanban, open_database
from leankanban.store import repository
from tests.store.broken import SmallDisk, as_a_user, damage_table, digest, integrity, kill_backend, run_cli


def titles(path: Path | str) -> list[str]:
    engine = open_database(str(path))
    try:
        return [d.title for d in LeanKanban(engine).list_deals()]
    finally:
        engine.dispose()


def test_a_full_disk_is_one_sentence_and_exit_6(invoke, one_sentence, tmp_path):
    disk = SmallDisk(tmp_path / "disk")
    try:
        db = disk.folder / "x.db"
        assert invoke("--db", str(db), "add", "Before").exit_code == 0
        disk.fill()
        result = invoke("--db", str(db), "add", "Secret Corp", "--account", "Secret Corp")
        assert result.exit_code == 6, (disk.method, result.stderr)
        line = one_sentence(result.stderr)
        assert line == f"The disk holding the database {db} is full; nothing was saved (free some space and try again)."
        disk.free()
        assert integrity(db) == "ok"
        assert titles(db) == ["Before"]
        assert invoke("--db", str(db), "add", "After").exit_code == 0
    finally:
        disk.close()


def test_a_damaged_page_is_one_sentence_and_the_file_is_left_alone(run, one_sentence, sqlite_url):
    assert run("add", "Secret Corp", "--value", "120000").exit_code == 0
    db = Path(sqlite_url)
    damage_table(db, "deal")
    before = digest(db)
    result = run("deals")
    assert result.exit_code == 6
    line = one_sentence(result.stderr)
    assert line.startswith(f"The database {db} is damaged (database disk image is malformed); nothing was changed")
    assert "Secret" not in line and "120000" not in line
    assert digest(db) == before


def test_a_read_only_file_reads_and_refuses_changes_in_one_sentence(invoke, tmp_path):
    db = tmp_path / "x.db"
    assert invoke("--db", str(db), "add", "Acme").exit_code == 0
    os.chmod(db, 0o400)
    before = digest(db)

    listed = run_cli("--db", str(db), "deals", "-f", "json", **as_a_user())
    assert listed.returncode == 0, listed.stderr
    assert '"Acme"' in listed.stdout

    refused = run_cli("--db", str(db), "add", "Secret Corp", **as_a_user())
    assert refused.returncode == 6
    assert refused.stderr.splitlines() == [
        f"The database {db} is read-only (check the permissions of the file and its folder); nothing was saved."
    ]
    assert digest(db) == before


def test_a_read_only_folder_is_one_sentence(invoke, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "x.db"
    assert invoke("--db", str(db), "add", "Acme").exit_code == 0
    folder.chmod(0o500)  # SQLite cannot make x.db-wal and x.db-shm beside it
    before = digest(db)
    for args in (["deals"], ["add", "Secret Corp"]):
        done = run_cli("--db", str(db), *args, **as_a_user())
        assert done.returncode == 6, done.stderr
        assert done.stderr.splitlines() == [
            f"The database {db} is read-only (check the permissions of the file and its folder); it cannot be opened."
        ]
    assert digest(db) == before
    folder.chmod(0o700)


@pytest.mark.postgres
def test_a_lost_postgresql_connection_is_one_sentence_and_exit_6(invoke, one_sentence, pg_url, monkeypatch):
    assert invoke("--db", pg_url, "add", "Secret Corp").exit_code == 0
    read_deals = repository.deals

    def deals_after_the_server_drops_us(*, session, **kwargs):  # type: ignore[no-untyped-def]
        kill_backend(pg_url, session.execute(text("SELECT pg_backend_pid()")).scalar_one())
        return read_deals(session=session, **kwargs)

    monkeypatch.setattr(repository, "deals", deals_after_the_server_drops_us)
    result = invoke("--db", pg_url, "deals")
    assert result.exit_code == 6
    line = one_sentence(result.stderr)
    assert line.startswith("The connection to the database postgresql://postgres@127.0.0.1:5432/test")
    assert "was lost" in line and "Secret" not in line
    monkeypatch.undo()
    assert titles(pg_url) == ["Secret Corp"]


@pytest.mark.postgres
def test_two_first_commands_at_once_on_an_empty_postgresql_database(pg_url):
    """Two terminals start on a new team database at the same moment: both work, one board."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEANKANBAN_")}
    command = [sys.executable, "-m", "leankanban", "--db", pg_url, "boards", "-f", "json"]
    children = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    results = [(child.wait(timeout=60), *child.communicate()) for child in children]
    for code, _out, err in results:
        assert (code, err) == (0, "")
    engine = open_database(pg_url)
    assert [b.name for b in LeanKanban(engine).list_boards()] == ["pipeline"]
    engine.dispose()
