"""The ingest schedule: when it is due, what it runs, and `paperwire serve` running it for real."""

import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from paperwire.ingest.schedule import Scheduler, latest_slot
from paperwire.settings import load_settings
from paperwire.storage import open_store
from tests.support.ingest import TUESDAY, wait_for_runs
from tests.support.paths import PAPERWIRE_BIN
from tests.support.replay import (
    HF_DAY,
    HfRoute,
    Reply,
    ingest_env,
    ingest_overrides,
    sources_server,
)
from tests.support.server import free_port

DAY = HF_DAY


@pytest.fixture
def server():
    with sources_server({"/atom/cs.LG": lambda q: Reply(TUESDAY)}) as s:
        yield s


@pytest.fixture
def settings_for(server, make_settings):
    """settings_for(**env) -> Settings pointing at the replay server for cs.LG, on the run's backend."""
    return lambda **env: make_settings(**ingest_overrides(server, PAPERWIRE_INGEST_CATEGORIES="cs.LG", **env))


def test_latest_slot_in_a_time_zone(tmp_path):
    s = load_settings(data_dir=tmp_path, ingest_time="06:00", ingest_timezone="America/New_York")
    ny = ZoneInfo("America/New_York")
    before = datetime(2025, 3, 18, 9, 59, tzinfo=UTC)  # 05:59 in New York (EDT)
    after = datetime(2025, 3, 18, 10, 0, tzinfo=UTC)
    assert latest_slot(s, before) == datetime(2025, 3, 17, 6, 0, tzinfo=ny)
    assert latest_slot(s, after) == datetime(2025, 3, 18, 6, 0, tzinfo=ny)


def test_a_due_schedule_runs_once_and_logs_each_run(server, tmp_path, settings_for):
    now = datetime.now(UTC)
    clock = [now]  # the run log records real times, so the clock starts at the real time
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    server.routes["/api/daily_papers"] = HfRoute({today.isoformat(): DAY})
    slot = (now - timedelta(minutes=1)).strftime("%H:%M")
    settings = settings_for(PAPERWIRE_INGEST_TIME=slot)
    with open_store(settings) as store:
        scheduler = Scheduler(settings, store, tick=0.05, clock=lambda: clock[0]).start()
        try:
            runs = wait_for_runs(store, 3)
            assert [(r.kind, r.args, r.status) for r in reversed(runs)] == [
                ("daily", "cs.LG", "ok"),
                ("hf", f"--date {yesterday}", "ok"),
                ("hf", f"--date {today}", "error"),  # one HF entry has no abstract anywhere
            ]
            assert runs[2].counts == {"stored": 5, "announced days": 1}
            assert runs[0].counts["featured"] == 3 and runs[0].error == "1 failed (see the log)"
            time.sleep(0.3)
            assert len(store.ingest.recent_runs()) == 3 and not scheduler.due(clock[0])  # not again today
            clock[0] = now + timedelta(days=1)  # the next day's slot has come
            assert len(wait_for_runs(store, 6)) == 6
        finally:
            scheduler.stop()


def test_a_failing_job_is_recorded_and_the_others_run(server, tmp_path, settings_for):
    server.routes["/atom/cs.LG"] = lambda q: Reply(b"", 500)
    settings = settings_for(PAPERWIRE_HTTP_RETRIES="0")
    with open_store(settings) as store:
        scheduler = Scheduler(settings, store, tick=0.05).start()
        try:
            runs = wait_for_runs(store, 3)
        finally:
            scheduler.stop()
    daily = runs[2]
    assert (daily.kind, daily.status, daily.counts) == ("daily", "error", {"failed": 1})
    assert [r.kind for r in runs[:2]] == ["hf", "hf"]


def finished_runs(data_dir) -> list:
    with open_store(load_settings(data_dir=data_dir), create=False) as store:
        return [r for r in store.ingest.recent_runs() if r.status != "running"]


