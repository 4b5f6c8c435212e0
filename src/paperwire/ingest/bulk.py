"""Bulk import and export of JSON lines: streamed, batched, each bad record reported with file:line."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from paperwire.ingest.formats import FORMATS, detect_format, export_record, parse_record
from paperwire.ingest.jsonl import FileProblem, LineReader
from paperwire.models.papers import Paper
from paperwire.papers import InvalidPaper
from paperwire.storage import Store, UpsertOutcome, refused_value
from paperwire.storage.scratch import SeenIds

BATCH_SIZE = 2000
PROGRESS_EVERY = 1000  # records between progress updates


@dataclass(frozen=True, slots=True)
class Rejection:
    path: str
    line: int | None  # None when the whole file is the problem
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}" if self.line else f"{self.path}: {self.reason}"


@dataclass(slots=True)
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # records that were not stored
    failed_files: int = 0  # files that could not be read, or not to the end
    formats: dict[str, str] = field(default_factory=dict)  # path -> format used
    seconds: float = 0.0

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and self.failed_files == 0

    def summary(self) -> str:
        line = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.rejected} rejected"
        if self.failed_files:
            line += f", {self.failed_files} file{'s' if self.failed_files > 1 else ''} failed"
        rate = self.stored / self.seconds if self.seconds > 0 else 0.0
        return f"{line} ({self.seconds:.1f} s, {rate:,.0f} papers/s)"


class Progress:
    """What the importer tells a progress display; the default tells nothing."""

    def start_file(self, path: Path, size: int) -> None: ...
    def advance(self, position: int, records: int) -> None: ...
    def end_file(self) -> None: ...


def import_files(
    store: Store,
    paths: Iterable[Path | str],
    fmt: str = "auto",
    *,
    on_reject: Callable[[Rejection], None] = lambda r: None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import JSON-lines files into the store; bad records and files are passed to on_reject, never fatal."""
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: auto, {', '.join(FORMATS)}")
    report = ImportReport()
    started = time.perf_counter()
    for path in map(Path, paths):
        _import_file(store, path, fmt, report, on_reject, progress or Progress(), batch_size)
    report.seconds = time.perf_counter() - started
    return report


def _import_file(store, path, fmt, report, on_reject, progress, batch_size) -> None:
    def reject(line: int | None, reason: str) -> None:
        report.rejected += line is not None
        on_reject(Rejection(str(path), line, reason))

    problem = _unreadable(path)
    if problem:
        report.failed_files += 1
        reject(None, problem)
        return
    reader = LineReader(path)
    batch: list[tuple[int, Paper]] = []
    records = 0
    failed = False
    file_fmt = None if fmt == "auto" else fmt
    progress.start_file(path, reader.size)
    try:
        with SeenIds() as seen:
            try:
                for line in reader:
                    records += 1
                    paper, file_fmt = _parse_line(line, file_fmt, reject)
                    if paper is not None:
                        batch.append((line.number, paper))
                    if len(batch) >= batch_size:
                        _store_batch(store, batch, seen, report, reject)
                        batch = []
                    if records % PROGRESS_EVERY == 0:
                        progress.advance(reader.position, records)
            except FileProblem as exc:
                failed = True
                report.failed_files += 1
                reject(None, f"line {exc.line}: {exc}; the records before it were imported")
            except OSError as exc:
                failed = True
                report.failed_files += 1
                reject(None, f"reading stopped at line {records + 1}: {exc.strerror or exc}")
            if batch:
                _store_batch(store, batch, seen, report, reject)
            progress.advance(reader.position, records)
    finally:
        progress.end_file()
        reader.close()
    if file_fmt:
        report.formats[str(path)] = file_fmt
    if records == 0 and not failed:
        report.failed_files += 1
        reject(None, "the file has no records")


def _unreadable(path: Path) -> str | None:
    if not path.exists():
        return "no such file"
    if path.is_dir():
        return "is a directory; name the files in it instead (for example DIR/*.jsonl.gz)"
    if not path.is_file():
        return "is not a regular file"
    if path.stat().st_size == 0:
        return "the file is empty"
    try:
        path.open("rb").close()
    except OSError as exc:
        return f"cannot be opened: {exc.strerror or exc}"
    return None


