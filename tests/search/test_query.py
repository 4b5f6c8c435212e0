"""Query syntax: words, phrases, exclusions, filters, arXiv ids, and hostile input. Pure functions."""

from datetime import date

import pytest

from paperwire.models.search import BadQuery, Filters
from paperwire.search.query import MAX_QUERY_CHARS, parse_query


def test_words_phrases_exclusions_and_filters():
    q = parse_query('graph -survey "message passing" author:"Yann LeCun" cat:cs.LG au:Bengio nets')
    assert q.words == ["graph", "nets"]
    assert q.phrases == ["message passing"]
    assert q.excluded == ["survey"]
    assert q.filters.authors == ["Yann LeCun", "Bengio"]
    assert q.filters.categories == ["cs.LG"]
    assert q.text == "graph message passing nets"  # what is embedded: typed order, no syntax


def test_excluded_phrase_and_unknown_prefix_is_text():
    q = parse_query('-"exact phrase" e.g.:colon foo:bar')
    assert q.excluded == ["exact phrase"]
    assert q.words == ["e.g.:colon", "foo bar"]  # only word: prefixes are keys


def test_filters_only_query_is_empty_but_filtered():
    q = parse_query("cat:cs.CV")
    assert q.empty and q.filters.active and q.text == ""


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("2503.11677", ["2503.11677"]),
        ("arXiv:2503.11677v2", ["arXiv:2503.11677v2", "2503.11677"]),
        ("  2503.11677v3 ", ["2503.11677v3", "2503.11677"]),
        ("hep-th/9901001", ["hep-th/9901001"]),
        ("2503.11677 transformers", []),
        ("transformers", []),
    ],
)
def test_arxiv_ids_are_recognised(text, ids):
    assert parse_query(text).paper_ids == ids


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\x00\x01\x02", '"" - -""', "!!! ??? ..."])
def test_nothing_searchable(text):
    q = parse_query(text)
    assert q.empty and not q.filters.active


def test_binary_garbage_becomes_printable_text():
    q = parse_query("\x00ne\x07ural\ufffe nets\x1b[31m")
    assert all(c.isprintable() for c in q.text)
    assert "nets" in q.text


def test_overlong_query_is_refused_with_its_length():
    parse_query("a" * MAX_QUERY_CHARS)
    with pytest.raises(BadQuery, match="10,000 characters long; the limit is 1,000"):
        parse_query("a" * 10_000)


def test_bad_filters_are_refused():
    with pytest.raises(BadQuery, match="date field"):
        Filters(date_field="submitted")
    with pytest.raises(BadQuery, match="empty"):
        Filters(date_from=date(2025, 2, 1), date_until=date(2025, 1, 1))
