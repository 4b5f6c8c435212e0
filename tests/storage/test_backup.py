"""The backup and restore of docs/deploying.md, run for real: pg_dump -Fc, then pg_restore into a new
database that Paperwire opens and uses as it was."""

import subprocess

from paperwire.comments import render_markdown
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.search_corpus import CORPUS


def test_pg_dump_and_pg_restore_round_trip(postgres, tmp_path):
    url = postgres.new_database()
    settings = load_settings(data_dir=tmp_path / "data", database_url=url)
    with open_store(settings) as store:
        store.papers.upsert_papers(CORPUS)
        user = store.users.get_or_create_user("alice@example.org")
        store.votes.set_vote(user.id, CORPUS[0].id, True)
        store.comments.add_comment(CORPUS[0].id, user.id, "kept", render_markdown("kept"))
        before = store.papers.stats()
    bin_dir = postgres.server.bin_path
    dump = tmp_path / "paperwire.dump"
    subprocess.run([bin_dir / "pg_dump", "-Fc", "-f", dump, url], check=True, capture_output=True)
    with postgres.admin() as conn:
        conn.execute("CREATE DATABASE restored")
    restored = postgres.url("restored")
    try:
        subprocess.run(
            [bin_dir / "pg_restore", "--no-owner", "-d", restored, dump], check=True, capture_output=True
        )
        with open_store(load_settings(data_dir=tmp_path / "data", database_url=restored)) as store:
            assert store.papers.stats() == before
            assert store.papers.get_paper(CORPUS[0].id).title == CORPUS[0].title
            assert store.papers.paper_activity(CORPUS[0].id).upvotes == 1
            # The sequences came back too: new rows get new ids.
            bob = store.users.get_or_create_user("bob@example.org")
            assert (
                bob.id == user.id + 1
                and store.comments.add_comment(CORPUS[0].id, bob.id, "new", render_markdown("new")).id == 2
            )
    finally:
        postgres.drop_database(restored)
