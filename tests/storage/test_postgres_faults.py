"""Faults in server mode: PostgreSQL restarting under load, and a connection lost in mid-import."""

import threading
import time

import httpx
import psycopg
import pytest

from paperwire.ingest.bulk import Progress, import_files
from paperwire.ingest.formats import export_record
from paperwire.settings import load_settings
from paperwire.storage import StoreError, open_store
from paperwire.storage.postgres import _SEQ_LOCK
from tests.support.records import LISTING
from tests.support.search_corpus import paper
from tests.support.server import hub_env, start_server


@pytest.fixture
def private_postgres():
    """A PostgreSQL of this test's own: restarting the session's one would disturb other tests."""
    from tests.support.pg import TestPostgres

    server = TestPostgres()
    yield server
    server.stop()


def test_the_hub_recovers_by_itself_after_postgresql_restarts(private_postgres, tmp_path, model_dir):
    env = hub_env(
        tmp_path / "data",
        model_dir,
        PAPERWIRE_DATABASE_URL=private_postgres.new_database(),
        PAPERWIRE_SECRET_KEY="restart-test-secret-" + "x" * 32,
    )
    live = start_server(env, [LISTING])
    answers: list[tuple[float, int | str]] = []
    stop = threading.Event()

    def load():
        with httpx.Client(base_url=live.url, timeout=5) as client:
            while not stop.is_set():
                for path in ("/health", f"/api/papers/{LISTING['id']}", "/"):
                    try:
                        answers.append((time.monotonic(), client.get(path).status_code))
                    except httpx.HTTPError as exc:
                        answers.append((time.monotonic(), type(exc).__name__))

    threads = [threading.Thread(target=load) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        time.sleep(1)
        down = time.monotonic()
        private_postgres.restart(down=2)
        up = time.monotonic()
        deadline = up + 20
        while time.monotonic() < deadline and not _recovered(answers, up):
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
        live.stop()
    before = [a for when, a in answers if when < down]
    during = [a for when, a in answers if down <= when < up]
    assert 200 in before
    # While the database is gone a request either waits for the pool's new connection or gets a 503
    # (which one depends on when it came): never a 500 or a dropped connection.
    assert set(during) <= {200, 503}, set(during)
    assert _recovered(answers, up), answers[-30:]  # then every request succeeds again, with no restart
    assert live.proc.returncode is not None and "Traceback" not in live.log.read_text()


def _recovered(answers, up: float) -> bool:
    after = [a for when, a in answers if when > up + 0.5]
    return len(after) >= 30 and set(after[-30:]) == {200}


class CutTheConnection(Progress):
    """After the first committed batch, the next batch's connection is killed inside its transaction:
    the test holds the writers' advisory lock, so that transaction waits on it until it is terminated."""

    def __init__(self, url: str):
        self.url = url
        self.done = False

    def advance(self, position: int, records: int) -> None:
        if self.done:
            return
        self.done = True
        admin = psycopg.connect(self.url, autocommit=True)
        admin.execute("SELECT pg_advisory_lock(%s)", (_SEQ_LOCK,))

        def kill():
            with admin:
                while True:
                    waiting = admin.execute(
                        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    ).fetchall()
                    if waiting:
                        admin.execute("SELECT pg_terminate_backend(%s)", (waiting[0][0],))
                        admin.execute("SELECT pg_advisory_unlock(%s)", (_SEQ_LOCK,))
                        return
                    time.sleep(0.02)

        threading.Thread(target=kill, daemon=True).start()


def test_a_connection_lost_mid_import_loses_and_duplicates_nothing(postgres, tmp_path, write_jsonl):
    url = postgres.new_database()
    records = [export_record(paper(f"2601.{i:05d}", f"Paper number {i}")) for i in range(1, 3001)]
    path = write_jsonl("papers.jsonl", records)
    settings = load_settings(data_dir=tmp_path / "data", database_url=url)
    with open_store(settings) as store:
        with pytest.raises(StoreError) as err:
            import_files(store, [path], "auto", batch_size=1000, progress=CutTheConnection(url))
        assert "\n" not in str(err.value) and "terminat" in str(err.value)
        assert (
            store.papers.count_papers() == 1000
        )  # the first batch, committed; the cut one rolled back whole
        # The same store, with no reopening: the pool replaced the dead connection. Run it again.
        again = import_files(store, [path], "auto", batch_size=1000)
        assert (again.new, again.unchanged, again.updated) == (2000, 1000, 0)
        stats = store.papers.stats()
        assert stats.papers == stats.versions == 3000


def test_postgresql_restarting_mid_send_loses_and_duplicates_no_digest(private_postgres, tmp_path, model_dir):
    """The database goes away while digests are being sent; a run after it is back finishes the job."""
    from datetime import date

    from paperwire.digests.send import DigestSender
    from paperwire.mail import Mailer
    from paperwire.models.subscriptions import Preferences
    from tests.support.hub import papers_of_week
    from tests.support.smtp import SmtpInbox

    secret = "restart-digest-secret-" + "x" * 32
    with SmtpInbox() as inbox:
        settings = load_settings(
            data_dir=tmp_path / "data",
            model_dir=model_dir,
            database_url=private_postgres.new_database(),
            secret_key=secret,
            smtp_url=inbox.url,
            smtp_rate=40,  # 2.5 seconds of sending: the restart lands in the middle
        )
        with open_store(settings) as store:
            store.papers.upsert_papers(papers_of_week())
            for i in range(100):
                prefs = Preferences(trending=0, categories=["cs.CV"])
                store.subscriptions.create_subscription(
                    f"s{i:03d}@x.org", prefs, status="active", nonce=f"n{i}"
                )
            sender = DigestSender(settings, store, Mailer.from_settings(settings), None, secret)
            reports = []
            first = threading.Thread(target=lambda: reports.append(sender.run(day=date(2025, 3, 18))))
            first.start()
            time.sleep(1.0)
            private_postgres.restart(down=1)
            first.join(60)
            assert not first.is_alive()
            # The run either rode the restart out or stopped with the database's error; the rest waits.
            (cut,) = reports
            assert cut.sent < 100 or cut.error is None
            deadline = time.monotonic() + 30
            while True:  # the pool reconnects by itself; the next run finishes the job
                try:
                    again = sender.run(day=date(2025, 3, 18))
                    break
                except StoreError:
                    assert time.monotonic() < deadline
                    time.sleep(0.5)
            assert again.error is None, again.error
            counts = store.digests.delivery_counts()
        inbox.wait_for(100)
        time.sleep(0.3)
        recipients = sorted(rcpt for _from, rcpts in inbox.envelopes for rcpt in rcpts)
    assert counts == {"sent": 100}
    assert recipients == [f"s{i:03d}@x.org" for i in range(100)]  # each exactly once, no copy
