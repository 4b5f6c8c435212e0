"""Shared fixtures: a real SQLite store in a temporary folder, file writers, and the real CLI."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperwire.settings import load_settings
from paperwire.storage import open_store

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PAPERWIRE_BIN = Path(sys.executable).parent / "paperwire"

# One record in the arxiv-listing format (the shape of shared/data/arxiv-cs).
LISTING = {
    "id": "2503.11677",
    "title": "Simulation of prosthetic vision",
    "abstract": "Objective.\nPatients implanted with PRIMA.",
    "authors": ["Jungyeon Park", "Daniel Palanker"],
    "categories": ["cs.HC", "cs.CV"],
    "primary_category": "cs.HC",
    "first_listed_date": "2025-03-18",
    "listed_dates": ["2025-03-18"],
    "comment": "12 pages",
}


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """One folder for the embedding model, built once per test session (a few seconds)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def settings(tmp_path, model_dir):
    return load_settings(data_dir=tmp_path / "data", model_dir=model_dir)


@pytest.fixture
def store(settings):
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
def cli_env(tmp_path, model_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
    env["PAPERWIRE_DATA_DIR"] = str(tmp_path / "cli-data")
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


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or a skip with a clear message when the evaluation data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the evaluation data at {path} (../shared is absent on this machine)")
    return path


def gzip_in_segments(lines: list[bytes]) -> tuple[bytes, list[int]]:
    """Gzip with a sync flush after each line; returns the bytes and where each line's data ends in them."""
    buf = io.BytesIO()
    ends = []
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        for line in lines:
            gz.write(line)
            gz.flush()
            ends.append(buf.tell())
    return buf.getvalue(), ends


@pytest.fixture
def smtp_inbox():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; see tests/smtp.py."""
    from tests.smtp import SmtpInbox

    with SmtpInbox() as inbox:
        yield inbox


@pytest.fixture
def hub(tmp_path, model_dir, smtp_inbox):
    """The real app around a SQLite store holding tests/hub.py's papers, mailing a real SMTP inbox."""
    from tests.hub import make_hub

    hub, store = make_hub(tmp_path, model_dir, smtp_inbox)
    with hub.client:
        yield hub
    store.close()
