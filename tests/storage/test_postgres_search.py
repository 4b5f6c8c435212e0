"""PostgreSQL's own keyword search: BM25 over the stored tsvector, and the bounded candidate streams.

The ranking behaviour shared with SQLite (fields, stemming, typos, filters) is in test_search_engine.py,
which runs every test on `all` too; these check the arithmetic against a BM25 computed here, and the
bound on a query's work.
"""

import math
from dataclasses import replace

import pytest

from paperwire.search.query import parse_query
from paperwire.storage import postgres_search, postgres_vectors
from paperwire.storage.postgres_search import Statistics, Term, Word, candidate_streams, tf
from tests.support.search_corpus import paper

on_postgres = pytest.mark.parametrize("backend", ["postgres"])


@on_postgres
def test_tf_counts_occurrences_in_title_and_abstract(store):
    sql = (
        f"SELECT {tf('{0,0,1,1}')}, {tf('{0,0,0,1}')} FROM "
        "(SELECT setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
        "|| setweight(to_tsvector('simple', 'word'), 'C') AS search) c, (SELECT 'word'::tsquery AS q) t"
    )
    for in_title, in_abstract in [(0, 0), (1, 0), (0, 1), (2, 3), (1, 40), (0, 255)]:
        title = " ".join(["word", "other"] * in_title) or "nothing"
        abstract = " ".join(["filler", "word"] * in_abstract) or "nothing"
        body, title_tf = store._one(sql, (title, abstract))
        assert (body, title_tf) == (in_title + in_abstract, in_title)


def _analyze(store) -> None:
    """Fresh statistics for ranking, as autovacuum would gather them, read anew by the store."""
    with store._transaction() as conn:
        conn.execute("ANALYZE papers")
    store._search_stats = None


def _bm25(tf_value: float, length: float, average: float) -> float:
    k1, b = postgres_search.K1, postgres_search.B
    return tf_value * (k1 + 1) / (tf_value + k1 * (1 - b + b * length / average)) if tf_value else 0.0


@on_postgres
def test_scores_are_bm25_with_a_title_bonus(store):
    papers = [
        paper("2601.00001", "Sparse attention", "Sparse attention for long documents; attention is sparse."),
        paper("2601.00002", "Dense retrieval", "Retrieval with dense vectors and no attention at all here."),
        paper(
            "2601.00003",
            "Notes",
            "A long abstract that mentions attention once among many other words "
            "about kernels, caches, compilers, schedulers and the cost of memory traffic on accelerators.",
        ),
        paper("2601.00004", "Unrelated", "Nothing to see."),
    ]
    store.papers.upsert_papers(papers)
    _analyze(store)
    hits = dict(store.keyword_search(parse_query("attention"), 10, (1.0, 0.3, 0.4)))
    stats = store._statistics()
    idf = stats.idf("attent")
    counts = {"2601.00001": (1, 3), "2601.00002": (0, 1), "2601.00003": (0, 1)}  # (title, title + abstract)
    expected = {}
    for p in papers[:3]:
        in_title, in_text = counts[p.id]
        length = len(p.title.encode()) + len(p.abstract.encode())
        expected[p.id] = idf * (_bm25(in_text, length, stats.average_length) + 0.3 * _bm25(in_title, 1, 1))
    assert hits.keys() == expected.keys()
    for pid, score in expected.items():
        assert hits[pid] == pytest.approx(score, rel=1e-6)
    assert stats.average_length == pytest.approx(sum(len(p.title) + len(p.abstract) for p in papers) / 4)


def _word(group: int, name: str, papers: float, text: bool = True) -> Word:
    return Word(group, f"'{name}'", (Term(not text, f"'{name}'", 1.0),), papers)


def test_rare_words_are_ored_and_common_ones_anded(monkeypatch):
    monkeypatch.setattr(postgres_search, "CANDIDATES", 1000)
    rare, medium, common = _word(0, "qubit", 300), _word(1, "error", 600), _word(2, "model", 90_000)
    assert candidate_streams([rare, medium]) == (["('qubit') | ('error')"], False)  # 900 at most: exact
    assert candidate_streams([common, medium, rare]) == (["('qubit') | ('error')", "(('model'))"], False)
    other = _word(3, "noise", 20_000)  # the papers with none of the rare words: those with all the others
    assert candidate_streams([common, medium, rare, other]) == (
        ["('qubit') | ('error')", "(('model')) & (('noise'))"],
        False,
    )
    # Nothing rare: only papers with every word are scored; a typo variant counts for its word.
    variant = _word(2, "models", 5_000)
    assert candidate_streams([common, _word(1, "graph", 20_000), variant]) == (
        ["(('model') | ('models')) & (('graph'))"],
        False,
    )
    # A word only in names (a stop word in text, kept for authors) is not required of every paper.
    assert candidate_streams([common, _word(1, "for", 5_000, text=False)]) == (["(('model'))"], False)


