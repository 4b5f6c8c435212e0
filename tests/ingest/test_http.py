"""The fetching layer against a real local server: Retry-After, bounded retries, timeouts, one connection."""

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from paperwire.ingest.http import Fetcher, FetchError, Unreachable, _retry_after, user_agent
from paperwire.settings import load_settings
from tests.support.replay import ReplayServer, Reply
from tests.support.server import free_port


@pytest.fixture
def server():
    with ReplayServer() as s:
        s.routes["/ok"] = lambda q: Reply(b"<ok/>")
        yield s


def fetcher(tmp_path, interval=0.0, backoff=0.0, **settings):
    s = load_settings(data_dir=tmp_path, contact_email="ops@example.org", **settings)
    return Fetcher(s, interval=interval, backoff=backoff, name="test")


def test_429_retry_after_is_honoured(server, tmp_path):
    server.fail_once("/ok", {}, Reply(b"slow down", 429, {"Retry-After": "1"}))
    f = fetcher(tmp_path)
    started = time.monotonic()
    assert f.get(f"{server.url}/ok").content == b"<ok/>"
    assert time.monotonic() - started >= 1.0
    assert len(server.requests) == 2


def test_retry_after_as_an_http_date():
    when = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= _retry_after(format_datetime(when, usegmt=True)) <= 30
    assert _retry_after("soon") is None and _retry_after("7") == 7.0


def test_retries_are_bounded_with_backoff(server, tmp_path):
    server.routes["/down"] = lambda q: Reply(b"", 503)
    f = fetcher(tmp_path, backoff=0.1, http_retries=3)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/down: HTTP 503 \(gave up after 4 attempts\)"):
        f.get(f"{server.url}/down")
    assert len(server.requests) == 4
    assert time.monotonic() - started >= 0.1 + 0.2 + 0.4  # doubling backoff


def test_a_client_error_is_not_retried(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404: not found"):
        fetcher(tmp_path).get(f"{server.url}/missing", {"x": "1"})
    assert len(server.requests) == 1


def test_every_request_has_a_timeout(server, tmp_path):
    server.routes["/slow"] = lambda q: Reply(b"<late/>", delay=1.5)
    f = fetcher(tmp_path, http_timeout=0.3, http_retries=1)
    with pytest.raises(FetchError, match=r"ReadTimeout.*gave up after 2 attempts"):
        f.get(f"{server.url}/slow")


def test_threads_sharing_a_fetcher_make_one_request_at_a_time(server, tmp_path):
    active, overlap = [0], [0]
    lock = threading.Lock()

    def slow(query):
        with lock:
            active[0] += 1
            overlap[0] = max(overlap[0], active[0])
        time.sleep(0.1)
        with lock:
            active[0] -= 1
        return Reply(b"<ok/>")

    server.routes["/slow"] = slow
    f = fetcher(tmp_path, interval=0.05)
    threads = [threading.Thread(target=f.get, args=(f"{server.url}/slow",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap[0] == 1 and len(server.requests) == 4
    gaps = [b.at - a.at for a, b in zip(server.requests, server.requests[1:], strict=False)]
    assert min(gaps) >= 0.15  # the 0.1 s answer, then the 0.05 s interval


def test_fetchers_of_one_service_take_turns_across_a_process(server, tmp_path):
    # serve's ingest schedule and its submission worker each open a fetcher for arXiv
    s = load_settings(data_dir=tmp_path, contact_email="ops@example.org")
    schedule, worker = (Fetcher(s, interval=0.2, backoff=0.0, name="arXiv (test)") for _ in range(2))
    other = Fetcher(s, interval=0.0, backoff=0.0, name="another service (test)")
    threads = [threading.Thread(target=f.get, args=(f"{server.url}/ok",)) for f in (schedule, worker) * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    gaps = [b.at - a.at for a, b in zip(server.requests, server.requests[1:], strict=False)]
    assert len(server.requests) == 6 and min(gaps) >= 0.19  # arXiv's interval between any two of them
    started = time.monotonic()
    other.get(f"{server.url}/ok")  # another service does not wait for arXiv's turn
    assert time.monotonic() - started < 0.15


def test_user_agent_names_paperwire_the_hub_and_the_contact(tmp_path):
    s = load_settings(data_dir=tmp_path, contact_email="ops@example.org", base_url="https://hub.example")
    assert user_agent(s) == "Paperwire/0.1.0 (+https://hub.example; mailto:ops@example.org)"
    # Without a contact address the hub still fetches (a new hub's first start), naming itself only.
    bare = load_settings(data_dir=tmp_path, base_url="https://hub.example")
    assert user_agent(bare) == "Paperwire/0.1.0 (+https://hub.example)"


def test_a_retry_after_of_hours_ends_the_run_without_asking_again(server, tmp_path):
    server.routes["/busy"] = lambda q: Reply(b"", 503, {"Retry-After": "7200"})
    with pytest.raises(FetchError, match="HTTP 503, retry after 7200 s; run it again later"):
        fetcher(tmp_path).get(f"{server.url}/busy")
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://nothing.paperwire-test.invalid/x", "nothing.paperwire-test.invalid: name does not resolve"),
        (f"http://127.0.0.1:{free_port()}/x", "127.0.0.1: connection refused"),
    ],
)
def test_an_unreachable_service_is_not_retried(tmp_path, url, reason):
    f = fetcher(tmp_path, backoff=5.0)  # a retry would wait 5 s
    started = time.monotonic()
    with pytest.raises(Unreachable, match=f"^test is unreachable \\({reason}\\)$"):
        f.get(url)
    # Later requests of the same run fail the same way without trying the network again.
    with pytest.raises(Unreachable, match=reason):
        f.get(url.replace("/x", "/y"))
    assert time.monotonic() - started < 2.0


def test_a_reset_connection_is_still_retried(server, tmp_path):
    server.fail_once("/ok", {}, Reply(b"", reset=True))
    assert fetcher(tmp_path).get(f"{server.url}/ok").content == b"<ok/>"
    assert len(server.requests) == 2


def test_an_unreachable_service_is_tried_again_after_a_while(server, tmp_path, monkeypatch):
    import paperwire.ingest.http as http

    closed = f"http://127.0.0.1:{free_port()}"
    f = fetcher(tmp_path)
    with pytest.raises(Unreachable):
        f.get(f"{closed}/x")
    assert f.unreachable == "127.0.0.1: connection refused"
    # The web's fetcher lives as long as the hub: a minute later it asks the network again.
    monkeypatch.setattr(http, "UNREACHABLE_MEMORY", 0.0)
    assert f.unreachable is None
    assert f.get(f"{server.url}/ok").content == b"<ok/>"
