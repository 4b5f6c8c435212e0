"""Papers as citations: arXiv-style BibTeX `@misc` entries and CSL JSON items (what Zotero imports).

Both are built from the stored paper alone; keys are unique within one export and stable for a paper
(first author's family name, year, first significant title word).
"""

from __future__ import annotations

import re

from paperwire.library.names import citation_key, split_name, unique_keys
from paperwire.models.papers import Paper
from paperwire.papers import is_arxiv_id, paper_path

# Characters LaTeX takes as commands outside math; each gets its backslash unless it has one.
_SPECIAL = re.compile(r"(?<!\\)([&%#_])")
_MATH = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$")


def _keys(papers: list[Paper]) -> list[str]:
    return unique_keys(
        citation_key(p.authors, _year(p), p.title, "paper" + re.sub(r"\W", "", p.id)) for p in papers
    )


def _year(p: Paper) -> int | None:
    day = p.published or p.announced or p.updated
    return day.year if day else None


def _url(p: Paper, base_url: str) -> str:
    return p.links.abstract or f"{base_url}{paper_path(p.id)}"


# -- BibTeX ------------------------------------------------------------------------------------------


def tex_escape(text: str) -> str:
    """Text for a braced BibTeX value that LaTeX typesets: & % # _ escaped outside $math$, and braces
    that do not pair up (BibTeX counts every brace, escaped or not) written as \\textbrace commands."""
    out, last = [], 0
    for m in _MATH.finditer(text):
        out += [_SPECIAL.sub(r"\\\1", text[last : m.start()]), m.group(0)]
        last = m.end()
    out.append(_SPECIAL.sub(r"\\\1", text[last:]))
    return _pair_braces("".join(out))


def _pair_braces(text: str) -> str:
    opened: list[int] = []
    lone: set[int] = set()
    for i, c in enumerate(text):
        if c == "{":
            opened.append(i)
        elif c == "}":
            if opened:
                opened.pop()
            else:
                lone.add(i)
    lone.update(opened)
    if not lone:
        return text
    names = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
    return "".join(names[c] if i in lone else c for i, c in enumerate(text))


def _bib_name(name: str) -> str:
    parts = split_name(name)
    if "literal" in parts:
        return "{" + tex_escape(parts["literal"]) + "}"  # one name, never split at "and" or spaces
    family, given = tex_escape(parts["family"]), tex_escape(parts["given"])
    if "suffix" in parts:
        return f"{family}, {tex_escape(parts['suffix'])}, {given}"
    return f"{family}, {given}"


def to_bibtex(papers: list[Paper], base_url: str) -> str:
    """An arXiv-style `@misc` entry per paper, in the order given."""
    chunks = []
    for key, p in zip(_keys(papers), papers, strict=True):
        fields = [("title", tex_escape(p.title))]
        if p.authors:
            fields.append(("author", " and ".join(_bib_name(a) for a in p.authors)))
        if _year(p):
            fields.append(("year", str(_year(p))))
        if is_arxiv_id(p.id):
            fields += [("eprint", p.id), ("archivePrefix", "arXiv")]
            if p.primary_category:
                fields.append(("primaryClass", p.primary_category))
        fields.append(("url", _braceless(_url(p, base_url))))
        if p.doi:
            fields.append(("doi", _braceless(p.doi)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        chunks.append(f"@misc{{{key},\n{body}\n}}\n")
    return "\n".join(chunks)


def _braceless(value: str) -> str:
    return value.replace("{", "%7B").replace("}", "%7D")


# -- CSL JSON ----------------------------------------------------------------------------------------


def to_csl(papers: list[Paper], base_url: str) -> list[dict]:
    """A CSL JSON item per paper (type "article": a preprint, as Zotero reads it)."""
    items = []
    for key, p in zip(_keys(papers), papers, strict=True):
        item: dict = {"id": key, "type": "article", "title": p.title}
        if p.authors:
            item["author"] = [split_name(a) for a in p.authors]
        day = p.published or p.announced or p.updated
        if day:
            item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
        if p.abstract:
            item["abstract"] = p.abstract
        item["URL"] = _url(p, base_url)
        if is_arxiv_id(p.id):
            item.update(number=f"arXiv:{p.id}", archive="arXiv", archive_location=p.id, publisher="arXiv")
            item["DOI"] = p.doi or f"10.48550/arXiv.{p.id}"  # arXiv's DOI for every paper
        elif p.doi:
            item["DOI"] = p.doi
        items.append(item)
    return items
