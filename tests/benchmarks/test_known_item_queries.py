"""The known-item queries' validator (benchmarks/known_item_queries.py): each rule on a hand-made corpus,
then the committed queries against the shared arXiv corpus."""

from collections import Counter

import pytest
from benchmarks.known_item_queries import (
    QUERIES,
    batch_summary,
    category_group,
    check,
    content_overlap,
    load_papers,
    load_queries,
    longest_title_run,
    main,
    overlap_by_batch_and_style,
)

from tests.support.paths import shared_path

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


def query(
    qid="ki-001", style="keyword", text="token pruning for hour-long clips", target="2501.00001", batch=1
):
    return {
        "qid": qid,
        "style": style,
        "query": text,
        "target": target,
        "primary_category": PAPERS.get(target, {}).get("primary_category", "cs.CV"),
        "batch": batch,
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


def test_content_overlap_counts_distinct_stems_shared_with_title_or_abstract():
    paper = PAPERS["2501.00001"]
    # "videos"/"video" and "masks"/"masked" share stems; each stem counts once; stop words never count.
    assert content_overlap("masked videos and the video", paper) == 2
    # "keep" (the abstract's "keeping"), "accuracy" and "cost" come from the abstract; "how", "do",
    # "I", "of", "at" are stop words.
    assert content_overlap("how do I keep accuracy of clips at low cost", paper) == 3
    assert content_overlap("speeding up hour-long clip models", paper) == 1
    assert content_overlap("why do the and of", paper) == 0


def test_batch_two_allows_at_most_two_words_of_the_papers_own():
    text = "trimming sparse tokens of long videos"  # sparse, token, long, video: 4 of the paper's stems
    assert per_query(check([query(text=text, style="paraphrase")], PAPERS)) == []
    assert per_query(check([query(text=text, style="paraphrase", batch=2)], PAPERS)) == [
        "ki-001: 4 content words from the title or abstract (batch 2: at most 2)"
    ]
    own_words = "cheaper hour-long clip models by dropping redundant patches"  # only "long"
    assert per_query(check([query(text=own_words, style="problem", batch=2)], PAPERS)) == []


def test_batch_three_keeps_two_to_six_of_the_papers_words_in_paraphrase_and_problem_queries():
    # sparse, token, long, video: 4 of the paper's stems, a remembered key term or two among own words.
    text = "trimming sparse tokens of long videos"
    assert per_query(check([query(text=text, style="paraphrase", batch=3)], PAPERS)) == []
    own_words = "cheaper hour-long clip models by dropping redundant patches"  # only "long"
    assert per_query(check([query(text=own_words, style="problem", batch=3)], PAPERS)) == [
        "ki-001: 1 content words from the title or abstract (batch 3 problem: 2 to 6)"
    ]
    # sparse, attent, mask, long, video, prune, token: 7, the paper's own wording.
    copied = "pruning tokens with sparse attention masks in long videos"
    assert per_query(check([query(text=copied, style="paraphrase", batch=3)], PAPERS)) == [
        "ki-001: 7 content words from the title or abstract (batch 3 paraphrase: 2 to 6)"
    ]
    # Both bounds are inclusive: 2 ("long", "video") and 6 pass.
    assert (
        per_query(check([query(text="speeding up long video models", style="problem", batch=3)], PAPERS))
        == []
    )
    six = "pruning tokens with sparse masks in long videos"
    assert per_query(check([query(text=six, style="paraphrase", batch=3)], PAPERS)) == []
    # Keyword and named queries of batch 3 may reuse the paper's words freely.
    assert per_query(check([query(text=copied, style="keyword", batch=3)], PAPERS)) == []
    assert per_query(check([query(text=own_words, style="named", batch=3)], PAPERS)) == []


def test_batch_summary_counts_each_batch_by_style_and_category():
    queries = [
        query(),
        query("ki-002", "problem", "bargaining bots that improve after bad deals", "2501.00002", batch=3),
        query("ki-003", "named", "hour-long clip models made cheaper", batch=3),
    ]
    assert batch_summary(queries) == [
        "batch 1: 1 queries; keyword 1; cs.CV 1",
        "batch 3: 2 queries; problem 1, named 1; cs.CV 1, cs.CL 1",
    ]


def test_batch_must_be_one_two_or_three_and_batch_two_has_only_paraphrase_and_problem():
    assert per_query(check([query(batch=None)], PAPERS)) == ["ki-001: batch None is not one of 1, 2, 3"]
    assert per_query(check([query(batch="2")], PAPERS)) == ["ki-001: batch '2' is not one of 1, 2, 3"]
    assert per_query(check([query(batch=4)], PAPERS)) == ["ki-001: batch 4 is not one of 1, 2, 3"]
    assert per_query(check([query(text="hour-long clip models made cheaper", batch=2)], PAPERS)) == [
        "ki-001: batch 2 holds only paraphrase and problem queries"
    ]


def test_mean_overlap_by_batch_and_style():
    queries = [
        query(text="sparse masks for long clips"),  # sparse, mask, long: 3
        query("ki-002", "problem", "bargaining bots that improve after bad deals", "2501.00002", batch=2),
        query("ki-003", "problem", "hour-long clip models made cheaper", batch=2),
    ]
    # ki-002: bargain, deal (2); ki-003: long (1).
    assert overlap_by_batch_and_style(queries, PAPERS) == [(1, "keyword", 1, 3.0), (2, "problem", 2, 1.5)]


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
    out = capsys.readouterr().out
    assert f"{len(queries)} queries, 0 problem(s)" in out
    # The second batch: 80 queries, 40 paraphrase and 40 problem, in the searcher's own words.
    batch2 = [q for q in queries if q["batch"] == 2]
    assert Counter(q["style"] for q in batch2) == {"paraphrase": 40, "problem": 40}
    assert "batch 2 paraphrase" in out and "batch 2 problem" in out
    # The third batch: 100 queries in the four styles, at the held-out set's word overlap, with the
    # issue's category shares exactly.
    batch3 = [q for q in queries if q["batch"] == 3]
    assert Counter(q["style"] for q in batch3) == {
        "paraphrase": 30,
        "problem": 30,
        "keyword": 20,
        "named": 20,
    }
    assert Counter(category_group(q["primary_category"]) for q in batch3) == {
        "cs.CV": 40,
        "cs.CL": 25,
        "cs.AI": 15,
        "cs.LG": 10,
        "other": 10,
    }
    assert [q["qid"] for q in batch3] == [f"ki-{n}" for n in range(241, 341)]
    assert "batch 3: 100 queries; paraphrase 30, problem 30, keyword 20, named 20" in out


def test_main_skips_when_the_corpus_is_absent(tmp_path, capsys):
    assert main(["--corpus", str(tmp_path / "absent.jsonl.gz")]) == 0
    assert capsys.readouterr().out.startswith("skipped: the corpus")
