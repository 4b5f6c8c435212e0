"""Recommender over a real store (both databases) and the real embedding model."""

from datetime import date

import pytest

from paperwire.recommend import BadRequest, NothingKnown, Recommender
from paperwire.search import open_search
from paperwire.search.indexer import embed_pending
from tests.support.recommend_corpus import DAY, DISLIKED, LIKED, PAPERS, PAST, POOL
from tests.support.search_corpus import paper


@pytest.fixture
def engine(settings, store):
    store.papers.upsert_papers(PAPERS)
    engine = open_search(settings, store)
    embed_pending(engine, extracts=False)
    return engine


@pytest.fixture
def recommender(store, engine):
    return Recommender(store, engine)


def ids(found) -> list[str]:
    return [r.paper.id for r in found.papers]


def test_the_latest_day_is_ranked_by_the_liked_papers_with_reasons(recommender):
    found = recommender.recommend(LIKED)
    assert (found.start, found.end, found.pool, found.unembedded) == (DAY, DAY, len(POOL), 0)
    assert sorted(ids(found)) == sorted(POOL)
    assert set(ids(found)[:2]) == {"2504.00011", "2504.00015"}  # molecules as graphs
    assert ids(found).index("2504.00013") > 3 and ids(found).index("2504.00017") > 3  # dogs, sorting
    first = found.papers[0]
    assert first.score > found.papers[-1].score
    assert first.reason.paper_id in LIKED and first.reason.topic is None
    liked = {p.id: p.title for p in PAPERS}
    assert first.reason.paper_title == liked[first.reason.paper_id]
    assert first.reason.text.startswith(f'close to "{first.reason.paper_title}" ({first.reason.paper_id})')
    assert first.reason.words and all(w in first.reason.text for w in first.reason.words)
    assert 0 < first.reason.similarity <= 1
    assert found.timings_ms["total"] > 0


def test_a_disliked_paper_pushes_its_neighbours_down(recommender):
    without = ids(recommender.recommend(LIKED))
    disliking = ids(recommender.recommend(LIKED, [DISLIKED]))
    # Code generation by language models: near the disliked paper, so lower than before.
    assert disliking.index("2504.00012") > without.index("2504.00012")
    assert disliking.index("2504.00018") >= without.index("2504.00018")
    assert set(disliking[:2]) == {"2504.00011", "2504.00015"}


def test_liked_and_disliked_papers_are_never_recommended(recommender):
    found = recommender.recommend(LIKED, [DISLIKED], start=PAST, end=DAY)
    assert found.pool == len(PAPERS)
    assert not set(ids(found)) & {*LIKED, DISLIKED}
    assert len(ids(found)) == len(POOL)


def test_unknown_ids_are_reported_and_prefixed_ids_are_found(recommender):
    found = recommender.recommend(["arXiv:2504.00001", "ARXIV:2504.00002v2", "2599.99999"], ["nope"])
    assert found.unknown == ["2599.99999", "nope"]
    assert set(ids(found)[:2]) == {"2504.00011", "2504.00015"}
    with pytest.raises(NothingKnown, match=r"none of the papers given is on this hub: 2599\.99999"):
        recommender.recommend(["2599.99999"])


def test_topics_alone_start_a_cold_recommender(recommender):
    found = recommender.recommend([], topics=["quantum error correction"])
    assert ids(found)[0] == "2504.00014"
    reason = found.papers[0].reason
    assert reason.topic == "quantum error correction" and reason.paper_id is None
    assert reason.text.startswith('matches your topic "quantum error correction"')
    assert set(reason.words) >= {"quantum", "error", "correction"}


def test_categories_and_windows_choose_the_pool(recommender):
    found = recommender.recommend(LIKED, categories=["Q-BIO.BM", "quant-ph"])
    assert ids(found) == ["2504.00015", "2504.00014"] and found.pool == 2
    assert recommender.recommend(LIKED, start=date(2024, 1, 1), end=date(2024, 1, 2)).papers == []
    assert len(recommender.recommend(LIKED, limit=3).papers) == 3


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"positive": []}, "at least one liked paper"),
        ({"positive": LIKED, "limit": 0}, "limit must be between 1 and 500"),
        ({"positive": ["x"] * 501}, "at most 500 positive papers"),
        ({"positive": LIKED, "start": DAY, "end": PAST}, "the window is empty"),
        ({"positive": [], "topics": [" "]}, "a topic is 1 to 300 characters"),
        ({"positive": [], "negative": [DISLIKED]}, "at least one liked paper"),
    ],
)
def test_bad_requests_say_why(recommender, kw, message):
    with pytest.raises(BadRequest, match=message):
        kw = dict(kw)
        recommender.recommend(kw.pop("positive"), **kw)