def test_words_too_common_to_intersect_leave_it_to_the_neighbours(monkeypatch):
    monkeypatch.setattr(postgres_search, "EVERY_RAREST", 100_000)
    model, learning = _word(1, "model", 800_000), _word(2, "learning", 300_000)
    # GIN skips through the common words' postings from the rarest required one: cheap enough.
    counterfactual = _word(0, "counterfactual", 9_000)
    assert candidate_streams([counterfactual, model, learning], bounded=True) == (
        ["(('counterfactual')) & (('model')) & (('learning'))"],
        False,
    )
    # Even the rarest in 300,000 papers: hybrid search scores the neighbours instead.
    qubit = _word(3, "qubit", 300)
    assert candidate_streams([qubit, model, learning], bounded=True) == (["('qubit')"], True)
    assert candidate_streams([qubit, model, learning], bounded=False)[1] is False  # keyword search alone
    # A word's variants (typos) count together for it.
    variants = [_word(0, "graph", 60_000), _word(0, "graphs", 60_000)]
    assert candidate_streams([*variants, model], bounded=True)[1] is True


def test_words_only_in_names_neither_lead_nor_are_required():
    rare, medium = _word(0, "qubit", 990), _word(1, "error", 5_000)
    for_ = _word(2, "for", 14, text=False)  # rarer than any word, but only in names
    assert candidate_streams([rare, for_, medium]) == (["('qubit')", "(('error'))"], False)
    # A query of nothing else: they are all it has.
    assert candidate_streams([for_]) == (["('for')"], False)
    the = _word(3, "the", 5_000, text=False)
    assert candidate_streams([for_, the]) == (["('for')", "(('the'))"], False)


@on_postgres
def test_a_bounded_query_still_finds_the_rare_word(store, monkeypatch):
    monkeypatch.setattr(postgres_search, "CANDIDATES", 20)
    common = [
        paper(f"2602.{i:05d}", f"Learning systems {i}", "We study learning at scale.") for i in range(60)
    ]
    rare = paper("2602.99999", "Learning with qubits", "A quantum learning system on qubits.")
    store.papers.upsert_papers([*common, rare])
    _analyze(store)
    stats = store._statistics()
    assert stats.rows == 61 and stats.share("learn") == pytest.approx(1.0)
    hits = store.keyword_search(parse_query("learning qubits"), 10, (1.0, 0.3, 0.4))
    assert hits[0][0] == "2602.99999"
    # "learning" alone is in every paper: 20 of them are scored, not 61.
    assert len(store.keyword_search(parse_query("learning"), 100, (1.0, 0.3, 0.4))) == 20
    # Hybrid search passes the papers found by meaning: when the words are too common to intersect,
    # those are scored in place of the papers with every word.
    monkeypatch.setattr(postgres_search, "EVERY_RAREST", 10)
    neighbours = ["2602.00007", "2602.00042"]
    hits = store.keyword_search(parse_query("learning"), 100, (1.0, 0.3, 0.4), neighbours)
    assert sorted(pid for pid, _ in hits) == neighbours
    # Given as a function (hybrid search looks them up meanwhile), they are asked for only then.
    asked = []
    found = store.keyword_search(
        parse_query("learning"), 100, (1.0, 0.3, 0.4), lambda: asked.append(1) or neighbours
    )
    assert found == hits and asked == [1]
    rare = store.keyword_search(parse_query("qubits"), 10, (1.0, 0.3, 0.4), asked.pop)
    assert [pid for pid, _ in rare] == ["2602.99999"] and asked == [1]  # all candidates found: not asked


