"""Reading messy export files: size, encodings, control characters, delimiters, CSV tables.

The values in the cells (dates, amounts, booleans) are read by values.py,
whose parsers raise `ValueProblem` (a ValueError) with a short reason; the
format modules turn it into `ImportFailed` naming the file, line and column.

What a file may be: at most MAX_FILE_BYTES, a regular file or a pipe (not a
folder or a device). Control characters in a cell are text
(`control_warning` says so once); NUL bytes are binary. Text is in one
encoding throughout: a file mixing UTF-8 and Windows-1252 lines is refused.

Encodings and dates are read here, not by charset-normalizer or
python-dateutil: measured, charset-normalizer took short or large
Windows-1252 exports for cp1125/cp775/cp1250 and read a mixed file as
mojibake without a word, and dateutil reads `13/01/2024` as 13 January
without the day-first hint, fills `5` or `Jan 2024` from today's date and
is about 12 times slower per value; each adds 12-16 ms to the import.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from leankanban.importers.errors import ImportFailed

DELIMITERS = (",", ";", "\t", "|")
MAX_FILE_BYTES = 512 * 1024 * 1024
"""The most an import reads from one file (512 MiB); a larger file is refused unread past this."""
_CHUNK = 1024 * 1024
_WIDE_OVER = 1024 * 1024  # a decoded file of more characters than this, stored wide, keeps its bytes
_BYTE_LINES = ("utf-8", "cp1252", "latin-1")  # codecs whose \r and \n are single bytes of their own
_WIDE = re.compile("[^\x00-\xff]")  # one such character and Python stores every one in 2 or 4 bytes


# --------------------------------------------------------------------- files


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file's name (for messages) and its bytes; once `decoded()`, its text in their place.

    Or, for a big file whose text Python would store at 2 or 4 bytes a
    character (one character past U+00FF is enough), its checked bytes in
    `codec`, BOM and end-of-file marker cut, which tables read a line at a time.
    """

    name: str
    data: bytes
    text: str | None = None
    codec: str | None = None

    def decoded(self) -> RawFile:
        """This file with its text instead of its bytes (or its checked bytes), so the rest can be let go.

        Raises ImportFailed as `decode` does. A big export's bytes and text
        held together were a third of an import's peak memory (bench/README.md, Import).
        """
        if self.text is not None or self.codec is not None:
            return self
        text, codec, start = _decode(self)
        if codec in _BYTE_LINES and len(text) > _WIDE_OVER and not text.isascii() and _WIDE.search(text):
            end = len(self.data) - (1 if self.data.endswith(b"\x1a") else 0)
            return RawFile(self.name, self.data[start:end], codec=codec)
        return RawFile(self.name, b"", text)

    @classmethod
    def read(cls, path: str | Path) -> RawFile:
        """The bytes of a regular file or a pipe, at most MAX_FILE_BYTES of them.

        Folders and devices (`/dev/zero`, a terminal) are refused unread.
        """
        path = Path(path)
        try:
            mode = path.stat().st_mode
            if stat.S_ISDIR(mode):
                raise ImportFailed(path.name, None, None, "it is a folder, not a file")
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise ImportFailed(path.name, None, None, "it is a device, not a file; give the path of an export file")
            with path.open("rb", buffering=0) as stream:
                data = read_limited(stream, MAX_FILE_BYTES)
        except OSError as err:
            reason = err.strerror or type(err).__name__
            raise ImportFailed(path.name, None, None, f"the file cannot be read ({reason})") from None
        if data is None:
            raise ImportFailed(
                path.name, None, None,
                f"it is larger than {size_text(MAX_FILE_BYTES)}, the most an import reads; "
                "split the export or filter it first",
            )
        return cls(path.name, data)


def read_limited(stream: IO[bytes], limit: int) -> bytes | None:
    """All of `stream` if it holds at most `limit` bytes, else None; never reads more than limit + 1."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks) if total <= limit else None


def size_text(size: int) -> str:
    """`512 MiB`, `1.5 MiB`, `1024 bytes`."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.4g} MiB"
    return f"{size} bytes"


_MAGIC = (
    (b"PK\x03\x04", "it is a ZIP archive or an Excel workbook (.xlsx); save it as CSV first"),
    (b"\xd0\xcf\x11\xe0", "it is an old Excel workbook (.xls); save it as CSV first"),
    (b"%PDF", "it is a PDF document, not an export"),
    (b"\x1f\x8b", "it is a gzip archive; unpack it first"),
)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0x1B: "ESC", 0x7F: "DEL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF"}
_BINARY_SHARE = 0.3  # a sample with more control characters than this is not text


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _binary(file: str, data: bytes, index: int) -> ImportFailed:
    line = data.count(b"\n", 0, index) + 1
    column = index - (data.rfind(b"\n", 0, index) + 1) + 1
    return ImportFailed(file, line, column, "it holds binary data (a NUL byte), not text")


