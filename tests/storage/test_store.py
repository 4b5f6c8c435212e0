"""The Store on both backends (the `store` fixture runs each test on SQLite and on PostgreSQL)."""

import sqlite3
import threading
from datetime import date

import psycopg
import pytest

from paperwire import PaperwireError
from paperwire.models.papers import Links, PaperVersion
from paperwire.papers import make_paper
from paperwire.settings import load_settings
from paperwire.storage import UpsertOutcome, migrate_database, open_store
from paperwire.storage.migrate import current_revision, head_revision
from tests.support.pg import PASSWORD, PASSWORD_ROLE, TEMPLATE, database_name


def paper(pid="2503.00001", version=1, title="A title", **kw):
    return make_paper(id=pid, title=title, version=version, source="test", **kw)


def test_round_trip_of_every_field(store):
    p = paper(
        abstract="Abstract.",
        authors=["Ada Lovelace", "Alan Turing"],
        categories=["cs.LG", "stat.ML"],
        published=date(2025, 1, 2),
        updated=date(2025, 2, 3),
        announced=date(2025, 1, 6),
        comment="10 pages",
        journal_ref="J. Test 1 (2025)",
        doi="10.1000/xyz",
        license="http://creativecommons.org/licenses/by/4.0/",
        links=Links(
            "https://arxiv.org/abs/2503.00001",
            "https://arxiv.org/pdf/2503.00001",
            "https://git.example/x",
            "https://proj.example",
        ),
        versions=[PaperVersion(1, date(2025, 1, 2))],
    )
    assert store.papers.upsert_papers([p]) == [UpsertOutcome.NEW]
    assert store.papers.get_paper(p.id) == p  # every field, the version history included
    assert store.papers.get_paper("nope") is None


def test_upsert_is_idempotent(store):
    papers = [paper(f"2503.{i:05d}") for i in range(50)]
    assert set(store.papers.upsert_papers(papers)) == {UpsertOutcome.NEW}
    before = list(store.papers.iter_papers())
    assert set(store.papers.upsert_papers(papers)) == {UpsertOutcome.UNCHANGED}
    assert list(store.papers.iter_papers()) == before
    assert store.papers.count_papers() == 50


def test_newer_version_replaces_and_is_recorded(store):
    store.papers.upsert_papers([paper(title="First", updated=date(2025, 1, 1))])
    assert store.papers.upsert_papers([paper(version=3, title="Third", updated=date(2025, 3, 1))]) == [
        UpsertOutcome.UPDATED
    ]
    got = store.papers.get_paper("2503.00001")
    assert (got.version, got.title) == (3, "Third")
    assert got.versions == [PaperVersion(1, date(2025, 1, 1)), PaperVersion(3, date(2025, 3, 1))]


@pytest.mark.parametrize("version", [1, 2])
def test_same_or_older_version_changes_nothing(store, version):
    store.papers.upsert_papers([paper(version=2, title="Second")])
    assert store.papers.upsert_papers([paper(version=version, title="Other")]) == [UpsertOutcome.UNCHANGED]
    got = store.papers.get_paper("2503.00001")
    assert (got.version, got.title) == (2, "Second")
    assert [v.version for v in got.versions] == [2]


def test_one_batch_with_two_versions_of_a_paper(store):
    outcomes = store.papers.upsert_papers([paper(version=1), paper(version=2, title="Two"), paper(version=1)])
    assert outcomes == [UpsertOutcome.NEW, UpsertOutcome.UPDATED, UpsertOutcome.UNCHANGED]
    assert store.papers.get_paper("2503.00001").title == "Two"


def test_a_failed_batch_writes_nothing(store):
    store.papers.upsert_papers([paper("2503.00001")])
    broken = paper("2503.00002")
    broken.authors = [object()]  # not JSON-serialisable: fails in the middle of the batch
    with pytest.raises(TypeError):
        store.papers.upsert_papers([paper("2503.00003"), broken])
    assert store.papers.count_papers() == 1
    assert store.papers.upsert_papers([paper("2503.00003")]) == [UpsertOutcome.NEW]


