"""A model-free embedder for tests: deterministic, fast, and similar texts still land close together."""

from __future__ import annotations

import re
import zlib

import numpy as np

from assistant.embedding.base import CACHE_SIZE, Embedder, Kind, normalise

_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder(Embedder):
    """Feature-hashed words and character 2-3-grams, L2-normalised."""

    batch_size = 512

    def __init__(self, dim: int = 512, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(cache_size)
        self.dim = dim
        self.name = f"hashing{dim}"

    def dimension(self) -> int:
        return self.dim

    def _features(self, text: str) -> list[str]:
        folded = text.casefold()
        feats = [f"w:{w}" for w in _TOKEN.findall(folded)]
        squashed = " ".join(_TOKEN.findall(folded))
        for n in (2, 3):
            feats.extend(f"{n}:{squashed[i : i + n]}" for i in range(len(squashed) - n + 1))
        return feats

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = zlib.crc32(feat.encode("utf-8", "surrogatepass"))
                # A sign bit halves the damage of bucket collisions.
                out[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return normalise(out)
