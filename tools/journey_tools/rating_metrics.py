"""NPS, CSAT and CES summaries from aggregated counts and sums (what SQL hands back), with 95% intervals."""

from __future__ import annotations

import math
from typing import Any

from scipy import stats as sps

from journey_tools.stats_core import wilson_interval


def _mean_ci(n: int, total: float, total_sq: float) -> tuple[float, float, float] | None:
    if n == 0:
        return None
    mean = total / n
    if n < 2:
        return mean, float("nan"), float("nan")
    var = max((total_sq - n * mean * mean) / (n - 1), 0.0)
    half = float(sps.t.ppf(0.975, n - 1)) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def _r(x: float, nd: int = 4) -> float | None:
    return None if x != x else round(x, nd)


def nps_interval(
    n: int, promoters: int, detractors: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """NPS in -100..100 and its normal interval on the trinomial variance of (promoter - detractor):
    SE = sqrt((p_pro + p_det - (p_pro - p_det)^2) / n), scaled to -100..100 and clipped there."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p, d = promoters / n, detractors / n
    score = (p - d) * 100.0
    se = math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n) * 100.0
    half = float(sps.norm.ppf(0.5 + confidence / 2)) * se
    return score, max(score - half, -100.0), min(score + half, 100.0)


def nps_from_counts(n: int, promoters: int, detractors: int) -> dict[str, Any] | None:
    """NPS in -100..100 with a normal interval on the trinomial variance."""
    if n == 0:
        return None
    score, low, high = nps_interval(n, promoters, detractors)
    return {
        "n": n,
        "promoters": promoters,
        "passives": n - promoters - detractors,
        "detractors": detractors,
        "nps": _r(score, 1),
        "ci_low": _r(low, 1),
        "ci_high": _r(high, 1),
    }


def csat_from_counts(n: int, satisfied: int, total: float, total_sq: float) -> dict[str, Any] | None:
    """CSAT (1-5): share of satisfied answers (`survey_scales`) with a Wilson interval, and the mean with a t interval."""
    mean = _mean_ci(n, total, total_sq)
    if mean is None:
        return None
    low, high = wilson_interval(satisfied, n)
    return {
        "n": n,
        "satisfied_share": _r(satisfied / n),
        "ci_low": _r(low),
        "ci_high": _r(high),
        "mean": _r(mean[0], 3),
        "mean_ci_low": _r(mean[1], 3),
        "mean_ci_high": _r(mean[2], 3),
    }


def ces_from_counts(n: int, easy: int, total: float, total_sq: float) -> dict[str, Any] | None:
    """CES (1-7, higher is easier): the mean with a t interval, and the share answering easy (`survey_scales`)."""
    mean = _mean_ci(n, total, total_sq)
    if mean is None:
        return None
    low, high = wilson_interval(easy, n)
    return {
        "n": n,
        "mean": _r(mean[0], 3),
        "ci_low": _r(mean[1], 3),
        "ci_high": _r(mean[2], 3),
        "easy_share": _r(easy / n),
        "easy_ci_low": _r(low),
        "easy_ci_high": _r(high),
    }
