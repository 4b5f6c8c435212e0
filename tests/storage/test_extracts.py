"""Extracts in the store (both databases), and migration 0012 on a hub that has papers."""

from __future__ import annotations

import numpy as np
import pytest

from paperwire.extracts import Extract
from paperwire.papers import make_paper
from paperwire.settings import load_settings
from paperwire.storage import EmbeddingRow, migrate_database, open_store
from paperwire.storage.migrate import HEAD


def _papers(store, *ids: str) -> dict[str, int]:
    store.papers.upsert_papers(
        [make_paper(id=pid, title=f"Paper {pid}", source="test", abstract="A b c.") for pid in ids]
    )
    return {
        pid: seq
        for seq, pid, _ in ((s, p.id, h) for s, p, h in store.embeddings.unembedded_papers((0, ""), 100))
    }


def _embed(store, seqs: dict[str, int], digest: str = "h1") -> None:
    vector = np.ones(384, dtype="<f2").tobytes()
    store.embeddings.save_embeddings([EmbeddingRow(pid, seq, digest, vector) for pid, seq in seqs.items()])


def test_save_read_replace_and_clear(store):
    seqs = _papers(store, "2503.00001", "2503.00002", "2503.00003")
    _embed(store, seqs)
    version = store.papers.community_version()
    store.extracts.save_extracts(
        [
            ("2503.00001", Extract("We propose $x^2$ for “graphs”.", ["graph nets", "$x^2$ trick"], "h1")),
            ("2503.00002", Extract(None, [], "h1")),
        ]
    )
    assert store.papers.community_version() > version  # cached pages that show extracts are stale now
    got = store.extracts.paper_extracts(["2503.00001", "2503.00002", "2503.00003", "2503.00001", "nope"])
    assert got == {
        "2503.00001": Extract("We propose $x^2$ for “graphs”.", ["graph nets", "$x^2$ trick"], "h1"),
        "2503.00002": Extract(None, [], "h1"),
    }
    store.extracts.save_extracts([("2503.00001", Extract("Another.", ["b"], "h1"))])
    assert store.extracts.paper_extracts(["2503.00001"])["2503.00001"] == Extract("Another.", ["b"], "h1")
    store.extracts.save_extracts([])
    store.extracts.clear_extracts()
    assert store.extracts.paper_extracts(["2503.00001", "2503.00002"]) == {}


def test_unpublished_extracts_leave_the_page_cache_alone_until_published(store):
    # The indexer saves a build's batches unpublished and publishes once a minute and at the end: a
    # bump every batch would empty the visitors' page cache all through a long build.
    seqs = _papers(store, "2503.00001")
    _embed(store, seqs)
    version = store.papers.community_version()
    store.extracts.save_extracts([("2503.00001", Extract("One.", ["a"], "h1"))], publish=False)
    assert store.papers.community_version() == version
    assert store.extracts.paper_extracts(["2503.00001"])["2503.00001"].summary == "One."
    store.extracts.publish()
    assert store.papers.community_version() > version


def test_lacking_extracts_are_embedded_papers_without_one_or_with_another_texts(store):
    seqs = _papers(store, "2503.00001", "2503.00002", "2503.00003", "2503.00004")
    del seqs["2503.00004"]  # not embedded: it gets its extract when it is embedded
    _embed(store, seqs)
    store.extracts.save_extracts(
        [("2503.00001", Extract("S.", [], "h1")), ("2503.00002", Extract("Old.", [], "h0"))]
    )
    assert store.extracts.count_lacking_extracts() == 2
    lacking = store.extracts.papers_lacking_extracts("", 10)
    assert [(pid, digest) for pid, _, _, digest in lacking] == [("2503.00002", "h1"), ("2503.00003", "h1")]
    assert lacking[0][1:3] == ("Paper 2503.00002", "A b c.")
    assert [r[0] for r in store.extracts.papers_lacking_extracts("2503.00002", 10)] == ["2503.00003"]
    assert [r[0] for r in store.extracts.papers_lacking_extracts("", 1)] == ["2503.00002"]


def test_many_ids_are_read_in_chunks(store):
    ids = [f"2503.{n:05d}" for n in range(1, 1203)]
    seqs = _papers(store, *ids[:3])
    _embed(store, seqs)
    store.extracts.save_extracts([(pid, Extract("S.", ["k"], "h1")) for pid in ids[:3]])
    assert set(store.extracts.paper_extracts(ids)) == set(ids[:3])


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_migration_0012_adds_the_table_to_a_hub_with_papers(backend_name, tmp_path, request):
    url = None
    if backend_name == "postgres":
        url = request.getfixturevalue("postgres").new_database(migrated=False)
    settings = load_settings(data_dir=tmp_path, database_url=url)
    from alembic import command

    from paperwire.storage.migrate import _config

    with open_store(settings) as s:
        s.papers.upsert_papers([make_paper(id="2503.00001", title="T", source="test", abstract="A.")])
    command.downgrade(_config(settings.resolved_database_url), "0011")
    assert migrate_database(settings) == ("0011", HEAD)
    with open_store(settings) as s:
        assert s.papers.get_paper("2503.00001").title == "T"
        assert s.extracts.count_lacking_extracts() == 0  # not embedded yet: nothing to extract from
        assert s.extracts.paper_extracts(["2503.00001"]) == {}