def _looks_utf16(data: bytes) -> str | None:
    """The codec of BOM-less UTF-16 text (mostly ASCII), or None."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.6 * half and even == 0:
        return "utf-16-le"
    if even > 0.6 * half and odd == 0:
        return "utf-16-be"
    return None


def decode(raw: RawFile) -> str:
    """The text of `raw`: UTF-8 (BOM or not), UTF-16/32 by BOM, else Windows-1252.

    Raises ImportFailed for binary content (NUL bytes, mostly control bytes,
    known binary formats), for text broken in a way no encoding explains,
    and for lines of UTF-8 mixed with lines that are not (naming the first
    line that differs from the rest). A `decoded()` file gives its text.
    """
    if raw.text is not None:
        return raw.text
    if raw.codec is not None:
        return raw.data.decode(raw.codec)
    return _decode(raw)[0]


def head_text(raw: RawFile, text: str | None = None) -> str:
    """`text`, or the start of the file's text (at least 64 KiB of it when there is that much)."""
    if text is not None:
        return text
    if raw.text is None and raw.codec is not None:
        return raw.data[:65536].decode(raw.codec, "ignore")  # a character cut at the end is left out
    return decode(raw)


def text_chunks(raw: RawFile) -> Iterable[str]:
    """The file's text in pieces that end at line ends (for a `decoded()` file holding bytes)."""
    if raw.text is not None or raw.codec is None:
        yield decode(raw)
        return
    data, start = raw.data, 0
    while start < len(data):
        end = data.find(b"\n", start + _CHUNK)
        end = len(data) if end < 0 else end + 1
        yield data[start:end].decode(raw.codec)
        start = end


def _decode(raw: RawFile) -> tuple[str, str, int]:
    """decode's text, the codec that read it and where the text starts in the bytes (after a BOM)."""
    data, file = raw.data, raw.name
    codec: str | None = None
    start = 0
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            codec, start = name, len(bom)
            break
    if codec is None:
        for magic, reason in _MAGIC:
            if data.startswith(magic):
                raise ImportFailed(file, None, None, reason)
        if b"\x00" in data:
            codec = _looks_utf16(data)
            if codec is None:
                raise _binary(file, data, data.index(b"\x00"))
    if codec is not None:
        try:
            text = data[start:].decode(codec)
        except UnicodeDecodeError as err:
            raise ImportFailed(
                file, None, None, f"it is not valid {codec.upper()} text (bad bytes at offset {err.start + start})"
            ) from None
    else:
        codec = "utf-8"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            _refuse_mixed(file, data)
            codec = "cp1252"
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                codec = "latin-1"
                text = data.decode("latin-1")
    if text.endswith("\x1a"):  # DOS end-of-file marker
        text = text[:-1]
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _position(text, nul)
        raise ImportFailed(file, line, column, "it holds binary data (a NUL byte), not text")
    sample = text[:4096]
    if len(sample) >= 64 and len(_CONTROL.findall(sample)) > _BINARY_SHARE * len(sample):
        raise ImportFailed(file, None, None, "it holds binary data (mostly control bytes), not text")
    return text, codec, start


def _refuse_mixed(file: str, data: bytes) -> None:
    """Raise ImportFailed when some lines are UTF-8 and others are not (text saved twice, two ways)."""
    if data.decode("utf-8", "replace").replace("\ufffd", "").isascii():
        return  # not one valid UTF-8 sequence: a legacy encoding throughout
    utf8: list[int] = []
    other: list[int] = []
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    if not utf8 or not other:
        return
    if len(other) <= len(utf8):
        line = other[0]
        what = "this line is not UTF-8 like the rest (it looks like Windows-1252); save the export again as UTF-8"
    else:
        line = utf8[0]
        what = "this line is UTF-8 while the rest is Windows-1252; save the export again in one encoding"
    raise ImportFailed(file, line, None, f"the encoding changes within the file: {what}")


def control_warning(file: str, text: str | Iterable[str]) -> str | None:
    """One warning naming the lines of `text` (or of its pieces, `text_chunks`) that hold control characters, or None.

    Such characters (an ESC pasted into a deal title) are kept as text; the
    warning tells the user they are there. Tab, CR and LF are not counted.
    """
    lines: list[int] = []
    code = 0
    base = 1  # the line a piece starts on
    for piece in [text] if isinstance(text, str) else text:
        first = _CONTROL.search(piece)
        if first is not None:
            code = code or ord(first.group())
            line, seen = base, 0
            for match in _CONTROL.finditer(piece, first.start()):
                line += piece.count("\n", seen, match.start())
                seen = match.start()
                if not lines or lines[-1] != line:
                    lines.append(line)
        base += piece.count("\n")
    if not lines:
        return None
    if len(lines) == 1:
        name = _CONTROL_NAMES.get(code, f"U+{code:04X}")
        return f"{file} line {lines[0]} holds a control character ({name}); the text was kept as written."
    shown = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
    return f"{file} has control characters on {len(lines)} lines ({shown}); the text was kept as written."


