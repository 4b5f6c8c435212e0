"""Parsing OAI-PMH ListRecords pages in the arXivRaw format, on hand-written records in the real format."""

from datetime import date

import pytest

from paperwire.ingest.oai import OaiError, parse_list_records, split_authors
from paperwire.ingest.xmlsafe import BadResponse
from paperwire.models.papers import PaperVersion
from tests.support.replay import OAI_DATA


def page(name: str) -> bytes:
    return (OAI_DATA / name).read_bytes()


def test_first_page():
    got = parse_list_records(page("page1.xml"))
    assert [p.id for p in got.papers] == ["2503.11677", "2503.11701", "2503.11720"]
    assert (got.token, got.complete_size, got.newest, got.deleted) == (
        "6960524|1001",
        7,
        date(2025, 3, 18),
        0,
    )
    first = got.papers[0]
    assert first.title == "Simulation of prosthetic vision with PRIMA system"
    assert first.authors == ["Jungyeon Park", "Anna Kochnev Goldstein", "Yueming Zhuo", "Daniel Palanker"]
    assert first.categories == ["cs.HC", "cs.CV"]
    assert first.abstract.startswith("Objective. Patients implanted") and "\n" not in first.abstract
    assert (first.comment, first.license) == (
        "12 pages, 5 figures",
        "http://creativecommons.org/licenses/by/4.0/",
    )
    assert first.links.abstract == "https://arxiv.org/abs/2503.11677"
    two = got.papers[2]
    assert (two.version, two.published, two.updated, two.doi) == (
        2,
        date(2025, 3, 14),
        date(2025, 3, 17),
        "10.1000/xyz123",
    )
    assert two.versions == [PaperVersion(1, date(2025, 3, 14)), PaperVersion(2, date(2025, 3, 17))]


def test_last_page_has_an_empty_token_and_a_deleted_record():
    got = parse_list_records(page("page3.xml"))
    assert [p.id for p in got.papers] == ["2503.11900"]
    assert (got.token, got.deleted, got.newest) == (None, 1, date(2025, 3, 19))


@pytest.mark.parametrize(
    "name, code", [("badResumptionToken.xml", "badResumptionToken"), ("noRecordsMatch.xml", "noRecordsMatch")]
)
def test_error_elements(name, code):
    with pytest.raises(OaiError, match=f"OAI-PMH error {code}: ") as info:
        parse_list_records(page(name))
    assert info.value.code == code


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "the response body is empty"),
        (b"  \n", "the response body is empty"),
        (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "got an HTML page"),
        (page("page1.xml")[:1500], "malformed or truncated XML"),
        (b"<OAI-PMH><ListRecords><record>", "malformed or truncated XML"),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "root element is 'feed'"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "refused unsafe XML"),
    ],
)
def test_bad_bodies_are_one_line_errors(body, message):
    with pytest.raises(BadResponse, match=message) as info:
        parse_list_records(body)
    assert "\n" not in str(info.value)


def test_a_bad_record_is_rejected_alone():
    body = page("page1.xml").replace(b"<title>Graph transformers revisited</title>", b"<title></title>")
    got = parse_list_records(body)
    assert [p.id for p in got.papers] == ["2503.11677", "2503.11701"]
    assert got.rejected == ["oai:arXiv.org:2503.11720: paper 2503.11720 has no title"]


def test_split_authors():
    assert split_authors("A. One, B. Two and C.\n  Three") == ["A. One", "B. Two", "C. Three"]
    assert split_authors(None) == []
    assert split_authors("A. Author (Institute, City), B. Author") == ["A. Author", "B. Author"]
    assert split_authors("A. One (1), B. Two (2) ((1) MIT, Cambridge, (2) ETH)") == ["A. One", "B. Two"]
