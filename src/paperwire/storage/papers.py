"""Papers, their versions and their visibility: `store.papers`. Every write that changes a paper gives
it a new, larger `seq`; an index that remembers the largest (seq, id) it has applied catches up with
changed_papers(after=that)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from paperwire.models.papers import (
    Paper,
    PaperActivity,
    PaperVersion,
    RankedPaper,
    Stats,
    UpsertOutcome,
    merge_versions,
)
from paperwire.models.submissions import Submission
from paperwire.storage.database import NotFound, Noun
from paperwire.storage.rows import (
    COLUMNS,
    PAPER_COLUMNS,
    RANKED,
    SELECT_PAPER,
    next_seq,
    paper_from_row,
    ranked,
    require_paper,
    row_from_paper,
    versions,
)


class Papers(ABC):
    @abstractmethod
    def get_paper(self, paper_id: str) -> Paper | None:
        """The paper with its version history, or None."""

    @abstractmethod
    def upsert_papers(self, papers: Sequence[Paper]) -> list[UpsertOutcome]:
        """Store papers in one transaction: a newer version replaces the content, else nothing changes."""

    @abstractmethod
    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The stored papers among paper_ids, by id (version histories not loaded)."""

    @abstractmethod
    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, str]:
        """The paper id of each DOI (compared lower-cased) that a stored paper has: {doi: paper id}."""

    @abstractmethod
    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        """Every paper with its version history, in id order, read in batches."""

    @abstractmethod
    def recent_papers(self, limit: int = 50) -> list[Paper]:
        """The most recently announced (else published) papers, newest first."""

    @abstractmethod
    def count_papers(self) -> int: ...

    @abstractmethod
    def stats(self) -> Stats: ...

    @abstractmethod
    def change_seq(self) -> int:
        """The largest seq of any paper (0 for an empty store)."""

    @abstractmethod
    def changed_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper]]:
        """(seq, paper) for papers with (seq, id) > after, in that order; version histories not loaded."""

    # -- on the hub: moderation, figures, listings of one category or author ----------------------

    @abstractmethod
    def set_paper_hidden(self, paper_id: str, hidden: bool) -> None: ...

    @abstractmethod
    def hidden_papers(self, paper_ids: Sequence[str]) -> set[str]: ...

    @abstractmethod
    def paper_activity(self, paper_id: str) -> PaperActivity: ...

    @abstractmethod
    def ranked_papers(self, paper_ids: Sequence[str]) -> list[RankedPaper]:
        """These papers with their figures, in the order given; hidden and unknown ones left out."""

    @abstractmethod
    def category_papers(self, category: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        """Visible papers listing the category, newest first."""

    @abstractmethod
    def count_category_papers(self, category: str) -> int:
        """How many visible papers list the category."""

    @abstractmethod
    def author_papers(self, author: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        """Visible papers with this exact author name, newest first."""

    @abstractmethod
    def community_version(self) -> int:
        """A number that grows with every vote, comment, submission, moderation and change of stars."""

    @abstractmethod
    def counters(self) -> tuple[int, int]:
        """(change_seq(), community_version()) in one read: what the page cache compares on every
        request (web/cache.py)."""


class PapersSQL(Noun, Papers):
    def __init__(self, db):
        super().__init__(db)
        # A new version does not re-announce a paper (the first announcement is kept), and code and
        # project links, which come from other sources than arXiv's record, survive a version update
        # that lacks them.
        keep = {
            "announced": self.d.least("papers.announced", "excluded.announced"),
            "code_url": "coalesce(excluded.code_url, papers.code_url)",
            "project_url": "coalesce(excluded.project_url, papers.project_url)",
        }
        self._upsert = (
            f"INSERT INTO papers ({COLUMNS}, added_at, modified_at, seq) "
            f"VALUES ({', '.join('?' * len(PAPER_COLUMNS))}, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{c} = {keep.get(c, f'excluded.{c}')}" for c in PAPER_COLUMNS[1:])
            + ", modified_at = excluded.modified_at, seq = excluded.seq "
            "WHERE excluded.version > papers.version"
        )

    def get_paper(self, paper_id: str) -> Paper | None:
        with self.db.snapshot() as conn:
            row = conn.one(f"{SELECT_PAPER} WHERE id = ?", (paper_id,))
            if row is None:
                return None
            return paper_from_row(self.d, row, versions(conn, [paper_id]).get(paper_id, []))

    def upsert_papers(self, papers: Sequence[Paper]) -> list[UpsertOutcome]:
        d, now = self.d, self.d.now()
        outcomes: list[UpsertOutcome] = []
        paper_rows, version_rows = [], []
        with self.db.transaction(serial=True) as conn:
            seq = next_seq(conn)
            stored: dict[str, int] = {}
            for condition, params in d.one_of("id", [p.id for p in papers]):
                stored.update(conn.all(f"SELECT id, version FROM papers WHERE {condition}", params))
            for paper in papers:
                old = stored.get(paper.id)
                if old is not None and paper.version <= old:
                    outcomes.append(UpsertOutcome.UNCHANGED)
                    continue
                outcomes.append(UpsertOutcome.NEW if old is None else UpsertOutcome.UPDATED)
                stored[paper.id] = paper.version
                paper_rows.append((*row_from_paper(d, paper), now, now, seq))
                history = merge_versions(paper.versions, [PaperVersion(paper.version, paper.updated)])
                version_rows.extend((paper.id, v.version, d.day(v.date), now) for v in history)
            conn.executemany(self._upsert, paper_rows)
            conn.executemany(
                "INSERT INTO paper_versions (paper_id, version, date, recorded_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (paper_id, version) DO UPDATE SET date = excluded.date "
                "WHERE paper_versions.date IS NULL AND excluded.date IS NOT NULL",
                version_rows,
            )
        return outcomes

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        return {p.id: p for p in self._papers("", [], paper_ids)}

    def papers_by_doi(self, dois: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.db.read() as conn:
            for condition, params in self.d.one_of("lower(doi)", [d.lower() for d in dois]):
                for doi, paper_id in conn.all(
                    f"SELECT lower(doi), id FROM papers WHERE {condition} ORDER BY id{self.d.bytewise} DESC",
                    params,
                ):
                    found[doi] = paper_id  # several papers with one DOI: the smallest id, every time
        return found

    def _papers(self, tail: str, params: Sequence, ids: Sequence[str] | None = None) -> list[Paper]:
        """Papers with their version histories, read in one snapshot: these ids, or `tail`'s."""
        with self.db.snapshot() as conn:
            if ids is None:
                rows = conn.all(f"{SELECT_PAPER} {tail}", params)
            else:
                rows = []
                for condition, chunk in self.d.one_of("id", ids):
                    rows += conn.all(f"{SELECT_PAPER} WHERE {condition}", chunk)
            history = versions(conn, [r[0] for r in rows])
        return [paper_from_row(self.d, r, history.get(r[0], [])) for r in rows]

    def iter_papers(self, batch_size: int = 1000) -> Iterator[Paper]:
        last = ""
        while True:
            # Each batch is its own snapshot, so a long export holds nothing open (nor an old WAL one).
            batch = self._papers("WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size))
            if not batch:
                return
            yield from batch
            last = batch[-1].id

    def recent_papers(self, limit: int = 50) -> list[Paper]:
        tail = "ORDER BY coalesce(announced, published, updated) DESC NULLS LAST, id DESC LIMIT ?"
        return self._papers(tail, (limit,))

    def count_papers(self) -> int:
        with self.db.read() as conn:
            return conn.value("SELECT count(*) FROM papers")

    def stats(self) -> Stats:
        d = self.d
        month = d.month("coalesce(announced, published)")
        with self.db.snapshot() as conn:  # one snapshot for every figure
            return Stats(
                papers=conn.value("SELECT count(*) FROM papers"),
                versions=conn.value("SELECT count(*) FROM paper_versions"),
                by_category=dict(
                    conn.all(
                        f"SELECT c.value, count(*) AS n FROM papers, {d.elements('papers.categories', 'c')} "
                        f"GROUP BY c.value ORDER BY n DESC, c.value{d.bytewise}"
                    )
                ),
                by_month=dict(
                    conn.all(
                        f"SELECT m, count(*) FROM (SELECT coalesce({month}, 'unknown') AS m FROM papers) "
                        f"AS months GROUP BY m ORDER BY m{d.bytewise}"
                    )
                ),
                by_source=dict(
                    conn.all("SELECT source, count(*) AS n FROM papers GROUP BY source ORDER BY n DESC")
                ),
            )

    def change_seq(self) -> int:
        with self.db.read() as conn:
            return conn.value("SELECT coalesce(max(seq), 0) FROM papers")

    def changed_papers(self, after: tuple[int, str], limit: int) -> list[tuple[int, Paper]]:
        with self.db.read() as conn:
            rows = conn.all(
                f"SELECT seq, {COLUMNS} FROM papers WHERE (seq, id) > (?, ?) ORDER BY seq, id LIMIT ?",
                (*after, limit),
            )
        return [(r[0], paper_from_row(self.d, r[1:], [])) for r in rows]

    # -- on the hub ---------------------------------------------------------------------------------

    def set_paper_hidden(self, paper_id: str, hidden: bool) -> None:
        with self.db.transaction() as conn:
            require_paper(conn, paper_id)
            conn.execute("UPDATE papers SET hidden = ? WHERE id = ?", (bool(hidden), paper_id))
            self.db.bump(conn)
            self.db.bump(conn, "hidden")

    def hidden_papers(self, paper_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.db.read() as conn:
            for condition, params in self.d.one_of("id", paper_ids):
                found.update(
                    r[0] for r in conn.all(f"SELECT id FROM papers WHERE hidden AND {condition}", params)
                )
        return found

    def paper_activity(self, paper_id: str) -> PaperActivity:
        d = self.d
        with self.db.snapshot() as conn:
            row = conn.one("SELECT upvotes, num_comments, hidden FROM papers WHERE id = ?", (paper_id,))
            if row is None:
                raise NotFound(f"no paper {paper_id}")
            sub = conn.one(
                "SELECT s.paper_id, u.username, s.day, s.submitted_at FROM submissions s "
                "JOIN users u ON u.id = s.user_id WHERE s.paper_id = ?",
                (paper_id,),
            )
        submission = Submission(sub[0], sub[1], d.day_of(sub[2]), d.time_of(sub[3])) if sub else None
        return PaperActivity(row[0], row[1], bool(row[2]), submission)

    def ranked_papers(self, paper_ids: Sequence[str]) -> list[RankedPaper]:
        found: dict[str, RankedPaper] = {}
        day = "coalesce(p.announced, s.day, p.published)"
        with self.db.snapshot() as conn:
            for condition, params in self.d.one_of("p.id", paper_ids):
                for row in conn.all(f"{RANKED.format(day=day)} WHERE {condition} AND NOT p.hidden", params):
                    found[row[5]] = ranked(self.d, row)
        return [found[i] for i in paper_ids if i in found]

    def _listing(self, column: str) -> str:
        return f"EXISTS (SELECT 1 FROM {self.d.elements(f'p.{column}', 'e')} WHERE e.value = ?)"

    def category_papers(self, category: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        return self._newest(self._listing("categories"), category, limit, offset)

    def count_category_papers(self, category: str) -> int:
        with self.db.read() as conn:
            return conn.value(
                f"SELECT count(*) FROM papers p WHERE {self._listing('categories')} AND NOT p.hidden",
                (category,),
            )

    def author_papers(self, author: str, limit: int, offset: int = 0) -> list[RankedPaper]:
        return self._newest(self._listing("authors"), author, limit, offset)

    def _newest(self, condition: str, value: str, limit: int, offset: int) -> list[RankedPaper]:
        # Walks papers newest first through the announced index and stops at `limit` matches.
        day = "coalesce(p.announced, p.published)"
        with self.db.read() as conn:
            rows = conn.all(
                f"{RANKED.format(day=day)} WHERE {condition} AND NOT p.hidden "
                f"ORDER BY {day} DESC NULLS LAST, p.id DESC LIMIT ? OFFSET ?",
                (value, limit, offset),
            )
        return [ranked(self.d, r) for r in rows]

    def community_version(self) -> int:
        with self.db.read() as conn:
            return conn.value("SELECT value FROM hub_counters WHERE name = 'community'") or 0

    def counters(self) -> tuple[int, int]:
        with self.db.read() as conn:
            seq, community = conn.one(
                "SELECT (SELECT coalesce(max(seq), 0) FROM papers), "
                "(SELECT value FROM hub_counters WHERE name = 'community')"
            )
        return seq, community or 0
