"""Change over time and what explains a gap: mix-shift decomposition, period trends, gap contributions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from journey_tools.stats_core import JsonDataclass, wilson_interval

MATERIAL_CHANGE = 0.01
"""A change in negative share smaller than one percentage point is not worth explaining."""

Freq = Literal["month", "quarter", "week"]


@dataclass(frozen=True)
class SegmentContribution(JsonDataclass):
    segment: str
    n_before: int
    n_after: int
    weight_before: float
    weight_after: float
    rate_before: float
    """NaN (None in to_dict) when the segment had no rows before."""
    rate_after: float
    rate_effect: float
    """Part of the overall change due to this segment's own negative share moving."""
    mix_effect: float
    """Part due to this segment's weight moving, measured against the average rate: growth of a segment
    worse than average counts as positive."""
    contribution: float


@dataclass(frozen=True)
class MixShift(JsonDataclass):
    """Kitagawa decomposition: change = rate_effect + mix_effect (exactly)."""

    rate_before: float
    rate_after: float
    change: float
    rate_effect: float
    mix_effect: float
    mix_fraction: float
    """mix_effect / change (NaN when nothing changed)."""
    material: bool
    mix_dominates: bool
    """True when the change is material and the mix effect explains more than half of it."""
    segments: tuple[SegmentContribution, ...]


def mix_shift(
    before: Mapping[str, tuple[int, int]],
    after: Mapping[str, tuple[int, int]],
    min_change: float = MATERIAL_CHANGE,
) -> MixShift:
    """Split the change in overall negative share between two periods into a rate and a mix effect.

    Each mapping gives segment value -> (negative count, n). With weights w (segment share of rows) and
    rates r, per segment: rate effect = (r2 - r1)(w1 + w2)/2 and mix effect = (w2 - w1)(r1 + r2)/2, which
    add up exactly to w2 r2 - w1 r1. A segment seen in only one period has no rate change to observe, so
    its missing rate is taken equal to the observed one: its whole contribution is mix (it arrived or left).
    """
    keys = list(dict.fromkeys([*before, *after]))
    zero = (0, 0)
    k1 = np.array([before.get(s, zero)[0] for s in keys], dtype=np.float64)
    n1 = np.array([before.get(s, zero)[1] for s in keys], dtype=np.float64)
    k2 = np.array([after.get(s, zero)[0] for s in keys], dtype=np.float64)
    n2 = np.array([after.get(s, zero)[1] for s in keys], dtype=np.float64)
    if np.any(k1 < 0) or np.any(k2 < 0) or np.any(k1 > n1) or np.any(k2 > n2):
        raise ValueError("mix_shift needs 0 <= negative <= n for every segment")
    if n1.sum() == 0 or n2.sum() == 0:
        raise ValueError("mix_shift needs rows in both periods")
    w1, w2 = n1 / n1.sum(), n2 / n2.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        r1_obs, r2_obs = k1 / n1, k2 / n2
    r1 = np.where(n1 > 0, r1_obs, r2_obs)
    r2 = np.where(n2 > 0, r2_obs, r1_obs)
    rate_before, rate_after = float(k1.sum() / n1.sum()), float(k2.sum() / n2.sum())
    change = rate_after - rate_before
    rate_eff = (r2 - r1) * (w1 + w2) / 2
    # Centring on the average rate leaves the total untouched (weights change sums to 0) but makes each
    # segment's mix term say whether it pulled the overall share up (weak segment grew) or down.
    centre = (rate_before + rate_after) / 2
    mix_eff = (w2 - w1) * ((r1 + r2) / 2 - centre)
    rate_total, mix_total = float(rate_eff.sum()), float(mix_eff.sum())
    material = abs(change) >= min_change
    fraction = mix_total / change if change != 0 else math.nan
    segments = [
        SegmentContribution(
            segment=str(s),
            n_before=int(n1[i]),
            n_after=int(n2[i]),
            weight_before=float(w1[i]),
            weight_after=float(w2[i]),
            rate_before=float(r1_obs[i]) if n1[i] > 0 else math.nan,
            rate_after=float(r2_obs[i]) if n2[i] > 0 else math.nan,
            rate_effect=float(rate_eff[i]),
            mix_effect=float(mix_eff[i]),
            contribution=float(rate_eff[i] + mix_eff[i]),
        )
        for i, s in enumerate(keys)
    ]
    segments.sort(key=lambda c: -abs(c.contribution))
    return MixShift(
        rate_before=rate_before,
        rate_after=rate_after,
        change=change,
        rate_effect=rate_total,
        mix_effect=mix_total,
        mix_fraction=fraction,
        material=material,
        mix_dominates=bool(material and fraction > 0.5),
        segments=tuple(segments),
    )