@on_postgres
def test_words_pg_stats_does_not_track_are_counted(store, monkeypatch):
    monkeypatch.setattr(postgres_search, "CANDIDATES", 20)
    common = [paper(f"2603.{i:05d}", f"Learning {i}", "We study learning at scale.") for i in range(30)]
    store.papers.upsert_papers([*common, paper("2603.99999", "Qubits", "Learning on qubits.")])
    _analyze(store)
    # As if ANALYZE had sampled a larger table: "learning" tracked, "qubits" too rare to be.
    stats = replace(store._statistics(), freqs={"learn": 1.0}, floor=0.5)
    learning, qubits = store._words(["learning", "qubits"], stats)
    assert learning.tracked and learning.papers == pytest.approx(31)  # from the statistics
    assert not qubits.tracked and qubits.papers == 1  # counted, not guessed from the floor (15)
    # Counting stops past CANDIDATES: all it must tell is whether the word fits in the rare stream.
    (untracked,) = store._words(["learning"], replace(stats, freqs={"qubit": 0.01}))
    assert untracked.papers == 21
    # A hyphenated word's lexemes are AND'd, not a phrase: GIN answers with no recheck of positions.
    (hyphenated,) = store._words(["Self-interpreted"], stats)
    assert "<" not in hyphenated.match and "'self-interpret' & 'self' & 'interpret'" in hyphenated.match
    # A plain word no paper has is a likely typo: its variants one edit away come in.
    assert [w.match for w in store._words(["qubitz"], stats)] == ["('qubitz')", "('qubit')"]


@on_postgres
def test_typos_are_the_words_keyword_search_widens_told_from_statistics(store):
    store.papers.upsert_papers(
        [paper(f"2604.{i:05d}", f"Learning {i}", "We study learning at scale.") for i in range(30)]
        + [paper("2604.99999", "Qubits", "Learning on qubits, by Ada Lovelace.")]
    )
    typed = ["learning", "qubits", "lerning", "Lovelace", "Lovelaze", "at", "x2y2"]
    assert store.typos(typed) == ["lerning", "Lovelaze"]  # no statistics yet: every word looked up
    _analyze(store)
    assert store.typos(typed) == ["lerning", "Lovelaze"]  # every word tracked in a table this small
    # As if ANALYZE had sampled a larger table: "learning" tracked, the rest too rare to be and looked
    # up. A tracked word is in papers without a look-up: statistics that say so are believed.
    store._search_stats = replace(store._statistics(), freqs={"learn": 1.0, "lern": 0.5}, floor=0.1)
    assert store.typos(typed) == ["Lovelaze"]


def test_idf_without_statistics_is_one():
    assert Statistics(0.0, {}, 0.0, 0, 1.0).idf("anything") == 1.0
    stats = Statistics(0.0, {"model": 0.5}, 0.001, 1000, 1.0)
    assert stats.idf("model") == pytest.approx(math.log(1 + 0.5005 / 0.5005))
    assert stats.idf("qubit") > stats.idf("model")


@on_postgres
def test_a_rare_category_is_searched_exactly_and_finds_all_its_papers(store, monkeypatch):
    import numpy as np

    from paperwire.storage import EmbeddingRow

    rng = np.random.default_rng(3)
    common = [paper(f"2604.{i:05d}", f"Vision {i}", "Pictures.", cats=("cs.CV",)) for i in range(120)]
    rare = [paper(f"2604.9{i:04d}", f"Sound {i}", "Audio.", cats=("cs.SD", "cs.CV")) for i in range(6)]
    store.papers.upsert_papers([*common, *rare])
    vectors = {p.id: rng.normal(size=384).astype(np.float32) for p in [*common, *rare]}
    seqs = {p.id: seq for seq, p, _ in store.embeddings.unembedded_papers((0, ""), 1000)}
    unit = {pid: v / np.linalg.norm(v) for pid, v in vectors.items()}
    store.embeddings.save_embeddings(
        [EmbeddingRow(pid, seqs[pid], "h", v.astype("<f2").tobytes()) for pid, v in unit.items()]
    )
    _analyze(store)
    stats = store._statistics()
    assert stats.category_papers(["cs.sd"]) == pytest.approx(6, abs=1)  # as ANALYZE counted them
    assert stats.category_papers(["cs.CV"]) == pytest.approx(126, abs=2)
    probe = unit["2604.00003"]
    query = parse_query("cat:cs.SD sound")
    exact = store.nearest(probe, 10, query)
    assert sorted(pid for pid, _ in exact) == sorted(p.id for p in rare)  # all six, and only them
    assert all(sim == pytest.approx(float(np.dot(probe, unit[pid])), abs=0.01) for pid, sim in exact)
    # The same papers in the same order when the graph is walked instead (a category over EXACT_ROWS).
    monkeypatch.setattr(postgres_vectors, "EXACT_ROWS", 0)
    assert [pid for pid, _ in store.nearest(probe, 10, query)] == [pid for pid, _ in exact]
    # Papers in both categories pass a filter on either; the match ignores case, as before.
    both = store.nearest(probe, 200, parse_query("cat:cs.cv"))
    assert len(both) == 126
