"""Learning a map's stages from a person's corrections: a per-map classifier, and which rows to ask about.

With few corrections, every row only gets the corrected rows' class-mean direction as extra evidence
(tools/journey_tools/stage_assignment.py). Once a map has MIN_CORRECTIONS corrections in at least two stages, a
logistic regression (scikit-learn) is fitted on the corrected rows: its features are the row's zero-shot
stage scores (embedding and lexical, one per stage) and its topic vector (the stored embedding without
the sentiment direction). Its probabilities are blended with the zero-shot ones in proportion to how
much it has seen, n / (n + PRIOR_ROWS), and only over the stages it has examples of (a stage nobody
corrected keeps its zero-shot share).

Which rows to ask about: the least certain ones (lowest probability of their best stage), one per
distinct text, so each correction teaches the most (`most_uncertain`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

MIN_CORRECTIONS = 20
MIN_STAGES = 2
PRIOR_ROWS = 40
"""Corrections at which the classifier and the zero-shot scores weigh the same."""
C = 1.0


class CorrectionModel:
    """A classifier over the stages a person corrected rows to."""

    def __init__(self, features: np.ndarray, stages: Sequence[int], n_stages: int) -> None:
        self.n = len(stages)
        self.n_stages = n_stages
        self.model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
        self.model.fit(features, np.asarray(stages))
        self.classes = [int(c) for c in self.model.classes_]

    @staticmethod
    def fit(features: np.ndarray, stages: Sequence[int], n_stages: int) -> CorrectionModel | None:
        """A model when there are enough corrections in enough stages, else None."""
        counts = Counter(stages)
        if len(stages) < MIN_CORRECTIONS or sum(1 for k in counts.values() if k >= 2) < MIN_STAGES:
            return None
        return CorrectionModel(features, stages, n_stages)

    def blend(self, zero_shot: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Zero-shot probabilities moved toward the classifier's over the stages it knows."""
        learned = self.model.predict_proba(features)
        known = np.asarray(self.classes)
        mass = zero_shot[:, known].sum(axis=1, keepdims=True)
        out = zero_shot.copy()
        alpha = self.n / (self.n + PRIOR_ROWS)
        out[:, known] = (1 - alpha) * zero_shot[:, known] + alpha * learned * mass
        return out


def most_uncertain(confidences: Sequence[float], texts: Sequence[str], n: int) -> list[int]:
    """Indices of the `n` least certain rows (lowest best-stage probability), one per distinct text."""
    seen: set[str] = set()
    out: list[int] = []
    for i in np.argsort(np.asarray(confidences, dtype=float), kind="stable"):
        key = " ".join(texts[int(i)].casefold().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(int(i))
        if len(out) == n:
            break
    return out
