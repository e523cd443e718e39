"""The survey scales the product reads, in one place: the SQL aggregates, the scores computed from their
counts (`rating_metrics`) and sentiment from a rating all use these cut-offs, so a change of definition
happens once."""

from __future__ import annotations

NPS_MAX = 10
NPS_PROMOTER_MIN = 9
"""9-10 recommend: promoters."""
NPS_DETRACTOR_MAX = 6
"""0-6: detractors; 7-8 are passives."""

CSAT_MAX = 5
CES_MAX = 7
"""CES is read with higher = easier."""


def csat_satisfied_min(scale_max: int = CSAT_MAX) -> int:
    """Satisfied = the top two boxes (4-5 on the usual 5-point scale)."""
    return scale_max - 1


def ces_easy_min(scale_max: int = CES_MAX) -> int:
    """Easy = the top three boxes of a 7-point scale (5-7), the top two of shorter ones."""
    return scale_max - 2 if scale_max >= 7 else scale_max - 1
