"""LineReader: plain and gzipped JSON-lines files read line by line, with line numbers that match the file."""

import gzip
import json

import pytest

from paperwire.ingest.jsonl import CHUNK_BYTES, MAX_LINE_BYTES, FileProblem, LineReader
from tests.support.paths import DATA
from tests.support.records import gzip_in_segments


def read(path) -> list[tuple[int, bytes | None, str | None]]:
    reader = LineReader(path)
    try:
        return [(line.number, line.data, line.error) for line in reader]
    finally:
        reader.close()


BODY = b'{"a": 1}\n\n   \n{"b": 2}\n\t\n{"c": 3}\n'
EXPECTED = [(1, b'{"a": 1}', None), (4, b'{"b": 2}', None), (6, b'{"c": 3}', None)]


@pytest.mark.parametrize(
    "name, gzipped",
    [
        ("plain.jsonl", False),
        ("plain-but-named.jsonl.gz", False),
        ("gzipped.jsonl.gz", True),
        ("gzipped-but-named.jsonl", True),
    ],
)
def test_gzip_is_detected_by_magic_bytes_not_extension(tmp_path, name, gzipped):
    path = tmp_path / name
    path.write_bytes(gzip.compress(BODY) if gzipped else BODY)
    reader = LineReader(path)
    try:
        assert reader.gzipped is gzipped
        assert reader.size == path.stat().st_size
        assert [(line.number, line.data, line.error) for line in reader] == EXPECTED
        assert reader.position == reader.size
    finally:
        reader.close()


@pytest.mark.parametrize("gz", [False, True])
def test_blank_lines_are_skipped_but_counted(write_jsonl, gz):
    path = write_jsonl("blank.jsonl", ["", {"_id": "1"}, "", "", "  ", {"_id": "2"}, ""], gz=gz)
    assert [(n, json.loads(data)) for n, data, _ in read(path)] == [(2, {"_id": "1"}), (6, {"_id": "2"})]


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b'{"_id": "1", "title": "One"}\r\n\r\n{"_id": "2", "title": "Two"}\r\n')
    lines = read(path)
    assert [n for n, _, _ in lines] == [1, 3]
    assert [json.loads(data) for _, data, _ in lines] == [
        {"_id": "1", "title": "One"},
        {"_id": "2", "title": "Two"},
    ]


@pytest.mark.parametrize("gz", [False, True])
def test_final_line_without_newline(tmp_path, gz):
    body = b'{"a": 1}\n\n{"b": 2}'
    path = tmp_path / "no-final-newline.jsonl"
    path.write_bytes(gzip.compress(body) if gz else body)
    assert read(path) == [(1, b'{"a": 1}', None), (3, b'{"b": 2}', None)]


def test_sample_file_lines():
    lines = read(DATA / "arxiv-listing-sample.jsonl")
    assert [n for n, _, _ in lines] == [1, 2, 3, 4]
    assert [json.loads(data)["id"] for _, data, _ in lines] == [
        "2503.14002",
        "2503.14230",
        "2503.14388",
        "2503.14519",
    ]


def test_truncated_gzip_yields_complete_lines_then_raises(tmp_path):
    lines = [
        json.dumps({"_id": str(i), "title": f"Record {i}", "text": "x y z " * 40}).encode() + b"\n"
        for i in range(6)
    ]
    data, ends = gzip_in_segments(lines)
    cut = (ends[2] + ends[3]) // 2  # in the middle of the fourth line's compressed bytes
    path = tmp_path / "truncated.jsonl.gz"
    path.write_bytes(data[:cut])
    reader = LineReader(path)
    got = []
    with pytest.raises(FileProblem, match="the gzip stream ends early: the file is truncated") as excinfo:
        for line in reader:
            got.append((line.number, line.data))
    reader.close()
    assert got == [(i + 1, lines[i].rstrip(b"\n")) for i in (0, 1, 2)]
    assert excinfo.value.line == 4


def test_corrupt_gzip_raises_file_problem(tmp_path):
    data = bytearray(gzip.compress(b'{"a": 1}\n{"b": 2}\n'))
    data[-8] ^= 0xFF  # break the CRC-32 in the trailer
    path = tmp_path / "bad-crc.jsonl.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(FileProblem, match=r"^the gzip data is corrupt \(CRC check failed"):
        read(path)


def test_gzip_cut_inside_its_header_raises_at_line_one(tmp_path):
    path = tmp_path / "header-only.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\n')[:6])
    with pytest.raises(FileProblem, match="truncated") as excinfo:
        read(path)
    assert excinfo.value.line == 1


def test_gzip_of_nothing_has_no_lines(tmp_path):
    path = tmp_path / "empty.jsonl.gz"
    path.write_bytes(gzip.compress(b""))
    assert read(path) == []


@pytest.mark.parametrize(
    "extra",
    [2 * CHUNK_BYTES + 10, 10],
)
def test_line_longer_than_the_limit_is_reported_not_buffered(tmp_path, extra):
    long = b'{"_id": "big", "text": "' + b"a" * (MAX_LINE_BYTES + extra) + b'"}'
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"_id": "1"}\n' + long + b'\n{"_id": "3"}\n' + long)
    got = [
        (n, data if data is None or len(data) < 100 else "a long line", error)
        for n, data, error in read(path)
    ]
    assert got == [
        (1, b'{"_id": "1"}', None),
        (2, None, "line is longer than 16 MiB"),
        (3, b'{"_id": "3"}', None),
        (4, None, "line is longer than 16 MiB"),
    ]


def test_a_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"_id": "1"}\n{"_id": "2"}\n')
    assert [data for _, data, _ in read(path)] == [b'{"_id": "1"}', b'{"_id": "2"}']