@dataclass(frozen=True)
class PeriodPoint(JsonDataclass):
    period: str
    """"2026-03" (month), "2026-Q1" (quarter) or "2026-W09" (ISO week)."""
    start: str
    """First day of the period, ISO date."""
    n: int
    negative: int
    share: float
    ci_low: float
    ci_high: float


def _period_keys(days: npt.NDArray[np.int64], freq: Freq) -> npt.NDArray[np.int64]:
    """An integer per row that sorts chronologically: months since 1970, quarters since 1970, or Mondays."""
    if freq == "week":
        # 1970-01-01 was a Thursday, so (days + 3) % 7 is 0 on Mondays.
        return days - (days + 3) % 7
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months if freq == "month" else months // 3


def _label(key: int, freq: Freq) -> tuple[str, str]:
    if freq == "month":
        month = np.datetime64(key, "M")
        return str(month), str(month.astype("datetime64[D]"))
    if freq == "quarter":
        year, q = 1970 + key // 4, key % 4
        return f"{year}-Q{q + 1}", str(np.datetime64(key * 3, "M").astype("datetime64[D]"))
    monday = np.datetime64(key, "D")
    thursday = monday + np.timedelta64(3, "D")
    iso_year = thursday.astype("datetime64[Y]")
    week = (thursday - iso_year.astype("datetime64[D]")).astype(int) // 7 + 1
    return f"{iso_year}-W{week:02d}", str(monday)


def trend_by_period(
    dates: npt.ArrayLike, negative: npt.ArrayLike, freq: Freq = "month", confidence: float = 0.95
) -> list[PeriodPoint]:
    """Negative share per calendar period, oldest first, each with a Wilson interval.

    Rows without a date (NaT) are left out; periods with no rows are not listed.
    """
    if freq not in ("month", "quarter", "week"):
        raise ValueError(f"freq must be month, quarter or week, got {freq!r}")
    d = np.asarray(dates)
    if d.dtype.kind != "M":
        d = d.astype("datetime64[s]")
    neg = np.asarray(negative, dtype=bool)
    if d.shape != neg.shape:
        raise ValueError("dates and negative must have the same length")
    keep = ~np.isnat(d)
    days = d[keep].astype("datetime64[D]").astype(np.int64)
    if days.size == 0:
        return []
    keys, inverse = np.unique(_period_keys(days, freq), return_inverse=True)
    n = np.bincount(inverse, minlength=keys.size)
    k = np.bincount(inverse, weights=neg[keep], minlength=keys.size).astype(np.int64)
    low, high = wilson_interval(k, n, confidence)
    points = []
    for i, key in enumerate(keys.tolist()):
        label, start = _label(int(key), freq)
        points.append(
            PeriodPoint(
                period=label,
                start=start,
                n=int(n[i]),
                negative=int(k[i]),
                share=float(k[i] / n[i]),
                ci_low=float(low[i]),
                ci_high=float(high[i]),
            )
        )
    return points


class GapContribution(NamedTuple):
    key: str
    excess_negatives: float
    share_of_gap: float


def gap_contributions(
    stage_counts: Mapping[str, tuple[int, int]], rest_share: float
) -> list[GapContribution]:
    """Which themes or segments of a stage hold its excess negatives over the rest's rate.

    For each key: excess = k - n * rest_share, the negatives beyond what the rest's rate would predict.
    Only keys with a positive excess are returned, largest first; share_of_gap divides by the sum of the
    positive excesses, so the shares add up to 1 across the returned keys.
    """
    if not 0.0 <= rest_share <= 1.0:
        raise ValueError(f"rest_share must be between 0 and 1, got {rest_share}")
    items = [(str(key), float(k) - float(n) * rest_share) for key, (k, n) in stage_counts.items()]
    positive = [(key, e) for key, e in items if e > 0]
    total = sum(e for _, e in positive)
    positive.sort(key=lambda item: (-item[1], item[0]))
    return [GapContribution(key, e, e / total) for key, e in positive]
