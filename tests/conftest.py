"""Shared fixtures: a real store (SQLite file, or PostgreSQL database), file writers, and the real CLI."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from paperwire.settings import Settings, load_settings
from paperwire.storage import open_store
from tests.support.paths import PAPERWIRE_BIN
from tests.support.server import hub_env


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """One folder for the embedding model, built once per test session (a few seconds)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def postgres():
    """One private PostgreSQL server for the session; see tests/support/pg.py."""
    from tests.support.pg import TestPostgres

    server = TestPostgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    """The store's implementation: every test that uses `store` runs once on each."""
    return request.param


@pytest.fixture
def database_url(request) -> str | None:
    """A fresh migrated PostgreSQL database for a test on the postgres backend, else None (SQLite)."""
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgres":
        server = request.getfixturevalue("postgres")
        url = server.new_database()
        yield url
        server.drop_database(url)  # a small cluster stops fast at the end
    else:
        yield None


@pytest.fixture
def make_settings(tmp_path, model_dir, database_url):
    """make_settings(**overrides) -> Settings on this test's backend (SQLite unless it asks for `backend`).

    A test or module fixture that needs other settings builds them here, so that its `[postgres]` run
    cannot silently open SQLite.
    """
    base = {"data_dir": tmp_path / "data", "model_dir": model_dir, "database_url": database_url}
    if database_url:  # server mode has no generated secret key, and its tests search inside PostgreSQL
        base |= {"secret_key": "test-secret-key-" + "x" * 32, "search_in_database": True}

    def make(**overrides) -> Settings:
        if "database_url" in overrides:
            raise TypeError(
                "make_settings keeps the run's database_url; call load_settings for another database"
            )
        return load_settings(**{**base, **overrides})

    return make


@pytest.fixture
def settings(make_settings) -> Settings:
    return make_settings()


@pytest.fixture
def store(settings, backend):
    scheme = "postgresql:" if backend == "postgres" else "sqlite:"
    assert settings.resolved_database_url.startswith(scheme), "build a module's settings with make_settings"
    with open_store(settings) as s:
        yield s


@pytest.fixture
def write_jsonl(tmp_path):
    """write_jsonl(name, lines, gz=False): lines are dicts (dumped as JSON), str or bytes (written as is)."""

    def write(name: str, lines: list, gz: bool = False) -> Path:
        body = b"".join(
            (json.dumps(x).encode() if isinstance(x, dict) else x if isinstance(x, bytes) else x.encode())
            + b"\n"
            for x in lines
        )
        path = tmp_path / name
        path.write_bytes(gzip.compress(body) if gz else body)
        return path

    return write


@pytest.fixture
def cli_env(tmp_path, model_dir, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
    env["PAPERWIRE_DATA_DIR"] = str(tmp_path / "cli-data")
    if database_url:  # a test that asks for `backend` runs the CLI on each store
        env["PAPERWIRE_DATABASE_URL"] = database_url
    env["PAPERWIRE_MODEL_DIR"] = str(model_dir)
    env["PAPERWIRE_INGEST_SCHEDULE"] = "false"  # a spawned serve must never fetch from the internet
    return env


@pytest.fixture
def run_cli(cli_env, tmp_path):
    """Run the installed `paperwire` console script as a subprocess in a fresh data dir."""

    def run(*args, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PAPERWIRE_BIN), *map(str, args)],
            env={**cli_env, **(env or {})},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
        )

    return run


@pytest.fixture
def smtp_inbox():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; see tests/support/smtp.py."""
    from tests.support.smtp import SmtpInbox

    with SmtpInbox() as inbox:
        yield inbox


@pytest.fixture
def hub(tmp_path, model_dir, smtp_inbox, backend, database_url):
    """The real app around a store (each backend) holding support/hub.py's papers, mailing a real inbox."""
    from tests.support.hub import make_hub

    hub, store = make_hub(tmp_path, model_dir, smtp_inbox, database_url=database_url)
    with hub.client:
        yield hub
    store.close()


# --- End to end: a spawned `paperwire serve` and a real browser (support/server.py, support/browser.py) ---


@contextmanager
def server_spawner(folder: Path, model_dir: Path):
    """Yields spawn(records=None, **env) -> LiveServer, and stops every server it started on exit."""
    from paperwire.ingest.formats import export_record
    from tests.support.search_corpus import CORPUS
    from tests.support.server import start_server

    servers = []

    def spawn(records: list[dict] | None = None, **env: str):
        data_dir = folder / f"server-{len(servers) + 1}" / "data"
        if records is None:
            records = [export_record(p) for p in CORPUS]
        servers.append(start_server(hub_env(data_dir, model_dir, **env), records))
        return servers[-1]

    try:
        yield spawn
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def spawn_server(tmp_path, model_dir):
    """spawn_server(records=None, **env) -> LiveServer: a `paperwire serve` of its own for this test.

    records are JSON-lines dicts imported first (default: the search corpus, support/search_corpus.py);
    env adds or overrides variables, e.g. spawn_server(PAPERWIRE_SMTP_URL=...). Stopped after the test.
    """
    with server_spawner(tmp_path, model_dir) as spawn:
        yield spawn


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, model_dir):
    """A `paperwire serve` over the search corpus, shared by the tests of one module: .url, .data_dir, .env.

    A test that changes the hub, or needs other settings, takes spawn_server instead.
    """
    with server_spawner(tmp_path_factory.mktemp("live-server"), model_dir) as spawn:
        yield spawn()


@pytest.fixture(scope="session")
def browser():
    """Headless chromium (Debian's /usr/bin/chromium), one per test session."""
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page at a desktop size; a failing test leaves FAILED-<test>.png."""
    from tests.support.browser import DESKTOP, screenshot

    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)  # fail fast: every page here is local
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # keep each phase's report on the test item, so that a fixture's teardown knows whether the test failed
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
