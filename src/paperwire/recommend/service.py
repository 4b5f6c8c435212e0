"""A recommendation request, from ids to ranked papers with reasons: the store's vectors through the
model (model.py), reasons from words.py. One Recommender per app: it keeps the pools it read and the
words' rarity in memory, both refreshed when the store changes (docs/recommendations.md)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from paperwire import PaperwireError
from paperwire.models.papers import Paper
from paperwire.models.recommendations import PoolStamp, Reason, Recommendation, Recommendations
from paperwire.papers import paper_id_candidates
from paperwire.recommend.model import RERANK, Lexical, rank, rerank
from paperwire.recommend.words import Postings, Vocabulary, bag, shared_words
from paperwire.storage import Store

MAX_IDS = 500  # positive or negative ids in one request
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 300
MAX_RESULTS = 500  # papers one request may ask for (the native API allows 100, Semantic Scholar's 500)
MAX_POOL = 30_000  # papers ranked at most: the newest of a wider window
BACKGROUND = 2_000  # pool papers the linear model sets the positives against, drawn with a fixed seed
EMBED_AT_ONCE = 16  # liked or disliked papers not embedded yet that a request embeds itself
POOLS_KEPT = 8  # pools each process keeps in memory
VOCABULARY_SAMPLE = 5_000  # papers the words' rarity is counted over
VOCABULARY_TTL_S = 3_600.0


class BadRequest(PaperwireError):
    """The request cannot be answered as asked; the message says why in one line."""


class NothingKnown(BadRequest):
    """Papers were given, and none of them is on this hub."""


@dataclass(slots=True)
class _Pool:
    stamp: PoolStamp
    ids: list[str]  # the embedded papers, in the store's order (newest first, then id)
    matrix: np.ndarray  # their vectors, one row each
    total: int  # papers in the window (more than len(ids) when cut at MAX_POOL or not all embedded)
    unembedded: int


@dataclass(slots=True)
class _Signals:
    known: dict[str, Paper]  # resolved id -> paper, for positives and negatives alike
    unknown: list[str]
    ignored: list[str]
    positive_ids: list[str]  # the rows of `positives` that are papers, then the topics
    positives: np.ndarray
    negative_ids: list[str]
    negatives: np.ndarray
    positive_texts: list[str]  # the same rows' words: papers' titles and abstracts, and topics
    negative_texts: list[str]


class Recommender:
    def __init__(self, store: Store, search=None):
        """`search`: the SearchEngine whose embedder embeds topics and papers not embedded yet."""
        self.store, self.search = store, search
        self._pools: OrderedDict[tuple, _Pool] = OrderedDict()
        self._lock = threading.Lock()
        self._vocabulary: tuple[float, Vocabulary] | None = None

    # -- the request ------------------------------------------------------------------------------

    def recommend(
        self,
        positive: Sequence[str],
        negative: Sequence[str] = (),
        *,
        start: date | None = None,
        end: date | None = None,
        categories: Sequence[str] = (),
        limit: int = 20,
        topics: Sequence[str] = (),
        candidates: Sequence[str] | None = None,
    ) -> Recommendations:
        """The pool ranked for these liked (`positive`, `topics`) and disliked (`negative`) papers. The
        pool: `candidates` when given, else the papers announced between start and end (both default
        to the latest announcement day), in any of `categories` when given."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        _check(positive, negative, limit, topics, start, end)
        signals = self._signals(positive, negative, topics)
        timings["signals"] = _ms(started)
        if candidates is None:
            start, end = self._window(start, end)
            pool = self._pool(start, end, categories) if start and end else None
        else:
            pool = self._pool_of(candidates)
        timings["pool"] = _ms(started) - timings["signals"]
        answer = Recommendations(
            [], start, end, 0, 0, unknown=signals.unknown, ignored=signals.ignored, timings_ms=timings
        )
        if pool is None or not len(pool.ids):
            answer.pool, answer.unembedded = (pool.total, pool.unembedded) if pool else (0, 0)
            return answer
        answer.pool, answer.unembedded = pool.total, pool.unembedded
        mark = time.perf_counter()
        given = set(signals.known)
        rows = np.flatnonzero(np.array([pid not in given for pid in pool.ids], dtype=bool))
        if not len(rows):
            return answer
        matrix = pool.matrix[rows]
        ranking = rank(matrix, signals.positives, signals.negatives, _background(matrix))
        shortlist = ranking.order()[:RERANK]
        ids = [pool.ids[rows[i]] for i in shortlist]
        hidden = self.store.papers.hidden_papers(ids)  # hidden since the pool was read
        kept = [(int(i), pid) for i, pid in zip(shortlist, ids, strict=True) if pid not in hidden]
        papers = self.store.papers.get_papers([pid for _, pid in kept])
        kept = [(i, pid) for i, pid in kept if pid in papers]
        timings["model"] = _ms(mark)
        mark = time.perf_counter()
        if not kept:
            return answer
        vocabulary = self._words()
        lexical = self._lexical([_text(papers[pid]) for _, pid in kept], signals, vocabulary)
        scores = rerank(ranking.scores[[i for i, _ in kept]], lexical)
        for j in np.argsort(-scores, kind="stable")[:limit]:
            i, pid = kept[j]
            reason = self._reason(papers[pid], signals, int(ranking.nearest[i]), ranking, i, vocabulary)
            answer.papers.append(Recommendation(papers[pid], round(float(scores[j]), 4), reason))
        timings["words"] = _ms(mark)
        timings["total"] = _ms(started)
        return answer

    def _lexical(self, texts: list[str], signals: _Signals, vocabulary: Vocabulary) -> Lexical:
        """The shortlist's tf-idf similarities to the liked and disliked papers (and topics), and to
        the liked ones' centroid."""
        liked = [bag(t, vocabulary) for t in signals.positive_texts]
        disliked = [bag(t, vocabulary) for t in signals.negative_texts]
        centroid: dict[str, float] = {}
        for b in liked:
            for key, weight in b.items():
                centroid[key] = centroid.get(key, 0.0) + weight
        norm = float(np.sqrt(sum(v * v for v in centroid.values()))) or 1.0
        words = Postings.of([bag(t, vocabulary) for t in texts])
        sims = words.similarities([*liked, *disliked, {k: v / norm for k, v in centroid.items()}])
        return Lexical(sims[:, : len(liked)], sims[:, len(liked) : -1], sims[:, -1])

    def _window(self, start: date | None, end: date | None) -> tuple[date | None, date | None]:
        """No day: the latest announcement day; `start` alone: from it to the latest day; `end` alone:
        that day."""
        if start is not None and end is not None:
            return start, end
        if end is not None:
            return end, end
        latest = self.store.recommendations.latest_announced()
        if start is None:
            return latest, latest
        return start, latest if latest and latest > start else start

    def latest_window(self, days: int) -> tuple[date, date] | None:
        """The `days` days ending on the latest announcement day (None on a hub without any)."""
        latest = self.store.recommendations.latest_announced()
        return (latest - timedelta(days=days - 1), latest) if latest else None

    # -- what the caller likes and dislikes -------------------------------------------------------

    def _signals(self, positive: Sequence[str], negative: Sequence[str], topics: Sequence[str]) -> _Signals:
        refs = list(dict.fromkeys([*positive, *negative]))
        candidates = {ref: paper_id_candidates(ref) for ref in refs}
        found = self.store.papers.get_papers(sorted({c for cs in candidates.values() for c in cs}))
        resolved = {ref: next((c for c in cs if c in found), None) for ref, cs in candidates.items()}
        unknown = [ref for ref in refs if resolved[ref] is None]
        known = {pid: found[pid] for pid in resolved.values() if pid is not None}
        vectors = self._vectors(known)
        ignored = [pid for pid in known if pid not in vectors]
        pos_ids = list(dict.fromkeys(resolved[r] for r in positive if resolved.get(r) in vectors))
        neg_ids = [pid for pid in dict.fromkeys(resolved[r] for r in negative if resolved.get(r) in vectors)]
        neg_ids = [pid for pid in neg_ids if pid not in pos_ids]  # liked and disliked at once: liked
        rows = [vectors[pid] for pid in pos_ids]
        if topics:
            rows.extend(self._embedder().embed(list(topics)))
        if not rows:
            if unknown and not known:
                raise NothingKnown(f"none of the papers given is on this hub: {', '.join(unknown[:5])}")
            if positive and not pos_ids and any(resolved.get(r) in ignored for r in positive):
                raise BadRequest("the liked papers are not embedded yet: try again in a few minutes")
            raise BadRequest("give at least one liked paper that is on this hub, or a topic")
        dim = len(rows[0])
        return _Signals(
            known,
            unknown,
            ignored,
            pos_ids + [f"topic:{t}" for t in topics],
            np.stack(rows).astype(np.float32),
            neg_ids,
            np.stack([vectors[pid] for pid in neg_ids]) if neg_ids else np.zeros((0, dim), np.float32),
            [_text(known[pid]) for pid in pos_ids] + list(topics),
            [_text(known[pid]) for pid in neg_ids],
        )

    def _vectors(self, papers: dict[str, Paper]) -> dict[str, np.ndarray]:
        """Stored vectors by id; up to EMBED_AT_ONCE papers without one are embedded here."""
        rows = self.store.embeddings.embeddings_for(list(papers))
        out = {pid: _matrix([r.vector])[0] for pid, r in rows.items() if r.vector is not None}
        missing = [pid for pid in papers if pid not in out][:EMBED_AT_ONCE]
        if missing and self.search is not None:
            embedder = self._embedder()
            texts = [(papers[pid].title, papers[pid].abstract) for pid in missing]
            out.update(zip(missing, embedder.embed_papers(texts, self.search.recipe), strict=True))
        return out

    def _embedder(self):
        if self.search is None:
            raise BadRequest("topics need the embedding model, and this hub runs without search")
        return self.search.embedder

    # -- the pool ---------------------------------------------------------------------------------

    def _pool(self, start: date, end: date, categories: Sequence[str]) -> _Pool:
        """The window's papers and vectors, kept in memory until the store changes."""
        key = (start, end, tuple(sorted({c.strip().lower() for c in categories if c.strip()})))
        stamp = self.store.recommendations.pool_stamp()
        with self._lock:
            cached = self._pools.get(key)
            if cached is not None and cached.stamp == stamp:
                self._pools.move_to_end(key)
                return cached
        papers, total = self.store.recommendations.pool(start, end, key[2], MAX_POOL)
        embedded = [p for p in papers if p.vector is not None]
        pool = _Pool(
            stamp,
            [p.paper_id for p in embedded],
            _matrix([p.vector for p in embedded]),
            total,
            len(papers) - len(embedded),
        )
        with self._lock:
            self._pools[key] = pool
            self._pools.move_to_end(key)
            while len(self._pools) > POOLS_KEPT:
                self._pools.popitem(last=False)
        return pool

    def _pool_of(self, paper_ids: Sequence[str]) -> _Pool:
        rows = self.store.embeddings.embeddings_for(list(paper_ids))
        ids = [pid for pid in dict.fromkeys(paper_ids) if pid in rows and rows[pid].vector is not None]
        return _Pool(PoolStamp(0, 0, 0), ids, _matrix([rows[pid].vector for pid in ids]), len(ids), 0)

    # -- reasons ----------------------------------------------------------------------------------

    def _words(self) -> Vocabulary:
        now = time.monotonic()
        cached = self._vocabulary
        if cached is None or now - cached[0] > VOCABULARY_TTL_S:
            cached = (now, Vocabulary.of(self.store.recommendations.recent_texts(VOCABULARY_SAMPLE)))
            self._vocabulary = cached
        return cached[1]

    def _reason(self, paper: Paper, s: _Signals, nearest: int, ranking, i: int, words: Vocabulary) -> Reason:
        similarity = round(float(ranking.similarity[i]), 4)
        text = _text(paper)
        liked = s.positive_ids[nearest]
        if liked.startswith("topic:"):
            topic = liked[len("topic:") :]
            shared = shared_words(text, topic, words)
            line = f'matches your topic "{topic}"' + (f": {', '.join(shared)}" if shared else "")
            return Reason(line, similarity, topic=topic, words=shared)
        other = s.known[liked]
        shared = shared_words(text, _text(other), words)
        line = f'close to "{other.title}" ({other.id})' + (f": {', '.join(shared)}" if shared else "")
        return Reason(line, similarity, paper_id=other.id, paper_title=other.title, words=shared)


