"""Ranking behaviour on a hand-made corpus: fields, pinning, filters, syntax, typos, pages, related.

Every test runs on SQLite and, on PostgreSQL, once per PAPERWIRE_SEARCH_IN_DATABASE choice: index files
for both sides (none), pgvector beside the tantivy files (semantic), the database for both (all).
"""

import json
from datetime import date

import pytest

from paperwire import PaperwireError
from paperwire.search import BadQuery, Filters, SearchEngine, open_search
from paperwire.search.indexer import embed_pending
from paperwire.search.model import RECIPE, RECIPES, ModelInfo, model_info
from paperwire.search.native import NativeVectors
from paperwire.search.vectors import VectorIndex
from tests.support.search_corpus import CORPUS, paper

PLACEMENTS = [("sqlite", "none"), ("postgres", "none"), ("postgres", "semantic"), ("postgres", "all")]


def pytest_generate_tests(metafunc):
    # Direct parametrization of `backend` overrides conftest's fixture: SQLite has one placement only.
    if "in_database" in metafunc.fixturenames:
        metafunc.parametrize(("backend", "in_database"), PLACEMENTS, ids=[f"{b}-{i}" for b, i in PLACEMENTS])


@pytest.fixture
def settings(make_settings, in_database):
    return make_settings(search_in_database=in_database)


@pytest.fixture
def engine(settings, store):
    store.papers.upsert_papers(CORPUS)
    engine = open_search(settings, store)
    engine.sync_keyword()
    return engine


@pytest.fixture
def embedded(engine):
    report = embed_pending(engine)
    assert report.embedded == len(CORPUS)
    return engine


def ids(results) -> list[str]:
    return [h.paper.id for h in results.hits]


def test_title_above_abstract_above_authors(engine):
    # "turing": in a title (…06), in an abstract (…05), in an author's name (…04)
    assert ids(engine.search("turing", mode="keyword")) == ["2502.00006", "2502.00005", "2502.00004"]


def test_keyword_search_stems_and_drops_stop_words(engine):
    assert ids(engine.search("the molecule", mode="keyword"))[0] == "2501.00001"  # "molecules"
    assert ids(engine.search("of the and", mode="keyword")) == []


def test_exact_arxiv_id_comes_first_in_any_form(engine):
    for text in ("2502.00003", "arXiv:2502.00003", "arxiv:2502.00003v4", "2502.00003v1"):
        results = engine.search(text)
        assert results.hits[0].paper.id == "2502.00003" and results.hits[0].pinned == "id"


def test_an_arxiv_id_in_any_form_is_just_that_paper(embedded):
    forms = ("2502.00003", "arXiv:2502.00003v2", "ARXIV:2502.00003", "  2502.00003v1 ", "arxiv:2502.00003v4")
    for mode in ("hybrid", "keyword", "semantic"):
        for text in forms:
            results = embedded.search(text, mode=mode)
            assert [(h.paper.id, h.pinned) for h in results.hits] == [("2502.00003", "id")], (mode, text)
            assert results.total == 1 and results.did_you_mean is None
    assert ids(embedded.search("2502.99999")) == []  # an id no paper has: searched as text, found nowhere


def test_a_query_found_through_typos_says_how_the_papers_spell_it(engine):
    results = engine.search("quantun eror", mode="keyword")
    assert ids(results)[0] == "2503.00009" and results.did_you_mean == "quantum error"
    assert engine.search("quantun eror").did_you_mean == "quantum error"  # hybrid, keywords only here
    # Only the typo changes: its case follows the typed word; phrases, exclusions and filters stay.
    typed = 'Quantun "surface codes" -dogs cat:quant-ph lattice'
    assert engine.search(typed).did_you_mean == 'Quantum "surface codes" -dogs cat:quant-ph lattice'
    # Every word found as typed (stemmed: "moleculs" is "molecules" to the index): nothing to say.
    for text in ("quantum error", "moleculs", "quantum -eror", "zzzzqq"):
        assert engine.search(text).did_you_mean is None, text
    assert engine.search("quantun", mode="semantic").did_you_mean is None  # no word was looked up
    # The nearest word must be one the index has as spelled: "thier" is one edit from "their" (a stop
    # word, never searched) and from nothing else here, so nothing is offered.
    assert engine.search("dogs thier").did_you_mean is None
    assert engine.keyword.known_words(["their", "dogs", "quantun", "Quantum"]) == ["dogs", "Quantum"]


