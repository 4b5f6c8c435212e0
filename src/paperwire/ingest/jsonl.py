"""Reading JSON-lines files, plain or gzipped, line by line in constant memory."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 20
MAX_LINE_BYTES = 16 << 20  # a line longer than this is reported, not buffered


class FileProblem(Exception):
    """The file as a whole cannot be read (or stops being readable); the message is one line."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class Line:
    number: int
    data: bytes | None  # None when the line is unusable
    error: str | None = None


class LineReader:
    """Iterates the non-blank lines of a file; `position` is how far into the file (on disk) it has read."""

    def __init__(self, path: Path):
        self.path = path
        self.size = path.stat().st_size
        self._raw = path.open("rb")
        self.gzipped = self._raw.read(2) == b"\x1f\x8b"
        self._raw.seek(0)
        self._stream = gzip.GzipFile(fileobj=self._raw, mode="rb") if self.gzipped else self._raw

    @property
    def position(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()

    def __iter__(self) -> Iterator[Line]:
        too_long = f"line is longer than {MAX_LINE_BYTES >> 20} MiB"
        buffer = b""
        number = 0
        skipping = False  # inside a line that grew past MAX_LINE_BYTES: its start was dropped
        first = True
        while chunk := self._read_chunk(number + 1):
            if first:
                chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False  # a UTF-8 byte-order mark
            lines = (buffer + chunk).split(b"\n")
            buffer = lines.pop()  # the unfinished last line
            for line in lines:
                number += 1
                if skipping or len(line) > MAX_LINE_BYTES:
                    skipping = False
                    yield Line(number, None, too_long)
                elif line.strip():
                    yield Line(number, line)
            if len(buffer) > MAX_LINE_BYTES:
                skipping, buffer = True, b""
        if skipping or len(buffer) > MAX_LINE_BYTES:
            yield Line(number + 1, None, too_long)
        elif buffer.strip():
            yield Line(number + 1, buffer)

    def _read_chunk(self, line: int) -> bytes:
        try:
            # read1: at most one decompression step, so a truncated file loses only its unfinished tail
            return self._stream.read1(CHUNK_BYTES)
        except EOFError:
            raise FileProblem("the gzip stream ends early: the file is truncated", line) from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise FileProblem(f"the gzip data is corrupt ({exc})", line) from None
