"""How much is read, and from what: a size cap, folders, devices and pipes."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from leankanban.importers import ImportFailed, RawFile, read_import, textio


def test_the_cap_is_a_documented_constant():
    assert textio.MAX_FILE_BYTES == 512 * 1024 * 1024


def test_a_file_over_the_cap_is_refused_in_one_sentence(write, monkeypatch):
    monkeypatch.setattr(textio, "MAX_FILE_BYTES", 1024)
    path = write("big.csv", b"title,stage\n" + b"A,Demo\n" * 200)
    with pytest.raises(ImportFailed) as err:
        read_import(path)
    assert str(err.value) == (
        "Cannot import big.csv: it is larger than 1024 bytes, the most an import reads; "
        "split the export or filter it first."
    )


def test_a_file_at_the_cap_is_read(write, monkeypatch):
    data = b"title,stage\nA,Demo\n"
    monkeypatch.setattr(textio, "MAX_FILE_BYTES", len(data))
    assert RawFile.read(write("d.csv", data)).data == data


def test_the_cap_is_named_in_mebibytes():
    assert textio.size_text(512 * 1024 * 1024) == "512 MiB"
    assert textio.size_text(1536 * 1024) == "1.5 MiB"


class _Endless(io.RawIOBase):
    """An endless stream that counts what was taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = len(buffer)
        buffer[:n] = b"a" * n
        self.taken += n
        return n


def test_never_more_than_the_cap_and_one_byte_is_read():
    stream = _Endless()
    assert textio.read_limited(stream, 3_000_000) is None
    assert stream.taken == 3_000_001


def test_a_folder_is_refused(tmp_path: Path):
    with pytest.raises(ImportFailed, match="it is a folder, not a file"):
        RawFile.read(tmp_path)


def test_a_device_is_refused_without_reading_it():
    with pytest.raises(ImportFailed) as err:
        RawFile.read("/dev/zero")
    assert str(err.value) == "Cannot import zero: it is a device, not a file; give the path of an export file."


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_read_up_to_the_cap(tmp_path: Path, monkeypatch):
    fifo = tmp_path / "deals.csv"
    os.mkfifo(fifo)
    data = b"title,stage\nA,Demo\n"

    def feed() -> None:
        with fifo.open("wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        assert RawFile.read(fifo).data == data
    finally:
        writer.join(5)

    monkeypatch.setattr(textio, "MAX_FILE_BYTES", 10)
    writer = threading.Thread(target=lambda: _feed_until_closed(fifo))
    writer.start()
    try:
        with pytest.raises(ImportFailed, match="larger than 10 bytes"):
            RawFile.read(fifo)
    finally:
        writer.join(5)
    assert not writer.is_alive()


def _feed_until_closed(fifo: Path) -> None:
    try:
        with fifo.open("wb") as pipe:
            for _ in range(1000):
                pipe.write(b"x" * 4096)
    except BrokenPipeError:
        pass