def test_a_kept_pool_is_read_again_once_papers_or_vectors_change(store, engine, recommender):
    assert recommender.recommend(LIKED).pool == len(POOL)  # read, and kept in memory
    store.papers.upsert_papers(
        [
            paper(
                "2504.00019",
                "Graph networks for crystals",
                "Atoms in a crystal lattice as a graph.",
                announced=DAY,
                published=DAY,
            )
        ]
    )
    found = recommender.recommend(LIKED)
    assert (found.pool, found.unembedded) == (len(POOL) + 1, 1) and "2504.00019" not in ids(found)
    embed_pending(engine, extracts=False)
    found = recommender.recommend(LIKED)
    assert found.unembedded == 0 and "2504.00019" in ids(found)


def test_a_liked_paper_not_embedded_yet_is_embedded_for_the_request(store, engine, recommender):
    store.papers.upsert_papers(
        [
            paper(
                "2504.00020", "Molecular graphs and message passing for drugs", announced=PAST, published=PAST
            )
        ]
    )
    found = recommender.recommend(["2504.00020"])
    assert found.ignored == [] and set(ids(found)[:2]) == {"2504.00011", "2504.00015"}


def test_a_candidate_pool_is_kept_and_read_again_once_a_paper_is_hidden_or_embedded_again(
    store, engine, recommender
):
    candidates = [*POOL, "2599.99999"]  # an unknown paper is no candidate
    found = recommender.recommend(LIKED, candidates=candidates, limit=3)
    assert set(ids(found)[:2]) == {"2504.00011", "2504.00015"} and found.pool == len(POOL)
    pool = recommender.pools.candidates(candidates)  # asked for again: kept from now on
    assert recommender.pools.candidates(candidates) is pool and pool.used == 2
    assert recommender.pools.candidates(list(reversed(candidates))) is not pool  # another list
    assert pool.papers["2504.00011"].title.startswith("Equivariant graph networks")

    store.papers.set_paper_hidden("2504.00011", True)
    hidden = recommender.pools.candidates(candidates)
    assert hidden is not pool and "2504.00011" not in hidden.ids and "2504.00011" not in hidden.papers
    assert "2504.00011" not in ids(recommender.recommend(LIKED, candidates=candidates))

    store.papers.upsert_papers(  # a new version about something else, embedded again
        [
            paper(
                "2504.00015",
                "Sorting by merging on disks",
                "External memory merge sort.",
                version=2,
                announced=DAY,
                published=DAY,
            )
        ]
    )
    embed_pending(engine, extracts=False)
    again = recommender.pools.candidates(candidates)
    before, after = hidden.matrix[hidden.row["2504.00015"]], again.matrix[again.row["2504.00015"]]
    assert again is not hidden and float(before @ after) < 0.9
    assert again.papers["2504.00015"].title == "Sorting by merging on disks"
    assert ids(recommender.recommend(LIKED, candidates=candidates))[0] != "2504.00015"


def test_topics_are_embedded_once_and_a_bounded_number_kept(store, engine, monkeypatch):
    recommender = Recommender(store, engine)
    monkeypatch.setattr("paperwire.recommend.service.TOPICS_KEPT", 2)
    calls: list[list[str]] = []
    embed = engine.embedder.embed
    monkeypatch.setattr(engine.embedder, "embed", lambda texts: calls.append(list(texts)) or embed(texts))
    first = recommender.recommend([], topics=["quantum error correction", "molecule graphs"])
    assert ids(first)[0] == "2504.00014"
    again = recommender.recommend([], topics=["molecule graphs", "quantum error correction"])
    assert calls == [["quantum error correction", "molecule graphs"]]  # the second request embedded nothing
    assert ids(again) == ids(first)
    recommender.recommend([], topics=["speech recognition"])
    recommender.recommend([], topics=["quantum error correction"])  # used last but one: kept
    recommender.recommend([], topics=["molecule graphs"])  # used longest ago: let go
    assert calls[1:] == [["speech recognition"], ["molecule graphs"]]