def load_json(raw: RawFile, text: str | None = None) -> Any:
    """The JSON document in `raw`; broken, too deeply nested or over-long numbers are ImportFailed."""
    if text is None:
        text = decode(raw)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFailed(raw.name, err.lineno, err.colno, f"the JSON is broken or cut short ({err.msg})") from None
    except RecursionError:
        raise ImportFailed(raw.name, None, None, "the JSON is nested too deeply") from None
    except ValueError:  # int() refuses numbers of more than sys.get_int_max_str_digits() digits
        raise ImportFailed(raw.name, None, None, "the JSON holds a number too long to read") from None


# --------------------------------------------------------------------- tables


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().strip('"').split()).casefold()


@dataclass(slots=True)
class Table:
    """A CSV file as a header and rows; each row keeps the line it starts on."""

    file: str
    header: list[str]
    rows: Rows | list[tuple[int, list[str]]]
    header_line: int = 1
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, name in enumerate(self.header):
            self._index.setdefault(normalise_header(name), i)

    def find(self, *names: str) -> int | None:
        """Index of the first of `names` present (case/space-insensitive), or None."""
        for name in names:
            index = self._index.get(normalise_header(name))
            if index is not None:
                return index
        return None

    def require(self, *names: str) -> int:
        index = self.find(*names)
        if index is None:
            wanted = " or ".join(f"'{n}'" for n in names)
            raise ImportFailed(
                self.file, self.header_line, names[0], f"the header has no {wanted} column"
            )
        return index

    def has(self, *names: str) -> bool:
        return self.find(*names) is not None

    def fail(self, line: int, index: int, message: str) -> ImportFailed:
        return ImportFailed(self.file, line, self.header[index], message)


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; tab | outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:65536]:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in counts:
                counts[char] += 1
            elif char in "\r\n":
                break
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


