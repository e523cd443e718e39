"""How sure is the stage ranking? A bootstrap over the rows and over the stage assignments.

Stage labels come from a model, so a stage's negative share carries two kinds of uncertainty: sampling
(another month of feedback would differ) and assignment (a row assigned with confidence 0.4 may belong
elsewhere). Each resample draws every group of rows again (Poisson bootstrap, the large-sample form of
resampling rows), keeps each row in its assigned stage with probability equal to its confidence and
otherwise moves it to one of the other stages at random, then ranks the stages the way the diagnosis
does (negative share minus the rest of the journey's). The share of resamples in which the diagnosis's
top stage stays on top says how firm the ranking is; below NOISE_LEVEL the top two are within noise,
and the summary says so rather than naming one stage.

Input is a few hundred groups (stage, sentiment, confidence bucket, count), not rows, so a million rows
cost the same as a thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 500
NOISE_LEVEL = 0.95
"""The top stage must stay on top in at least this share of resamples to be named alone."""
LOW_CONFIDENCE = 0.5
"""Rows assigned by the model with a confidence below this count as low-confidence."""


@dataclass(frozen=True, slots=True)
class Group:
    stage: int
    """Stage index, -1 for unassigned rows."""
    negative: bool
    confidence: float
    """Probability that the rows belong to the stage (1.0 for stages named by the data or a person)."""
    n: int


@dataclass(frozen=True, slots=True)
class Stability:
    top: str | None
    runner_up: str | None
    top_stays_top: float | None
    """Share of resamples in which the top stage is still ranked first."""
    within_noise: bool | None
    low_confidence_rows: int
    unassigned_rows: int
    rows: int


def ranking_stability(
    groups: Sequence[Group],
    stages: Sequence[str],
    candidates: Sequence[str],
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Stability:
    """How often `candidates[0]` (the diagnosis's top stage) stays first among `candidates` (the stages
    the diagnosis could rank) by negative share minus the rest's negative share."""
    rows = sum(g.n for g in groups)
    low = sum(g.n for g in groups if g.stage >= 0 and g.confidence < LOW_CONFIDENCE)
    unassigned = sum(g.n for g in groups if g.stage < 0)
    top = candidates[0] if candidates else None
    runner = candidates[1] if len(candidates) > 1 else None
    assigned = [g for g in groups if g.stage >= 0 and g.n > 0]
    if top is None or runner is None or not assigned or len(stages) < 2:
        return Stability(top, runner, None, None, low, unassigned, rows)
    rng = np.random.default_rng(seed)
    k = len(stages)
    n = np.array([g.n for g in assigned], dtype=float)
    conf = np.clip(np.array([g.confidence for g in assigned]), 0.0, 1.0)
    stage = np.array([g.stage for g in assigned])
    negative = np.array([g.negative for g in assigned])
    # (resamples, groups): rows drawn, then those that stay in their stage.
    drawn = rng.poisson(n, size=(resamples, len(assigned)))
    stay = rng.binomial(drawn, conf)
    moved = drawn - stay
    totals = np.zeros((resamples, k))
    negatives = np.zeros((resamples, k))
    for j in range(len(assigned)):
        s = stage[j]
        totals[:, s] += stay[:, j]
        if negative[j]:
            negatives[:, s] += stay[:, j]
        if moved[:, j].any():
            # Moved rows go to the other stages at random (the other stages' probabilities are not stored).
            share = np.full(k, 1.0 / (k - 1))
            share[s] = 0.0
            spread = np.array([rng.multinomial(m, share) for m in moved[:, j]])
            totals += spread
            if negative[j]:
                negatives += spread
    index = [stages.index(c) for c in candidates if c in stages]
    all_n, all_neg = totals.sum(axis=1, keepdims=True), negatives.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_stage = negatives / totals
        rest = (all_neg - negatives) / (all_n - totals)
        diff = np.nan_to_num(share_stage - rest, nan=-np.inf)
    picked = diff[:, index]
    first = picked.argmax(axis=1)
    stays = float(np.mean(first == 0))
    return Stability(top, runner, round(stays, 3), stays < NOISE_LEVEL, low, unassigned, rows)
