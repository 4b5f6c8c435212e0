"""A recommendation request, from ids to ranked papers with reasons: the store's vectors through the
model (model.py), reasons from words.py. One Recommender per app: it keeps in memory the pools it read
(pools.py), the words' rarity and the papers' bags of words (bags.py), and the topics' vectors; pools
are read again when the store changes (docs/recommendations.md)."""

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
from paperwire.models.recommendations import Reason, Recommendation, Recommendations
from paperwire.papers import paper_id_candidates
from paperwire.recommend.bags import Bags, centroid, similarities
from paperwire.recommend.model import RERANK, Lexical, rank, rerank
from paperwire.recommend.pools import Pools, matrix
from paperwire.recommend.threads import one_blas_thread
from paperwire.recommend.words import Vocabulary
from paperwire.storage import Store

MAX_IDS = 500  # positive or negative ids in one request
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 300
MAX_RESULTS = 500  # papers one request may ask for (the native API allows 100, Semantic Scholar's 500)
EMBED_AT_ONCE = 16  # liked or disliked papers not embedded yet that a request embeds itself
TOPICS_KEPT = 1_024  # topics' vectors each process keeps
VOCABULARY_SAMPLE = 5_000  # papers the words' rarity is counted over
VOCABULARY_TTL_S = 3_600.0


class BadRequest(PaperwireError):
    """The request cannot be answered as asked; the message says why in one line."""


class NothingKnown(BadRequest):
    """Papers were given, and none of them is on this hub."""


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
        one_blas_thread()  # the model's matrices are small: threads only cost (threads.py)
        self.pools = Pools(store)
        self._lock = threading.Lock()
        self._vocabulary: tuple[float, Vocabulary] | None = None
        self._bags: Bags | None = None
        self._topics: OrderedDict[str, np.ndarray] = OrderedDict()

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
            pool = self.pools.window(start, end, categories) if start and end else None
        else:
            pool = self.pools.candidates(candidates)
        timings["pool"] = _ms(started) - timings["signals"]
        answer = Recommendations(
            [], start, end, 0, 0, unknown=signals.unknown, ignored=signals.ignored, timings_ms=timings
        )
        if pool is None or not len(pool.ids):
            answer.pool, answer.unembedded = (pool.total, pool.unembedded) if pool else (0, 0)
            return answer
        answer.pool, answer.unembedded = pool.total, pool.unembedded
        mark = time.perf_counter()
        given = np.array(sorted(pool.row[pid] for pid in signals.known if pid in pool.row), dtype=np.int64)
        keep = np.setdiff1d(np.arange(len(pool.ids)), given) if len(given) else None
        if keep is not None and not len(keep):
            return answer
        ranking = rank(
            pool.matrix,
            signals.positives,
            signals.negatives,
            pool.background,
            removed=pool.matrix[given[pool.sample[given]]],
            keep=keep,
            fast=pool.used > 1,  # a pool used once (a one-off candidate list) is not worth decomposing
        )
        shortlist = ranking.order()[:RERANK]
        ids = [pool.ids[i] for i in (shortlist if keep is None else keep[shortlist])]
        # A window's papers are read for its shortlist, a candidate list's with it; either pool leaves out
        # hidden papers and is read again when one is hidden (the stamp counts it).
        papers = pool.papers if pool.papers is not None else self.store.papers.get_papers(ids)
        kept = [(int(i), pid) for i, pid in zip(shortlist, ids, strict=True) if pid in papers]
        timings["model"] = _ms(mark)
        mark = time.perf_counter()
        if not kept:
            return answer
        bags = self._words()
        liked = [
            _bag(bags, ref, t) for ref, t in zip(signals.positive_ids, signals.positive_texts, strict=True)
        ]
        disliked = [
            _bag(bags, r, t) for r, t in zip(signals.negative_ids, signals.negative_texts, strict=True)
        ]
        rows = [_bag(bags, pid, _text(papers[pid])) for _, pid in kept]
        sims = similarities(rows, [*liked, *disliked, centroid(liked)])
        lexical = Lexical(sims[:, : len(liked)], sims[:, len(liked) : -1], sims[:, -1])
        scores = rerank(ranking.scores[[i for i, _ in kept]], lexical)
        for j in np.argsort(-scores, kind="stable")[:limit]:
            i, pid = kept[j]
            nearest = int(ranking.nearest[i])
            shared = bags.shared(rows[j], liked[nearest])
            reason = _reason(signals, nearest, round(float(ranking.similarity[i]), 4), shared)
            answer.papers.append(Recommendation(papers[pid], round(float(scores[j]), 4), reason))
        timings["words"] = _ms(mark)
        timings["total"] = _ms(started)
        return answer

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
            rows.extend(self._topic_vectors(topics))
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
        out = {pid: matrix([r.vector])[0] for pid, r in rows.items() if r.vector is not None}
        missing = [pid for pid in papers if pid not in out][:EMBED_AT_ONCE]
        if missing and self.search is not None:
            embedder = self._embedder()
            texts = [(papers[pid].title, papers[pid].abstract) for pid in missing]
            out.update(zip(missing, embedder.embed_papers(texts, self.search.recipe), strict=True))
        return out

    def _topic_vectors(self, topics: Sequence[str]) -> list[np.ndarray]:
        """Each topic embedded once per process (the TOPICS_KEPT used last are kept)."""
        with self._lock:
            known = {t: self._topics[t] for t in topics if t in self._topics}
            for t in known:
                self._topics.move_to_end(t)
        missing = list(dict.fromkeys(t for t in topics if t not in known))
        if missing:
            known.update(zip(missing, self._embedder().embed(missing), strict=True))
            with self._lock:
                for t in missing:
                    self._topics[t] = known[t]
                while len(self._topics) > TOPICS_KEPT:
                    self._topics.popitem(last=False)
        return [known[t] for t in topics]

    def _embedder(self):
        if self.search is None:
            raise BadRequest("topics need the embedding model, and this hub runs without search")
        return self.search.embedder

    # -- reasons ----------------------------------------------------------------------------------

    def _words(self) -> Bags:
        """The bags of words made with the words' rarity (counted again after VOCABULARY_TTL_S)."""
        now = time.monotonic()
        cached, bags = self._vocabulary, self._bags
        if cached is None or now - cached[0] > VOCABULARY_TTL_S:
            cached = (now, Vocabulary.of(self.store.recommendations.recent_texts(VOCABULARY_SAMPLE)))
            self._vocabulary = cached
        if bags is None or bags.vocabulary is not cached[1] or bags.full():
            bags = self._bags = Bags(cached[1])
        return bags


def _reason(s: _Signals, nearest: int, similarity: float, shared: list[str]) -> Reason:
    """Why: the liked paper or topic (row `nearest` of the positives) closest to the paper, and the words
    they share."""
    liked = s.positive_ids[nearest]
    words = f": {', '.join(shared)}" if shared else ""
    if liked.startswith("topic:"):
        topic = liked[len("topic:") :]
        return Reason(f'matches your topic "{topic}"' + words, similarity, topic=topic, words=shared)
    other = s.known[liked]
    line = f'close to "{other.title}" ({other.id})' + words
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


def _text(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract}"


def _bag(bags: Bags, ref: str, text: str):
    """A paper's bag, kept by id and text (a new version has other words); a topic's by its text."""
    return bags.of(text, None if ref.startswith("topic:") else (ref, hash(text)))


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
