"""Entries matched to papers: arXiv id first, then DOI, then a title that names exactly one paper."""

from paperwire.library.matching import match_entries
from paperwire.models.library import CitedEntry

TITLES = {"graph networks": ["2503.00001"], "twins": ["2503.00002", "2503.00003"]}


def _match(entries):
    return match_entries(
        entries,
        "bibtex",
        known_ids=lambda ids: {i for i in ids if i.startswith("2503.")},
        by_doi=lambda dois: {d: "2503.00009" for d in dois if d == "10.1/x"},
        by_title=lambda title: TITLES.get(title.lower(), []),
    )


def test_each_way_of_matching_in_order():
    report = _match(
        [
            CitedEntry("a", "Graph networks", arxiv_ids=["2401.00001", "2503.00005"], dois=["10.1/x"]),
            CitedEntry("b", "Graph networks", dois=["10.1/x"]),
            CitedEntry("c", "Graph Networks"),
            CitedEntry("d", "Graph networks", arxiv_ids=["2503.00005"]),  # the same paper again: once
        ]
    )
    assert report.matched == {"2503.00005": "arxiv", "2503.00009": "doi", "2503.00001": "title"}
    assert report.entries == 4 and report.unmatched == []


def test_unmatched_entries_say_why():
    report = _match(
        [
            CitedEntry("old", "Elsewhere", arxiv_ids=["2401.00001"]),
            CitedEntry("twin", "Twins"),
            CitedEntry("plain", "Nothing like it"),
            CitedEntry("empty"),
            CitedEntry("bad", problem="malformed entry at line 3: unclosed"),
        ]
    )
    reasons = {u.key: u.reason for u in report.unmatched}
    assert reasons == {
        "old": "no arXiv id, DOI or title match: arXiv 2401.00001 is not on this hub",
        "twin": "no arXiv id, DOI or title match: its title is the title of several papers",
        "plain": "no arXiv id, DOI or title match",
        "empty": "no arXiv id, DOI or title to match by",
        "bad": "malformed entry at line 3: unclosed",
    }
    assert report.matched == {}