def _check(positive, negative, limit: int, topics, start: date | None, end: date | None) -> None:
    if not 1 <= limit <= MAX_RESULTS:
        raise BadRequest(f"limit must be between 1 and {MAX_RESULTS}, not {limit}")
    for name, ids in (("positive", positive), ("negative", negative)):
        if len(ids) > MAX_IDS:
            raise BadRequest(f"at most {MAX_IDS} {name} papers, not {len(ids)}")
    if len(topics) > MAX_TOPICS:
        raise BadRequest(f"at most {MAX_TOPICS} topics, not {len(topics)}")
    for topic in topics:
        if not topic.strip() or len(topic) > MAX_TOPIC_CHARS:
            raise BadRequest(f"a topic is 1 to {MAX_TOPIC_CHARS} characters of text")
    if start and end and start > end:
        raise BadRequest(f"the window is empty: {start} is after {end}")


def _matrix(blobs: list[bytes]) -> np.ndarray:
    """Stored vectors (float16 bytes, as search/vectors.py writes them) as float32 rows."""
    if not blobs:
        return np.zeros((0, 1), np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), -1).astype(np.float32)


def _text(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract}"


def _background(matrix: np.ndarray) -> np.ndarray:
    """At most BACKGROUND rows of the pool, the same ones for the same pool."""
    if len(matrix) <= BACKGROUND:
        return matrix
    rows = np.random.default_rng(0).choice(len(matrix), BACKGROUND, replace=False)
    return matrix[np.sort(rows)]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
