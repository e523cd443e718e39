"""NPS, CSAT and CES summaries of raw survey scores, each with its interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

from tools.stats_core import JsonDataclass, mean_interval, wilson_interval

Metric = Literal["nps", "csat", "ces"]


@dataclass(frozen=True)
class ScoreSummary(JsonDataclass):
    """One survey metric over a group of answers.

    `score` is the headline number: NPS in -100..100, CSAT as the share of top-2-box answers (0..1),
    CES as the mean. `ci_low`/`ci_high` bound the headline; the mean and the top-box share are also
    given with their own intervals so the metrics can be read side by side.
    """

    metric: Metric
    scale_max: int
    n: int
    score: float
    ci_low: float
    ci_high: float
    mean: float
    mean_ci_low: float
    mean_ci_high: float
    top_count: int
    """NPS: promoters; CSAT: satisfied (top 2 boxes); CES: answers counted as easy."""
    top_share: float
    top_ci_low: float
    top_ci_high: float
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None


def _clean(scores: npt.ArrayLike, low: float, high: float, what: str) -> npt.NDArray[np.float64]:
    x = np.asarray(scores, dtype=np.float64).ravel()
    x = x[~np.isnan(x)]
    if x.size and (x.min() < low or x.max() > high):
        raise ValueError(f"{what} scores must lie between {low:g} and {high:g}")
    return x


def _top_box(
    x: npt.NDArray[np.float64], threshold: float, confidence: float
) -> tuple[int, float, float, float]:
    top = int(np.count_nonzero(x >= threshold))
    low, high = wilson_interval(top, int(x.size), confidence)
    share = top / x.size if x.size else math.nan
    return top, share, low, high


def nps_summary(scores: npt.ArrayLike, confidence: float = 0.95) -> ScoreSummary:
    """Net Promoter Score of 0-10 answers (9-10 promoters, 0-6 detractors); NaN answers are skipped.

    The interval is normal, on the trinomial variance of (promoter - detractor) indicators:
    SE = sqrt((p_pro + p_det - (p_pro - p_det)^2) / n), scaled to -100..100 and clipped there.
    """
    x = _clean(scores, 0, 10, "NPS")
    n = int(x.size)
    promoters = int(np.count_nonzero(x >= 9))
    detractors = int(np.count_nonzero(x <= 6))
    mean, mean_low, mean_high = mean_interval(x, confidence)
    top, share, top_low, top_high = _top_box(x, 9, confidence)
    if n:
        p, d = promoters / n, detractors / n
        nps = (p - d) * 100.0
        se = math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n) * 100.0
        half = float(sps.norm.ppf(0.5 + confidence / 2)) * se
        low, high = max(nps - half, -100.0), min(nps + half, 100.0)
    else:
        nps = low = high = math.nan
    return ScoreSummary(
        metric="nps",
        scale_max=10,
        n=n,
        score=nps,
        ci_low=low,
        ci_high=high,
        mean=mean,
        mean_ci_low=mean_low,
        mean_ci_high=mean_high,
        top_count=top,
        top_share=share,
        top_ci_low=top_low,
        top_ci_high=top_high,
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
    )


def csat_summary(scores: npt.ArrayLike, scale_max: int = 5, confidence: float = 0.95) -> ScoreSummary:
    """CSAT on a 1..scale_max scale: share in the top two boxes (Wilson interval) and the mean (t interval)."""
    x = _clean(scores, 1, scale_max, "CSAT")
    top, share, top_low, top_high = _top_box(x, scale_max - 1, confidence)
    mean, mean_low, mean_high = mean_interval(x, confidence)
    return ScoreSummary(
        metric="csat",
        scale_max=scale_max,
        n=int(x.size),
        score=share,
        ci_low=top_low,
        ci_high=top_high,
        mean=mean,
        mean_ci_low=mean_low,
        mean_ci_high=mean_high,
        top_count=top,
        top_share=share,
        top_ci_low=top_low,
        top_ci_high=top_high,
    )


def ces_easy_threshold(scale_max: int) -> int:
    """Lowest answer counted as easy: the top 3 boxes of a 7-point scale, the top 2 of shorter ones."""
    return scale_max - 2 if scale_max >= 7 else scale_max - 1


def ces_summary(scores: npt.ArrayLike, scale_max: int = 7, confidence: float = 0.95) -> ScoreSummary:
    """Customer Effort Score (higher = easier) on 1..scale_max: mean with a t interval, and the easy share."""
    x = _clean(scores, 1, scale_max, "CES")
    top, share, top_low, top_high = _top_box(x, ces_easy_threshold(scale_max), confidence)
    mean, mean_low, mean_high = mean_interval(x, confidence)
    return ScoreSummary(
        metric="ces",
        scale_max=scale_max,
        n=int(x.size),
        score=mean,
        ci_low=mean_low,
        ci_high=mean_high,
        mean=mean,
        mean_ci_low=mean_low,
        mean_ci_high=mean_high,
        top_count=top,
        top_share=share,
        top_ci_low=top_low,
        top_ci_high=top_high,
    )
