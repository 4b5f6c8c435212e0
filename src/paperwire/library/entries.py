"""Reading an uploaded BibTeX or CSL JSON file into CitedEntry values (what identifies each paper).

A file that is not one of the two at all is refused with InvalidImport (nothing is imported); an
entry that cannot be read is kept, with its problem, so the answer can list it.
"""

from __future__ import annotations

import json
import re

from paperwire import PaperwireError
from paperwire.library.ids import arxiv_ids_in, bare_arxiv_id, normal_doi
from paperwire.models.library import CitedEntry

FORMATS = ("bibtex", "csl-json")
# Fields whose text may name the paper's arXiv id, in the order their word is trusted.
BIBTEX_ID_FIELDS = ("arxivid", "eprint", "note", "journal", "url", "howpublished", "doi", "number", "annote")
CSL_ID_FIELDS = ("number", "archive_location", "note", "URL", "container-title", "DOI", "source")


class InvalidImport(PaperwireError):
    """The file is not BibTeX or CSL JSON, is empty, or is not UTF-8 text; the message says which."""


def detect_format(data: bytes, filename: str | None = None) -> str:
    """ "csl-json" or "bibtex", from the file name's extension, else from the first character."""
    name = (filename or "").lower()
    if name.endswith((".bib", ".bibtex")):
        return "bibtex"
    if name.endswith(".json"):
        return "csl-json"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "csl-json" if head in (b"[", b"{") else "bibtex"


def read_entries(data: bytes, fmt: str) -> list[CitedEntry]:
    """The file's entries; InvalidImport if the file as a whole cannot be read."""
    if fmt not in FORMATS:
        raise InvalidImport(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidImport(
            f"the file is not UTF-8 text (byte {exc.start:,} is not); save it as UTF-8"
        ) from None
    if not text.strip():
        raise InvalidImport("the file is empty")
    if "\x00" in text:
        raise InvalidImport("the file has a NUL character: it is not a text file")
    entries = _bibtex(text) if fmt == "bibtex" else _csl(text)
    if not entries:
        what = "BibTeX entries (@article{key, ...})" if fmt == "bibtex" else "CSL JSON items"
        raise InvalidImport(f"the file has no {what}")
    return entries


# -- BibTeX ----------------------------------------------------------------------------------------


def _bibtex(text: str) -> list[CitedEntry]:
    import bibtexparser
    from bibtexparser.model import Entry

    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # the splitter is fault-tolerant; anything it still raises means "not BibTeX"
        raise InvalidImport(
            f"the file does not parse as BibTeX: {' '.join(str(exc).split())[:200]}"
        ) from None
    entries: list[CitedEntry] = [_bibtex_entry(e) for e in library.entries]
    for block in library.failed_blocks:
        inner = getattr(block, "ignore_error_block", None)
        if isinstance(inner, Entry):  # a repeated key or field: the entry itself is readable
            entries.append(_bibtex_entry(inner))
            continue
        line = getattr(block, "start_line", None)
        where = f" at line {line + 1}" if isinstance(line, int) else ""
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "") or "it does not parse"
        reason = " ".join(reason.split())[:200]
        entries.append(
            CitedEntry(key=_raw_key(block.raw) or f"line {line}", problem=f"malformed entry{where}: {reason}")
        )
    return entries


_RAW_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)\s*,")


def _raw_key(raw: str) -> str:
    m = _RAW_KEY.match(raw.lstrip())
    return m.group(1) if m else ""


def _bibtex_entry(entry) -> CitedEntry:
    fields = {f.key.lower(): f.value for f in entry.fields if isinstance(f.value, str)}
    out = CitedEntry(key=entry.key, title=tex_to_text(fields.get("title", "")))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "")
    if eprint and prefix in ("", "arxiv"):
        _add(out.arxiv_ids, bare_arxiv_id(_unbrace(eprint)))
    if fields.get("arxivid"):
        _add(out.arxiv_ids, bare_arxiv_id(_unbrace(fields["arxivid"])))
    for name in BIBTEX_ID_FIELDS:
        for found in arxiv_ids_in(_unbrace(fields.get(name, ""))):
            _add(out.arxiv_ids, found)
    doi = normal_doi(_unbrace(fields.get("doi", "")).replace("\\_", "_"))
    _add(out.dois, doi)
    return out


def _unbrace(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip()


def tex_to_text(value: str) -> str:
    """A BibTeX title as plain text: accents made characters ({\\"o} -> ö), braces and commands gone."""
    value = value.strip()
    if not value:
        return ""
    try:
        from pylatexenc.latex2text import LatexNodes2Text

        text = LatexNodes2Text(math_mode="verbatim").latex_to_text(value)
    except Exception:  # pylatexenc is tolerant, but a title must never fail an import
        text = _unbrace(value)
    return " ".join(text.split())


# -- CSL JSON --------------------------------------------------------------------------------------


def _csl(text: str) -> list[CitedEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidImport(
            f"the file is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if isinstance(data, dict):
        data = data.get("items", [data]) if "items" in data else [data]
    if not isinstance(data, list):
        raise InvalidImport("CSL JSON is a list of items ([{...}, ...]), not a single value")
    return [_csl_item(item, n) for n, item in enumerate(data, 1)]


def _csl_item(item: object, position: int) -> CitedEntry:
    if not isinstance(item, dict):
        return CitedEntry(key=f"item {position}", problem="malformed entry: not a JSON object")
    key = item.get("id")
    key = str(key) if isinstance(key, (str, int)) and not isinstance(key, bool) else f"item {position}"
    title = item.get("title", "")
    if not isinstance(title, str):
        return CitedEntry(key=key, problem="malformed entry: title is not text")
    out = CitedEntry(key=key, title=" ".join(_TAG.sub("", title).split()))
    for name in CSL_ID_FIELDS:
        value = item.get(name)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = str(value)
            if name in ("number", "archive_location"):
                _add(out.arxiv_ids, bare_arxiv_id(value))
            for found in arxiv_ids_in(value):
                _add(out.arxiv_ids, found)
    if isinstance(item.get("DOI"), str):
        _add(out.dois, normal_doi(item["DOI"]))
    return out


_TAG = re.compile(r"</?(?:i|b|sup|sub|span|sc)(?:\s[^>]*)?>", re.IGNORECASE)  # CSL's rich-text tags


def _add(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)