def test_exact_title_comes_first_despite_a_keyword_richer_paper(engine):
    assert ids(engine.search("protein folding with diffusion models", mode="keyword"))[0] == "2503.00010"
    results = engine.search("Protein Folding with Diffusion", mode="keyword")
    assert results.hits[0].paper.id == "2502.00003" and results.hits[0].pinned == "title"
    assert results.hits[1].paper.id == "2503.00010"


def test_query_syntax(engine):
    assert set(ids(engine.search("graph", mode="keyword"))) == {"2501.00001", "2501.00002", "2502.00003"}
    assert set(ids(engine.search("graph -survey", mode="keyword"))) == {"2501.00001", "2502.00003"}
    assert ids(engine.search('"message passing"', mode="keyword")) == ["2501.00001"]
    assert ids(engine.search('"passing message"', mode="keyword")) == []
    assert set(ids(engine.search('graph author:"bob jones"', mode="keyword"))) == {"2501.00001", "2501.00002"}
    assert ids(engine.search("graph cat:cs.cv", mode="keyword")) == ["2501.00002"]
    assert ids(engine.search("graph cat:cs.LG author:Smith", mode="keyword")) == ["2501.00001"]


def test_filters_by_category_author_and_date(engine):
    def find(**kw):
        return set(ids(engine.search("graph", Filters(**kw), mode="keyword")))

    assert find(categories=["q-bio.BM"]) == {"2501.00001", "2502.00003"}
    assert find(categories=["cs.CV", "q-bio.BM"]) == {"2501.00001", "2501.00002", "2502.00003"}
    assert find(authors=["Carol White"]) == {"2502.00003"}
    assert find(date_from=date(2025, 1, 7)) == {"2501.00002", "2502.00003"}  # announced
    assert find(date_until=date(2025, 1, 6)) == {"2501.00001"}
    assert find(date_until=date(2025, 1, 2), date_field="published") == {"2501.00002", "2502.00003"}


def test_filters_alone_list_papers_newest_first(engine):
    assert ids(engine.search("cat:q-bio.BM")) == ["2503.00010", "2502.00003", "2501.00001"]
    assert ids(engine.search("", Filters(authors=["Bob Jones"]))) == ["2501.00002", "2501.00001"]


def test_small_typos_are_tolerated(engine):
    assert ids(engine.search("moleculs", mode="keyword"))[0] == "2501.00001"
    assert ids(engine.search("quantun eror", mode="keyword"))[0] == "2503.00009"


def test_pages_cut_one_stable_ranking_and_ties_go_by_id(engine):
    everything = ids(engine.search("graph models attention protein", limit=20, mode="keyword"))
    pages = [
        ids(engine.search("graph models attention protein", limit=2, offset=o, mode="keyword"))
        for o in (0, 2, 4)
    ]
    assert [pid for page in pages for pid in page] == everything[:6]
    twins = ids(engine.search("identical twin", mode="keyword"))
    assert twins == ["2503.00012", "2503.00011"]  # the same score: the larger id first
    assert ids(engine.search("identical twin", mode="keyword")) == twins  # and again, the same


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "-graph", '""'])
def test_nothing_to_search_gives_no_results(engine, text):
    assert engine.search(text).hits == []


def test_bad_requests_are_refused(engine):
    with pytest.raises(BadQuery, match="limit"):
        engine.search("graph", limit=0)
    with pytest.raises(BadQuery, match="limit"):
        engine.search("graph", limit=101)
    with pytest.raises(BadQuery, match="offset"):
        engine.search("graph", offset=-1)
    with pytest.raises(BadQuery, match="limit is 1,000"):
        engine.search("x" * 10_000)


