"""Papers as BibTeX that parses back with bibtexparser and as CSL JSON items."""

from datetime import date

import bibtexparser

from paperwire.library.export import tex_escape, to_bibtex, to_csl
from paperwire.papers import arxiv_links, make_paper


def _paper(pid="2503.11677", title="Graph networks", authors=("Ada Lovelace",), **kw):
    return make_paper(
        id=pid, title=title, authors=list(authors), categories=["cs.CV", "cs.LG"], source="test",
        published=date(2025, 3, 14), links=arxiv_links(pid), **kw,
    )  # fmt: skip


def test_escaping_keeps_math_and_pairs_braces():
    assert tex_escape("A & B at 50% for C# and x_1") == r"A \& B at 50\% for C\# and x\_1"
    assert tex_escape("cost $O(n_1 \\log n)$ & more") == r"cost $O(n_1 \log n)$ \& more"
    assert tex_escape("already \\& escaped") == "already \\& escaped"
    assert tex_escape("a {kept} group") == "a {kept} group"
    assert tex_escape("lone } and { braces") == r"lone \textbraceright{} and \textbraceleft{} braces"


def test_bibtex_is_arxiv_style_and_parses_back():
    papers = [
        _paper(title="Graph networks & {message} passing: $x_1$ at 100%", doi="10.1/ABC_1",
               authors=["Ada Lovelace", "Ludwig van Beethoven", "The ATLAS Collaboration"]),
        _paper(pid="2503.11678", title="Graph networks again"),
        _paper(pid="hep-th/9901001", title="Strings } unbalanced {"),
    ]  # fmt: skip
    text = to_bibtex(papers, "http://hub")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 3
    first, second, third = library.entries
    assert (first.key, second.key) == ("lovelace2025graph", "lovelace2025grapha")  # unique keys
    assert first.entry_type == "misc"
    assert first["title"] == r"Graph networks \& {message} passing: $x_1$ at 100\%"
    assert first["author"] == "Lovelace, Ada and van Beethoven, Ludwig and {The ATLAS Collaboration}"
    assert (first["year"], first["eprint"], first["archivePrefix"], first["primaryClass"]) == (
        "2025", "2503.11677", "arXiv", "cs.CV"
    )  # fmt: skip
    assert first["url"] == "https://arxiv.org/abs/2503.11677" and first["doi"] == "10.1/ABC_1"
    assert "doi" not in second.fields_dict
    assert third["eprint"] == "hep-th/9901001"
    assert third["title"] == r"Strings \textbraceright{} unbalanced \textbraceleft{}"


def test_a_paper_that_is_not_from_arxiv_has_no_eprint():
    p = make_paper(id="beir-123", title="A web page", source="beir")
    (entry,) = bibtexparser.parse_string(to_bibtex([p], "http://hub")).entries
    assert "eprint" not in entry.fields_dict and entry["url"] == "http://hub/papers/beir-123"
    (item,) = to_csl([p], "http://hub")
    assert item == {
        "id": "web",
        "type": "article",
        "title": "A web page",
        "URL": "http://hub/papers/beir-123",
    }


def test_csl_json_items():
    (item,) = to_csl([_paper(abstract="We study graphs.", authors=["Ada Lovelace", "OpenAI"])], "http://hub")
    assert item == {
        "id": "lovelace2025graph",
        "type": "article",
        "title": "Graph networks",
        "author": [{"family": "Lovelace", "given": "Ada"}, {"literal": "OpenAI"}],
        "issued": {"date-parts": [[2025, 3, 14]]},
        "abstract": "We study graphs.",
        "URL": "https://arxiv.org/abs/2503.11677",
        "number": "arXiv:2503.11677",
        "archive": "arXiv",
        "archive_location": "2503.11677",
        "publisher": "arXiv",
        "DOI": "10.48550/arXiv.2503.11677",
    }
