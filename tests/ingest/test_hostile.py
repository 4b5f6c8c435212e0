"""Property-based: generated hostile records never crash a parser or the import, nor cost stored data."""

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperwire.ingest.bulk import import_files
from paperwire.ingest.formats import FORMATS, export_record, parse_record
from paperwire.papers import MAX_VERSION, InvalidPaper, check_id, make_paper

# What real files hold, and what breaks naive code: lone surrogates, NUL, bidi overrides, huge and
# negative numbers, floats where ints go, deep nesting, URL syntax in ids.
NASTY_TEXT = st.sampled_from(
    ["", " ", "bad \ud800", "\udfff", "a\x00b", "\u202eevil", "2503.18013/hide?x=", "..", "v2",
     "v99999999999", "Mon, 11 Jan 2021 20:31:27 GMT", "Mon, 11 Jan 99999 20:31:27 GMT", "2025-02-30",
     "9999-12-31", "0001-01-01",
     "cs.CL", "hep-th/9901001", "2503.11677v2", "https://x.org/a", "javascript:alert(1)", "x" * 5000]
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=2**62, max_value=2**80), st.floats(allow_nan=True), st.booleans()
)
SCALARS = st.one_of(st.none(), NUMBERS, st.text(max_size=30), NASTY_TEXT)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | NASTY_TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = sorted(
    {"id", "_id", "title", "text", "abstract", "authors", "authors_parsed", "categories", "versions",
     "version", "update_date", "journal-ref", "first_listed_date", "listed_dates", "primary_category",
     "comment", "comments",
     "doi", "license", "links", "source", "published", "updated", "announced", "journal_ref", "_paperwire"}
)  # fmt: skip
VALID = {
    "arxiv-metadata": {"id": "0704.0001", "title": "T", "authors_parsed": [["A", "B"]],
                       "versions": [{"version": "v1"}]},
    "arxiv-listing": {"id": "2503.11677v2", "title": "T", "categories": ["cs.CL"],
                      "first_listed_date": "2025-03-17"},
    "beir": {"_id": "90001", "title": "T", "text": "x"},
    "paperwire": export_record(make_paper(id="p1", title="T", source="test")),
}  # fmt: skip


@st.composite
def records(draw, fmt: str | None = None) -> dict:
    """A valid record of a format with some fields replaced or added, or a record of random keys."""
    base = dict(VALID[fmt or draw(st.sampled_from(FORMATS))])
    if draw(st.booleans()):
        base = {}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=5)):
        base[key] = draw(JSON)
    return base


def assert_storable(paper) -> None:
    """What the databases need of a paper that a parser returned."""
    check_id(paper.id)
    assert 1 <= paper.version <= MAX_VERSION
    assert all(1 <= v.version <= MAX_VERSION for v in paper.versions)
    texts = [paper.id, paper.title, paper.source, paper.abstract, *paper.authors, *paper.categories]
    texts += [t for t in (paper.comment, paper.journal_ref, paper.doi, paper.license) if t]
    texts += [u for u in (paper.links.abstract, paper.links.pdf, paper.links.code, paper.links.project) if u]
    for text in texts:
        text.encode("utf-8")  # no lone surrogates
        assert "\x00" not in text


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FORMATS).flatmap(lambda fmt: st.tuples(st.just(fmt), records(fmt))))
def test_every_parser_returns_a_storable_paper_or_says_why(case):
    fmt, record = case
    try:
        paper = parse_record(fmt, record)
    except InvalidPaper as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert_storable(paper)


_ids = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            records().map(lambda r: json.dumps(r).encode()),  # json.dumps escapes surrogates: "\ud800"
            st.binary(max_size=60),
            st.just(b'{"_id": ' + b"9" * 4301 + b', "title": "t"}'),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_import_of_hostile_lines_stores_the_good_and_loses_nothing(store, tmp_path, lines):
    n = next(_ids)  # the store lives across examples: each one's ids are its own
    if store.papers.get_paper("keep") is None:
        store.papers.upsert_papers([make_paper(id="keep", title="Kept paper.", source="test", version=3)])
    kept = store.papers.get_paper("keep")
    good = [{"_id": f"good{n}a", "title": "Good."}, {"_id": f"good{n}b", "title": "Good."}]
    path = tmp_path / f"hostile{n}.jsonl"
    body = [
        json.dumps(good[0]).encode(),
        *(line.replace(b"\n", b" ") for line in lines),
        json.dumps(good[1]).encode(),
    ]
    path.write_bytes(b"\n".join(body) + b"\n")
    rejected = []
    report = import_files(store, [path], fmt="beir", on_reject=rejected.append)
    assert report.failed_files == 0
    assert report.stored + report.rejected == sum(1 for line in body if line.strip())
    assert all(r.line and r.reason for r in rejected)
    assert store.papers.get_paper(f"good{n}a") is not None and store.papers.get_paper(f"good{n}b") is not None
    assert store.papers.get_paper("keep") == kept
