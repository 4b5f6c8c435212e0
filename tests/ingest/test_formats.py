"""Parsing of the four bulk-import formats (pure functions, real sample files from tests/data)."""

import json
from datetime import date

import pytest

from paperwire.ingest.formats import (
    ARXIV_LISTING,
    ARXIV_METADATA,
    BEIR,
    PAPERWIRE,
    detect_format,
    export_record,
    parse_record,
)
from paperwire.models.papers import Links, PaperVersion
from paperwire.papers import InvalidPaper, make_paper
from tests.support.paths import DATA

SAMPLES = {
    ARXIV_METADATA: "arxiv-metadata-sample.jsonl",
    ARXIV_LISTING: "arxiv-listing-sample.jsonl",
    BEIR: "beir-corpus-sample.jsonl",
}


def records(fmt: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / SAMPLES[fmt]).read_text(encoding="utf-8").splitlines()]


def by_id(fmt: str, key: str, value: str) -> dict:
    return next(r for r in records(fmt) if r[key] == value)


def no_raw_whitespace(text: str) -> bool:
    return "\n" not in text and "  " not in text and text == text.strip()


@pytest.mark.parametrize("fmt", [ARXIV_METADATA, ARXIV_LISTING, BEIR])
def test_detect_format_of_every_sample_record(fmt):
    assert [detect_format(r) for r in records(fmt)] == [fmt] * 4


@pytest.mark.parametrize(
    "record, expected",
    [
        ({"_paperwire": 1, "id": "x", "title": "t"}, PAPERWIRE),
        ({"_id": "1", "title": "t", "text": ""}, BEIR),
        ({"id": "0704.0001", "title": "t", "update_date": "2008-01-01"}, ARXIV_METADATA),
        ({"id": "0704.0001", "title": "t", "first_listed_date": "2025-03-19"}, ARXIV_LISTING),
        ({"id": "0704.0001", "title": "t", "abstract": "a"}, None),
        ({}, None),
    ],
)
def test_detect_format_by_distinctive_keys(record, expected):
    assert detect_format(record) == expected


def test_arxiv_metadata_with_three_versions():
    p = parse_record(ARXIV_METADATA, by_id(ARXIV_METADATA, "id", "0705.2011"))
    assert p.id == "0705.2011"
    assert p.source == ARXIV_METADATA
    assert p.version == 3
    assert p.versions == [
        PaperVersion(1, date(2007, 5, 15)),
        PaperVersion(2, date(2007, 6, 4)),
        PaperVersion(3, date(2008, 1, 9)),
    ]
    assert (p.published, p.updated, p.announced) == (date(2007, 5, 15), date(2008, 1, 9), None)
    assert p.title == "Sparse spectral estimators for irregularly sampled astronomical light curves"
    assert p.abstract.startswith(
        "We present a family of sparse estimators for the power spectrum of light curves that"
    )
    assert p.abstract.endswith("compared with the Lomb-Scargle periodogram.")
    assert no_raw_whitespace(p.abstract)
    assert p.authors == ["M. Okafor", "L. van der Berg", "J. Smith Jr"]
    assert p.categories == ["astro-ph", "stat.ME"]
    assert p.primary_category == "astro-ph"
    assert p.comment == "24 pages, 7 figures; v3: matches the published version"
    assert p.journal_ref == "Mon.Not.Roy.Astron.Soc.385:1021-1034,2008"
    assert p.doi == "10.1111/j.1365-2966.2008.12877.x"
    assert p.license is None
    assert p.links == Links(abstract="https://arxiv.org/abs/0705.2011", pdf="https://arxiv.org/pdf/0705.2011")


def test_arxiv_metadata_old_style_id_and_nulls():
    p = parse_record(ARXIV_METADATA, by_id(ARXIV_METADATA, "id", "hep-th/9901001"))
    assert p.id == "hep-th/9901001"
    assert p.links.abstract == "https://arxiv.org/abs/hep-th/9901001"
    assert p.links.pdf == "https://arxiv.org/pdf/hep-th/9901001"
    assert p.version == 1
    assert p.published == p.updated == date(1999, 1, 4)
    assert p.authors == ["A. Volkov", "K. Ishikawa"]
    assert p.categories == ["hep-th"]
    assert p.comment == "12 pages, LaTeX, no figures"
    assert (p.journal_ref, p.doi, p.license) == (None, None, None)


