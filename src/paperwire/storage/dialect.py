"""What really differs between SQLite and PostgreSQL, in one small object per database.

Statements are written once, with `?` parameters, in SQL both databases speak (CAST, coalesce,
ON CONFLICT ... DO UPDATE, RETURNING, true/false). A Dialect turns them into the driver's spelling and
says how values go in and come out: SQLite keeps dates as ISO text, times as UTC text that sorts as it
compares and JSON lists as text; PostgreSQL has dates, naive-UTC `timestamp`s and `json` columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache


class Dialect:
    name: str
    # How many values one `IN (...)` list may hold (SQLite limits bound parameters); 0: one array.
    in_chunk: int = 0
    bytewise = ""  # a COLLATE clause that sorts text by code point (SQLite's default does)
    pgvector = False  # embeddings have a halfvec copy (PostgreSQL's search by meaning)
    for_update = ""  # locks the rows a SELECT reads, where writers run concurrently (not SQLite's one)

    def sql(self, text: str) -> str:
        """A statement written with `?` parameters in this driver's spelling."""
        return text

    # -- values in and out ------------------------------------------------------------------------

    def time(self, moment: datetime) -> object:
        """An aware (or naive UTC) datetime as the column holds it."""
        raise NotImplementedError

    def time_of(self, value) -> datetime | None:
        raise NotImplementedError

    def now(self) -> object:
        return self.time(datetime.now(UTC))

    def day(self, value: date | None) -> object:
        raise NotImplementedError

    def day_of(self, value) -> date | None:
        raise NotImplementedError

    def json_of(self, value):
        raise NotImplementedError

    # -- spellings --------------------------------------------------------------------------------

    def elements(self, column: str, alias: str) -> str:
        """A FROM item over a JSON list column's texts; its text is `{alias}.value`."""
        raise NotImplementedError

    def least(self, a: str, b: str) -> str:
        """The smaller of two nullable values, or the one that is not NULL."""
        raise NotImplementedError

    def month(self, day: str) -> str:
        """A date expression as 'YYYY-MM' text."""
        raise NotImplementedError

    def one_of(self, column: str, values: Sequence) -> Iterable[tuple[str, list]]:
        """(condition, parameters) pairs that together test `column` against every value."""
        values = list(dict.fromkeys(values))
        if not self.in_chunk:
            yield f"{column} = ANY(?)", [values]
            return
        for start in range(0, len(values), self.in_chunk):
            chunk = values[start : start + self.in_chunk]
            yield f"{column} IN ({', '.join('?' * len(chunk))})", chunk

    def exclusive(self, name: str) -> str | None:
        """A statement that makes writers of `name` wait for each other until commit (None: they do)."""
        return None


class SQLiteDialect(Dialect):
    name = "sqlite"
    in_chunk = 500  # SQLite's limit on bound parameters is 32,766 here; stay far below it

    def time(self, moment: datetime) -> str:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def time_of(self, value) -> datetime | None:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None

    def day(self, value: date | None) -> str | None:
        return value.isoformat() if value else None

    def day_of(self, value) -> date | None:
        return date.fromisoformat(value) if value else None

    def json_of(self, value):
        return json.loads(value)

    def elements(self, column: str, alias: str) -> str:
        return f"json_each({column}) AS {alias}"

    def least(self, a: str, b: str) -> str:
        return f"coalesce(min({a}, {b}), {a}, {b})"  # min() of two is NULL when either is

    def month(self, day: str) -> str:
        return f"substr({day}, 1, 7)"


class PostgresDialect(Dialect):
    name = "postgresql"
    bytewise = ' COLLATE "C"'
    for_update = " FOR UPDATE"
    pgvector = True

    def sql(self, text: str) -> str:
        return _percent(text)

    def time(self, moment: datetime) -> datetime:
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment

    def time_of(self, value) -> datetime | None:
        return value.replace(tzinfo=UTC) if value else None

    def day(self, value: date | None) -> date | None:
        return value

    def day_of(self, value) -> date | None:
        return value

    def json_of(self, value):
        return value  # json columns come back as Python lists and dicts

    def elements(self, column: str, alias: str) -> str:
        return f"json_array_elements_text({column}) AS {alias}(value)"

    def least(self, a: str, b: str) -> str:
        return f"least({a}, {b})"  # least() ignores NULLs

    def month(self, day: str) -> str:
        return f"to_char({day}, 'YYYY-MM')"

    def exclusive(self, name: str) -> str:
        return f"SELECT pg_advisory_xact_lock(hashtext('paperwire.{name}'))"


@lru_cache(maxsize=1024)
def _percent(text: str) -> str:
    # psycopg reads % as the start of a parameter whenever parameters are passed (always, here).
    return text.replace("%", "%%").replace("?", "%s")


SQLITE = SQLiteDialect()
POSTGRES = PostgresDialect()
