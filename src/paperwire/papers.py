"""The paper model: plain dataclasses, identifier rules and text normalisation. No I/O."""

from __future__ import annotations

import re
from urllib.parse import quote

from paperwire.models.papers import Links, Paper
from paperwire.repos import code_link

# Limits well above anything real (arXiv caps abstracts at 1,920 characters) that keep a hostile
# record from bloating the store or the pages that show it.
MAX_ID_CHARS = 100
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000
MAX_AUTHORS = 5_000
MAX_FIELD_CHARS = 10_000
MAX_VERSION = 2**31 - 1  # the version columns are PostgreSQL integers

_NEW_ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}")
_OLD_ARXIV_ID = re.compile(r"[a-z][a-z\-]*(\.[A-Z]{2})?/\d{7}")
_VERSION_SUFFIX = re.compile(r"v([0-9]{1,9})$")
ARXIV_CATEGORY = re.compile(r"[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?")
# Control characters, and the bidirectional controls that can make a title display as something
# else (U+202A-202E embeddings and overrides, U+2066-2069 isolates, the marks U+200E/F and U+061C):
# stripped at import (docs/importing.md).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Ids that are not arXiv ids (BEIR, Paperwire's own format) go into URL paths: a safe set only, so no
# id can carry `/ ? #` or `..` into a link or a form's target.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


class InvalidPaper(ValueError):
    """A record that cannot become a Paper; the message says why in one line."""