def test_keyword_index_follows_every_write(engine, store):
    store.papers.upsert_papers([paper("2504.00001", "Zebrafish regeneration", "Fins regrow.")])
    engine.sync_keyword()
    assert ids(engine.search("zebrafish", mode="keyword")) == ["2504.00001"]
    store.papers.upsert_papers([paper("2504.00001", "Axolotl regeneration", "Limbs regrow.", version=2)])
    engine.sync_keyword()
    assert ids(engine.search("zebrafish", mode="keyword")) == []
    assert ids(engine.search("axolotl", mode="keyword")) == ["2504.00001"]


def test_semantic_search_finds_meaning_without_shared_words(embedded):
    results = embedded.search("canine companions", mode="semantic")
    assert ids(results)[:2] in (["2503.00007", "2503.00008"], ["2503.00008", "2503.00007"])
    assert results.semantic_used and results.hits[0].semantic > 0.3


def test_hybrid_search_uses_both_sides(embedded):
    results = embedded.search("graph networks for chemistry")
    assert ids(results)[0] == "2501.00001"
    top = results.hits[0]
    assert top.keyword is not None and top.semantic is not None
    assert set(results.timings_ms) >= {"keyword", "embed", "semantic", "total"}


def test_semantic_results_obey_filters_and_exclusions(embedded):
    found = ids(embedded.search("pets at home", Filters(categories=["q-bio.PE"]), mode="semantic"))
    assert found and set(found) <= {"2503.00007", "2503.00008"}
    found = ids(embedded.search("pets -puppies", mode="semantic", limit=20))
    assert "2503.00008" not in found and "2503.00007" in found


def test_index_files_are_kept_only_for_the_sides_the_database_does_not_answer(
    embedded, settings, store, in_database
):
    files = {p.name for p in settings.search_dir.glob("**/*") if p.is_file() and not p.name.endswith(".lock")}
    keyword_files = {"paperwire.json", "meta.json"} & files
    assert bool(keyword_files) == (in_database != "all"), files
    assert ("vectors.usearch" in files) == (in_database == "none"), files
    assert isinstance(embedded.vectors, NativeVectors if in_database != "none" else VectorIndex)
    assert embedded.vectors_in_database == (in_database != "none")  # SQLite is always "none"
    store.papers.upsert_papers([paper("2504.00002", "Axolotl limbs", "They regrow.")])
    if in_database != "all":
        embedded.sync_keyword()  # in the database there is nothing to sync: committed is searchable
    assert ids(embedded.search("axolotl", mode="keyword")) == ["2504.00002"]


def test_related_papers_are_nearest_in_meaning_and_exclude_the_paper(embedded):
    related = embedded.similar("2503.00007", limit=3)
    assert related[0].paper.id == "2503.00008"
    assert "2503.00007" not in [h.paper.id for h in related]
    with pytest.raises(KeyError):
        embedded.similar("9999.99999")


def test_index_survives_a_restart_and_is_incremental(embedded, settings, store):
    again = open_search(settings, store)
    assert len(again.vectors) == len(CORPUS)  # loaded from the saved file
    assert embed_pending(again).embedded == 0
    same_text = next(p for p in CORPUS if p.id == "2503.00008")
    store.papers.upsert_papers([paper(same_text.id, same_text.title, same_text.abstract, version=2)])
    store.papers.upsert_papers([paper("2503.00007", "Quantum pets", "Qubits in a box.", version=2)])
    report = embed_pending(again)
    assert (report.embedded, report.unchanged_text) == (1, 1)  # only the changed text is embedded again
    assert len(again.vectors) == len(CORPUS)  # replaced in place, not added
    assert "2503.00007" in ids(again.search("qubits in a box", mode="semantic"))[:2]


def test_embeddings_of_another_model_are_refused_but_words_still_answer(embedded, store):
    other = ModelInfo("some-other-model", "elsewhere", "v0", 768, "title only")
    store.embeddings.set_search_meta("embedding_model", other.to_json())
    with pytest.raises(PaperwireError, match=r"some-other-model .* run `paperwire index --rebuild`"):
        embedded.check_model()
    with pytest.raises(PaperwireError, match="--rebuild"):
        embed_pending(embedded)
    embedded.forget_coverage()
    results = embedded.search("quantum pets")
    assert ids(results)[0] == "2503.00007" and not results.semantic_used
    assert results.coverage.embedded == 0
    assert results.coverage.note == "meaning search is off until `paperwire index --rebuild` has run"


