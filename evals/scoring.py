"""Scores shared by the evals: one macro-F1 for every eval, computed by scikit-learn."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from sklearn.metrics import f1_score


def macro_f1(gold: Sequence[Hashable], pred: Sequence[Hashable], classes: Sequence[Hashable]) -> float:
    """Mean F1 over `classes`. A class with no gold and no predicted row is skipped rather than scored 0:
    a map whose rows never mention a stage should not lose points for it."""
    present = [c for c in classes if c in set(gold) or c in set(pred)]
    if not present:
        return 0.0
    return float(f1_score(list(gold), list(pred), labels=present, average="macro", zero_division=0.0))
