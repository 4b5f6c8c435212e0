"""Bulk import and export through import_files/export_papers, on a real SQLite store and real files."""

import gzip
import io
import itertools
import json
import zlib
from datetime import date

import pytest

from paperwire.ingest.bulk import Rejection, export_papers, import_files
from paperwire.ingest.formats import export_record
from paperwire.models.papers import PaperVersion
from paperwire.papers import make_paper
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.paths import DATA, shared_path
from tests.support.records import gzip_in_segments

METADATA = DATA / "arxiv-metadata-sample.jsonl"
LISTING = DATA / "arxiv-listing-sample.jsonl"
BEIR = DATA / "beir-corpus-sample.jsonl"
GOOD = [
    {"_id": "90001", "title": "First good record.", "text": "One."},
    {"_id": "90002", "title": "Second good record.", "text": "Two."},
]


def run(store, paths, **kwargs):
    rejections: list[Rejection] = []
    paths = paths if isinstance(paths, list) else [paths]
    return import_files(store, paths, on_reject=rejections.append, **kwargs), rejections


def counts(report) -> tuple[int, int, int, int, int]:
    return report.new, report.updated, report.unchanged, report.rejected, report.failed_files


def export_text(store) -> str:
    out = io.StringIO()
    export_papers(store, out)
    return out.getvalue()


def sample(path, paper_id) -> dict:
    rows = map(json.loads, path.read_text(encoding="utf-8").splitlines())
    return next(r for r in rows if r["id"] == paper_id)


@pytest.fixture
def seeded(store):
    """The store with the arXiv snapshot sample in it; returns those papers as stored."""
    report, rejections = run(store, METADATA)
    assert (report.new, rejections) == (4, [])
    return list(store.papers.iter_papers())


def assert_untouched(store, before):
    assert [store.papers.get_paper(p.id) for p in before] == before


@pytest.mark.parametrize(
    "path, fmt, paper_id, title",
    [
        (
            METADATA,
            "arxiv-metadata",
            "hep-th/9901001",
            "Boundary states of open strings in a constant B-field",
        ),
        (LISTING, "arxiv-listing", "2503.14388", "A Benchmark for Dense Depth Estimation from Thermal"),
        (BEIR, "beir", "33305", "Gut microbial diversity is reduced in children with type 1 diabetes."),
    ],
)
def test_sample_files_import(store, path, fmt, paper_id, title):
    report, rejections = run(store, path)
    assert (counts(report), rejections, report.ok) == ((4, 0, 0, 0, 0), [], True)
    assert report.formats == {str(path): fmt}
    assert store.papers.count_papers() == 4
    paper = store.papers.get_paper(paper_id)
    assert paper.title.startswith(title) and paper.source == fmt


@pytest.mark.parametrize("path", [METADATA, LISTING, BEIR])
def test_importing_the_same_file_twice_changes_nothing(store, path):
    run(store, path)
    before = export_text(store)
    report, rejections = run(store, path)
    assert (counts(report), rejections) == ((0, 0, 4, 0, 0), [])
    assert export_text(store) == before


def test_newer_version_replaces_content_and_keeps_history(store, write_jsonl):
    full = sample(METADATA, "2101.00542")
    v1 = {**full, "title": "An early title", "abstract": "  Early.\n", "versions": full["versions"][:1]}
    run(store, write_jsonl("v1.jsonl", [v1]))
    assert store.papers.get_paper("2101.00542").title == "An early title"
    report, rejections = run(store, METADATA)
    assert (counts(report), rejections) == ((3, 1, 0, 0, 0), [])
    p = store.papers.get_paper("2101.00542")
    assert (p.version, p.published, p.updated) == (2, date(2021, 1, 3), date(2021, 1, 19))
    assert p.title == "Lexical Overlap Is Not Enough: Probing Paraphrase Detectors with Adversarial Pairs"
    assert p.abstract.startswith("Paraphrase detectors reach high accuracy")
    assert p.versions == [PaperVersion(1, date(2021, 1, 3)), PaperVersion(2, date(2021, 1, 19))]


def test_older_version_changes_nothing(store, write_jsonl):
    newer = {**sample(LISTING, "2503.14230"), "id": "2503.14230v2"}
    older = {**newer, "id": "2503.14230v1", "title": "An older title", "categories": ["cs.AI"]}
    run(store, write_jsonl("v2.jsonl", [newer]))
    before = store.papers.get_paper("2503.14230")
    assert before.version == 2
    report, rejections = run(store, write_jsonl("v1.jsonl", [older]))
    assert (report.new, report.updated, report.unchanged, rejections) == (0, 0, 1, [])
    assert store.papers.get_paper("2503.14230") == before
    assert before.versions == [PaperVersion(2, None)]


