"""Proportion intervals and two-group tests behind the stage diagnosis.

Everything here is a pure function over counts. The formulas come from statsmodels and scipy rather than
being re-derived, so the numbers match what an analyst would get from those libraries by hand.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportion_effectsize,
    test_proportions_2indep,
)

MIN_N = 30
"""Below this many rows in either group a comparison is flagged as a small sample."""

MIN_EXPECTED = 5.0
"""The usual rule of thumb for the normal approximation: every expected cell count at least 5."""

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]


def json_value(value: Any) -> Any:
    """Plain JSON-ready value: numpy scalars to Python, NaN and infinities to None, tuples to lists."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, tuple | list):
        return [json_value(v) for v in value]
    if isinstance(value, JsonDataclass):
        return value.to_dict()
    return value


class JsonDataclass:
    """Mixin for the frozen result dataclasses: `to_dict()` gives what `json.dumps` accepts."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: json_value(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")


@overload
def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]: ...
@overload
def wilson_interval(
    k: IntArray | Sequence[int], n: IntArray | Sequence[int] | int, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]: ...
def wilson_interval(k: Any, n: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for k successes out of n; works element-wise on arrays.

    n == 0 yields (0.0, 1.0): with no observations every share is possible, which is more honest
    downstream (plots, rankings) than NaN.
    """
    _check_confidence(confidence)
    scalar = np.ndim(k) == 0 and np.ndim(n) == 0
    k_arr, n_arr = np.broadcast_arrays(np.asarray(k), np.asarray(n))
    if np.any(n_arr < 0) or np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError("wilson_interval needs 0 <= k <= n")
    empty = n_arr == 0
    safe_n = np.where(empty, 1, n_arr)
    low, high = proportion_confint(k_arr, safe_n, alpha=1.0 - confidence, method="wilson")
    low = np.where(empty, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(empty, 1.0, np.clip(high, 0.0, 1.0))
    if scalar:
        return float(low), float(high)
    return low.astype(np.float64), high.astype(np.float64)


def mean_interval(values: npt.ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean with a Student-t interval; NaN values are ignored.

    No values gives (nan, nan, nan); one value gives (value, nan, nan) because spread is unknown.
    """
    _check_confidence(confidence)
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    sem = float(sps.sem(x))
    if sem == 0.0:
        return mean, mean, mean
    low, high = sps.t.interval(confidence, x.size - 1, loc=mean, scale=sem)
    return mean, float(low), float(high)


@dataclass(frozen=True)
class ProportionComparison(JsonDataclass):
    """Group 1 (e.g. a stage) against group 2 (the rest, or the previous period)."""

    share1: float
    share2: float
    difference: float
    """share1 - share2; positive means group 1 has the larger share (more negatives = worse)."""
    ci_low: float
    ci_high: float
    """Newcombe hybrid-score interval of the difference."""
    risk_ratio: float
    """share1 / share2; infinite when share2 is 0 and share1 is not (None in to_dict)."""
    cohens_h: float
    """Arcsine effect size: about 0.2 small, 0.5 medium, 0.8 large."""
    z: float
    p_value: float
    """Two-sided score test of equal shares."""
    small_sample: bool
    n1: int
    n2: int


def _untestable(k1: int, n1: int, k2: int, n2: int) -> ProportionComparison:
    s1 = k1 / n1 if n1 else math.nan
    s2 = k2 / n2 if n2 else math.nan
    nan = math.nan
    return ProportionComparison(s1, s2, s1 - s2, nan, nan, nan, nan, nan, 1.0, True, n1, n2)


def compare_proportions(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> ProportionComparison:
    """Two-proportion comparison: difference with interval, risk ratio, Cohen's h and a score test.

    With an empty group nothing can be tested: the result carries NaN for what is undefined and
    p_value 1.0 (no evidence of a difference), and is marked small_sample.
    """
    _check_confidence(confidence)
    k1, n1, k2, n2 = int(k1), int(n1), int(k2), int(n2)
    if min(k1, k2) < 0 or k1 > n1 or k2 > n2:
        raise ValueError("compare_proportions needs 0 <= k <= n for both groups")
    if n1 == 0 or n2 == 0:
        return _untestable(k1, n1, k2, n2)
    s1, s2 = k1 / n1, k2 / n2
    with warnings.catch_warnings():
        # statsmodels divides by zero on degenerate tables (both shares 0 or both 1); handled below.
        warnings.simplefilter("ignore", RuntimeWarning)
        test = test_proportions_2indep(k1, n1, k2, n2, method="score", compare="diff")
        low, high = confint_proportions_2indep(
            k1, n1, k2, n2, method="newcomb", compare="diff", alpha=1.0 - confidence
        )
    z, p = float(test.statistic), float(test.pvalue)
    if not math.isfinite(z):
        # Both groups all-0 or all-1: identical shares with zero variance, so no evidence of a difference.
        z, p = 0.0, 1.0
    # 0/0 is undefined; k/0 is unbounded.
    ratio = s1 / s2 if s2 > 0 else (math.inf if s1 > 0 else math.nan)
    pooled = (k1 + k2) / (n1 + n2)
    expected = min(n1, n2) * min(pooled, 1.0 - pooled)
    return ProportionComparison(
        share1=s1,
        share2=s2,
        difference=s1 - s2,
        ci_low=float(low),
        ci_high=float(high),
        risk_ratio=ratio,
        cohens_h=float(proportion_effectsize(s1, s2)),
        z=z,
        p_value=p,
        small_sample=bool(min(n1, n2) < MIN_N or expected < MIN_EXPECTED),
        n1=n1,
        n2=n2,
    )


def adjust_pvalues(p: Sequence[float], method: str = "fdr_bh") -> list[float]:
    """Multiple-testing adjustment (statsmodels `multipletests`); NaN entries stay NaN and are not counted."""
    arr = np.asarray(p, dtype=np.float64)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if ok.any():
        out[ok] = multipletests(arr[ok], method=method)[1]
    return [float(v) for v in out]
