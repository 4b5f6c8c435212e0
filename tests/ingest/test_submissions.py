"""Submissions of papers the hub lacks are fetched off the request path (ingest/submissions.py): the
worker settles the queue in batches under a job lock, and a spawned `serve` flooded with submissions
against a slow arXiv keeps answering fast and stops at once."""

import re
import signal
import threading
import time
from datetime import date

import httpx

from paperwire.ingest.http import open_fetchers
from paperwire.ingest.submissions import SubmissionFetcher, drain
from paperwire.jobs import SUBMISSIONS, exclusive
from paperwire.papers import make_paper
from tests.support.replay import ReplayServer, api_route, ingest_overrides
from tests.support.server import LiveServer

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"(http://\S+/signin/verify\?\S+)")
DAY = date(2025, 3, 18)


def test_the_worker_settles_the_queue_in_one_request_and_once_across_processes(tmp_path, make_settings):
    from paperwire.storage import open_store

    with ReplayServer() as arxiv:
        arxiv.routes["/api/query"] = api_route
        settings = make_settings(data_dir=tmp_path, **ingest_overrides(arxiv))
        with open_store(settings) as store, open_fetchers(settings) as fetchers:
            store.papers.upsert_papers([make_paper(id="2503.10009", title="Stored already", source="test")])
            ada = store.users.get_or_create_user("ada@example.org")
            for pid in ("2503.11701", "2503.99999", "2503.10009"):
                store.submissions.queue_submission(pid, ada.id, DAY, per_user=10, total=10)
            with exclusive(store, SUBMISSIONS) as got:  # another process is working the queue
                assert got and drain(store, fetchers.arxiv, settings.arxiv_api_url) is None
            assert arxiv.requests == []
            worker = SubmissionFetcher(settings, store, lambda: fetchers.arxiv, tick=0.05).start()
            deadline = time.monotonic() + 10
            while store.submissions.count_queued_submissions() and time.monotonic() < deadline:
                time.sleep(0.05)
            worker.stop()
            assert [r.query["id_list"] for r in arxiv.requests] == [
                "2503.11701,2503.99999"
            ]  # not the stored one
            states = {q.paper_id: q.state for q in map(store.submissions.get_queued_submission, (1, 2, 3))}
            assert states == {"2503.11701": "done", "2503.99999": "failed", "2503.10009": "done"}
            assert store.papers.paper_activity("2503.11701").submission.day == DAY
            assert store.papers.paper_activity("2503.10009").submission.username == "ada"


def sign_in(server: LiveServer, inbox, email: str) -> tuple[httpx.Client, str]:
    """A client signed in through the emailed link, and its CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=10)
    before = len(inbox.messages)
    token = TOKEN.search(client.get("/signin").text).group(1)
    assert client.post("/api/signin", data={"email": email, "csrf_token": token}).status_code == 200
    link = LINK.search(inbox.wait_for(before + 1)[-1].get_content()).group(1)
    verify = client.get(f"/signin/verify?{link.split('?', 1)[1]}")
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', verify.text))
    assert client.post("/api/signin/verify", data=form).status_code in (200, 303)
    return client, TOKEN.search(client.get("/submit").text).group(1)


def p99(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.99) - 1]


def test_a_flood_of_submissions_against_a_slow_arxiv_holds_no_request(spawn_server, smtp_inbox):
    slow = {"delay": 4.0}  # each answer of arXiv's API takes this long

    def slow_api(query):
        reply = api_route(query)
        reply.delay = slow["delay"]
        return reply

    with ReplayServer() as arxiv:
        arxiv.routes["/api/query"] = slow_api
        server = spawn_server(
            PAPERWIRE_SMTP_URL=smtp_inbox.url,
            PAPERWIRE_ARXIV_API_URL=f"{arxiv.url}/api/query",
            PAPERWIRE_CONTACT_EMAIL="ops@example.org",
            PAPERWIRE_ARXIV_INTERVAL="0",
            PAPERWIRE_HTTP_RETRIES="0",
            PAPERWIRE_SEARCH_INDEXER="false",
            PAPERWIRE_RATE_LIMITS="submit=100/3600",
            PAPERWIRE_SUBMISSION_QUEUE_PER_USER="30",
        )
        members = [sign_in(server, smtp_inbox, f"m{i}@example.org") for i in range(3)]
        answers: list[tuple[int, float]] = []

        def flood():  # 3 members, 20 submissions each, while the pages are measured
            for n in range(20):
                for i, (client, token) in enumerate(members):
                    started = time.perf_counter()
                    r = client.post(
                        "/api/papers", json={"ref": f"2504.{i}{n:04d}"}, headers={"X-CSRF-Token": token}
                    )
                    answers.append((r.status_code, time.perf_counter() - started))
                time.sleep(0.05)

        flooding = threading.Thread(target=flood)
        flooding.start()
        timings = {"/health": [], "/papers/2501.00001": []}
        with httpx.Client(base_url=server.url, timeout=10) as visitor:
            for _ in range(200):
                for path, times in timings.items():
                    started = time.perf_counter()
                    assert visitor.get(path).status_code == 200
                    times.append(time.perf_counter() - started)
        flooding.join()
        assert [code for code, _ in answers] == [202] * 60
        assert max(t for _, t in answers) < 1.0  # queued and answered, never waiting for arXiv
        for path, times in timings.items():
            print(f"{path}: p99 {p99(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
            assert p99(times) < 0.100, f"{path}: p99 {p99(times) * 1000:.0f} ms"
        assert arxiv.requests, "the worker fetched while the pages were measured"

        # SIGTERM while the worker waits on arXiv: serve stops within seconds, the queue stays.
        deadline = time.monotonic() + 10
        while time.monotonic() - arxiv.requests[-1].at > 1.0 and time.monotonic() < deadline:
            time.sleep(0.05)  # until a request to arXiv has just started: its answer is 4 s away
        server.proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        server.proc.wait(timeout=30)
        assert time.monotonic() - started < 5, server.log.read_text()

        # What was still queued survives the restart: `paperwire ingest submissions` settles it.
        slow["delay"] = 0.0
        done = server.cli("ingest", "submissions")
        settled = re.search(r"(\d+) queued submissions settled", done.stdout)
        assert settled and int(settled.group(1)) > 0, done.stdout + done.stderr
        for client, _ in members:
            client.close()
