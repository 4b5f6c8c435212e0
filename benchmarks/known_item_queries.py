"""Checks the hand-written known-item queries (benchmarks/data/known_item.jsonl) against the corpus.

`check(queries, papers)` returns the problems found (empty: valid). `main()` loads the file and the
shared arXiv corpus, prints the problems (exit 1 if any), the counts by style and category, each batch's
counts and the mean content overlap by batch and style, or
"skipped: ..." (exit 0) when ../shared is absent.
The rules are described in benchmarks/data/README.md; in short, per query:

- fields qid, style, query, target, primary_category present; batch 1, 2 or 3; style one of STYLES
  (batch 2: paraphrase or problem only); qids and targets unique; the target is in the corpus and
  primary_category is its primary category;
- 4 to 14 words (split on whitespace); not the title; no run of more than 3 consecutive title words
  (lower-cased, punctuation stripped, English Snowball stemmer);
- no author's surname (last name word, 3+ letters) as a whole word, case-insensitive, unless that word
  is also an ordinary word of the paper's title or abstract (a surname such as "Long" or "Wang" may then
  stand for the word, not the person);
- batch 2 only: at most BATCH2_MAX_OVERLAP content stems (stop words aside) that occur in the paper's
  title or abstract (`content_overlap`): the searcher's own words, not the paper's;
- batch 3, paraphrase and problem queries only: a content overlap within BATCH3_OVERLAP (mostly the
  searcher's words, but the one or two key terms a reader remembers survive);

and over the set: each category group's share within +-5 points of CATEGORY_SHARES.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import Stemmer

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "benchmarks" / "data" / "known_item.jsonl"
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs" / "papers.jsonl.gz"

FIELDS = ("qid", "style", "query", "target", "primary_category")
STYLES = ("paraphrase", "problem", "keyword", "named")
# Target share of each primary-category group, in percent (issue 18); "other" is every other category.
CATEGORY_SHARES = {"cs.CV": 40, "cs.CL": 25, "cs.AI": 15, "cs.LG": 10, "other": 10}
SHARE_TOLERANCE = 5
MIN_WORDS, MAX_WORDS = 4, 14
MAX_TITLE_RUN = 3
# Batch 2 is written in the searcher's own words: at most this many of a query's content stems may
# come from its paper's title and abstract.
BATCH2_MAX_OVERLAP = 2
# Batch 3 is written at the word overlap of a held-out set: its paraphrase and problem queries keep a
# few of the paper's key terms, between these bounds (inclusive); its keyword and named queries are free.
BATCH3_OVERLAP = (2, 6)
BATCHES = (1, 2, 3)
BATCH2_STYLES = ("paraphrase", "problem")
# Words that carry no content: NLTK's classic English list (127 words), which unlike bm25s's 33 also
# holds the pronouns, question words and auxiliaries of a searcher's question ("how do I ...").
# Written out here so that the validator needs only PyStemmer.
_NLTK_ENGLISH = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these
    those am is are was were be been being have has had having do does did doing a an the and but if or
    because as until while of at by for with about against between into through during before after
    above below to from up down in out on off over under again further then once here there when where
    why how all any both each few more most other some such no nor not only own same so than too very s
    t can will just don should now"""
STOP_WORDS = frozenset(_NLTK_ENGLISH.split())
# Name suffixes that are not surnames ("Martin Luther King Jr.").
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}

