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
