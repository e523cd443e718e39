"""The one embedding interface of the product: texts in, unit vectors out, with a kind and a name.

Every embedder batches its input, embeds each distinct text once per call and keeps a bounded
in-process cache keyed by a hash of the text, so re-asking for the same passage or query is free.
`name` identifies the model: stored vectors and Chroma collections are keyed by it, so vectors of
different models never mix.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

Kind = Literal["passage", "query"]
"""e5-style models embed a question ("query") differently from the text that answers it ("passage")."""

FEEDBACK_KIND: Kind = "query"
"""How feedback rows are embedded, once, at ingest. e5 recommends its `query:` prefix on both sides of
symmetric comparisons, and stage assignment compares rows with short stage descriptions: on the
labelled set, query-prefixed rows gave stage macro-F1 0.772 against 0.696 for passage-prefixed rows
(see evals/BENCHMARKS.md). Feedback search therefore embeds its question with the same kind."""

CACHE_SIZE = 20_000
"""Vectors kept per embedder; bounded so a million-row ingest does not hold every vector in memory."""


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


class Embedder:
    """Base class: subclasses implement `_embed(texts, kind)` for a batch of distinct texts."""

    name: str = "embedder"
    batch_size: int = 64

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._cache: OrderedDict[tuple[Kind, bytes], np.ndarray] = OrderedDict()
        # The app embeds from several worker threads; the cache's reorder and eviction must not interleave.
        self._cache_lock = threading.Lock()
        self._cache_size = cache_size
        self.model_calls = 0
        """How many batches reached the model (tests and benchmarks read this)."""
        self.texts_embedded = 0
        """How many texts the model actually embedded (cache hits and repeats excluded)."""

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        raise NotImplementedError

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Unit vectors for `texts`, shape (n, dim), in the order given."""
        keys = [
            (kind, hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest())
            for t in texts
        ]
        missing: dict[tuple[Kind, bytes], str] = {}
        cached: dict[tuple[Kind, bytes], np.ndarray] = {}
        with self._cache_lock:
            for key, text in zip(keys, texts, strict=True):
                hit = self._cache.get(key)
                if hit is not None:
                    cached[key] = hit
                    self._cache.move_to_end(key)
                elif key not in missing:
                    missing[key] = text
        fresh: dict[tuple[Kind, bytes], np.ndarray] = {}
        todo = list(missing.items())
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            vectors = self._embed([t for _, t in chunk], kind)
            self.model_calls += 1
            self.texts_embedded += len(chunk)
            for (key, _), vec in zip(chunk, vectors, strict=True):
                fresh[key] = np.asarray(vec, dtype=np.float32)
        rows = [fresh[key] if key in fresh else cached[key] for key in keys]
        with self._cache_lock:
            for key, vec in fresh.items():
                self._cache[key] = vec
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, self.dimension()), dtype=np.float32)
        return np.vstack(rows)

    def dimension(self) -> int:
        """Length of this model's vectors (embeds one short text the first time it is asked)."""
        if not hasattr(self, "_dim"):
            self._dim = int(self._embed(["dimension"], "query").shape[1])
        return self._dim

    def encoder(self, kind: Kind = FEEDBACK_KIND) -> Callable[[Sequence[str]], np.ndarray]:
        """The plain `texts -> vectors` function the analysis tools take (tools/ never import this package)."""

        def encode(texts: Sequence[str]) -> np.ndarray:
            return self.embed(texts, kind)

        return encode

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed(texts, "passage").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text], "query")[0].tolist()
