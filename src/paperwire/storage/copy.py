"""Copying a whole hub into a PostgreSQL database (`paperwire copy --to`): every table, vectors included.

Tables are found, not listed: every table both databases have (the same migrations made them) is
copied, parents before children by their foreign keys, so a table a later migration adds is copied with
no change here. Columns are those both sides have, less the target's generated ones.

Everything happens in one target transaction: per table, the source rows are streamed with COPY into a
temporary table, upserted on the primary key, and at the end target rows the source no longer has are
deleted (children first). The counts of both sides are compared before commit, so the target is
either an exact copy of the source's snapshot or unchanged; re-running it is safe and converges. The
copied tables are analysed before commit, so keyword search has its word statistics at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from paperwire.storage.base import StoreError

SKIP = {"alembic_version"}  # each side's migrations keep their own
BATCH = 5000


@dataclass(slots=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def same(self) -> bool:
        return self.source == self.target


@dataclass(slots=True)
class CopyReport:
    tables: list[TableCount] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.same for t in self.tables)


def copy_database(
    source_url: str, target_url: str, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Make the PostgreSQL database at target_url a copy of the (migrated) source; see the module doc."""
    from paperwire.storage.urls import error_line, is_postgres, masked_url

    if not is_postgres(target_url):
        raise StoreError("copy --to needs a postgresql:// URL: the target of a copy is a server database")
    if source_url == target_url:
        raise StoreError("the source and the target are the same database")
    try:
        with _source(source_url) as source, psycopg.connect(target_url, connect_timeout=10) as target:
            return _copy(source, target, progress or (lambda table, rows: None))
    except psycopg.Error as exc:
        raise StoreError(f"copying to {masked_url(target_url)} failed: {error_line(exc)}") from None
    except sqlite3.Error as exc:
        raise StoreError(f"reading {source_url} failed: {exc}") from None


def _copy(source: _Source, target: psycopg.Connection, progress) -> CopyReport:
    tables = [t for t in _target_order(target) if t in source.tables()]
    report = CopyReport()
    keys: dict[str, list[str]] = {}
    for table in tables:
        columns = [c for c in source.columns(table) if c in _target_columns(target, table)]
        keys[table] = _primary_key(target, table)
        rows = _load(source, target, table, columns, progress)
        _upsert(target, table, columns, keys[table])
        report.tables.append(TableCount(table, rows, 0))
    for table in reversed(tables):  # children first: a deleted parent would cascade into them
        _prune(target, table, keys[table])
    for table in tables:
        _reset_sequences(target, table)
    for entry in report.tables:
        count = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(entry.table))
        entry.target = target.execute(count).fetchone()[0]
    if not report.ok:
        target.rollback()  # never commit a copy that does not match
        differ = ", ".join(f"{t.table} ({t.source} vs {t.target})" for t in report.tables if not t.same)
        raise StoreError(f"the copy does not match its source, nothing was committed: {differ}")
    # Fresh planner and full-text statistics (keyword search weighs words by pg_stats) instead of
    # waiting for autovacuum to notice the new rows.
    target.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
    target.commit()
    return report


def _load(source, target, table: str, columns: list[str], progress) -> int:
    temp = sql.Identifier(f"copy_{table}")
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    target.execute(
        sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            temp, cols, sql.Identifier(table)
        )
    )
    rows = 0
    with target.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(temp, cols)) as copy:
        for batch in source.rows(table, columns):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
            progress(table, rows)
    return rows


def _upsert(target, table: str, columns: list[str], key: list[str]) -> None:
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    rest = [c for c in columns if c not in key]
    action = (
        sql.SQL("DO UPDATE SET ")
        + sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in rest)
        if rest
        else sql.SQL("DO NOTHING")
    )
    target.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) ").format(
            sql.Identifier(table), cols, cols, sql.Identifier(f"copy_{table}"),
            sql.SQL(", ").join(map(sql.Identifier, key)),
        )
        + action
    )  # fmt: skip