def _parse_line(line, file_fmt, reject) -> tuple[Paper | None, str | None]:
    if line.error:
        reject(line.number, line.error)
        return None, file_fmt
    try:
        text = line.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        reject(line.number, f"not valid UTF-8 (byte 0x{line.data[exc.start]:02x} at offset {exc.start})")
        return None, file_fmt
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        reject(line.number, f"invalid JSON: {exc.msg} at column {exc.colno}")
        return None, file_fmt
    except RecursionError:
        reject(line.number, "invalid JSON: nested too deeply")
        return None, file_fmt
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        reject(line.number, f"invalid JSON: {str(exc).split(';')[0]}")
        return None, file_fmt
    if not isinstance(record, dict):
        reject(line.number, f"expected a JSON object, got {type(record).__name__}")
        return None, file_fmt
    this_fmt = file_fmt or detect_format(record)
    if this_fmt is None:
        keys = ", ".join(sorted(record)[:8]) or "none"
        reject(line.number, f"not a known record format (keys: {keys}); name one with --format")
        return None, file_fmt
    try:
        return parse_record(this_fmt, record), this_fmt
    except InvalidPaper as exc:
        reject(line.number, str(exc))
        return None, this_fmt
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # A value the checks above missed: still this record's problem, never the batch's.
        reject(line.number, f"cannot be read as a paper: {type(exc).__name__}: {str(exc)[:200]}")
        return None, this_fmt


def _store_batch(store: Store, batch: list[tuple[int, Paper]], seen: SeenIds, report, reject) -> None:
    earlier = seen.first_seen(p.id for _, p in batch)
    keep: list[Paper] = []
    for number, paper in batch:
        if paper.id in earlier:
            reject(number, f"id {paper.id} appears again (first at line {earlier[paper.id]}); kept the first")
            continue
        earlier[paper.id] = str(number)
        keep.append(paper)
    try:
        outcomes = store.papers.upsert_papers(keep)
    except Exception as exc:
        if not refused_value(exc):
            raise
        # The database refused a value the parsers let through: store the batch one paper at a time,
        # so only the record it refuses is rejected.
        outcomes, stored = [], []
        lines = {id(p): n for n, p in batch}
        for paper in keep:
            try:
                outcomes.extend(store.papers.upsert_papers([paper]))
                stored.append(paper)
            except Exception as one:
                if not refused_value(one):
                    raise
                reason = " ".join(str(one).split())[:200]
                reject(lines[id(paper)], f"the database refused it: {type(one).__name__}: {reason}")
        keep = stored
    seen.remember((p.id, earlier[p.id]) for p in keep)
    for outcome in outcomes:
        if outcome is UpsertOutcome.NEW:
            report.new += 1
        elif outcome is UpsertOutcome.UPDATED:
            report.updated += 1
        else:
            report.unchanged += 1


class RejectionLog:
    """Passes rejections on, but each kind of reason only once per file: the rest are counted and told
    at the end, so a file of a million repeated lines prints a few lines, not a million."""

    MAX_KINDS = 10_000  # kinds remembered; past this every new kind is printed as it comes

    def __init__(self, write: Callable[[str], None]):
        self.write = write
        self._kinds: dict[tuple[str, str], list] = {}  # (path, kind) -> [first rejection, repeats]

    def __call__(self, rejection: Rejection) -> None:
        if rejection.line is None:
            self.write(str(rejection))
            return
        key = (rejection.path, _kind(rejection.reason))
        seen = self._kinds.get(key)
        if seen is not None:
            seen[1] += 1
            return
        if len(self._kinds) < self.MAX_KINDS:
            self._kinds[key] = [rejection, 0]
        self.write(str(rejection))

    def finish(self) -> None:
        """Tell how many repeats each reason had."""
        for first, repeats in self._kinds.values():
            if repeats:
                more = f"{repeats:,} more record{'s' if repeats > 1 else ''}"
                self.write(f"{first.path}: {more} rejected for the same reason as line {first.line}")
        self._kinds.clear()


def _kind(reason: str) -> str:
    # The reason with its particulars (quoted values, numbers) blanked: "id X appears again (first at
    # line 12)" and "id Y appears again (first at line 40)" are one kind.
    return re.sub(r"\d[\d,.]*", "N", re.sub(r"'[^']*'|\"[^\"]*\"", "…", reason.split(" (first at")[0]))[:120]


def export_papers(store: Store, out: IO[str]) -> int:
    """Write every paper as one JSON line of Paperwire's export format; returns how many."""
    count = 0
    for paper in store.papers.iter_papers():
        out.write(json.dumps(export_record(paper), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