def test_an_older_recipe_answers_by_its_vectors_until_a_rebuild(engine, store):
    from paperwire.search.indexer import rebuild

    old = model_info(RECIPES[0])
    store.embeddings.set_search_meta(
        "embedding_model", old.to_json()
    )  # a hub built before the recipe changed
    assert embed_pending(engine).embedded == len(CORPUS)
    assert engine.recipe == RECIPES[0] and engine.outdated_recipe()
    assert ids(engine.search("canine companions", mode="semantic"))[0] in ("2503.00007", "2503.00008")
    store.papers.upsert_papers(
        [paper("2503.00099", "Dogs at sea", "Canine companions aboard sailing ships.")]
    )
    assert embed_pending(engine).embedded == 1  # with the hub's own (older) recipe, so its vectors stay alike
    assert store.embeddings.get_search_meta("embedding_model") == old.to_json()
    report = rebuild(engine)
    assert report.embedded == len(CORPUS) + 1 and report.tokens > 0
    assert store.embeddings.get_search_meta("embedding_model") == model_info().to_json()
    assert engine.recipe == RECIPE and not engine.outdated_recipe()


def test_search_says_how_much_of_the_hub_meaning_covers(embedded, store):
    whole = embedded.search("canine companions")
    assert (whole.coverage.embedded, whole.coverage.papers, whole.coverage.note) == (
        len(CORPUS),
        len(CORPUS),
        None,
    )
    store.papers.upsert_papers(
        [paper(f"2503.0009{n}", f"New paper {n}", "Not embedded yet.") for n in range(3)]
    )
    embedded.sync_keyword()
    embedded.forget_coverage()
    part = embedded.search("canine companions")
    total = len(CORPUS) + 3
    assert part.coverage.note == f"meaning search covers {len(CORPUS):,} of {total:,} papers"
    assert embedded.search("canine companions", mode="keyword").coverage is None
    embed_pending(embedded)
    assert embedded.search("canine companions").coverage.note is None


def test_hybrid_search_moves_the_query_toward_its_first_results(embedded):
    from paperwire.search import feedback

    embedded.feedback = 0
    plain = embedded.search("surface codes")
    embedded.feedback = feedback.WEIGHT
    moved = embedded.search("surface codes")
    assert "feedback" in moved.timings_ms and "feedback" not in plain.timings_ms
    assert ids(moved)[0] == ids(plain)[0] == "2503.00009"  # found by its words
    before, after = ({h.paper.id: h.semantic for h in r.hits} for r in (plain, moved))
    assert after["2503.00009"] > before["2503.00009"]  # meaning drawn toward it
    for mode in ("semantic", "keyword"):  # only hybrid search has first results to learn from
        assert "feedback" not in embedded.search("surface codes", mode=mode).timings_ms
    filtered = embedded.search("surface codes", Filters(categories=["q-bio.PE"]))
    assert all("q-bio.PE" in h.paper.categories for h in filtered.hits)  # feedback keeps the filters


def test_a_query_that_describes_a_paper_gets_no_feedback(embedded):
    from paperwire.search import feedback

    short = "quantum " * feedback.MAX_WORDS
    assert "feedback" in embedded.search(short).timings_ms
    longer = embedded.search(short + "error")  # one word more: a description, meaning as typed
    assert "feedback" not in longer.timings_ms and longer.hits
    assert "feedback" not in embedded.search(f'"{short}" error').timings_ms  # a phrase's words count


