"""Background jobs run once across processes: the job lock on each store, and two `serve` processes
plus concurrent CLI commands on one PostgreSQL database."""

import json
import logging
import re
import subprocess
import threading
import time
from datetime import UTC, datetime

from paperwire.jobs import EMBED, INGEST, Ticker, exclusive
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.ingest import TUESDAY
from tests.support.paths import PAPERWIRE_BIN
from tests.support.replay import HF_DATA, HfRoute, ReplayServer, Reply, api_route, ingest_env
from tests.support.server import hub_env, start_server

SECRET = "jobs-test-secret-key-" + "x" * 32


def test_a_job_lock_is_held_by_one_holder_at_a_time(store):
    with exclusive(store, EMBED) as first:
        assert first
        with exclusive(store, EMBED) as second:
            assert not second  # the same job, even in the same process: another session or file handle
        with exclusive(store, INGEST) as other:
            assert other  # another job is another lock
    with exclusive(store, EMBED) as again:
        assert again  # released on exit


def test_waiting_for_a_job_lock_ends_when_it_is_released_or_on_stop(store):
    waited = []
    with exclusive(store, INGEST):
        stop = threading.Event()
        threading.Timer(0.3, stop.set).start()
        with exclusive(store, INGEST, wait=True, stop=stop, on_wait=lambda: waited.append(1)) as got:
            assert not got  # stopped while waiting
    holder = threading.Thread(target=lambda: _hold(store, 0.5))
    holder.start()
    time.sleep(0.1)
    with exclusive(store, INGEST, wait=True) as got:
        assert got  # once the holder let go
    holder.join()
    assert waited == [1]


def _hold(store, seconds):
    with exclusive(store, INGEST) as got:
        assert got
        time.sleep(seconds)


