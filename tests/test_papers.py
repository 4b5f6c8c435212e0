from datetime import date

import pytest

from paperwire.models.papers import PaperVersion, merge_versions
from paperwire.papers import (
    MAX_ABSTRACT_CHARS,
    InvalidPaper,
    make_paper,
    normalize_text,
    paper_id_candidates,
    split_arxiv_id,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Deep\nlearning  for\tall ", "Deep learning for all"),
        ("  leading and trailing\n", "leading and trailing"),
        ("bell\x07 and null\x00 removed", "bell and null removed"),
        ("non\u00a0breaking and line\u2028separator", "non breaking and line separator"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_text(raw, clean):
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("2503.11677", ("2503.11677", None)),
        ("2503.11677v3", ("2503.11677", 3)),
        ("arXiv:2503.11677v2", ("2503.11677", 2)),
        ("0704.0001", ("0704.0001", None)),
        ("hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
    ],
)
def test_split_arxiv_id(ref, expected):
    assert split_arxiv_id(ref) == expected


@pytest.mark.parametrize("ref", ["", "hello", "2503.1", "2503.11677v", "../etc/passwd"])
def test_split_arxiv_id_rejects(ref):
    with pytest.raises(InvalidPaper, match="not an arXiv id"):
        split_arxiv_id(ref)


def test_paper_id_candidates():
    assert paper_id_candidates("arXiv:2503.11677v2") == ["arXiv:2503.11677v2", "2503.11677"]
    assert paper_id_candidates("4983") == ["4983"]


def test_make_paper_normalises_and_keeps_order():
    p = make_paper(
        id=" 2503.00001 ",
        title="A\n title",
        source="test",
        abstract="One\nline.",
        authors=["Zed  Z", "", "Amy A"],
        categories=["cs.LG", "cs.AI", "cs.LG"],
        published=date(2025, 3, 1),
    )
    assert (p.id, p.title, p.abstract) == ("2503.00001", "A title", "One line.")
    assert p.authors == ["Zed Z", "Amy A"]
    assert p.categories == ["cs.LG", "cs.AI"]
    assert p.primary_category == "cs.LG"
    assert p.version == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "", "title": "t"}, "no id"),
        ({"id": None, "title": "t"}, "no id"),
        ({"id": "x", "title": "  \n "}, "no title"),
        ({"id": "x", "title": "t", "abstract": "a" * (MAX_ABSTRACT_CHARS + 1)}, "abstract is"),
        ({"id": "x", "title": "t", "authors": "A, B"}, "authors must be a list"),
        ({"id": "x", "title": "t", "version": 0}, "version must be"),
        ({"id": "x y", "title": "t"}, "spaces are refused"),
        ({"id": "2503.18013/hide?x=", "title": "t"}, "not an arXiv id"),
        ({"id": "../x", "title": "t"}, "outside A-Z"),
        ({"id": "x" * 101, "title": "t"}, "longer than 100"),
        ({"id": "x", "title": "bad \ud800"}, "lone UTF-16 surrogate"),
        ({"id": "x", "title": "t", "version": 2**63}, "version must be a whole number from 1 to"),
    ],
)
def test_make_paper_rejects(fields, message):
    """Every import path builds papers here, so these hold for every format (docs/importing.md)."""
    with pytest.raises(InvalidPaper, match=message):
        make_paper(source="test", **fields)


def test_merge_versions_prefers_known_dates():
    merged = merge_versions(
        [PaperVersion(1), PaperVersion(2, date(2025, 2, 1))], [PaperVersion(1, date(2025, 1, 1))]
    )
    assert merged == [PaperVersion(1, date(2025, 1, 1)), PaperVersion(2, date(2025, 2, 1))]


def test_bidi_controls_are_stripped_at_import():
    paper = make_paper(
        id="x", title="Safe\u202e txt.exe\u202c", authors=["A\u2066B\u2069", "\u200fC"], source="t"
    )
    assert (paper.title, paper.authors) == ("Safe txt.exe", ["AB", "C"])


@pytest.mark.parametrize("paper_id", ["2503.18013", "hep-th/9901001", "math.GT/0309136", "MED-10", "a:b_c.d"])
def test_ids_of_the_documented_set_are_accepted(paper_id):
    assert make_paper(id=paper_id, title="t", source="t").id == paper_id