def test_an_old_count_is_answered_while_a_new_one_is_made(embedded, store):
    assert embedded.search("canine companions").coverage.papers == len(CORPUS)
    store.papers.upsert_papers([paper("2503.00095", "New paper", "Not embedded yet.")])
    embedded.sync_keyword()
    assert embedded.search("canine companions").coverage.papers == len(CORPUS)  # within the TTL
    embedded._coverage.ttl_s = 0.0
    stale = embedded.search("canine companions").coverage  # answered at once, counted meanwhile
    assert stale.papers == len(CORPUS)
    embedded._coverage.wait()  # the count made in the background is done
    # No new count in flight when the test ends: the store's teardown would close the SQLite connection
    # under it (a segfault in CI, 2026-12-07).
    embedded._coverage.ttl_s = 3600
    fresh = embedded.search("canine companions").coverage
    assert (fresh.embedded, fresh.papers) == (len(CORPUS), len(CORPUS) + 1) and "covers" in fresh.note


def test_a_rebuild_elsewhere_resets_this_process_vector_index(embedded, settings, store):
    from paperwire.search.indexer import rebuild

    assert len(embedded.vectors) == len(CORPUS)
    other = open_search(settings, store)  # another process, e.g. `paperwire index --rebuild`
    assert rebuild(other).embedded == len(CORPUS)
    embedded.catch_up_vectors()  # what `serve` does on its next tick
    assert len(embedded.vectors) == len(CORPUS)
    assert ids(embedded.search("canine companions", mode="semantic"))[0] in ("2503.00007", "2503.00008")


@pytest.mark.parametrize("stale", [{"schema": 1}, {"schema": 2, "store": "another-database"}])
def test_a_keyword_index_of_an_older_schema_or_another_database_is_rebuilt(engine, settings, store, stale):
    if engine.keyword_in_database:
        pytest.skip("tantivy's manifest: with `all`, PostgreSQL answers keywords and keeps no index files")
    manifest = settings.search_dir / "keyword" / "paperwire.json"
    manifest.write_text(json.dumps({**stale, "after": [99, "x"]}))
    again = open_search(settings, store)
    assert again.keyword.position() == (0, "")
    again.sync_keyword()
    assert ids(again.search("turing", mode="keyword"))[0] == "2502.00006"


SEMANTIC_QUERIES = [
    ("pets at home", Filters()),
    ("pets -puppies", Filters()),
    ('dogs "their owners"', Filters()),
    ("molecules and proteins", Filters(categories=["q-bio.BM"])),
    ("attention models", Filters(authors=["Bob Jones"])),
    ("learning programs", Filters(date_from=date(2025, 2, 11), date_until=date(2025, 3, 4))),
]


def test_each_side_gives_the_same_results_wherever_it_is_answered(embedded, settings, store):
    # The same store searched with the index files for both sides: the reference (SQLite's way).
    files = SearchEngine(store, settings.search_dir / "reference", settings.resolved_model_dir)
    files.sync_keyword()
    files.catch_up_vectors()

    def found(engine, text, filters, mode):
        return [
            (h.paper.id, round(h.semantic or 0, 2)) for h in engine.search(text, filters, 20, mode=mode).hits
        ]

    for text, filters in SEMANTIC_QUERIES:
        expected = found(files, text, filters, "semantic")
        assert expected, text
        assert found(embedded, text, filters, "semantic") == expected, (text, filters)
        if not embedded.keyword_in_database:  # tantivy for words: hybrid is the same list too
            assert ids(embedded.search(text, filters, 20)) == ids(files.search(text, filters, 20)), text
    for pid in ("2503.00007", "2501.00001", "2502.00004"):
        assert [h.paper.id for h in embedded.similar(pid, 5)] == [h.paper.id for h in files.similar(pid, 5)]


def test_a_vector_file_written_under_an_older_recipe_is_kept_another_models_is_not(embedded):
    if embedded.vectors_in_database:
        pytest.skip("pgvector answers meaning: there is no vector file")
    embedded.vectors.save()
    manifest_path = embedded.folder / "vectors.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["model"]["recipe"] = RECIPES[0].describe()
    manifest_path.write_text(json.dumps(manifest))
    kept = VectorIndex(embedded.folder, embedded.info, embedded.store_id)
    assert len(kept) == len(CORPUS)  # loaded as it is, no rebuild from the store
    manifest["model"]["build"] = "another-build"
    manifest_path.write_text(json.dumps(manifest))
    assert len(VectorIndex(embedded.folder, embedded.info, embedded.store_id)) == 0  # starts again