def _wait_for(check, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_ticker_goes_on_after_a_failing_tick_and_stops_when_asked(caplog):
    class Flaky(Ticker):
        failure = "the flaky tick failed"

        def __init__(self):
            super().__init__(0.01, "test-ticker", logging.getLogger("paperwire.test"), backoff=0.01)
            self.calls = 0
            self.third = threading.Event()

        def tick(self):
            self.calls += 1
            if self.calls == 3:
                self.third.set()
            if self.calls == 1:
                raise RuntimeError("boom")

    ticker = Flaky().start()
    assert ticker.third.wait(5)  # ticked on after the first tick raised
    ticker.stop(timeout=5)
    assert not ticker._thread.is_alive()
    calls = ticker.calls
    time.sleep(0.05)
    assert ticker.calls == calls  # no tick after stop
    failed = [r for r in caplog.records if r.getMessage() == "the flaky tick failed"]
    assert len(failed) == 1 and "boom" in caplog.text


def test_two_serves_and_the_cli_run_each_job_once(postgres, tmp_path, model_dir):
    url = postgres.new_database()
    gate = threading.Event()  # the feed answers only when the test says so: the first run stays busy

    def feed(_query):
        gate.wait(60)
        return Reply(TUESDAY)

    today = datetime.now(UTC).date().isoformat()
    day = json.loads((HF_DATA / "daily_papers-2025-03-18.json").read_text())
    with ReplayServer() as replay:
        replay.routes |= {"/api/query": api_route, "/atom/cs.LG": feed}
        replay.routes["/api/daily_papers"] = HfRoute({today: day})
        common = {
            **ingest_env(replay, PAPERWIRE_INGEST_CATEGORIES="cs.LG"),
            "PAPERWIRE_DATABASE_URL": url,
            "PAPERWIRE_SECRET_KEY": SECRET,
            "PAPERWIRE_INGEST_SCHEDULE": "true",
            "PAPERWIRE_INGEST_TIME": "00:00",  # always passed: the day's run is due at start
        }
        envs = [hub_env(tmp_path / f"host-{i}" / "data", model_dir, **common) for i in (1, 2)]
        servers = []
        try:
            servers.append(start_server(envs[0]))
            _wait_for(
                lambda: "first ingest of this hub starts" in servers[0].log.read_text(), "the first schedule"
            )
            servers.append(start_server(envs[1]))
            # The second serve found the day's run due too, and waits for the first one's lock.
            _wait_for(lambda: "waiting" in servers[1].log.read_text(), "the second schedule to wait")
            cli_err = tmp_path / "cli-ingest.err"
            with cli_err.open("w") as err:
                cli = subprocess.Popen(
                    [PAPERWIRE_BIN, "ingest", "daily"], env=envs[0], stdout=subprocess.PIPE, stderr=err
                )
            _wait_for(lambda: "waiting for another" in cli_err.read_text(), "the CLI to wait")
            gate.set()
            assert cli.wait(60) == 0, cli_err.read_text()
            with open_store(load_settings(database_url=url, data_dir=tmp_path / "check")) as store:
                _wait_for(lambda: _finished(store) >= 4, "every run to finish")
                _wait_for(lambda: "already run by another" in servers[1].log.read_text(), "the second")
                # `paperwire index` as cron would run it on a third host (a data dir of its own).
                cron = hub_env(tmp_path / "host-3" / "data", model_dir, **common)
                index = subprocess.run(
                    [PAPERWIRE_BIN, "index", "-q"], env=cron, capture_output=True, text=True, timeout=120
                )
                _wait_for(
                    lambda: store.papers.count_papers() and not store.embeddings.count_unembedded(),
                    "embedding",
                    120,
                )
                runs = store.ingest.recent_runs(limit=50)
                papers, embedded_in_db = store.papers.count_papers(), store.embeddings.count_embeddings()
        finally:
            for server in servers:
                server.stop()
    ran = sorted((r.kind, r.trigger) for r in runs)
    assert ran == [("daily", "cli"), ("daily", "schedule"), ("hf", "schedule"), ("hf", "schedule")]
    assert all(r.status != "running" for r in runs)  # (one HF paper is unknown to the replayed API)
    spans = sorted((r.started_at, r.finished_at) for r in runs if r.kind == "daily")
    assert spans[0][1] <= spans[1][0]  # the CLI's run and the scheduled one never overlapped
    # The feed was read twice in all: once by the one scheduled run, once by the CLI.
    assert replay.paths().count("/atom/cs.LG") == 2
    # Each paper was embedded once, by whichever process held the embedding lock.
    logs = [s.log.read_text() for s in servers]
    by_serve = [sum(map(int, re.findall(r"embedded (\d+) papers \(", text))) for text in logs]
    by_cli = re.search(r"^([\d,]+) papers embedded", index.stdout, re.M)
    assert by_cli or "another paperwire process is embedding" in index.stderr, index.stderr
    total = sum(by_serve) + (int(by_cli.group(1).replace(",", "")) if by_cli else 0)
    assert papers == embedded_in_db == total, (by_serve, index.stdout, index.stderr)


def _finished(store) -> int:
    return sum(r.status != "running" for r in store.ingest.recent_runs(limit=50))


def test_two_serves_and_the_cli_send_each_digest_once(postgres, tmp_path, model_dir):
    """Two `serve` processes whose digest schedules tick every half second, and `paperwire digest
    send` at the same time, on one PostgreSQL database: every subscriber gets one digest."""
    from paperwire.ingest.formats import export_record
    from paperwire.models.subscriptions import Preferences
    from paperwire.papers import arxiv_links, make_paper
    from tests.support.smtp import SmtpInbox

    url = postgres.new_database()
    today = datetime.now(UTC).date()
    papers = [
        make_paper(id=pid, title=f"Paper {pid}", abstract="About learning.", authors=["A"], categories=["cs.LG"],  # noqa: E501
                   announced=today, links=arxiv_links(pid), source="arxiv-listing")
        for pid in (f"2611.{i:05d}" for i in range(1, 6))
    ]  # fmt: skip
    with open_store(load_settings(database_url=url, data_dir=tmp_path / "check", secret_key=SECRET)) as store:
        for i in range(60):
            prefs = Preferences(trending=0, send_time="00:00", categories=["cs.LG"])  # due all day
            store.subscriptions.create_subscription(f"s{i:02d}@x.org", prefs, status="active", nonce=f"n{i}")
    with SmtpInbox() as inbox:
        common = {
            "PAPERWIRE_DATABASE_URL": url,
            "PAPERWIRE_SECRET_KEY": SECRET,
            "PAPERWIRE_SMTP_URL": inbox.url,
            "PAPERWIRE_SMTP_RATE": "30",  # two seconds of sending: the three senders overlap
            "PAPERWIRE_DIGEST_INTERVAL": "0.5",
        }
        envs = [hub_env(tmp_path / f"host-{i}" / "data", model_dir, **common) for i in (1, 2, 3)]
        servers = []
        try:
            servers.append(start_server(envs[0], [export_record(p) for p in papers]))
            servers.append(start_server(envs[1]))
            cli = subprocess.run(
                [PAPERWIRE_BIN, "digest", "send"], env=envs[2], capture_output=True, text=True, timeout=120
            )
            assert cli.returncode == 0, cli.stderr
            with open_store(load_settings(database_url=url, data_dir=tmp_path / "check")) as store:
                _wait_for(
                    lambda: store.digests.delivery_counts().get("sent") == 60, "every digest to be sent"
                )
                time.sleep(2)  # a few more ticks of both schedules: they must find nothing to do
                counts = store.digests.delivery_counts()
        finally:
            for server in servers:
                server.stop()
        recipients = sorted(rcpt for _from, rcpts in inbox.envelopes for rcpt in rcpts)
    assert counts == {"sent": 60}
    assert recipients == [f"s{i:02d}@x.org" for i in range(60)]  # each once, from whichever sender
    # Whichever sender got there first composed all 60; the CLI (waiting for a serve's lock if it found
    # one sending) either did it all or found nothing left.
    assert re.match(r"(0|60) composed", cli.stdout), cli.stdout + cli.stderr