_stemmer = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased words with punctuation stripped (a hyphen or slash splits a word)."""
    return re.findall(r"[^\W_]+", text.lower())


def stems(text: str) -> list[str]:
    return _stemmer.stemWords(words(text))


def content_overlap(query: str, paper: Mapping) -> int:
    """How many distinct content stems of the query (stop words aside) occur in the title or abstract."""
    paper_stems = set(stems(paper["title"])) | set(stems(paper["abstract"]))
    query_stems = set(_stemmer.stemWords([w for w in words(query) if w not in STOP_WORDS]))
    return len(query_stems & paper_stems)


def category_group(primary_category: str) -> str:
    return primary_category if primary_category in CATEGORY_SHARES else "other"


def surname(author: str) -> str:
    """The last name word of an author ("Jane Q. van Doe Jr." -> "doe"), lower-cased."""
    parts = [w for w in words(author) if w not in _SUFFIXES]
    return parts[-1] if parts else ""


def longest_title_run(query: str, title: str) -> int:
    """The longest run of consecutive stemmed query words that also occurs consecutively in the title."""
    q, t = stems(query), stems(title)
    best = 0
    for i in range(len(q)):
        for j in range(len(t)):
            k = 0
            while i + k < len(q) and j + k < len(t) and q[i + k] == t[j + k]:
                k += 1
            best = max(best, k)
    return best


def author_names_in(query: str, paper: Mapping) -> list[str]:
    """The authors' surnames that the query contains and the paper's own text does not use as words."""
    query_words = set(words(query))
    ordinary = set(words(paper["title"])) | set(words(paper["abstract"]))
    names = {surname(a) for a in paper.get("authors") or []}
    return sorted(n for n in names if len(n) >= 3 and n in query_words and n not in ordinary)


def _check_one(q: Mapping, papers: Mapping[str, Mapping]) -> list[str]:
    qid = q.get("qid", "?")
    missing = [f for f in FIELDS if not isinstance(q.get(f), str) or not q.get(f).strip()]
    if missing:
        return [f"{qid}: missing or empty field(s) {', '.join(missing)}"]
    problems = []
    if q.get("batch") not in BATCHES:
        return [f"{qid}: batch {q.get('batch')!r} is not one of {', '.join(map(str, BATCHES))}"]
    if q["batch"] == 2 and q["style"] not in BATCH2_STYLES:
        problems.append(f"{qid}: batch 2 holds only {' and '.join(BATCH2_STYLES)} queries")
    if q["style"] not in STYLES:
        problems.append(f"{qid}: style {q['style']!r} is not one of {', '.join(STYLES)}")
    n = len(q["query"].split())
    if not MIN_WORDS <= n <= MAX_WORDS:
        problems.append(f"{qid}: {n} words (must be {MIN_WORDS} to {MAX_WORDS})")
    paper = papers.get(q["target"])
    if paper is None:
        return [*problems, f"{qid}: target {q['target']} is not in the corpus"]
    if q["primary_category"] != paper["primary_category"]:
        problems.append(
            f"{qid}: primary_category {q['primary_category']} but the target's is {paper['primary_category']}"
        )
    if words(q["query"]) == words(paper["title"]):
        problems.append(f"{qid}: the query is the title")
    else:
        run = longest_title_run(q["query"], paper["title"])
        if run > MAX_TITLE_RUN:
            problems.append(f"{qid}: {run} consecutive title words (at most {MAX_TITLE_RUN})")
    names = author_names_in(q["query"], paper)
    if names:
        problems.append(f"{qid}: author name(s) {', '.join(names)}")
    if q["batch"] == 2:
        overlap = content_overlap(q["query"], paper)
        if overlap > BATCH2_MAX_OVERLAP:
            problems.append(
                f"{qid}: {overlap} content words from the title or abstract"
                f" (batch 2: at most {BATCH2_MAX_OVERLAP})"
            )
    if q["batch"] == 3 and q["style"] in BATCH2_STYLES:
        overlap = content_overlap(q["query"], paper)
        low, high = BATCH3_OVERLAP
        if not low <= overlap <= high:
            problems.append(
                f"{qid}: {overlap} content words from the title or abstract"
                f" (batch 3 {q['style']}: {low} to {high})"
            )
    return problems


def check(queries: list[Mapping], papers: Mapping[str, Mapping]) -> list[str]:
    """Every problem in the queries against the corpus (papers by id); empty when the set is valid."""
    problems = []
    for q in queries:
        problems += _check_one(q, papers)
    for field in ("qid", "target"):
        counts = Counter(q.get(field) for q in queries if q.get(field))
        problems += [f"{field} {v} used {c} times" for v, c in sorted(counts.items()) if c > 1]
    qids = [q.get("qid", "") for q in queries]
    if qids != sorted(qids):
        problems.append("queries are not sorted by qid")
    if queries:
        groups = Counter(category_group(q.get("primary_category", "")) for q in queries)
        for group, target in CATEGORY_SHARES.items():
            share = 100 * groups[group] / len(queries)
            if abs(share - target) > SHARE_TOLERANCE:
                problems.append(
                    f"category {group}: {share:.1f} % of the queries (target {target} +-{SHARE_TOLERANCE})"
                )
    return problems


def overlap_by_batch_and_style(queries: list[Mapping], papers: Mapping[str, Mapping]) -> list[tuple]:
    """(batch, style, number of queries, mean content_overlap) for each batch and style present."""
    overlaps: dict[tuple, list[int]] = {}
    for q in queries:
        paper = papers.get(q.get("target", ""))
        if paper is not None and q.get("style") in STYLES:
            key = (q.get("batch"), q["style"])
            overlaps.setdefault(key, []).append(content_overlap(q.get("query", ""), paper))
    order = {s: i for i, s in enumerate(STYLES)}
    keys = sorted(overlaps, key=lambda k: (str(k[0]), order[k[1]]))
    return [(b, s, len(overlaps[b, s]), sum(overlaps[b, s]) / len(overlaps[b, s])) for b, s in keys]


def batch_summary(queries: list[Mapping]) -> list[str]:
    """One line a batch: its number of queries, by style and by category group."""
    lines = []
    for batch in sorted({q.get("batch") for q in queries}, key=str):
        qs = [q for q in queries if q.get("batch") == batch]
        styles = Counter(q.get("style") for q in qs)
        groups = Counter(category_group(q.get("primary_category", "")) for q in qs)
        lines.append(
            f"batch {batch}: {len(qs)} queries; "
            + ", ".join(f"{s} {styles[s]}" for s in STYLES if styles[s])
            + "; "
            + ", ".join(f"{g} {groups[g]}" for g in CATEGORY_SHARES if groups[g])
        )
    return lines


def load_queries(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_papers(path: Path, ids: Iterable[str] | None = None) -> dict[str, dict]:
    """The corpus by id; only the given ids when there are any (the file has 74,728 papers)."""
    wanted = set(ids) if ids is not None else None
    papers = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            paper = json.loads(line)
            if wanted is None or paper["id"] in wanted:
                papers[paper["id"]] = paper
    return papers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"skipped: the corpus {args.corpus} is absent (it lives in ../shared)")
        return 0
    queries = load_queries(args.queries)
    papers = load_papers(args.corpus, (q.get("target", "") for q in queries))
    problems = check(queries, papers)
    for p in problems:
        print(p)
    styles = Counter(q.get("style") for q in queries)
    groups = Counter(category_group(q.get("primary_category", "")) for q in queries)
    print(f"{len(queries)} queries, {len(problems)} problem(s)")
    print("by style:    " + ", ".join(f"{s} {styles[s]}" for s in STYLES))
    print("by category: " + ", ".join(f"{g} {groups[g]}" for g in CATEGORY_SHARES))
    for line in batch_summary(queries):
        print(line)
    print("mean content overlap with the title and abstract, by batch and style:")
    for batch, style, n, mean in overlap_by_batch_and_style(queries, papers):
        print(f"  batch {batch} {style:<10} {n:>3} queries  {mean:.2f}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
