"""Reading what Zotero, Mendeley and JabRef export (tests/data/library/) into entries; files that are
not BibTeX or CSL JSON at all are refused."""

import pytest

from paperwire.library.entries import InvalidImport, detect_format, read_entries, tex_to_text
from tests.support.library import LIBRARY_DATA


def _read(name):
    data = (LIBRARY_DATA / name).read_bytes()
    return read_entries(data, detect_format(data, name))


def test_zotero_bibtex():
    entries = {e.key: e for e in _read("zotero.bib")}
    assert entries["lovelace_graph_2025"].arxiv_ids == ["2503.10001"]
    assert entries["lovelace_graph_2025"].title == "Graph Networks for Molecules"
    assert entries["smith_embedding_2019"].dois == ["10.1145/3292500.3330701"]
    assert entries["smith_embedding_2019"].arxiv_ids == []
    assert entries["schrodinger_bridges_2025"].title == "Schrödinger Bridges for Generative Modelling"
    assert entries["witten_strings_1999"].arxiv_ids == ["hep-th/9901001"]
    assert entries["knuth_art_1968"].arxiv_ids == entries["knuth_art_1968"].dois == []


def test_mendeley_and_jabref_bibtex():
    mendeley = {e.key: e for e in _read("mendeley.bib")}
    assert mendeley["Turing2025"].arxiv_ids == ["2503.10002"]
    assert (
        mendeley["Lovelace2025"].arxiv_ids == ["2503.10004"]
        and mendeley["Lovelace2025"].title == "Vision transformers"
    )
    jabref = {e.key: e for e in _read("jabref.bib")}
    assert (
        jabref["Hopper2025"].arxiv_ids == ["2503.10003"]
        and jabref["Hopper2025"].title == "Language Models & Reasoning"
    )
    assert jabref["Dijkstra2025"].arxiv_ids == ["2503.10005"]  # a repeated field: still readable
    assert all(e.problem is None for e in jabref.values())


def test_an_eprint_of_another_archive_is_not_an_arxiv_id():
    (entry,) = read_entries(
        b"@misc{k, eprint = {2503.10002}, archivePrefix = {PubMed}, title = {T}}", "bibtex"
    )
    assert entry.arxiv_ids == []


def test_a_malformed_entry_is_kept_with_its_problem():
    text = (
        b"@misc{good, eprint = {2503.10002}}\n\n@misc{broken, title = {Unclosed, year = 2025\n\n"
        b"@misc{after, eprint = {2503.10003}}\n"
    )
    entries = read_entries(text, "bibtex")
    problems = [e for e in entries if e.problem]
    assert [(e.key, e.problem) for e in problems] == [
        (
            "broken",
            "malformed entry at line 3: Unexpected block start: `@misc`. "
            "Was still looking for field-value closing `}`",
        )
    ]
    assert "2503.10002" in [i for e in entries for i in e.arxiv_ids]


def test_zotero_csl_json():
    entries = _read("zotero.json")
    assert [e.arxiv_ids for e in entries[:2]] == [["2503.10006"], []]
    assert entries[1].dois == ["10.1145/3292500.3330701"]
    assert entries[2].title == "Typesetting language models"  # CSL's rich-text tags dropped
    assert entries[4].key == "item 5" and entries[4].problem == "malformed entry: not a JSON object"


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", "bibtex", "the file is empty"),
        (b"\xff\xfe\x00", "bibtex", "not UTF-8 text"),
        (b"plain notes, no entries", "bibtex", "no BibTeX entries"),
        (b'{"title": ', "csl-json", "not JSON"),
        (b'"just a string"', "csl-json", "a list of items"),
        (b"[]", "csl-json", "no CSL JSON items"),
        (b"@misc{x,}", "ris", "format must be one of"),
    ],
)
def test_files_that_are_neither_are_refused(data, fmt, message):
    with pytest.raises(InvalidImport, match=message):
        read_entries(data, fmt)


def test_formats_are_detected():
    assert detect_format(b"[{}]") == "csl-json"
    assert detect_format(b'\xef\xbb\xbf  {"items": []}') == "csl-json"
    assert detect_format(b"@article{x}") == "bibtex"
    assert detect_format(b"[{}]", "refs.bib") == "bibtex"
    assert detect_format(b"@x", "refs.JSON") == "csl-json"


def test_tex_titles_become_text():
    assert (
        tex_to_text(r"{G}{\"o}del's {Theorem} \& {$\alpha$}-stability")
        == "Gödel's Theorem & $\\alpha$-stability"
    )
    assert tex_to_text("") == ""
