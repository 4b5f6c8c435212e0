"""PostgresStore: server mode. A psycopg connection pool; MVCC readers; seq-assigning writers serialised."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from paperwire.ingest.models import AnnouncementDay, HarvestState, HfFeature, IngestRun
from paperwire.papers import Paper, PaperVersion, merge_versions
from paperwire.storage.base import EmbeddingRow, Stats, Store, StoreError, UpsertOutcome
from paperwire.storage.comments_sql import PostgresComments
from paperwire.storage.extracts_sql import PostgresExtracts
from paperwire.storage.postgres_hub import PostgresHub
from paperwire.storage.postgres_rows import now as _now
from paperwire.storage.postgres_rows import paper_from_row as _paper_from_row
from paperwire.storage.postgres_rows import utc as _utc
from paperwire.storage.postgres_search import PostgresSearch
from paperwire.storage.postgres_vectors import PostgresVectors, halfvec
from paperwire.storage.repos import PostgresRepos
from paperwire.storage.sqlite_rows import PAPER_COLUMNS
from paperwire.storage.submissions_sql import PostgresSubmissionFetches
from paperwire.storage.subscriptions_sql import PostgresSubscriptions

_KEEP = {  # SQLiteStore's rules; least() ignores NULLs, so it needs none of the coalesce SQLite's min() does
    "announced": "least(papers.announced, excluded.announced)",
    "code_url": "coalesce(excluded.code_url, papers.code_url)",
    "project_url": "coalesce(excluded.project_url, papers.project_url)",
}
_COLUMNS = ", ".join(PAPER_COLUMNS)
_SELECT_PAPER = f"SELECT {_COLUMNS} FROM papers"
_UPSERT_PAPER = (
    f"INSERT INTO papers ({_COLUMNS}, added_at, modified_at, seq) "
    f"VALUES ({', '.join(['%s'] * len(PAPER_COLUMNS))}, %s, %s, %s) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = {_KEEP.get(c, f'excluded.{c}')}" for c in PAPER_COLUMNS[1:])
    + ", modified_at = excluded.modified_at, seq = excluded.seq WHERE excluded.version > papers.version"
)
_UPSERT_VERSION = (
    "INSERT INTO paper_versions (paper_id, version, date, recorded_at) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (paper_id, version) DO UPDATE SET date = excluded.date "
    "WHERE paper_versions.date IS NULL AND excluded.date IS NOT NULL"
)
# The advisory lock that serialises the writers which assign a change seq (any 64-bit constant; it is
# scoped to the database). A PostgreSQL sequence hands out numbers in call order, not commit order, so
# a reader catching up with changed_papers(after=...) could step over a seq still uncommitted.
_SEQ_LOCK = 0x70617065727769  # "paperwi"
_POOL_MAX = 10


class PostgresStore(
    PostgresSearch,
    PostgresVectors,
    PostgresHub,
    PostgresComments,
    PostgresSubmissionFetches,
    PostgresSubscriptions,
    PostgresRepos,
    PostgresExtracts,
    Store,
):
    def __init__(self, url: str):
        self.url = url
        self.name = masked_url(url)
        try:  # one connection first, for a one-line reason: a pool only reports a timeout
            psycopg.connect(url, connect_timeout=10).close()
        except psycopg.Error as exc:
            raise StoreError(f"cannot use the database {self.name}: {error_line(exc)}") from None
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=_POOL_MAX,
            # No server-side prepared statements: psycopg prepares a query run 5 times, and PostgreSQL
            # may then plan it once for any parameters, e.g. a category filter as if every category
            # were average, where a rare and a common one want different plans (exact search or the
            # HNSW graph). Unnamed statements are planned for their values; poolers such as PgBouncer
            # in transaction mode need this too.
            kwargs={"autocommit": True, "connect_timeout": 10, "prepare_threshold": None},
            check=ConnectionPool.check_connection,  # a server restart costs one failed check, not errors
            num_workers=2,
            name="paperwire",
            open=True,
        )

    # -- connections -------------------------------------------------------------------------

    @contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreError(f"{action} {self.name} failed: {error_line(exc)}") from None

    @contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection]:
        """A read transaction: every statement inside sees the same committed state."""
        with self._connection("reading from") as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    @contextmanager
    def _transaction(self, *, serial: bool = False) -> Iterator[psycopg.Connection]:
        """One write transaction, all or nothing; `serial` ones run one at a time (see _SEQ_LOCK)."""
        with self._connection("writing to") as conn, conn.transaction():
            if serial:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SEQ_LOCK,))
            yield conn

    def _one(self, sql: str, params: Sequence = ()) -> tuple | None:
        with self._connection("reading from") as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._connection("reading from") as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self._pool.close()

    def job_lock(self, name: str):
        from paperwire.storage.jobs import postgres_job_lock

        return postgres_job_lock(self.url, name, self.name)

    # -- papers ------------------------------------------------------------------------------

    def get_paper(self, paper_id: str) -> Paper | None:
        with self._snapshot() as conn:
            row = conn.execute(f"{_SELECT_PAPER} WHERE id = %s", (paper_id,)).fetchone()
            if row is None:
                return None
            return _paper_from_row(row, _versions(conn, [paper_id]).get(paper_id, []))

    def upsert_papers(self, papers: Sequence[Paper]) -> list[UpsertOutcome]:
        now = _now()
        outcomes: list[UpsertOutcome] = []
        paper_rows, version_rows = [], []
        with self._transaction(serial=True) as conn:
            seq = _next_seq(conn)
            stored = dict(
                conn.execute(
                    "SELECT id, version FROM papers WHERE id = ANY(%s)", (list({p.id for p in papers}),)
                ).fetchall()
            )
            for paper in papers:
                old = stored.get(paper.id)
                if old is not None and paper.version <= old:
                    outcomes.append(UpsertOutcome.UNCHANGED)
                    continue
                outcomes.append(UpsertOutcome.NEW if old is None else UpsertOutcome.UPDATED)
                stored[paper.id] = paper.version
                paper_rows.append((*_row_from_paper(paper), now, now, seq))
                history = merge_versions(paper.versions, [PaperVersion(paper.version, paper.updated)])
                version_rows.extend((paper.id, v.version, v.date, now) for v in history)
            with conn.cursor() as cur:
                cur.executemany(_UPSERT_PAPER, paper_rows)
                cur.executemany(_UPSERT_VERSION, version_rows)
        return outcomes

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        last = ""
        while True:
            with self._snapshot() as conn:  # a snapshot per batch: a long export holds nothing open
                rows = conn.execute(
                    f"{_SELECT_PAPER} WHERE id > %s ORDER BY id LIMIT %s", (last, batch_size)
                ).fetchall()
                versions = _versions(conn, [r[0] for r in rows])
            if not rows:
                return
            for row in rows:
                yield _paper_from_row(row, versions.get(row[0], []))
            last = rows[-1][0]

    def recent_papers(self, limit: int = 50) -> list[Paper]:
        with self._snapshot() as conn:
            rows = conn.execute(
                f"{_SELECT_PAPER} ORDER BY coalesce(announced, published, updated) DESC NULLS LAST, "
                "id DESC LIMIT %s",
                (limit,),
            ).fetchall()
            versions = _versions(conn, [r[0] for r in rows])
        return [_paper_from_row(r, versions.get(r[0], [])) for r in rows]

    def count_papers(self) -> int:
        return self._one("SELECT count(*) FROM papers")[0]

    def stats(self) -> Stats:
        with self._snapshot() as conn:  # one snapshot for every figure
            return Stats(
                papers=conn.execute("SELECT count(*) FROM papers").fetchone()[0],
                versions=conn.execute("SELECT count(*) FROM paper_versions").fetchone()[0],
                by_category=dict(
                    conn.execute(
                        "SELECT c, count(*) AS n FROM papers, json_array_elements_text(papers.categories) c "
                        'GROUP BY c ORDER BY n DESC, c COLLATE "C"'
                    ).fetchall()
                ),
                by_month=dict(
                    conn.execute(
                        "SELECT m, count(*) FROM (SELECT coalesce(to_char(coalesce(announced, published), "
                        "'YYYY-MM'), 'unknown') AS m FROM papers) AS months "
                        'GROUP BY m ORDER BY m COLLATE "C"'
                    ).fetchall()
                ),
                by_source=dict(
                    conn.execute(
                        "SELECT source, count(*) AS n FROM papers GROUP BY source ORDER BY n DESC"
                    ).fetchall()
                ),
            )

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        with self._snapshot() as conn:
            rows = conn.execute(f"{_SELECT_PAPER} WHERE id = ANY(%s)", (list(set(paper_ids)),)).fetchall()
            versions = _versions(conn, [r[0] for r in rows])
        return {r[0]: _paper_from_row(r, versions.get(r[0], [])) for r in rows}

    # -- changes and embeddings, for the search indexes ----------------------------------------

    def change_seq(self) -> int:
        return self._one("SELECT coalesce(max(seq), 0) FROM papers")[0]

    def changed_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper]]:
        rows = self._all(
            f"SELECT seq, {_COLUMNS} FROM papers WHERE (seq, id) > (%s, %s) ORDER BY seq, id LIMIT %s",
            (*after, limit),
        )
        return [(r[0], _paper_from_row(r[1:], [])) for r in rows]

    def unembedded_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper, str | None]]:
        rows = self._all(
            f"SELECT p.seq, e.text_hash, {', '.join('p.' + c for c in PAPER_COLUMNS)} "
            "FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id "
            "WHERE (p.seq, p.id) > (%s, %s) AND (e.seq IS NULL OR e.seq < p.seq) "
            "ORDER BY p.seq, p.id LIMIT %s",
            (*after, limit),
        )
        return [(r[0], _paper_from_row(r[2:], []), r[1]) for r in rows]

    def count_unembedded(self) -> int:
        return self._one(
            "SELECT count(*) FROM papers p LEFT JOIN embeddings e ON e.paper_id = p.id "
            "WHERE e.seq IS NULL OR e.seq < p.seq"
        )[0]

    def save_embeddings(self, rows: Sequence[EmbeddingRow]) -> None:
        # Serialised too: the vector index catches up on (seq, key), and a key is drawn at insert time.
        with self._transaction(serial=True) as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO embeddings (paper_id, seq, text_hash, vector, embedding) "
                "VALUES (%s, %s, %s, %s, %s::halfvec) "
                "ON CONFLICT (paper_id) DO UPDATE SET seq = excluded.seq, text_hash = excluded.text_hash, "
                "vector = excluded.vector, embedding = excluded.embedding",
                [
                    (r.paper_id, r.seq, r.text_hash, r.vector, halfvec(r.vector))
                    for r in rows
                    if r.vector is not None
                ],
            )
            cur.executemany(
                "UPDATE embeddings SET seq = %s WHERE paper_id = %s AND text_hash = %s",
                [(r.seq, r.paper_id, r.text_hash) for r in rows if r.vector is None],
            )

    def embeddings_since(self, after: tuple[int, int], limit: int) -> list[EmbeddingRow]:
        rows = self._all(
            "SELECT key, paper_id, seq, text_hash, vector FROM embeddings WHERE (seq, key) > (%s, %s) "
            "ORDER BY seq, key LIMIT %s",
            (*after, limit),
        )
        return [EmbeddingRow(paper_id=r[1], seq=r[2], text_hash=r[3], vector=r[4], key=r[0]) for r in rows]

    def embeddings_for(self, paper_ids: Sequence[str]) -> dict[str, EmbeddingRow]:
        rows = self._all(
            "SELECT key, paper_id, seq, text_hash, vector FROM embeddings WHERE paper_id = ANY(%s)",
            (list(set(paper_ids)),),
        )
        return {
            pid: EmbeddingRow(paper_id=pid, seq=seq, text_hash=th, vector=vec, key=key)
            for key, pid, seq, th, vec in rows
        }

    def paper_ids_for_keys(self, keys: Sequence[int]) -> dict[int, str]:
        return dict(self._all("SELECT key, paper_id FROM embeddings WHERE key = ANY(%s)", (list(set(keys)),)))

    def count_embeddings(self) -> int:
        return self._one("SELECT count(*) FROM embeddings")[0]

    def clear_embeddings(self) -> None:
        with self._transaction(serial=True) as conn:
            conn.execute("DELETE FROM embeddings")

    def get_search_meta(self, name: str) -> str | None:
        row = self._one("SELECT value FROM search_meta WHERE name = %s", (name,))
        return row[0] if row else None

    def set_search_meta(self, name: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO search_meta (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # -- ingest (issue 4) -------------------------------------------------------------------------

    def get_harvest(self, name: str) -> HarvestState | None:
        return next(iter(self._harvests(name)), None)

    def harvests(self) -> list[HarvestState]:
        return self._harvests(None)

    def _harvests(self, name: str | None) -> list[HarvestState]:
        rows = self._all(
            "SELECT name, cursor, pending_from, pending_until, pending_token, pending_max, pending_pages, "
            "pending_records FROM ingest_harvests WHERE %(n)s::text IS NULL OR name = %(n)s "
            'ORDER BY name COLLATE "C"',
            {"n": name},
        )
        return [HarvestState(*row) for row in rows]

    def save_harvest(self, state: HarvestState) -> None:
        s = state
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO ingest_harvests (name, cursor, pending_from, pending_until, pending_token, "
                "pending_max, pending_pages, pending_records, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                "cursor = excluded.cursor, pending_from = excluded.pending_from, "
                "pending_until = excluded.pending_until, pending_token = excluded.pending_token, "
                "pending_max = excluded.pending_max, pending_pages = excluded.pending_pages, "
                "pending_records = excluded.pending_records, updated_at = excluded.updated_at",
                (s.name, s.cursor, s.pending_from, s.pending_until, s.pending_token, s.pending_max,
                 s.pending_pages, s.pending_records, _now()),
            )  # fmt: skip

    def start_run(self, kind: str, args: str, trigger: str) -> int:
        with self._transaction() as conn:
            return conn.execute(
                "INSERT INTO ingest_runs (kind, args, trigger, status, counts, started_at) "
                "VALUES (%s, %s, %s, 'running', '{}', %s) RETURNING id",
                (kind, args, trigger, _now()),
            ).fetchone()[0]

    def finish_run(self, run_id: int, status: str, counts: Mapping[str, int], error: str | None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE ingest_runs SET status = %s, counts = %s, error = %s, finished_at = %s WHERE id = %s",
                (status, json.dumps(dict(counts)), error, _now(), run_id),
            )

    def recent_runs(
        self, limit: int = 20, kind: str | None = None, trigger: str | None = None
    ) -> list[IngestRun]:
        rows = self._all(
            "SELECT id, kind, args, trigger, status, counts, error, started_at, finished_at "
            "FROM ingest_runs WHERE (%(k)s::text IS NULL OR kind = %(k)s) "
            "AND (%(t)s::text IS NULL OR trigger = %(t)s) ORDER BY id DESC LIMIT %(n)s",
            {"k": kind, "t": trigger, "n": limit},
        )
        return [
            IngestRun(rid, k, args, trig, status, counts, error, _utc(start), _utc(end))
            for rid, k, args, trig, status, counts, error, start, end in rows
        ]

    def record_announcement(self, day: AnnouncementDay, announced: Mapping[str, date]) -> None:
        d, now = day, _now()
        with self._transaction(serial=True) as conn:
            seq = _next_seq(conn)  # a changed paper gets a new seq, so search indexes catch up
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE papers SET announced = %s, modified_at = %s, seq = %s "
                    "WHERE id = %s AND (announced IS NULL OR announced > %s)",
                    [(when, now, seq, pid, when) for pid, when in announced.items()],
                )
            conn.execute(
                'INSERT INTO announcement_days (category, day, announced, new, "cross", "replace", '
                "replace_cross, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (category, day) DO UPDATE SET announced = excluded.announced, "
                'new = excluded.new, "cross" = excluded."cross", "replace" = excluded."replace", '
                "replace_cross = excluded.replace_cross, recorded_at = excluded.recorded_at",
                (d.category, d.day, d.announced, d.new, d.cross, d.replace, d.replace_cross, now),
            )

    def announcement_days(self, category: str | None = None, limit: int = 30) -> list[AnnouncementDay]:
        rows = self._all(
            'SELECT category, day, announced, new, "cross", "replace", replace_cross '
            "FROM announcement_days WHERE %(c)s::text IS NULL OR category = %(c)s "
            'ORDER BY day DESC, category COLLATE "C" LIMIT %(n)s',
            {"c": category, "n": limit},
        )
        return [AnnouncementDay(*row) for row in rows]

    def upsert_hf_features(self, features: Sequence[HfFeature]) -> None:
        now = _now()
        with self._transaction() as conn, conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO hf_daily_papers (paper_id, featured, submitter, upvotes, recorded_at) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (paper_id, featured) DO UPDATE SET "
                "submitter = coalesce(excluded.submitter, hf_daily_papers.submitter), "
                "upvotes = excluded.upvotes, recorded_at = excluded.recorded_at",
                [(f.paper_id, f.featured, f.submitter, f.upvotes, now) for f in features],
            )

    def hf_features(self, featured: date | None = None, paper_id: str | None = None) -> list[HfFeature]:
        rows = self._all(
            "SELECT paper_id, featured, submitter, upvotes FROM hf_daily_papers "
            "WHERE (%(f)s::date IS NULL OR featured = %(f)s) AND (%(p)s::text IS NULL OR paper_id = %(p)s) "
            "ORDER BY upvotes DESC, featured DESC, paper_id",
            {"f": featured, "p": paper_id},
        )
        return [HfFeature(*row) for row in rows]


# -- helpers ---------------------------------------------------------------------------------


def _next_seq(conn: psycopg.Connection) -> int:
    """Call it under _SEQ_LOCK: the previous holder has committed, so max(seq) is the latest."""
    return conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM papers").fetchone()[0]


def _versions(conn: psycopg.Connection, ids: Sequence[str]) -> dict[str, list[PaperVersion]]:
    out: dict[str, list[PaperVersion]] = {}
    for paper_id, version, day in conn.execute(
        "SELECT paper_id, version, date FROM paper_versions WHERE paper_id = ANY(%s) "
        "ORDER BY paper_id, version",
        (list(ids),),
    ):
        out.setdefault(paper_id, []).append(PaperVersion(version, day))
    return out


def _row_from_paper(p: Paper) -> tuple:
    return (
        p.id, p.version, p.title, p.abstract,
        json.dumps(p.authors, ensure_ascii=False), json.dumps(p.categories, ensure_ascii=False),
        p.primary_category, p.published, p.updated, p.announced,
        p.comment, p.journal_ref, p.doi, p.license,
        p.links.abstract, p.links.pdf, p.links.code, p.links.project, p.source,
    )  # fmt: skip


def masked_url(url: str) -> str:
    """The URL with its password replaced by ***, fit for messages and logs."""
    parts = urlsplit(url)
    if parts.password is not None:
        userinfo, _, host = parts.netloc.rpartition("@")
        parts = parts._replace(netloc=f"{userinfo.split(':', 1)[0]}:***@{host}")
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", urlunsplit(parts))


def error_line(exc: BaseException) -> str:
    """libpq's multi-line connection error as the one line that says what went wrong."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.split(r"\bfailed: ", text)[-1] if "failed: " in text else text
    text = re.sub(r"^(FATAL|ERROR):\s+", "", text).strip()
    return text[:1].lower() + text[1:]
