"""`paperwire copy --to`: an embedded hub moved into PostgreSQL, every table and vector, re-runnable."""

from datetime import UTC, date, datetime, timedelta

import pytest

from paperwire.comments import render_markdown
from paperwire.models.announcements import AnnouncementDay
from paperwire.models.digests import FOR_YOU, DigestItem, NewDelivery
from paperwire.models.ingest import HarvestState, HfFeature
from paperwire.models.subscriptions import Preferences
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.search_corpus import CORPUS, paper

DAY = date(2025, 1, 6)
NOW = datetime(2025, 1, 6, 8, tzinfo=UTC)


@pytest.fixture
def source(cli_env, model_dir):
    """The SQLite hub the CLI sees (cli_env's data dir), with something in every table."""
    from paperwire.search import open_search
    from paperwire.search.indexer import embed_pending

    settings = load_settings(data_dir=cli_env["PAPERWIRE_DATA_DIR"], model_dir=model_dir)
    with open_store(settings) as store:
        store.papers.upsert_papers(CORPUS)
        embed_pending(open_search(settings, store))  # real vectors: the copy must not recompute them
        alice, bob = map(store.users.get_or_create_user, ("alice@example.org", "bob@example.org"))
        store.users.set_admin(alice.id, True)
        store.users.create_session("hash-of-alice-token", alice.id, datetime.now(UTC) + timedelta(days=1))
        store.users.save_signin_token("nonce", "bob@example.org", datetime.now(UTC) + timedelta(minutes=5))
        for user in (alice, bob):
            store.votes.set_vote(user.id, CORPUS[0].id, True)
        store.comments.add_comment(
            CORPUS[0].id, bob.id, "A *fine* paper.", render_markdown("A *fine* paper.")
        )
        store.submissions.add_submission(CORPUS[1].id, alice.id, DAY)
        store.papers.set_paper_hidden(CORPUS[2].id, True)
        store.library.set_saved(bob.id, CORPUS[0].id, True)
        store.library.set_mark(bob.id, CORPUS[1].id, "not_interested", True)
        shelf = store.collections.create(bob.id, "Shelf", is_public=True)
        store.collections.set_paper(shelf.id, bob.id, CORPUS[0].id, True)
        store.limits.hit_rate_limit("vote:1", 60, 10, datetime.now(UTC))
        store.ingest.finish_run(store.ingest.start_run("daily", "cs.LG", "cli"), "ok", {"new": 3}, None)
        store.ingest.save_harvest(HarvestState("oai:cs", cursor=DAY))
        store.announcements.record(AnnouncementDay("cs.LG", DAY, True, new=2), {CORPUS[0].id: DAY})
        store.ingest.upsert_hf_features([HfFeature(CORPUS[1].id, DAY, "someone", 7)])
        prefs = Preferences(frequency="weekly", weekday=4, topics=["turing"], categories=["cs.LG"])
        sub, _ = store.subscriptions.create_subscription(
            "bob@example.org", prefs, status="active", nonce="bob-nonce"
        )
        item = DigestItem(CORPUS[0].id, FOR_YOU, "matches your topic “turing”")
        store.digests.add_deliveries(
            [NewDelivery(sub.id, "2025-W12", "weekly", DAY, DAY, "<m@x>", [item])], NOW
        )
        (row,) = store.digests.due_deliveries(NOW, 1)
        store.digests.claim_delivery(row.id, NOW)
        store.digests.delivered(row.id, NOW)
    return settings


def test_copy_moves_every_table_and_the_vectors(source, postgres, run_cli):
    url = postgres.new_database(migrated=False)  # an empty database: the copy sets it up
    done = run_cli("copy", "--to", url)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:-1]}
    for table in ("papers", "paper_versions", "embeddings", "search_meta", "users", "sessions", "votes",
                  "comments", "submissions", "ingest_runs", "ingest_harvests", "announcement_days",
                  "hf_daily_papers", "hub_counters", "rate_limits", "signin_tokens", "subscriptions",
                  "deliveries", "digest_papers", "library_papers", "paper_marks", "collections",
                  "collection_papers"):  # fmt: skip
        assert table in lines and lines[table][0] == lines[table][1] != "0", (table, done.stdout)
    assert "every count matches" in done.stdout and "password" not in done.stdout
    target = load_settings(database_url=url, data_dir=source.data_dir)
    with open_store(source) as old, open_store(target) as new:
        assert (
            new.papers.count_papers() == len(CORPUS) and new.embeddings.count_unembedded() == 0
        )  # nothing to embed again
        # Analysed: keyword search's word statistics (pg_stats) are there at once, not after autovacuum.
        assert new._one("SELECT count(*) FROM pg_stats WHERE tablename = 'papers' AND attname = 'search'")[0]
        ids = [p.id for p in CORPUS]
        assert new.embeddings.embeddings_for(ids) == old.embeddings.embeddings_for(
            ids
        )  # the same bytes, seqs and keys
        assert new.papers.get_paper(CORPUS[0].id) == old.papers.get_paper(CORPUS[0].id)
        assert new.users.session_user("hash-of-alice-token", datetime.now(UTC)).is_admin
        bob = new.users.find_user(email="bob@example.org")
        assert new.library.signals(bob.id) == old.library.signals(bob.id)
        assert new.collections.create(bob.id, "After the copy").id > 1  # the id sequence continues
        assert (
            new.papers.paper_activity(CORPUS[0].id).upvotes == 2
            and new.papers.paper_activity(CORPUS[2].id).hidden
        )
        assert [c.body for c in new.comments.paper_comments(CORPUS[0].id)] == ["A *fine* paper."]
        assert (
            new.ingest.recent_runs()[0].counts == {"new": 3}
            and new.ingest.get_harvest("oai:cs").cursor == DAY
        )
        assert (
            new.ingest.hf_features(DAY)[0].upvotes == 7
            and new.papers.community_version() == old.papers.community_version()
        )
        assert new.subscriptions.find_subscription("bob@example.org") == old.subscriptions.find_subscription(
            "bob@example.org"
        )
        assert new.digests.deliveries() == old.digests.deliveries() and new.digests.sent_papers([1]) == {
            1: {CORPUS[0].id}
        }
        # Ids were copied as they are, and each sequence goes on after them.
        carol = new.users.get_or_create_user("carol@example.org")
        assert (
            carol.id == 3
            and new.comments.add_comment(CORPUS[0].id, carol.id, "me too", render_markdown("me too")).id == 2
        )
        # The source changes: a vote taken back, a paper added. Copying again converges.
        bob = old.users.find_user(email="bob@example.org")
        old.votes.set_vote(bob.id, CORPUS[0].id, False)
        old.papers.upsert_papers([paper("2601.00001", "A paper written after the first copy")])
    again = run_cli("copy", "--to", url)
    assert again.returncode == 0, again.stderr
    with open_store(target) as new:
        assert (
            new.papers.count_papers() == len(CORPUS) + 1
            and new.papers.paper_activity(CORPUS[0].id).upvotes == 1
        )
        assert new.users.find_user(email="carol@example.org") is None  # the target is the source's copy
    assert run_cli("copy", "--to", url).stdout == again.stdout  # and a third run changes nothing


def test_copy_errors_are_one_line(source, postgres, run_cli):
    for target, reason in (
        ("sqlite:///elsewhere.db", "needs a postgresql:// URL"),
        (postgres.url("no_such_database"), 'database "no_such_database" does not exist'),
    ):
        done = run_cli("copy", "--to", target)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert reason in done.stderr
