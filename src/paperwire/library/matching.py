"""Imported entries matched to the hub's papers: by arXiv id, then DOI, then exact title."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from paperwire.models.library import CitedEntry, ImportReport, Unmatched

NO_MATCH = "no arXiv id, DOI or title match"


def match_entries(
    entries: Sequence[CitedEntry],
    fmt: str,
    *,
    known_ids: Callable[[list[str]], set[str]],
    by_doi: Callable[[list[str]], dict[str, str]],
    by_title: Callable[[str], list[str]],
) -> ImportReport:
    """Each entry's paper: the first of its arXiv ids the hub has, else its DOI's paper, else the one
    paper whose title is the entry's (normalised by `by_title`: case, accents, punctuation and spacing
    ignored; it must name at most two ids, and only one is a match)."""
    report = ImportReport(format=fmt, entries=len(entries))
    readable = [e for e in entries if not e.problem]
    known = known_ids(list(dict.fromkeys(i for e in readable for i in e.arxiv_ids)))
    dois = by_doi(list(dict.fromkeys(d for e in readable for d in e.dois)))
    for entry in entries:
        if entry.problem:
            report.unmatched.append(Unmatched(entry.key, entry.title, entry.problem))
            continue
        found = next((i for i in entry.arxiv_ids if i in known), None)
        how = "arxiv"
        if found is None:
            found, how = next((dois[d] for d in entry.dois if d in dois), None), "doi"
        titled: list[str] = []
        if found is None and entry.title:
            titled = by_title(entry.title)
            if len(titled) == 1:
                found, how = titled[0], "title"
        if found is None:
            report.unmatched.append(Unmatched(entry.key, entry.title, _reason(entry, titled)))
        else:
            report.matched.setdefault(found, how)
    return report


def _reason(entry: CitedEntry, titled: list[str]) -> str:
    if not entry.arxiv_ids and not entry.dois and not entry.title:
        return "no arXiv id, DOI or title to match by"
    if len(titled) > 1:
        return f"{NO_MATCH}: its title is the title of several papers"
    if entry.arxiv_ids:
        return f"{NO_MATCH}: arXiv {entry.arxiv_ids[0]} is not on this hub"
    return NO_MATCH
