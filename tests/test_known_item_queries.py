"""The known-item queries' validator (benchmarks/known_item_queries.py): each rule on a hand-made corpus,
then the committed queries against the shared arXiv corpus."""

import pytest
from benchmarks.known_item_queries import (
    QUERIES,
    category_group,
    check,
    load_papers,
    load_queries,
    longest_title_run,
    main,
)

from tests.conftest import shared_path

PAPERS = {
    "2501.00001": {
        "id": "2501.00001",
        "title": "Sparse Attention Masks for Long Video Understanding",
        "abstract": "We prune tokens of long videos with learned sparse masks, keeping accuracy at a "
        "fraction of the cost.",
        "authors": ["Ada Long", "Grace Hopperton", "Li Wu"],
        "primary_category": "cs.CV",
    },
    "2501.00002": {
        "id": "2501.00002",
        "title": "Negotiating Agents That Learn From Their Mistakes",
        "abstract": "Language model agents replay failed deals and rewrite their own bargaining "
        "strategies between rounds.",
        "authors": ["Ines Mistral-Baker"],
        "primary_category": "cs.CL",
    },
}


def query(qid="ki-001", style="keyword", text="token pruning for hour-long clips", target="2501.00001"):
    return {
        "qid": qid,
        "style": style,
        "query": text,
        "target": target,
        "primary_category": PAPERS.get(target, {}).get("primary_category", "cs.CV"),
    }


def per_query(problems):
    """The problems of single queries: two papers cannot match the category shares."""
    return [p for p in problems if not p.startswith("category ")]


def test_a_good_query_has_no_problem():
    queries = [
        query(),
        query("ki-002", "problem", "how can bargaining bots improve after bad deals", "2501.00002"),
    ]
    assert per_query(check(queries, PAPERS)) == []


def test_missing_or_empty_fields():
    q = query()
    del q["target"]
    q["style"] = " "
    assert check([q], PAPERS)[0] == "ki-001: missing or empty field(s) style, target"


def test_unknown_style():
    assert per_query(check([query(style="question")], PAPERS)) == [
        "ki-001: style 'question' is not one of paraphrase, problem, keyword, named"
    ]


@pytest.mark.parametrize(
    "text", ["pruning long clips", "one two three four five six seven eight nine ten a b c d e"]
)
def test_word_count_out_of_range(text):
    words = len(text.split())
    assert per_query(check([query(text=text)], PAPERS)) == [f"ki-001: {words} words (must be 4 to 14)"]


def test_target_absent_from_the_corpus():
    assert per_query(check([query(target="2501.99999")], PAPERS)) == [
        "ki-001: target 2501.99999 is not in the corpus"
    ]


def test_primary_category_must_be_the_targets():
    q = query()
    q["primary_category"] = "cs.LG"
    assert per_query(check([q], PAPERS)) == ["ki-001: primary_category cs.LG but the target's is cs.CV"]


def test_duplicate_qids_and_targets():
    queries = [query(), query(text="hour-long video token pruning masks")]
    assert per_query(check(queries, PAPERS)) == [
        "qid ki-001 used 2 times",
        "target 2501.00001 used 2 times",
    ]


def test_queries_must_be_sorted_by_qid():
    queries = [
        query("ki-002"),
        query("ki-001", text="bargaining bots replay failed deals", target="2501.00002"),
    ]
    assert per_query(check(queries, PAPERS)) == ["queries are not sorted by qid"]


def test_the_title_itself_is_refused():
    problems = per_query(check([query(text="Sparse attention masks for long-video understanding!")], PAPERS))
    assert problems == ["ki-001: the query is the title"]


def test_four_consecutive_title_words_after_stemming():
    # "masked" and "mask", "videos" and "video" share a stem: a run of four title words.
    problems = per_query(check([query(text="learned sparse attention masked for videos")], PAPERS))
    assert problems == ["ki-001: 4 consecutive title words (at most 3)"]
    # Three in a row are allowed, and so are title words in another order.
    assert per_query(check([query(text="sparse attention masks pruning video tokens")], PAPERS)) == []
    assert per_query(check([query(text="video understanding with masks of sparse attention")], PAPERS)) == []


def test_longest_title_run_uses_the_snowball_stemmer():
    assert longest_title_run("negotiated agent that learns", "Negotiating Agents That Learn") == 4
    assert longest_title_run("nothing shared", "Negotiating Agents") == 0


def test_an_authors_surname_is_refused():
    problems = per_query(check([query(text="Hopperton token pruning for video")], PAPERS))
    assert problems == ["ki-001: author name(s) hopperton"]
    # A hyphenated surname is matched by its last part, as a whole word and case-insensitively.
    q = query(style="named", text="BAKER agents replay failed deals", target="2501.00002")
    assert per_query(check([q], PAPERS)) == ["ki-001: author name(s) baker"]


def test_a_surname_that_is_an_ordinary_word_of_the_paper_is_allowed():
    # "Long" is an author's surname and a word of the title; "Wu" has fewer than 3 letters.
    assert per_query(check([query(text="long clip token pruning by Wu")], PAPERS)) == []


def test_category_shares_within_five_points():
    problems = check(
        [query(), query("ki-002", text="bargaining bots replay failed deals", target="2501.00002")], PAPERS
    )
    assert problems == [
        "category cs.CV: 50.0 % of the queries (target 40 +-5)",
        "category cs.CL: 50.0 % of the queries (target 25 +-5)",
        "category cs.AI: 0.0 % of the queries (target 15 +-5)",
        "category cs.LG: 0.0 % of the queries (target 10 +-5)",
        "category other: 0.0 % of the queries (target 10 +-5)",
    ]
    assert category_group("eess.IV") == "other"


@pytest.mark.shared
def test_the_committed_queries_are_valid_on_the_shared_corpus(capsys):
    corpus = shared_path("data", "arxiv-cs", "papers.jsonl.gz")
    queries = load_queries(QUERIES)
    assert len(queries) >= 150
    assert check(queries, load_papers(corpus, (q["target"] for q in queries))) == []
    assert main(["--corpus", str(corpus)]) == 0
    assert f"{len(queries)} queries, 0 problem(s)" in capsys.readouterr().out


def test_main_skips_when_the_corpus_is_absent(tmp_path, capsys):
    assert main(["--corpus", str(tmp_path / "absent.jsonl.gz")]) == 0
    assert capsys.readouterr().out.startswith("skipped: the corpus")