def normalize_text(value: object) -> str:
    """Collapse runs of whitespace (arXiv's hard line wraps included) and drop control characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidPaper(f"expected text, got {type(value).__name__}")
    # str.split() collapses every Unicode space in C; the regex runs only on the rare text it leaves
    # with control characters in it.
    text = " ".join(value.split())
    if text.isprintable():
        return text
    if _SURROGATE.search(text):
        # json.loads accepts "\\ud800"; no database can store it as UTF-8 text.
        raise InvalidPaper("text has a lone UTF-16 surrogate (like \\ud800), which is not valid Unicode")
    return " ".join(_CONTROL.sub("", text).split())


def optional_text(value: object, name: str) -> str | None:
    text = normalize_text(value)
    if len(text) > MAX_FIELD_CHARS:
        raise InvalidPaper(f"{name} is {len(text):,} characters; the limit is {MAX_FIELD_CHARS:,}")
    return text or None


def check_id(paper_id: str) -> None:
    """An id a paper may have: an arXiv id (new or old style) or one of the safe set; InvalidPaper if not."""
    if len(paper_id) > MAX_ID_CHARS:
        raise InvalidPaper(f"id {paper_id[:40]!r}… is longer than {MAX_ID_CHARS} characters")
    if is_arxiv_id(paper_id):
        return
    if not _SAFE_ID.fullmatch(paper_id) or ".." in paper_id:
        raise InvalidPaper(
            f"id {paper_id[:40]!r} is not an arXiv id and has characters outside A-Z a-z 0-9 . _ : - "
            "(or '..'); ids go into links, so / ? # % and spaces are refused"
        )


def is_arxiv_id(value: str) -> bool:
    return bool(_NEW_ARXIV_ID.fullmatch(value) or _OLD_ARXIV_ID.fullmatch(value))


def split_arxiv_id(value: str) -> tuple[str, int | None]:
    """'arXiv:2503.11677v2' -> ('2503.11677', 2); raises InvalidPaper if it is not an arXiv id."""
    text = value.strip()
    if text[:6].lower() == "arxiv:":
        text = text[6:]
    version = None
    m = _VERSION_SUFFIX.search(text)
    if m and is_arxiv_id(text[: m.start()]):
        version = int(m.group(1))
        text = text[: m.start()]
    if not is_arxiv_id(text):
        raise InvalidPaper(f"{value!r} is not an arXiv id (like 2503.11677 or hep-th/9901001)")
    return text, version


def arxiv_categories(values: list[str]) -> list[str]:
    """Only well-formed arXiv category names ('cs.CV', 'hep-th'); listings also carry MSC codes."""
    return [v for v in values if isinstance(v, str) and ARXIV_CATEGORY.fullmatch(v)]


def arxiv_links(arxiv_id: str) -> Links:
    return Links(abstract=f"https://arxiv.org/abs/{arxiv_id}", pdf=f"https://arxiv.org/pdf/{arxiv_id}")


def make_paper(
    *,
    id: object,
    title: object,
    source: str,
    abstract: object = "",
    authors: object = (),
    categories: object = (),
    **fields,
) -> Paper:
    """Build a validated, normalised Paper, or raise InvalidPaper with a one-line reason."""
    if isinstance(id, int) and not isinstance(id, bool):
        id = str(id)  # BEIR corpora write numeric ids as numbers
    paper_id = normalize_text(id) if isinstance(id, str) else None
    if not paper_id:
        raise InvalidPaper("record has no id")
    check_id(paper_id)
    source = normalize_text(source)
    if not source or len(source) > MAX_ID_CHARS:
        raise InvalidPaper(f"source must be 1 to {MAX_ID_CHARS} characters of text")
    clean_title = normalize_text(title)
    if not clean_title:
        raise InvalidPaper(f"paper {paper_id} has no title")
    if len(clean_title) > MAX_TITLE_CHARS:
        raise InvalidPaper(f"title is {len(clean_title):,} characters; the limit is {MAX_TITLE_CHARS:,}")
    if isinstance(abstract, str) and len(abstract) > 2 * MAX_ABSTRACT_CHARS:
        # Reject before normalising, so a huge abstract costs no more work.
        raise InvalidPaper(f"abstract is {len(abstract):,} characters; the limit is {MAX_ABSTRACT_CHARS:,}")
    clean_abstract = normalize_text(abstract)
    if len(clean_abstract) > MAX_ABSTRACT_CHARS:
        raise InvalidPaper(
            f"abstract is {len(clean_abstract):,} characters; the limit is {MAX_ABSTRACT_CHARS:,}"
        )
    clean_authors = _text_list(authors, "authors")
    if len(clean_authors) > MAX_AUTHORS:
        raise InvalidPaper(f"{len(clean_authors):,} authors; the limit is {MAX_AUTHORS:,}")
    clean_categories = list(dict.fromkeys(_text_list(categories, "categories")))
    version = fields.pop("version", None)
    version = 1 if version is None else version
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        raise InvalidPaper(f"version must be a whole number from 1 to {MAX_VERSION:,}, got {_short(version)}")
    for v in fields.get("versions") or ():
        if not 1 <= v.version <= MAX_VERSION:
            raise InvalidPaper(f"a version number must be from 1 to {MAX_VERSION:,}, got {_short(v.version)}")
    _check_links(fields.get("links"))
    for name in ("comment", "journal_ref", "doi", "license"):
        if name in fields:
            fields[name] = optional_text(fields[name], name)
    links = fields.get("links") or Links()
    if links.code is None:
        # A source's own link (Hugging Face's githubRepo, an export's links.code) wins; otherwise the
        # repository the abstract or the arXiv comment names is the paper's code (docs/ui.md).
        code = code_link(clean_abstract, fields.get("comment"))
        if code:
            fields["links"] = Links(links.abstract, links.pdf, code, links.project)
    return Paper(
        id=paper_id,
        title=clean_title,
        source=source,
        abstract=clean_abstract,
        authors=clean_authors,
        categories=clean_categories,
        version=version,
        **fields,
    )


def _short(value: object) -> str:
    if isinstance(value, int) and abs(value) >= 10**30:  # str() of a huge int is slow or refused
        return f"a {value.bit_length()}-bit number"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_links(links: object) -> None:
    # Links end up in href attributes: only http(s) URLs, so an imported file cannot plant javascript:.
    if links is None:
        return
    for name in ("abstract", "pdf", "code", "project"):
        url = getattr(links, name)
        if url is None:
            continue
        if (
            not isinstance(url, str)
            or not url.startswith(("https://", "http://"))
            or len(url) > 2_000
            or not url.isprintable()  # no controls, NUL (PostgreSQL refuses it) or lone surrogates
        ):
            raise InvalidPaper(f"links.{name} must be an http(s) URL, got {_short(url)}")


def _text_list(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise InvalidPaper(f"{name} must be a list of strings, got {type(value).__name__}")
    out = []
    for item in value:
        text = normalize_text(item)
        if len(text) > MAX_FIELD_CHARS:
            raise InvalidPaper(f"an entry of {name} is {len(text):,} characters long")
        if text:
            out.append(text)
    return out


def paper_path(paper_id: str) -> str:
    """`/papers/{id}` with the id percent-encoded: `?`, `#`, `%` and spaces can never end the path (an
    old-style arXiv id keeps its `/`, which the routes take as part of the id)."""
    return "/papers/" + quote(paper_id, safe="/:")


def paper_id_candidates(ref: str) -> list[str]:
    """Ids to look a reference up by: as given, then as a bare arXiv id ('arXiv:2503.1v2' -> '2503.1')."""
    ref = ref.strip()
    out = [ref]
    try:
        bare, _ = split_arxiv_id(ref)
    except InvalidPaper:
        return out
    if bare != ref:
        out.append(bare)
    return out


_ARXIV_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>[^?#]+?)(?:\.pdf)?/?(?:[?#].*)?"
)
_HF_PAPER_URL = re.compile(r"https?://(?:www\.)?huggingface\.co/papers/(?P<id>[^?#/]+)/?(?:[?#].*)?")


def arxiv_ref(ref: str) -> str:
    """The bare arXiv id in an id ('arXiv:2503.11677v2') or a URL (arxiv.org/abs|pdf|html, Hugging
    Face's /papers/); InvalidPaper with a one-line reason otherwise."""
    text = (ref or "").strip()
    if not text:
        raise InvalidPaper("give an arXiv id like 2503.11677 or a link to its arXiv page")
    m = _ARXIV_URL.fullmatch(text) or _HF_PAPER_URL.fullmatch(text)
    if m:
        text = m.group("id")
    elif text.startswith(("http://", "https://")):
        raise InvalidPaper(f"{text[:80]!r} is not a link to an arXiv paper (arxiv.org/abs/… or /pdf/…)")
    return split_arxiv_id(text)[0]
