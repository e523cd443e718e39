"""Statistics for journey diagnosis: intervals, two-group tests, survey scores, mix shift and trends.

The public entry point; the implementations live in `stats_core` (proportions and tests) and `stats_shift`
(mix shift, trends, gap contributions). NPS, CSAT and CES are computed once, from the counts and sums SQL
hands back, in `rating_metrics`, with the cut-offs of `survey_scales`. Every function is pure, and
every result dataclass has a `to_dict()` that `json.dumps` accepts (NaN and infinities become None).
"""

from __future__ import annotations

from journey_tools.stats_core import (
    MIN_EXPECTED,
    MIN_N,
    ProportionComparison,
    adjust_pvalues,
    compare_proportions,
    mean_interval,
    wilson_interval,
)
from journey_tools.stats_shift import (
    MATERIAL_CHANGE,
    GapContribution,
    MixShift,
    PeriodPoint,
    SegmentContribution,
    gap_contributions,
    mix_shift,
    trend_by_period,
)

__all__ = [
    "MATERIAL_CHANGE",
    "MIN_EXPECTED",
    "MIN_N",
    "GapContribution",
    "MixShift",
    "PeriodPoint",
    "ProportionComparison",
    "SegmentContribution",
    "adjust_pvalues",
    "compare_proportions",
    "gap_contributions",
    "mean_interval",
    "mix_shift",
    "trend_by_period",
    "wilson_interval",
]