def wait_for_health(proc, url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
        time.sleep(0.1)


class Serving:
    """A spawned `paperwire serve` whose output is read as it comes, so a test can wait for a line."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [PAPERWIRE_BIN, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self.proc.poll() is None and time.monotonic() < deadline, f"no {text!r} in:\n{self.output}"
            time.sleep(0.1)

    def __enter__(self) -> "Serving":
        wait_for_health(self.proc, self.url)  # the schema exists: reading it is safe
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self._reader.join(timeout=5)


def test_serve_runs_the_schedule_and_status_shows_it(server, cli_env, tmp_path, run_cli):
    env = {
        **cli_env,
        **ingest_env(server, PAPERWIRE_INGEST_CATEGORIES="cs.LG"),
        "PAPERWIRE_INGEST_SCHEDULE": "true",
        "PAPERWIRE_CONTACT_EMAIL": "",  # a new hub fetches on its first start without one
    }
    env["PAPERWIRE_INGEST_TIME"] = "00:00"  # always passed: the day's run is due at start
    server.routes["/api/daily_papers"] = HfRoute({datetime.now(UTC).date().isoformat(): DAY})
    with Serving(env) as serve:
        deadline = time.monotonic() + 60
        while len(finished_runs(env["PAPERWIRE_DATA_DIR"])) < 3:
            assert serve.proc.poll() is None and time.monotonic() < deadline, "the schedule did not run"
            time.sleep(0.1)
        assert httpx.get(f"{serve.url}/health", timeout=5).json()["papers"] >= 5
    output = serve.output
    assert "ingest schedule: daily at 00:00 UTC" in output and "ingest daily:" in output
    assert "The hub has no papers yet: fetching the latest arXiv announcements" in output
    assert "PAPERWIRE_CONTACT_EMAIL is not set" in output
    # The hub names the address serve listens on (PAPERWIRE_BASE_URL is unset).
    assert {q.headers["User-Agent"] for q in server.requests} == {f"Paperwire/0.1.0 (+{serve.url})"}
    r = run_cli("ingest", "status", env=env)
    assert r.returncode == 0, r.stderr
    assert "2025-03-18 cs.LG      2 new, 1 cross, 1 replace, 1 replace-cross" in r.stdout
    assert "daily cs.LG (schedule): ok; 5 stored, 1 announced days" in r.stdout


@pytest.mark.parametrize("offline", ["unresolvable", "closed"])
def test_serve_without_network_access_is_quick_and_quiet(cli_env, offline):
    # Nothing answers, as on a machine without network access: a name that does not resolve (.invalid
    # never does, RFC 6761), or a port where nothing listens. The default retries stay on: none is used.
    if offline == "unresolvable":
        arxiv, hf = "http://arxiv.paperwire-test.invalid", "http://hf.paperwire-test.invalid"
    else:
        arxiv = hf = f"http://127.0.0.1:{free_port()}"
    env = {
        **cli_env,
        "PAPERWIRE_INGEST_SCHEDULE": "true",
        "PAPERWIRE_ARXIV_FEED_URL": f"{arxiv}/atom",
        "PAPERWIRE_ARXIV_API_URL": f"{arxiv}/api/query",
        "PAPERWIRE_HF_URL": hf,
        "PAPERWIRE_CONTACT_EMAIL": "",  # its warning counts among the lines too
    }
    started = time.monotonic()
    with Serving(env) as serve:
        serve.wait_for("could not reach arXiv", timeout=20)
        assert time.monotonic() - started < 20
        time.sleep(1)  # anything said right after the summary is counted too
    output = serve.output
    said = [line for line in serve.lines if line.startswith(("WARNING", "ERROR"))]
    assert len(said) <= 6, output
    reason = "name does not resolve" if offline == "unresolvable" else "connection refused"
    assert "ingest daily failed: arXiv is unreachable" in output and reason in output
    assert "ingest hf failed: Hugging Face is unreachable" in output
    assert "retry" not in output
    assert f"could not reach arXiv ({urlsplit(arxiv).hostname}: {reason}) or Hugging Face" in output
    assert "the hub has no papers: import a file with `paperwire import FILE.jsonl[.gz]`" in output
    assert "first ingest of this hub starts (then daily at 06:00 UTC)" in output
    assert "scheduled ingest for" not in output
    assert "The hub has no papers yet: fetching" in output
    # daily and HF's first day, each failed at once; HF's second day is not tried against a dead host
    runs = finished_runs(env["PAPERWIRE_DATA_DIR"])
    assert len(runs) == 2


def test_the_schedule_runs_without_a_contact_address_and_is_off_when_asked(
    server, tmp_path, caplog, settings_for
):
    from paperwire.ingest.schedule import start_schedule

    with open_store(load_settings(data_dir=tmp_path)) as store:
        assert start_schedule(load_settings(data_dir=tmp_path, ingest_schedule=False), store) is None
        schedule = start_schedule(settings_for(PAPERWIRE_CONTACT_EMAIL=""), store)
        assert schedule is not None
        wait_for_runs(store, 3)
        schedule.stop()
        assert store.papers.count_papers() >= 5
    assert "PAPERWIRE_CONTACT_EMAIL is not set" in caplog.text


def test_what_serve_says_on_a_hub_with_no_papers(tmp_path):
    from paperwire.ingest.schedule import empty_hub_hint

    now = datetime(2025, 3, 18, 7, 0, tzinfo=UTC)
    settings = load_settings(data_dir=tmp_path, ingest_time="06:00")
    with open_store(settings) as store:
        assert empty_hub_hint(settings, store, now).startswith("fetching the latest arXiv announcements")
        off = empty_hub_hint(load_settings(data_dir=tmp_path, ingest_schedule=False), store, now)
        assert off.startswith("fetch papers now with `paperwire ingest daily` and `paperwire ingest hf`, or")
        store.ingest.finish_run(
            store.ingest.start_run("daily", "cs.LG", "schedule"), "error", {}, "no network"
        )
        later = empty_hub_hint(settings, store, datetime.now(UTC) + timedelta(minutes=1))
        assert later.startswith("the next scheduled ingest is at ")
        assert "import a file with `paperwire import FILE.jsonl[.gz]`" in later


def test_a_run_cut_short_by_a_crash_is_done_again(tmp_path):
    settings = load_settings(data_dir=tmp_path, contact_email="ops@example.org", ingest_time="06:00")
    now = datetime.now(UTC)
    with open_store(settings) as store:
        scheduler = Scheduler(settings, store)
        assert scheduler.due(now)
        store.ingest.start_run("daily", "cs.LG", "schedule")  # its process was killed: it stays "running"
        assert scheduler.due(now)
        store.ingest.finish_run(store.ingest.start_run("daily", "cs.LG", "schedule"), "error", {}, "HTTP 500")
        assert not scheduler.due(now)  # failed, but done: the next try is the next day's
        assert scheduler.due(now + timedelta(days=1))