# A line as a file opened with newline="" reads it: up to and with its \n, \r\n or lone \r.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")
_BYTE_LINE = re.compile(rb"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


class _Lines:
    """The lines of `text` from index `start` on, without copying the text (an `io.StringIO`
    holds a copy at 4 bytes a character); `end` is the index where the last line given ends.

    `text` may be bytes in `codec` (one of _BYTE_LINES), each line decoded as it is read.
    """

    __slots__ = ("_found", "_codec", "end")

    def __init__(self, text: str | bytes, start: int, codec: str | None = None) -> None:
        self._found: Iterator[re.Match[Any]] = (
            _LINE.finditer(text, start) if codec is None else _BYTE_LINE.finditer(text, start)  # type: ignore[arg-type]
        )
        self._codec = codec
        self.end = start

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        found = next(self._found)
        self.end = found.end()
        return found.group() if self._codec is None else found.group().decode(self._codec)


class _Records:
    """The records of delimited `text` from index `begin` that are not blank, as (line, cells).

    Lines count from `begin`, plus `offset` (an Excel `sep=` line). While
    reading, `next_line`/`next_start` are the line and index where the next
    record begins (where a csv.Error arose), `last_line`/`last_start` those of
    the last record begun (blank ones too).
    """

    def __init__(self, text: str | bytes, begin: int, delimiter: str, offset: int, codec: str | None = None) -> None:
        self.text, self.begin, self.delimiter, self.offset, self.codec = text, begin, delimiter, offset, codec
        self.next_line = self.last_line = 1
        self.next_start = self.last_start = begin

    def tail(self, start: int) -> tuple[str, int]:
        """The text from index `start` on: the text and `start`, or the bytes from there decoded and 0."""
        if isinstance(self.text, str):
            return self.text, start
        return self.text[start:].decode(self.codec or "utf-8"), 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        lines = _Lines(self.text, self.begin, self.codec)
        reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"', doublequote=True)
        self.next_line, self.next_start = 1, self.begin
        for record in reader:
            self.last_line, self.last_start = self.next_line, self.next_start
            self.next_line, self.next_start = reader.line_num + 1, lines.end
            if record and "".join(record).strip():
                yield self.last_line + self.offset, record


class Rows:
    """A table's rows, (line, cells) with the cells padded to the header's width.

    Read from the text each time they are iterated, so that a big file's
    cells are not all held at once: only the row being read (read_table has
    checked the whole file first). Compares equal to the list of its rows.
    """

    __slots__ = ("_records", "_width", "_count")

    def __init__(self, records: _Records, width: int, count: int) -> None:
        self._records, self._width, self._count = records, width, count

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        width = self._width
        records = iter(self._records)
        next(records, None)  # the header
        for line, record in records:
            if len(record) < width:
                record.extend([""] * (width - len(record)))
            yield line, record

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Rows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({list(self)!r})"


def read_table(raw: RawFile, text: str | None = None, *, rows_required: bool = True) -> Table:
    """Parse `raw` as delimited text with a header row.

    Handles an Excel `sep=;` first line, quoted newlines and blank lines; rows
    are padded to the header's width. Raises ImportFailed when the file is
    empty, has a header but no rows (unless not `rows_required`), has a quote
    that is never closed, or is otherwise malformed CSV.

    The whole file is read here, so that these errors come before any row is
    used; the table's `rows` are then read again as they are iterated (Rows).
    """
    source: str | bytes
    if text is None and raw.text is None and raw.codec is not None:  # a big file read from its bytes
        source, codec = raw.data, raw.codec
        end = source.find(b"\n")
        first = (source if end < 0 else source[:end]).decode(codec).strip()
    else:
        source, codec = (decode(raw) if text is None else text), None
        end = source.find("\n")
        first = (source if end < 0 else source[:end]).strip()
    begin, offset = 0, 0
    delimiter: str | None = None
    if first.lower().startswith("sep=") and len(first) == 5:
        delimiter = first[4]
        begin, offset = (len(source) if end < 0 else end + 1), 1
    if delimiter is None:
        delimiter = sniff_delimiter(head_text(raw, source if isinstance(source, str) else None))
    records = _Records(source, begin, delimiter, offset, codec)
    header: list[str] | None = None
    header_line = 1
    count = 0
    try:
        for line, record in records:
            if header is None:
                header = [cell.replace("\ufeff", "").strip() for cell in record]
                header_line = line
            else:
                count += 1
    except csv.Error as err:
        _refuse_open_quote(raw.name, *records.tail(records.next_start), records.next_line, delimiter, offset)
        raise ImportFailed(raw.name, records.next_line + offset, None, f"the CSV is malformed ({err})") from None
    _refuse_open_quote(raw.name, *records.tail(records.last_start), records.last_line, delimiter, offset)
    if header is None:
        raise ImportFailed(raw.name, None, None, "the file is empty; nothing was imported")
    if rows_required and not count:
        raise ImportFailed(raw.name, None, None, "it has a header but no rows; nothing was imported")
    return Table(raw.name, header, Rows(records, len(header), count), header_line)


def _refuse_open_quote(file: str, text: str, index: int, start: int, delimiter: str, offset: int) -> None:
    """Raise ImportFailed if the record starting on line `start` (at `index`) opens a quote that never closes.

    Python's csv reader (not strict) would take the rest of the file as that
    one cell; only the last record can do so, so only its lines are scanned.
    """
    opened = _open_quote(text, delimiter, index)
    if opened is None:
        return
    before = _LINE.findall(text, index, opened)
    ended = bool(before) and before[-1][-1:] in ("\n", "\r")
    line = start + offset + (len(before) if ended else max(len(before) - 1, 0))
    column = 1 if ended or not before else len(before[-1]) + 1
    raise ImportFailed(
        file, line, column,
        'a quote (") opens a cell here and is never closed, so the rest of the file would be that one cell',
    )


_FIELD_ENDS: dict[str, re.Pattern[str]] = {}


def _open_quote(text: str, delimiter: str, start: int = 0) -> int | None:
    """Index of a quote that opens a cell of `text` from `start` on and is never closed, read as csv does; or None."""
    ends = _FIELD_ENDS.get(delimiter)
    if ends is None:
        ends = _FIELD_ENDS[delimiter] = re.compile(f"[{re.escape(delimiter)}\r\n]")
    i, n = start, len(text)
    while i < n:
        if text[i] == '"':  # a quote at the start of a cell opens it
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    return i
                if text.startswith('"', k + 1):
                    j = k + 2
                    continue
                break
            i = k + 1
        found = ends.search(text, i)
        if found is None:
            return None
        i = found.end()
    return None


def read_header(raw: RawFile, text: str) -> list[str]:
    """Just the header row, cheaply (for format detection)."""
    head = text[:65536]
    delimiter = sniff_delimiter(head)
    lines = head.split("\n", 1)
    if lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        delimiter = lines[0].strip()[4]
        head = lines[1] if len(lines) > 1 else ""
    try:
        for record in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
            if record and any(cell.strip() for cell in record):
                return [cell.replace("\ufeff", "").strip() for cell in record]
    except csv.Error:
        return []
    return []
