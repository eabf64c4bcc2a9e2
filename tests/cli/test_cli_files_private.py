"""Every file a command writes is readable by its owner only (0600), like the database.

Backups and exports, reports in each format (the CSV family of four files too),
charts; under a permissive umask, and when the file already exists as 0644.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from leankanban.files import PRIVATE_MODE, open_private, write_private
from leankanban.services import LeanKanban

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")

CSV_FAMILY = ("stages", "deals", "next-steps", "discards")

#: (arguments after the output path is known, the files written).
COMMANDS = {
    "export json": (("export", "--output", "{out}"), "backup.json", ()),
    "export csv": (("export", "-f", "csv", "--bom", "-o", "{out}"), "deals.csv", ()),
    "report text": (("report", "--output", "{out}"), "standup.txt", ()),
    "report md": (("report", "-f", "md", "--output", "{out}"), "standup.md", ()),
    "report json": (("report", "-f", "json", "--output", "{out}"), "standup.json", ()),
    "report html": (("report", "-f", "html", "--output", "{out}"), "standup.html", ()),
    "report csv": (("report", "-f", "csv", "--output", "{out}"), "weekly.csv", CSV_FAMILY),
    "chart png": (("chart", "cfd", "--days", "30", "--output", "{out}"), "cfd.png", ()),
    "chart svg": (("chart", "throughput", "--days", "30", "--output", "{out}"), "throughput.svg", ()),
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def written(folder: Path, name: str, family: tuple[str, ...]) -> list[Path]:
    if not family:
        return [folder / name]
    stem = Path(name).stem
    return [folder / f"{stem}-{part}.csv" for part in family]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets everyone read what is created (0644 files by default)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def deals(lk_sqlite: LeanKanban) -> None:
    acme = lk_sqlite.add_deal("Acme", stage="Discovery", value="1200")
    lk_sqlite.win(acme.id)
    # A customer value lets it into Proposal (a new lean-sales board gates Proposal on it).
    lk_sqlite.add_deal("Globex", stage="Proposal", value="300", customer_value="Saves EUR 2k a year")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_written_file_is_readable_by_its_owner_only(run, deals, tmp_path: Path, open_umask, command):
    args, name, family = COMMANDS[command]
    out = tmp_path / name
    result = run(*(a.format(out=out) for a in args))
    assert result.exit_code == 0, result.output
    for path in written(tmp_path, name, family):
        assert path.stat().st_size > 0
        assert mode(path) == PRIVATE_MODE, f"{path.name} is {oct(mode(path))}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_existing_0644_file_is_tightened_when_overwritten(run, deals, tmp_path: Path, open_umask, command):
    args, name, family = COMMANDS[command]
    out = tmp_path / name
    paths = written(tmp_path, name, family)
    for path in paths:
        path.write_bytes(b"old content that is longer than nothing" * 100)
        path.chmod(0o644)
    result = run(*(a.format(out=out) for a in args))
    assert result.exit_code == 0, result.output
    for path in paths:
        assert mode(path) == PRIVATE_MODE, f"{path.name} is {oct(mode(path))}"
        assert b"old content" not in path.read_bytes()


# --- the helper itself ---------------------------------------------------------------------


def test_write_private_creates_0600_even_under_umask_zero(tmp_path: Path):
    old = os.umask(0)
    try:
        write_private(tmp_path / "a.txt", "héllo\n")
        write_private(tmp_path / "b.bin", b"\x00\x01")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.txt") == mode(tmp_path / "b.bin") == PRIVATE_MODE
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_write_private_keeps_newlines_as_asked(tmp_path: Path):
    write_private(tmp_path / "t.csv", "a\r\nb\n", newline="")
    assert (tmp_path / "t.csv").read_bytes() == b"a\r\nb\n"


def test_overwriting_replaces_a_longer_file_and_tightens_it(tmp_path: Path):
    path = tmp_path / "old.json"
    path.write_text("x" * 1000, encoding="utf-8")
    path.chmod(0o666)
    with open_private(path, "w", encoding="utf-8") as handle:
        assert mode(path) == PRIVATE_MODE  # before anything is written
        handle.write("{}")
    assert path.read_text(encoding="utf-8") == "{}"


def test_open_private_only_writes(tmp_path: Path):
    with pytest.raises(ValueError, match="writes files"):
        open_private(tmp_path / "x", "r")
    assert not (tmp_path / "x").exists()


def test_a_folder_is_not_a_file_to_write(run, deals, tmp_path: Path, one_sentence):
    result = run("export", "--output", str(tmp_path))
    assert result.exit_code == 1
    assert one_sentence(result.stderr).startswith(f"Cannot write {tmp_path}: ")