def test_export_import_export_is_byte_identical(store, tmp_path):
    report, rejections = run(store, [METADATA, LISTING, BEIR])
    assert (counts(report), rejections) == ((12, 0, 0, 0, 0), [])
    assert "12 new, 0 updated, 0 unchanged, 0 rejected" in report.summary()
    assert store.papers.stats().by_source == {"arxiv-metadata": 4, "arxiv-listing": 4, "beir": 4}
    first = export_text(store)
    assert len(first.splitlines()) == 12 and first.endswith("\n")
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    with open_store(load_settings(data_dir=tmp_path / "b")) as other:
        report, rejections = run(other, path)
        assert (report.new, rejections, report.formats) == (12, [], {str(path): "paperwire"})
        assert [other.papers.get_paper(p.id) for p in store.papers.iter_papers()] == list(
            store.papers.iter_papers()
        )
        second = export_text(other)
    assert second == first


def test_format_can_be_forced(store, write_jsonl):
    bare = [
        {"id": f"2503.2000{i}", "title": f"Bare record {i}", "abstract": "A.", "categories": ["cs.LG"]}
        for i in (1, 2)
    ]
    path = write_jsonl("bare.jsonl", bare)
    report, rejections = run(store, path)
    reason = "not a known record format (keys: abstract, categories, id, title); name one with --format"
    assert rejections == [Rejection(str(path), 1, reason), Rejection(str(path), 2, reason)]
    assert (report.new, report.rejected, store.papers.count_papers()) == (0, 2, 0)
    report, rejections = run(store, path, fmt="arxiv-listing")
    assert (report.new, rejections, report.formats) == (2, [], {str(path): "arxiv-listing"})
    assert store.papers.get_paper("2503.20001").links.abstract == "https://arxiv.org/abs/2503.20001"


def test_forcing_the_wrong_format_rejects_every_record(store):
    report, rejections = run(store, LISTING, fmt="beir")
    assert rejections == [Rejection(str(LISTING), n, "record has no id") for n in (1, 2, 3, 4)]
    assert (report.new, report.rejected, report.ok, store.papers.count_papers()) == (0, 4, False, 0)
    with pytest.raises(ValueError, match="unknown format 'csv'; choose one of: auto, arxiv-metadata, "):
        import_files(store, [BEIR], fmt="csv")


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "bad, reason",
    [
        (b'{"_id": "90003", "title": ', "invalid JSON: Expecting value at column 27"),
        ({"_id": "90003", "text": "No title."}, "paper 90003 has no title"),
        ({"title": "No id.", "text": "No id."}, "record has no id"),
        ({"_id": "90003", "title": "Huge.", "text": "word " * 2_000_000},
         "abstract is 10,000,000 characters; the limit is 100,000"),
        (b'{"_id": "90003", "title": "Caf\xe9 au lait"}', "not valid UTF-8 (byte 0xe9 at offset 30)"),
        (b'["_id", "90003"]', "expected a JSON object, got list"),
        (b'"just a string"', "expected a JSON object, got str"),
    ],
    ids=["invalid-json", "no-title", "no-id", "10MB-abstract", "not-utf8", "array", "string"],
)  # fmt: skip
def test_bad_record_is_reported_and_the_good_ones_stored(store, seeded, write_jsonl, bad, reason, gz):
    path = write_jsonl("mixed.jsonl", [GOOD[0], "", bad, GOOD[1]], gz=gz)
    report, rejections = run(store, path)
    assert rejections == [Rejection(str(path), 3, reason)]
    assert (counts(report), report.ok) == ((2, 0, 0, 1, 0), False)
    assert [store.papers.get_paper(g["_id"]).title for g in GOOD] == [
        "First good record.",
        "Second good record.",
    ]
    assert store.papers.get_paper("90003") is None
    assert store.papers.count_papers() == 6
    assert_untouched(store, seeded)


@pytest.mark.parametrize("batch_size", [2000, 1])
def test_same_id_twice_keeps_the_first(store, seeded, write_jsonl, batch_size):
    second = {"_id": "90001", "title": "The same id again.", "text": "Dropped."}
    path = write_jsonl("dup.jsonl", [GOOD[0], GOOD[1], "", second])
    report, rejections = run(store, path, batch_size=batch_size)
    assert rejections == [Rejection(str(path), 4, "id 90001 appears again (first at line 1); kept the first")]
    assert (report.new, report.rejected, report.ok) == (2, 1, False)
    assert store.papers.get_paper("90001").title == "First good record."
    assert_untouched(store, seeded)


