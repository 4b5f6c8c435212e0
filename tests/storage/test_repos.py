"""GitHub repositories in the store, and migration 0009's code links for papers stored before it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import psycopg
import pytest

from paperwire.models.repos import GithubRepo
from paperwire.papers import make_paper
from paperwire.settings import load_settings
from paperwire.storage import migrate_database, open_store
from paperwire.storage.migrate import HEAD


def _paper(pid: str, abstract: str, announced: date | None = None):
    return make_paper(id=pid, title=f"Paper {pid}", source="test", abstract=abstract, announced=announced)


def test_github_links_and_repos(store):
    store.papers.upsert_papers(
        [
            _paper("2503.00001", "Code: https://github.com/o/r.", date(2025, 3, 18)),
            _paper("2503.00002", "We reuse github.com/o/r.", date(2025, 3, 20)),
            _paper("2503.00003", "https://gitlab.com/g/p", date(2025, 3, 20)),
            _paper("2503.00004", "No code.", date(2025, 3, 20)),
        ]
    )
    assert store.repos.github_links() == {"https://github.com/o/r": date(2025, 3, 20)}
    assert store.repos.github_repos() == {}
    at = datetime(2025, 3, 21, 9, 30, 0, 123456, tzinfo=UTC)
    store.repos.save_github_repo(GithubRepo("o/r", "O/r", "ok", 12, 'W/"abc"', at))
    store.repos.save_github_repo(GithubRepo("x/gone", "x/gone", "missing", None, None, at))
    assert store.repos.github_repos(["o/r", "o/r", "nope"]) == {
        "o/r": GithubRepo("o/r", "O/r", "ok", 12, 'W/"abc"', at)
    }
    version = store.papers.community_version()
    store.repos.save_github_repo(GithubRepo("o/r", "O/r", "ok", 12, 'W/"abc"', at))  # a 304: pages stay valid
    assert store.papers.community_version() == version
    store.repos.save_github_repo(
        GithubRepo("o/r", "O/renamed", "ok", 13, None, at)
    )  # a later check replaces it
    assert store.papers.community_version() == version + 1  # cached pages show stars: they are stale
    repos = store.repos.github_repos()
    assert set(repos) == {"o/r", "x/gone"}
    assert (repos["o/r"].full_name, repos["o/r"].stars, repos["o/r"].etag) == ("O/renamed", 13, None)
    assert repos["x/gone"].status == "missing" and repos["x/gone"].stars is None


def _back_to_0008(url: str, execute) -> None:
    execute("UPDATE papers SET code_url = NULL")
    execute("DROP TABLE github_repos")
    execute("UPDATE alembic_version SET version_num = '0008'")


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
def test_migration_0009_gives_stored_papers_their_code_links(backend_name, tmp_path, request):
    url = None
    if backend_name == "postgres":
        url = request.getfixturevalue("postgres").new_database(migrated=False)
    settings = load_settings(data_dir=tmp_path, database_url=url)
    with open_store(settings) as s:
        s.papers.upsert_papers(
            [
                _paper("2503.17057", r"On https://github.com/13204942/SSL\_Cervical\_Segmentation."),
                _paper("2503.00002", "No code here."),
            ]
        )
    from alembic import command

    from paperwire.storage.migrate import _config

    command.downgrade(_config(settings.resolved_database_url), "0009")  # the later migrations undone
    if url:
        with psycopg.connect(url, autocommit=True) as conn:
            _back_to_0008(url, conn.execute)
    else:
        conn = sqlite3.connect(tmp_path / "paperwire.db", isolation_level=None)
        _back_to_0008("", conn.execute)
        conn.close()
    assert migrate_database(settings) == ("0008", HEAD)
    with open_store(settings) as s:
        assert (
            s.papers.get_paper("2503.17057").links.code
            == "https://github.com/13204942/SSL_Cervical_Segmentation"
        )
        assert s.papers.get_paper("2503.00002").links.code is None
        assert s.repos.github_repos() == {}