def test_arxiv_metadata_licence_and_whitespace_in_title():
    p = parse_record(ARXIV_METADATA, by_id(ARXIV_METADATA, "id", "2101.00542"))
    assert p.title == "Lexical Overlap Is Not Enough: Probing Paraphrase Detectors with Adversarial Pairs"
    assert p.license == "http://creativecommons.org/licenses/by/4.0/"
    assert p.comment is None
    assert (p.version, p.published, p.updated) == (2, date(2021, 1, 3), date(2021, 1, 19))
    assert p.categories == ["cs.CL", "cs.AI"]
    assert p.authors == ["Priya Raman", "Tomasz Kowalczyk", "Hana Sato"]


@pytest.mark.parametrize(
    "raw_id, expected",
    [
        ("0705.2011v2", "0705.2011"),
        ("arXiv:2101.00542v11", "2101.00542"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("cond-mat/0011001", "cond-mat/0011001"),
    ],
)
def test_arxiv_ids_lose_their_version_suffix(raw_id, expected):
    snapshot = {"id": raw_id, "title": "T", "update_date": "2008-01-01"}
    listing = {"id": raw_id, "title": "T", "primary_category": "cs.LG"}
    assert parse_record(ARXIV_METADATA, snapshot).id == expected
    assert parse_record(ARXIV_LISTING, listing).id == expected


@pytest.mark.parametrize(
    "extra, authors",
    [
        ({"authors_parsed": [["Smith", "J.", "Jr"], ["Plato", "", ""], ["van der Berg", "L."]]},
         ["J. Smith Jr", "Plato", "L. van der Berg"]),
        ({"authors": "A. One, B. Two and C. Three"}, ["A. One", "B. Two", "C. Three"]),
        ({"authors": "A. One", "authors_parsed": [[" Uno ", " A. ", ""]]}, ["A. Uno"]),
    ],
)  # fmt: skip
def test_arxiv_metadata_author_names(extra, authors):
    record = {"id": "0704.0001", "title": "T", "update_date": "2008-01-01", **extra}
    assert parse_record(ARXIV_METADATA, record).authors == authors


def test_arxiv_metadata_versions_out_of_order_and_junk_categories():
    record = {
        "id": "0704.0001",
        "title": "T",
        "categories": "cs.CV 68T45 I.4.2; E.4 cs.LG cs.CV",
        "versions": [
            {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
        ],
    }
    p = parse_record(ARXIV_METADATA, record)
    assert p.categories == ["cs.CV", "cs.LG"]
    assert (p.version, p.published, p.updated) == (2, date(2007, 4, 2), date(2007, 7, 24))


def test_arxiv_listing_record():
    p = parse_record(ARXIV_LISTING, by_id(ARXIV_LISTING, "id", "2503.14002"))
    assert p.id == "2503.14002"
    assert p.source == ARXIV_LISTING
    assert p.title == "Event-Guided Deblurring of Low-Light Video with Recurrent Transformers"
    assert p.abstract.startswith(
        "Videos captured in low light suffer from motion blur because long exposures are"
    )
    assert p.authors == ["Wei Zhang", "Sofia Marchetti", "Daniel Osei"]
    assert p.categories == ["cs.CV", "cs.LG"]  # "68T45" is an MSC code, not an arXiv category
    assert p.announced == date(2025, 3, 19)
    assert (p.version, p.published, p.updated, p.versions) == (1, None, None, [])
    assert p.comment == "Accepted at CVPR 2025"
    assert p.links == Links(
        abstract="https://arxiv.org/abs/2503.14002", pdf="https://arxiv.org/pdf/2503.14002"
    )


@pytest.mark.parametrize(
    "paper_id, categories, comment, announced",
    [
        ("2503.14230", ["cs.LG", "cs.CV"], None, date(2025, 3, 19)),
        (
            "2503.14388",
            ["eess.IV", "cs.CV"],
            "Dataset and code: https://example.org/thermal-depth",
            date(2025, 3, 19),
        ),
        ("2503.14519", ["cs.RO", "cs.CV"], "8 pages, 5 figures", date(2025, 3, 20)),
    ],
)
def test_arxiv_listing_categories_comment_and_announced(paper_id, categories, comment, announced):
    p = parse_record(ARXIV_LISTING, by_id(ARXIV_LISTING, "id", paper_id))
    assert (p.categories, p.comment, p.announced) == (categories, comment, announced)
    assert no_raw_whitespace(p.title) and no_raw_whitespace(p.abstract)


def test_arxiv_listing_primary_category_first_and_version_from_id():
    record = {
        "id": "2503.14230v2",
        "title": "  Budget-Aware\n  Active Learning  ",
        "abstract": "Line one\nline two\n\nline  three\n",
        "categories": ["cs.CV", "I.4.2; E.4", "cs.LG", "68T45"],
        "primary_category": "cs.LG",
    }
    p = parse_record(ARXIV_LISTING, record)
    assert (p.id, p.version) == ("2503.14230", 2)
    assert p.categories == ["cs.LG", "cs.CV"]
    assert p.title == "Budget-Aware Active Learning"
    assert p.abstract == "Line one line two line three"


@pytest.mark.parametrize("doc_id", ["10482", "MED-118", "doc_0001", "2503.14230v2"])
def test_beir_id_kept_as_is(doc_id):
    p = parse_record(BEIR, {"_id": doc_id, "title": "A title.", "text": "Some\ntext.", "metadata": {}})
    assert (p.id, p.title, p.abstract, p.source) == (doc_id, "A title.", "Some text.", BEIR)
    assert (p.version, p.authors, p.categories, p.links) == (1, [], [], Links())


def test_beir_sample_record():
    p = parse_record(BEIR, by_id(BEIR, "_id", "20917"))
    assert p.id == "20917"
    assert p.title == "Loss of ARID1A promotes resistance to PARP inhibition in ovarian cancer cells."
    assert p.abstract.startswith("ARID1A is frequently mutated in clear cell ovarian carcinoma.")


FULL = make_paper(
    id="2503.00001",
    title="Everything set",
    source="test",
    abstract="An abstract with “quotes” and ünïcödé.",
    authors=["Ada Lovelace", "Alan Turing"],
    categories=["cs.LG", "stat.ML"],
    version=3,
    published=date(2025, 1, 2),
    updated=date(2025, 3, 4),
    announced=date(2025, 1, 6),
    comment="10 pages",
    journal_ref="J. Test 1 (2025)",
    doi="10.1000/xyz",
    license="http://creativecommons.org/licenses/by/4.0/",
    links=Links(
        "https://arxiv.org/abs/2503.00001", "https://arxiv.org/pdf/2503.00001", "https://git.example/x", None
    ),
    versions=[PaperVersion(1, date(2025, 1, 2)), PaperVersion(2, None), PaperVersion(3, date(2025, 3, 4))],
)


@pytest.mark.parametrize(
    "paper",
    [FULL] + [parse_record(fmt, r) for fmt in SAMPLES for r in records(fmt)],
    ids=lambda p: p.id,
)
def test_export_record_round_trips(paper):
    line = json.dumps(export_record(paper), ensure_ascii=False)
    again = parse_record(PAPERWIRE, json.loads(line))
    assert again == paper


SNAP = {"id": "0704.0001", "title": "T", "update_date": "2008-01-01"}


@pytest.mark.parametrize(
    "fmt, record, reason",
    [
        (ARXIV_METADATA, {"title": "T", "update_date": "2008-01-01"}, "record has no id"),
        (ARXIV_LISTING, {"id": "", "title": "T"}, "record has no id"),
        (BEIR, {"title": "T", "text": "x"}, "record has no id"),
        (PAPERWIRE, {"_paperwire": 1, "title": "T", "source": "s"}, "record has no id"),
        (ARXIV_LISTING, {"id": "not-an-id", "title": "T"}, "'not-an-id' is not an arXiv id"),
        (ARXIV_METADATA, {"id": "0704.0001"}, "paper 0704.0001 has no title"),
        (ARXIV_LISTING, {"id": "2503.00001", "title": " \n\t "}, "paper 2503.00001 has no title"),
        (BEIR, {"_id": "7", "title": "", "text": "x"}, "paper 7 has no title"),
        (ARXIV_METADATA, {**SNAP, "versions": [{"version": "2"}]}, "version '2' is not like 'v1'"),
        (ARXIV_METADATA, {**SNAP, "versions": [{"version": "v0"}]}, "version 'v0' is not like 'v1'"),
        (ARXIV_METADATA, {**SNAP, "versions": [{"version": "first"}]}, "version 'first' is not like 'v1'"),
        (ARXIV_METADATA, {**SNAP, "versions": [{"version": "v1", "created": "yesterday"}]},
         "version date 'yesterday' is not an RFC 2822 date"),
        (ARXIV_METADATA, {**SNAP, "versions": [{"version": "v1", "created": "31 Feb 2007 10:00 GMT"}]},
         "is not an RFC 2822 date"),
        (ARXIV_LISTING, {"id": "2503.00001", "title": "T", "first_listed_date": "19/03/2025"},
         "first_listed_date '19/03/2025' is not a YYYY-MM-DD date"),
        (PAPERWIRE, {"_paperwire": 1, "id": "x", "title": "T", "source": "s", "published": "March 2025"},
         "published 'March 2025' is not a YYYY-MM-DD date"),
        (PAPERWIRE, {"_paperwire": 2, "id": "x", "title": "T", "source": "s"}, "version 2 is not supported"),
        (PAPERWIRE, {"_paperwire": 1, "id": "x", "title": "T", "source": "s", "version": 0},
         "version must be a whole number from 1 to 2,147,483,647, got 0"),
        (BEIR, ["_id", "x"], "expected a JSON object, got list"),
    ],
)  # fmt: skip
def test_invalid_records_raise_invalid_paper(fmt, record, reason):
    with pytest.raises(InvalidPaper) as excinfo:
        parse_record(fmt, record)
    assert reason in str(excinfo.value)


def test_non_string_version_date_is_invalid_paper():
    record = {**SNAP, "versions": [{"version": "v1", "created": 20070402}]}
    with pytest.raises(InvalidPaper, match="is not an RFC 2822 date"):
        parse_record(ARXIV_METADATA, record)


@pytest.mark.parametrize(
    ("links", "reason"),
    [
        ({"abstract": "javascript:alert(1)"}, r"links.abstract must be an http\(s\) URL"),
        ({"code": 5}, r"links.code must be an http\(s\) URL"),
    ],
)
def test_links_must_be_http_urls(links, reason):
    record = export_record(make_paper(id="p1", title="T", source="test"))
    with pytest.raises(InvalidPaper, match=reason):
        parse_record(PAPERWIRE, {**record, "links": links})


def test_listing_version_zero_and_junk_primary_category():
    base = {"id": "2503.11677", "title": "T", "categories": ["cs.CV"], "first_listed_date": "2025-03-18"}
    with pytest.raises(InvalidPaper, match="version 0"):
        parse_record(ARXIV_LISTING, {**base, "id": "2503.11677v0"})
    paper = parse_record(ARXIV_LISTING, {**base, "primary_category": "68T45"})
    assert paper.categories == ["cs.CV"]


def test_export_version_must_be_a_positive_whole_number():
    record = export_record(make_paper(id="p1", title="T", source="test"))
    for bad in (True, 0, "1"):
        with pytest.raises(InvalidPaper, match="whole-number version"):
            parse_record(PAPERWIRE, {**record, "versions": [{"version": bad, "date": None}]})