def _prune(target, table: str, key: list[str]) -> None:
    match = sql.SQL(" AND ").join(sql.SQL("s.{0} = t.{0}").format(sql.Identifier(k)) for k in key)
    target.execute(
        sql.SQL("DELETE FROM {} t WHERE NOT EXISTS (SELECT 1 FROM {} s WHERE {})").format(
            sql.Identifier(table), sql.Identifier(f"copy_{table}"), match
        )
    )


def _reset_sequences(target, table: str) -> None:
    """Ids were copied as they are: each serial column's sequence must continue after the largest."""
    for (column,) in target.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL",
        (table,),
    ).fetchall():
        setval = "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({0}), 1), max({0}) IS NOT NULL)"
        query = sql.SQL(setval + " FROM {1}").format(sql.Identifier(column), sql.Identifier(table))
        target.execute(query, (table, column))


# -- the target's schema ------------------------------------------------------------------------


def _target_order(target) -> list[str]:
    """Every table of the target, parents before children."""
    tables = [
        r[0]
        for r in target.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()
        if r[0] not in SKIP
    ]
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in target.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
    ).fetchall():
        if child in parents and parent != child:
            parents[child].add(parent)
    ordered: list[str] = []
    while parents:
        ready = sorted(t for t, ps in parents.items() if not ps - set(ordered))
        if not ready:
            raise StoreError(f"cannot order the tables by their foreign keys: {sorted(parents)}")
        ordered += ready
        for t in ready:
            del parents[t]
    return ordered


def _target_columns(target, table: str) -> set[str]:
    return {
        r[0]
        for r in target.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND is_generated = 'NEVER'",
            (table,),
        ).fetchall()
    }


def _primary_key(target, table: str) -> list[str]:
    key = [
        r[0]
        for r in target.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)",
            (table,),
        ).fetchall()
    ]
    if not key:
        raise StoreError(f"the table {table} has no primary key: it cannot be copied safely")
    return key


# -- the source: one consistent snapshot of a SQLite file or a PostgreSQL database ----------------


class _Source:
    def tables(self) -> set[str]: ...
    def columns(self, table: str) -> list[str]: ...
    def rows(self, table: str, columns: list[str]) -> Iterator[list[tuple]]: ...


class _SQLiteSource(_Source):
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def tables(self) -> set[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {r[0] for r in rows if not r[0].startswith("sqlite_")} - SKIP

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')]

    def rows(self, table: str, columns: list[str]) -> Iterator[list[tuple]]:
        # Booleans are 0/1, dates and times ISO text: PostgreSQL's COPY input reads both as they are.
        names = ", ".join(f'"{c}"' for c in columns)
        cur = self.conn.execute(f'SELECT {names} FROM "{table}"')
        while batch := cur.fetchmany(BATCH):
            yield batch


class _PostgresSource(_Source):
    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def tables(self) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'"
        ).fetchall()} - SKIP  # fmt: skip

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s ORDER BY ordinal_position", (table,),
        ).fetchall()]  # fmt: skip

    def rows(self, table: str, columns: list[str]) -> Iterator[list[tuple]]:
        # As text: COPY reads back exactly what PostgreSQL wrote (json stays json, bytea stays hex).
        text = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns)
        with self.conn.cursor(name=f"copy_{table}") as cur:
            cur.execute(sql.SQL("SELECT {} FROM {}").format(text, sql.Identifier(table)))
            while batch := cur.fetchmany(BATCH):
                yield batch


@contextmanager
def _source(url: str) -> Iterator[_Source]:
    from paperwire.storage.urls import is_postgres

    if is_postgres(url):
        with psycopg.connect(url, connect_timeout=10) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _PostgresSource(conn)
        return
    from paperwire.storage.sqlite import sqlite_path

    conn = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("BEGIN")  # one snapshot for every table, however long the copy takes
        yield _SQLiteSource(conn)
    finally:
        conn.close()