def test_record_of_unknown_format_is_reported(store, seeded, write_jsonl):
    path = write_jsonl("unknown.jsonl", [{"name": "x", "doi": "10.1/2"}, *GOOD])
    report, rejections = run(store, path)
    reason = "not a known record format (keys: doi, name); name one with --format"
    assert rejections == [Rejection(str(path), 1, reason)]
    assert (report.new, report.rejected, report.ok, report.formats) == (2, 1, False, {str(path): "beir"})
    assert_untouched(store, seeded)


@pytest.mark.parametrize("cut", ["inside-line-3", "half-the-bytes"])
def test_truncated_gzip_imports_the_records_before_the_cut(store, seeded, tmp_path, cut):
    lines = LISTING.read_bytes().splitlines(keepends=True)
    if cut == "inside-line-3":
        data, ends = gzip_in_segments(lines)
        data = data[: (ends[1] + ends[2]) // 2]
    else:
        data = gzip.compress(b"".join(lines), mtime=0)
        data = data[: len(data) // 2]
    complete = zlib.decompressobj(wbits=31).decompress(data).count(b"\n")  # what a gunzip recovers
    assert 1 <= complete <= 2
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data)
    report, rejections = run(store, path)
    reason = f"line {complete + 1}: the gzip stream ends early: the file is truncated; the records before it"
    assert rejections == [Rejection(str(path), None, reason + " were imported")]
    assert (counts(report), report.ok) == ((complete, 0, 0, 0, 1), False)
    expected = [json.loads(line)["id"] for line in lines[:complete]]
    assert [p.id for p in store.papers.iter_papers() if p.source == "arxiv-listing"] == expected
    assert_untouched(store, seeded)


@pytest.mark.parametrize(
    "kind, reason",
    [
        ("empty", "the file is empty"),
        ("blank-lines", "the file has no records"),
        ("empty-gzip", "the file has no records"),
        ("directory", "is a directory; name the files in it instead (for example DIR/*.jsonl.gz)"),
        ("missing", "no such file"),
    ],
)
def test_unusable_path_is_reported(store, seeded, tmp_path, kind, reason):
    path = tmp_path / kind
    if kind == "directory":
        path.mkdir()
    elif kind != "missing":
        path.write_bytes({"empty": b"", "blank-lines": b"\n  \r\n\n", "empty-gzip": gzip.compress(b"")}[kind])
    report, rejections = run(store, path)
    assert rejections == [Rejection(str(path), None, reason)]
    assert (report.stored, report.rejected, report.failed_files, report.ok) == (0, 0, 1, False)
    assert f"{report.failed_files} file failed" in report.summary()
    assert_untouched(store, seeded)


def test_bad_files_do_not_stop_the_others(store, seeded, tmp_path, write_jsonl):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    mixed = write_jsonl("mixed.jsonl", [GOOD[0], "{not json", GOOD[1]])
    missing = tmp_path / "missing.jsonl"
    report, rejections = run(store, [BEIR, empty, tmp_path, mixed, missing, LISTING])
    got = [(r.path, r.line) for r in rejections]
    assert got == [(str(empty), None), (str(tmp_path), None), (str(mixed), 2), (str(missing), None)]
    assert (counts(report), report.ok) == ((10, 0, 0, 1, 3), False)
    assert report.formats == {str(BEIR): "beir", str(mixed): "beir", str(LISTING): "arxiv-listing"}
    assert store.papers.count_papers() == 14
    assert_untouched(store, seeded)


FINE, BAD_LINKS = (export_record(make_paper(id=i, title="T", source="test")) for i in ("p1", "p2"))
CRASHES = [
    pytest.param(
        json.loads(METADATA.read_text().splitlines()[0]),
        {**sample(METADATA, "1912.04567"), "versions": [{"version": "v1", "created": 20191210}]},
        "is not an RFC 2822 date",
        id="numeric-version-date",
    ),
    pytest.param(
        FINE,
        {**BAD_LINKS, "links": {"abstract": {"a": 1}}},
        "links",
        id="object-as-link",
    ),
]


@pytest.mark.parametrize("good, bad, reason", CRASHES)
def test_hostile_record_is_rejected_not_fatal(store, write_jsonl, good, bad, reason):
    path = write_jsonl("hostile.jsonl", [good, bad])
    report, rejections = run(store, path)
    assert [(r.line, reason in r.reason) for r in rejections] == [(2, True)]
    assert (report.new, report.rejected) == (1, 1)


@pytest.mark.shared
def test_first_2000_records_of_the_shared_arxiv_file(store, tmp_path):
    with gzip.open(shared_path("data", "arxiv-cs", "papers.jsonl.gz"), "rb") as f:
        head = list(itertools.islice(f, 2000))
    assert len(head) == 2000
    assert sum(b"\\n" in line for line in head) > 1000  # the raw abstracts are hard-wrapped
    path = tmp_path / "head.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(head)))
    report, rejections = run(store, path)
    assert rejections == []
    assert (counts(report), report.ok) == ((2000, 0, 0, 0, 0), True)
    assert report.formats == {str(path): "arxiv-listing"}
    assert store.papers.count_papers() == 2000
    papers = list(store.papers.iter_papers())
    assert [p.id for p in papers if "\n" in p.title or "\n" in p.abstract] == []
    assert [p.id for p in papers if "  " in p.title or "  " in p.abstract] == []
    assert all(p.announced and p.categories and not p.categories[0][0].isdigit() for p in papers)


ISSUE_21 = [
    pytest.param(
        b'{"_id": "x1", "title": "bad \\ud800", "text": "t"}', "lone UTF-16 surrogate", id="surrogate"
    ),
    pytest.param(b'{"_id": ' + b"9" * 4301 + b', "title": "t"}', "4300 digits", id="4301-digit-id"),
    pytest.param(
        {**FINE, "id": "p9", "version": 2**70}, "version must be a whole number", id="version-2**70"
    ),
    pytest.param(
        {**FINE, "id": "p9", "versions": [{"version": 2**63}]}, "versions needs", id="history-2**63"
    ),
    pytest.param({"_id": "2503.18013/hide?x=", "title": "t"}, "is not an arXiv id", id="id-with-/?"),
    pytest.param({"_id": "a..b", "title": "t"}, "'..'", id="id-with-.."),
    pytest.param({**FINE, "id": "p9", "source": "x\x00"}, "", id="nul-in-source"),
]


@pytest.mark.parametrize("bad, reason", ISSUE_21)
def test_input_that_crashed_import_is_a_rejected_record(store, seeded, write_jsonl, bad, reason):
    """Issue 21: each of these was a traceback that lost the rest of the batch and the later files."""
    # good records in the bad one's format around it, and a later file
    around = (
        (FINE, BAD_LINKS)
        if isinstance(bad, dict) and "_paperwire" in bad
        else (GOOD[0], {"_id": "p2", "title": "T"})
    )
    first = write_jsonl("first.jsonl", [around[0], bad, around[1]])
    later = write_jsonl("later.jsonl", [GOOD[1]])
    report, rejections = run(store, [first, later])
    assert store.papers.get_paper("p2") is not None and store.papers.get_paper("90002") is not None
    assert_untouched(store, seeded)
    if not reason:  # a NUL is a control character: dropped, and the record is stored
        assert (rejections, report.new, store.papers.get_paper("p9").source) == ([], 4, "x")
        return
    assert [(r.path, r.line) for r in rejections] == [(str(first), 2)]
    assert reason in rejections[0].reason
    assert (report.new, report.rejected) == (3, 1)


def test_a_value_the_database_refuses_rejects_that_record_only(store, seeded, tmp_path):
    from paperwire.ingest.bulk import _store_batch
    from paperwire.models.papers import Paper
    from paperwire.storage.scratch import SeenIds

    rejections, report = [], run(store, [])[0]
    # Built around make_paper's checks, as a parser with a gap would: version past 64-bit integers.
    batch = [
        (1, Paper("ok1", "T", "test")),
        (2, Paper("big", "T", "test", version=2**70)),
        (3, Paper("ok2", "T", "t")),
    ]
    with SeenIds() as seen:
        _store_batch(store, batch, seen, report, lambda line, reason: rejections.append((line, reason)))
    assert [line for line, _ in rejections] == [2]
    assert "the database refused it" in rejections[0][1]
    assert (report.new, store.papers.get_paper("big")) == (2, None)
    assert_untouched(store, seeded)


def test_a_repeated_reason_is_told_once_with_a_count(store, write_jsonl):
    from paperwire.ingest.bulk import RejectionLog

    lines = [GOOD[0]] * 5000 + [{"_id": "a/b", "title": "t"}, {"_id": "c?d", "title": "t"}, "[1]"]
    path = write_jsonl("dups.jsonl.gz", lines, gz=True)
    out: list[str] = []
    log = RejectionLog(out.append)
    report, _ = run(store, path)
    import_files(store, [path], on_reject=log)
    log.finish()
    assert report.rejected == 5002
    assert out == [
        f"{path}:2: id 90001 appears again (first at line 1); kept the first",
        f"{path}:5001: id 'a/b' is not an arXiv id and has characters outside A-Z a-z 0-9 . _ : - (or '..'); "
        "ids go into links, so / ? # % and spaces are refused",
        f"{path}:5003: expected a JSON object, got list",
        f"{path}: 4,998 more records rejected for the same reason as line 2",
        f"{path}: 1 more record rejected for the same reason as line 5001",
    ]
