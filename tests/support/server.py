"""A real `paperwire serve` process on a free port, over a hub filled with `paperwire import`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.paths import PAPERWIRE_BIN


def hub_env(data_dir: Path, model_dir: Path, **env: str) -> dict[str, str]:
    """The environment of a `paperwire` process on the hub in data_dir (as cli_env), plus env."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PAPERWIRE_")}
    base["PAPERWIRE_MODEL_DIR"] = str(model_dir)
    base["PAPERWIRE_INGEST_SCHEDULE"] = "false"  # a spawned serve must never fetch from the internet
    return {**base, "PAPERWIRE_DATA_DIR": str(data_dir), **env}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    """A running `paperwire serve`: its address, its hub's folder, and the env for more CLI commands on it."""

    url: str
    data_dir: Path
    env: dict[str, str]
    log: Path  # the server's stdout and stderr (a file, not a pipe: a full pipe would block the server)
    proc: subprocess.Popen

    def cli(self, *args, check: bool = True) -> subprocess.CompletedProcess:
        """Run `paperwire ARGS` against this server's hub."""
        return subprocess.run(
            [str(PAPERWIRE_BIN), *map(str, args)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_server(env: dict[str, str], records: list[dict] = (), workers: int = 1) -> LiveServer:
    """Import `records` (JSON-lines dicts) into env's PAPERWIRE_DATA_DIR, serve it with `workers` worker
    processes, and wait for /health."""
    data_dir = Path(env["PAPERWIRE_DATA_DIR"])
    work = data_dir.parent
    work.mkdir(parents=True, exist_ok=True)
    if records:
        sample = work / f"{data_dir.name}-import.jsonl"
        sample.write_text("".join(json.dumps(r) + "\n" for r in records))
        done = subprocess.run(
            [PAPERWIRE_BIN, "import", "-q", sample], env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            pytest.fail(f"paperwire import failed: {done.stderr}")
    port = free_port()
    log = work / f"{data_dir.name}-serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PAPERWIRE_BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, env, log, proc)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"serve did not start: {log.read_text()}")
        time.sleep(0.1)
