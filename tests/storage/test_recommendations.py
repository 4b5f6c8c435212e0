"""store.recommendations on both databases: a window's papers with their vectors, and its stamp."""

from datetime import date

import numpy as np

from paperwire.storage import EmbeddingRow
from tests.support.recommend_corpus import DAY, PAPERS, PAST, POOL

VECTOR = np.linspace(-1, 1, 384).astype("<f2").tobytes()  # what a 384-d float16 vector is stored as


def test_a_window_is_its_visible_papers_newest_first_with_their_vectors(store):
    store.papers.upsert_papers(PAPERS)
    seq = store.papers.change_seq()
    store.embeddings.save_embeddings([EmbeddingRow("2504.00011", seq, "h", VECTOR)])
    store.papers.set_paper_hidden("2504.00017", True)
    papers, total = store.recommendations.pool(PAST, DAY, [], 100)
    assert total == len(PAPERS) - 1
    assert [p.paper_id for p in papers] == [pid for pid in POOL if pid != "2504.00017"] + [
        "2504.00001", "2504.00002", "2504.00003"
    ]  # fmt: skip
    by_id = {p.paper_id: p for p in papers}
    assert by_id["2504.00011"].vector == VECTOR and by_id["2504.00012"].vector is None
    assert by_id["2504.00015"].categories == ["q-bio.BM", "cs.LG"]
    first, total = store.recommendations.pool(PAST, DAY, [], 2)
    assert [p.paper_id for p in first] == POOL[:2] and total == len(PAPERS) - 1


def test_categories_match_any_of_a_papers_case_insensitively(store):
    store.papers.upsert_papers(PAPERS)
    papers, total = store.recommendations.pool(DAY, DAY, ["Q-BIO.BM", " cs.sd "], 100)
    assert [p.paper_id for p in papers] == ["2504.00015", "2504.00016"] and total == 2
    assert store.recommendations.pool(date(2024, 1, 1), date(2024, 12, 31), [], 100) == ([], 0)


def test_the_stamp_moves_with_papers_embeddings_and_hiding(store):
    empty = store.recommendations.pool_stamp()
    assert store.recommendations.latest_announced() is None
    store.papers.upsert_papers(PAPERS)
    stored = store.recommendations.pool_stamp()
    assert stored.papers_seq > empty.papers_seq
    store.embeddings.save_embeddings([EmbeddingRow("2504.00011", stored.papers_seq, "h", VECTOR)])
    embedded = store.recommendations.pool_stamp()
    assert embedded != stored and embedded.papers_seq == stored.papers_seq
    assert store.recommendations.latest_announced() == DAY
    store.papers.set_paper_hidden("2504.00011", True)
    hidden = store.recommendations.pool_stamp()
    assert hidden.hidden == embedded.hidden + 1 and hidden.papers_seq == embedded.papers_seq
    store.papers.set_paper_hidden("2504.00011", False)
    assert store.recommendations.pool_stamp().hidden == hidden.hidden + 1


def test_recent_texts_are_titles_and_abstracts_of_the_last_stored(store):
    store.papers.upsert_papers(PAPERS[:2])
    store.papers.upsert_papers(PAPERS[2:3])
    texts = store.recommendations.recent_texts(2)
    assert texts[0].startswith("Large language models for code generation Transformers")
    assert len(texts) == 2 and len(store.recommendations.recent_texts(100)) == 3