def raw_connection(settings):
    """A plain driver connection to the store's database, outside the Store, in an open transaction."""
    url = settings.resolved_database_url
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(settings.data_dir / "paperwire.db", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn
    return psycopg.connect(url)  # psycopg opens a transaction at the first statement


def test_reader_is_not_blocked_by_an_open_write(store, settings):
    store.papers.upsert_papers([paper("2503.00001", title="Committed")])
    # A second writer holds an uncommitted write transaction on the same database.
    other = raw_connection(settings)
    other.execute("UPDATE papers SET title = 'Uncommitted'")
    try:
        done = {}

        def read():
            done["title"] = store.papers.get_paper("2503.00001").title
            done["count"] = store.papers.count_papers()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=5)
        assert not reader.is_alive(), "a reader waited for the writer"
        assert done == {"title": "Committed", "count": 1}
    finally:
        other.rollback()
        other.close()


def test_readers_see_a_batch_all_or_nothing(store):
    batch = [paper(f"2504.{i:05d}") for i in range(20_000)]
    seen = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.append(store.papers.count_papers())

    watcher = threading.Thread(target=watch)
    watcher.start()
    store.papers.upsert_papers(batch)
    stop.set()
    watcher.join()
    assert set(seen) <= {0, 20_000}
    assert seen, "the reader never ran"


def test_stats(store):
    store.papers.upsert_papers(
        [
            paper("1", categories=["cs.CV", "cs.LG"], announced=date(2025, 3, 18)),
            paper(
                "2", categories=["cs.LG"], published=date(2025, 4, 1), version=2, versions=[PaperVersion(1)]
            ),
            paper("3"),
        ]
    )
    s = store.papers.stats()
    assert (s.papers, s.versions) == (3, 4)
    assert s.by_category == {"cs.LG": 2, "cs.CV": 1}
    assert s.by_month == {"2025-03": 1, "2025-04": 1, "unknown": 1}
    assert s.by_source == {"test": 3}


def test_iter_papers_in_id_order_across_batches(store):
    store.papers.upsert_papers([paper(f"2503.{i:05d}", versions=[PaperVersion(1)]) for i in range(25, 0, -1)])
    ids = [p.id for p in store.papers.iter_papers(batch_size=7)]
    assert ids == sorted(ids) and len(ids) == 25


def test_recent_papers_newest_first(store):
    store.papers.upsert_papers(
        [
            paper("a", announced=date(2025, 1, 1)),
            paper("b", announced=date(2025, 6, 1)),
            paper("c"),
            paper("d", published=date(2025, 3, 1)),
        ]
    )
    assert [p.id for p in store.papers.recent_papers(10)] == ["b", "d", "a", "c"]


