"""NPS, CSAT and CES summaries of raw survey scores, each with its interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from tools.rating_metrics import nps_interval
from tools.stats_core import JsonDataclass, mean_interval, wilson_interval
from tools.survey_scales import (
    CES_MAX,
    CSAT_MAX,
    NPS_DETRACTOR_MAX,
    NPS_MAX,
    NPS_PROMOTER_MIN,
    ces_easy_min,
    csat_satisfied_min,
)

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

    The interval is `rating_metrics.nps_interval`, the one the product computes from SQL counts.
    """
    x = _clean(scores, 0, NPS_MAX, "NPS")
    n = int(x.size)
    promoters = int(np.count_nonzero(x >= NPS_PROMOTER_MIN))
    detractors = int(np.count_nonzero(x <= NPS_DETRACTOR_MAX))
    mean, mean_low, mean_high = mean_interval(x, confidence)
    top, share, top_low, top_high = _top_box(x, NPS_PROMOTER_MIN, confidence)
    nps, low, high = nps_interval(n, promoters, detractors, confidence)
    return ScoreSummary(
        metric="nps",
        scale_max=NPS_MAX,
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


def csat_summary(scores: npt.ArrayLike, scale_max: int = CSAT_MAX, confidence: float = 0.95) -> ScoreSummary:
    """CSAT on a 1..scale_max scale: share in the top two boxes (Wilson interval) and the mean (t interval)."""
    x = _clean(scores, 1, scale_max, "CSAT")
    top, share, top_low, top_high = _top_box(x, csat_satisfied_min(scale_max), confidence)
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


ces_easy_threshold = ces_easy_min
"""Lowest answer counted as easy (kept under its older name for `tools.stats` users)."""


def ces_summary(scores: npt.ArrayLike, scale_max: int = CES_MAX, confidence: float = 0.95) -> ScoreSummary:
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
