"""What the real `leankanban` script does with bytes that are not text on its command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_an_argument_that_is_not_utf8_is_one_sentence_and_changes_nothing(tmp_path: Path) -> None:
    # Python hands undecodable argv bytes over as lone surrogates, which the database
    # refused with a UnicodeEncodeError traceback.
    db = tmp_path / "x.db"
    result = subprocess.run(
        [sys.executable, "-m", "leankanban", "--db", str(db), "add", b"Evil \x9b31m \xff"],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"},
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.decode() == "Argument 4 (Evil \\x9b31m \\xff) is not UTF-8 text; type it again in a UTF-8 terminal.\n"
    assert not db.exists()