def test_changes_are_seen_in_commit_order_by_a_reader_catching_up(store, settings):
    """Two writers (two stores, as two processes would have) and a reader that catches up with
    changed_papers(after=...) between their commits, as the search indexes do: it misses nothing."""
    writers = [store, open_store(settings)]
    stop, errors, seen = threading.Event(), [], {}

    def write(n: int, w) -> None:
        try:
            for i in range(40):
                # Different batch sizes keep the two transactions overlapping in every order.
                w.papers.upsert_papers([paper(f"{n}.{i:03d}.{j:03d}") for j in range(1 + n * 60)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def catch_up() -> None:
        after = (0, "")
        while True:
            done = stop.is_set()  # read before the last pass: that pass sees every commit
            while batch := store.papers.changed_papers(after, 500):
                seen.update((p.id, s) for s, p in batch)
                after = (batch[-1][0], batch[-1][1].id)
            if done:
                return

    reader = threading.Thread(target=catch_up)
    threads = [threading.Thread(target=write, args=(n, w)) for n, w in enumerate(writers)]
    reader.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    reader.join()
    writers[1].close()
    assert not errors
    assert len(seen) == store.papers.count_papers() == 40 * (1 + 61)


def test_schema_revision(store, settings):
    assert current_revision(settings.resolved_database_url) == head_revision()


@pytest.mark.sqlite
def test_wal_mode(settings):
    open_store(settings).close()
    conn = sqlite3.connect(settings.data_dir / "paperwire.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.sqlite
def test_outdated_schema_is_refused_until_migrated(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    open_store(settings).close()
    conn = sqlite3.connect(tmp_path / "paperwire.db")
    conn.execute("UPDATE alembic_version SET version_num = 'old'")
    conn.commit()
    with pytest.raises(PaperwireError, match="run `paperwire migrate`"):
        open_store(settings)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:  # back to an empty database, as if never migrated
        if table not in ("alembic_version", "sqlite_sequence"):
            conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM alembic_version")
    conn.commit()
    assert migrate_database(settings) == (None, head_revision())
    open_store(settings).close()


def test_postgres_database_is_migrated_then_an_outdated_one_refused(postgres, tmp_path):
    settings = load_settings(data_dir=tmp_path, database_url=postgres.new_database(migrated=False))
    assert current_revision(settings.resolved_database_url) is None
    assert migrate_database(settings) == (None, head_revision())
    assert migrate_database(settings) == (head_revision(), head_revision())
    with open_store(settings) as s:
        assert s.papers.upsert_papers([paper()]) == [UpsertOutcome.NEW]
    with psycopg.connect(settings.resolved_database_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'old'")
    with pytest.raises(PaperwireError, match=r"at revision old .* run `paperwire migrate`"):
        open_store(settings)


def test_an_empty_postgres_database_gets_the_schema_at_start(postgres, tmp_path):
    settings = load_settings(data_dir=tmp_path, database_url=postgres.new_database(migrated=False))
    with open_store(settings) as s:
        assert s.papers.count_papers() == 0
    assert current_revision(settings.resolved_database_url) == head_revision()
    assert not tmp_path.joinpath("paperwire.db").exists()


@pytest.mark.parametrize(
    "case, reason",
    [
        ("port", "connection refused"),
        ("password", f'password authentication failed for user "{PASSWORD_ROLE}"'),
        ("database", 'database "no_such_db" does not exist'),
    ],
)
def test_a_wrong_postgres_url_fails_at_start_in_one_line(postgres, tmp_path, case, reason):
    url, shown = {
        "port": ("postgresql://paperwire:s3cret@127.0.0.1:1/paperwire", "paperwire:***@127.0.0.1:1"),
        "password": (postgres.url(TEMPLATE, PASSWORD_ROLE, "s3cret"), f"{PASSWORD_ROLE}:***@/"),
        "database": (postgres.url("no_such_db", PASSWORD_ROLE, PASSWORD), f"{PASSWORD_ROLE}:***@/"),
    }[case]
    settings = load_settings(data_dir=tmp_path, database_url=url)
    with pytest.raises(PaperwireError) as err:
        open_store(settings)
    message = str(err.value)
    assert message.startswith(f"cannot use the database postgresql://{shown}") and message.endswith(reason)
    assert "\n" not in message and "s3cret" not in message and PASSWORD not in message
    assert not tmp_path.joinpath("paperwire.db").exists()


def test_the_right_password_opens_and_migrates_the_owners_database(postgres, tmp_path):
    name = database_name(postgres.new_database(migrated=False, owner=PASSWORD_ROLE))
    url = postgres.url(name, PASSWORD_ROLE, PASSWORD)
    settings = load_settings(data_dir=tmp_path, database_url=url)
    # pgvector is not a trusted extension: the owner cannot create it, and is told in one line who can.
    with pytest.raises(PaperwireError) as refused:
        open_store(settings)
    message = str(refused.value)
    assert (
        "\n" not in message
        and f'as a superuser, run `CREATE EXTENSION vector;` in the database "{name}"' in message
    )
    with psycopg.connect(postgres.url(name), autocommit=True) as admin:
        admin.execute("CREATE EXTENSION vector")
    with open_store(settings) as s:
        assert s.papers.upsert_papers([paper()]) == [UpsertOutcome.NEW]


def test_head_constant_matches_the_migrations():
    from paperwire.storage.migrate import HEAD

    assert head_revision() == HEAD, "set HEAD in storage/migrate.py to the newest migration"
