"""Extracts made by the indexer with the real model on a tiny hub: the summary is the sentence that
states the contribution, key phrases come from the text, and hubs from before extracts get theirs."""

from __future__ import annotations

import re

import pytest

from paperwire.extracts import KEYWORDS
from paperwire.papers import make_paper
from paperwire.search import open_search
from paperwire.search.indexer import embed_pending

# (id, title, abstract, the sentence that states the contribution)
PAPERS = [
    (
        "2504.00001",
        "Sparse Attention for Long Protein Sequences",
        "Protein language models struggle with sequences longer than a few thousand residues. Dense "
        "attention grows quadratically with length, e.g. 4x the memory for 2x the residues. In this paper, "
        "we propose a sparse attention scheme for protein language models that attends to local windows "
        "and to predicted contact residues. On three benchmarks it matches dense attention at 0.3 of the "
        "memory (see Fig. 2).",
        "In this paper, we propose a sparse attention scheme for protein language models that attends to "
        "local windows and to predicted contact residues.",
    ),
    (
        "2504.00002",
        "Bandit Scheduling of Traffic Lights",
        "Traffic congestion costs cities billions every year. Fixed-time signal plans ignore the traffic "
        "that actually arrives. We introduce a contextual bandit that schedules the traffic lights of an "
        "intersection from camera counts. In simulation, the average waiting time fell by 21.5 percent "
        "compared with fixed plans.",
        "We introduce a contextual bandit that schedules the traffic lights of an intersection from camera "
        "counts.",
    ),
    (
        "2504.00003",
        "Proof Repair for Evolving Coq Libraries",
        "Large verified libraries break when their definitions change, and repairing proofs by hand is slow. "
        "This paper presents a proof repair tool for Coq that replays old proofs against changed "
        "definitions and searches for small patches. It repaired 71 of 100 broken lemmas taken from the "
        "history of three libraries (Smith et al. 2021).",
        "This paper presents a proof repair tool for Coq that replays old proofs against changed "
        "definitions and searches for small patches.",
    ),
]


@pytest.fixture
def engine(settings, store):
    store.papers.upsert_papers(
        [make_paper(id=i, title=t, source="test", abstract=a) for i, t, a, _ in PAPERS]
    )
    return open_search(settings, store)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", text.lower()))


def test_summary_is_the_contribution_and_key_phrases_come_from_the_text(engine):
    report = embed_pending(engine)
    assert (report.embedded, report.extracted) == (3, 3)
    extracts = engine.store.extracts.paper_extracts([p[0] for p in PAPERS])
    for pid, title, abstract, contribution in PAPERS:
        x = extracts[pid]
        assert x.summary == contribution, pid
        assert 1 <= len(x.keywords) <= KEYWORDS, pid
        text = f" {_words(title)} | {_words(abstract)} "
        for phrase in x.keywords:
            assert f" {_words(phrase)} " in text, (pid, phrase)
        compared = [_words(k).rstrip("s") for k in x.keywords]
        assert len(set(compared)) == len(compared), (pid, x.keywords)
        assert not any(a != b and f" {a} " in f" {b} " for a in compared for b in compared), x.keywords
    assert engine.store.extracts.count_lacking_extracts() == 0


def test_a_hub_embedded_before_extracts_gets_them_and_a_changed_abstract_gets_a_new_one(engine):
    store = engine.store
    report = embed_pending(engine, extracts=False)  # as a hub from before extracts was embedded
    assert (report.embedded, report.extracted) == (3, 0)
    assert store.extracts.count_lacking_extracts() == 3
    report = embed_pending(engine)
    assert (report.embedded, report.extracted) == (0, 3)  # read again; the vectors stay
    assert store.extracts.count_lacking_extracts() == 0
    pid, title, _, _ = PAPERS[1]
    new = "We study a bandit for traffic lights in three cities. Waiting times fell by a fifth."
    store.papers.upsert_papers([make_paper(id=pid, title=title, source="test", abstract=new, version=2)])
    report = embed_pending(engine)
    assert (report.embedded, report.extracted) == (1, 1)
    x = store.extracts.paper_extracts([pid])[pid]
    assert x.summary == "We study a bandit for traffic lights in three cities."
    assert x.text_hash == store.embeddings.embeddings_for([pid])[pid].text_hash


def test_extracts_of_another_version_are_made_again(engine):
    embed_pending(engine)
    engine.store.embeddings.set_search_meta("extracts_version", "0")
    report = embed_pending(engine)
    assert (report.embedded, report.extracted) == (0, 3)
    assert engine.store.embeddings.get_search_meta("extracts_version") != "0"


def test_a_paper_without_an_abstract_gets_key_phrases_from_its_title(engine):
    engine.store.papers.upsert_papers(
        [make_paper(id="2504.00009", title="Quantum Error Correction with Surface Codes", source="test")]
    )
    embed_pending(engine)
    x = engine.store.extracts.paper_extracts(["2504.00009"])["2504.00009"]
    assert x.summary is None
    assert x.keywords and all(
        _words(k) in _words("Quantum Error Correction with Surface Codes") for k in x.keywords
    )
