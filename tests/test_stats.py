"""Known-answer tests for the diagnosis statistics (tools/journey_tools/stats.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from journey_tools.rating_metrics import ces_from_counts, csat_from_counts, nps_from_counts, nps_interval
from journey_tools.stats import (
    MIN_N,
    adjust_pvalues,
    compare_proportions,
    gap_contributions,
    mean_interval,
    mix_shift,
    trend_by_period,
    wilson_interval,
)
from journey_tools.survey_scales import ces_easy_min, csat_satisfied_min


def _strict_json(obj: object) -> str:
    """What a `--json` consumer would do: refuse NaN and infinities."""
    return json.dumps(obj, allow_nan=False)


def _wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# --- Wilson interval -------------------------------------------------------------------------------


def test_wilson_matches_textbook_values() -> None:
    low, high = wilson_interval(8, 20)
    assert (round(low, 3), round(high, 3)) == (0.219, 0.613)
    # Newcombe (1998), Table I, score method without continuity correction.
    assert wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson_interval(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    assert wilson_interval(0, 20) == pytest.approx((0.0, 0.1611), abs=1e-4)
    assert wilson_interval(37, 91) == pytest.approx(_wilson_by_hand(37, 91), abs=1e-12)


def test_wilson_widens_with_confidence_and_returns_floats_for_scalars() -> None:
    l90, h90 = wilson_interval(8, 20, confidence=0.90)
    l99, h99 = wilson_interval(8, 20, confidence=0.99)
    assert isinstance(l90, float) and isinstance(h90, float)
    assert l99 < l90 < 0.4 < h90 < h99


def test_wilson_with_no_rows_is_fully_uncertain() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(np.array([0, 3, 0]), np.array([0, 10, 5]))
    assert (low[0], high[0]) == (0.0, 1.0)
    assert not np.isnan(low).any() and not np.isnan(high).any()


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(5, 4)
    with pytest.raises(ValueError):
        wilson_interval(np.array([1, -1]), np.array([2, 2]))


def test_wilson_works_on_large_arrays_element_by_element() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(0, 5_000, size=100_000)
    k = rng.binomial(n, 0.2)
    low, high = wilson_interval(k, n)
    assert low.shape == high.shape == (100_000,)
    share = np.divide(k, n, out=np.full(n.shape, 0.5), where=n > 0)
    assert np.all(low <= share + 1e-12) and np.all(share <= high + 1e-12)
    assert np.all((low >= 0) & (high <= 1))
    for i in (0, 1, 99_999):
        assert (low[i], high[i]) == pytest.approx(wilson_interval(int(k[i]), int(n[i])))


# --- Two-proportion comparison ---------------------------------------------------------------------


def test_worse_by_construction_is_significant_with_interval_above_zero() -> None:
    cmp = compare_proportions(60, 200, 30, 400)
    assert cmp.share1 == pytest.approx(0.30) and cmp.share2 == pytest.approx(0.075)
    assert cmp.difference == pytest.approx(0.225)
    assert cmp.p_value < 0.05
    assert 0 < cmp.ci_low < cmp.difference < cmp.ci_high
    assert cmp.risk_ratio == pytest.approx(4.0)
    assert cmp.cohens_h == pytest.approx(2 * math.asin(math.sqrt(0.3)) - 2 * math.asin(math.sqrt(0.075)))
    assert cmp.z > 0
    assert not cmp.small_sample
    assert (cmp.n1, cmp.n2) == (200, 400)


def test_equal_shares_are_not_flagged() -> None:
    cmp = compare_proportions(40, 200, 80, 400)
    assert cmp.difference == pytest.approx(0.0)
    assert cmp.p_value > 0.5
    assert cmp.ci_low < 0 < cmp.ci_high
    assert cmp.risk_ratio == pytest.approx(1.0)


def test_swapping_groups_flips_the_sign_only() -> None:
    a = compare_proportions(25, 120, 40, 300)
    b = compare_proportions(40, 300, 25, 120)
    assert a.difference == pytest.approx(-b.difference)
    assert a.p_value == pytest.approx(b.p_value)
    assert (a.ci_low, a.ci_high) == pytest.approx((-b.ci_high, -b.ci_low))


def test_small_samples_are_flagged() -> None:
    assert compare_proportions(3, MIN_N - 1, 30, 100).small_sample
    # Enough rows, but too few expected negatives for the normal approximation.
    assert compare_proportions(2, 100, 3, 200).small_sample
    assert not compare_proportions(20, MIN_N, 30, 100).small_sample


def test_degenerate_and_empty_groups_give_json_ready_results() -> None:
    none_negative = compare_proportions(0, 200, 0, 400)
    assert none_negative.p_value == 1.0 and none_negative.z == 0.0
    assert none_negative.to_dict()["risk_ratio"] is None
    _strict_json(none_negative.to_dict())

    empty = compare_proportions(3, 10, 0, 0)
    d = empty.to_dict()
    assert d["p_value"] == 1.0 and d["share2"] is None and d["difference"] is None
    assert d["small_sample"] is True
    _strict_json(d)

    only_first = compare_proportions(5, 50, 0, 50)
    assert only_first.to_dict()["risk_ratio"] is None  # infinite ratio is not JSON
    assert only_first.p_value < 0.05


def test_to_dict_holds_plain_python_values() -> None:
    d = compare_proportions(60, 200, 30, 400).to_dict()
    assert set(d) >= {"share1", "share2", "difference", "ci_low", "ci_high", "risk_ratio", "cohens_h"}
    assert set(d) >= {"z", "p_value", "small_sample", "n1", "n2"}
    assert all(type(v) in (float, int, bool) for v in d.values())


# --- Multiple testing ------------------------------------------------------------------------------


def test_benjamini_hochberg_known_values_in_input_order() -> None:
    assert adjust_pvalues([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    assert adjust_pvalues([0.01, 0.04], method="bonferroni") == pytest.approx([0.02, 0.08])
    assert adjust_pvalues([]) == []
    adjusted = adjust_pvalues([0.02, float("nan"), 0.02])
    assert math.isnan(adjusted[1]) and adjusted[0] == pytest.approx(0.02)


# --- Survey scores ---------------------------------------------------------------------------------


def test_nps_of_a_known_distribution() -> None:
    s = nps_from_counts(100, promoters=50, detractors=20)
    assert s is not None and (s["n"], s["promoters"], s["passives"], s["detractors"]) == (100, 50, 30, 20)
    assert s["nps"] == pytest.approx(30.0)
    # Trinomial SE: sqrt((0.5 + 0.2 - 0.3^2) / 100) * 100 = 7.81; times 1.96 = 15.31.
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((14.7, 45.3))
    _strict_json(s)


def test_nps_interval_brackets_the_estimate_and_shrinks_with_more_answers() -> None:
    small = nps_interval(100, 50, 20)
    large = nps_interval(1000, 500, 200)
    assert small[0] == pytest.approx(large[0])
    for score, low, high in (small, large):
        assert low < score < high
    ratio = (large[2] - large[1]) / (small[2] - small[1])
    assert ratio == pytest.approx(1 / math.sqrt(10), rel=1e-6)


def test_nps_boundaries_and_no_answers() -> None:
    everyone_promotes = nps_from_counts(40, promoters=40, detractors=0)
    assert everyone_promotes is not None
    assert everyone_promotes["nps"] == 100.0 and everyone_promotes["ci_high"] <= 100.0
    balanced = nps_from_counts(3, promoters=1, detractors=1)
    assert balanced is not None and balanced["nps"] == pytest.approx(0.0)
    assert nps_from_counts(0, 0, 0) is None
    assert all(math.isnan(x) for x in nps_interval(0, 0, 0))


def test_csat_top_two_box_share_and_mean() -> None:
    scores = np.array([5, 4, 3, 2, 1, 5, 5])
    satisfied = int((scores >= csat_satisfied_min()).sum())
    s = csat_from_counts(len(scores), satisfied, float(scores.sum()), float((scores**2).sum()))
    assert s is not None and s["n"] == 7 and satisfied == 4
    assert s["satisfied_share"] == pytest.approx(4 / 7, abs=1e-4)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx(wilson_interval(4, 7), abs=1e-4)
    assert s["mean"] == pytest.approx(scores.mean(), abs=1e-3)
    expected = sps.t.interval(0.95, 6, loc=scores.mean(), scale=sps.sem(scores))
    assert (s["mean_ci_low"], s["mean_ci_high"]) == pytest.approx(expected, abs=1e-3)
    assert csat_satisfied_min(10) == 9  # top two boxes of a ten-point scale: 9 and 10
    assert csat_from_counts(0, 0, 0.0, 0.0) is None
    _strict_json(s)


def test_ces_mean_and_easy_share_on_seven_and_five_point_scales() -> None:
    scores = np.array([7, 6, 5, 4, 1])
    easy = int((scores >= ces_easy_min()).sum())
    s7 = ces_from_counts(len(scores), easy, float(scores.sum()), float((scores**2).sum()))
    assert easy == 3  # 5, 6 and 7 count as easy
    assert s7 is not None and s7["mean"] == pytest.approx(4.6) and s7["easy_share"] == pytest.approx(0.6)
    assert s7["ci_low"] < 4.6 < s7["ci_high"]
    assert ces_easy_min(5) == 4  # 4 and 5 count as easy on a five-point scale
    one = ces_from_counts(1, 1, 6.0, 36.0)
    assert one is not None and one["mean"] == 6.0 and one["ci_low"] is None  # no interval from one answer


def test_mean_interval_known_values_and_edges() -> None:
    mean, low, high = mean_interval([1, 2, 3, 4, 5])
    assert mean == 3.0
    assert (low, high) == pytest.approx((1.0368, 4.9632), abs=1e-4)
    assert all(math.isnan(v) for v in mean_interval([]))
    one = mean_interval([4.0])
    assert one[0] == 4.0 and math.isnan(one[1])
    assert mean_interval([2, 2, 2]) == (2.0, 2.0, 2.0)
    assert mean_interval([1, float("nan"), 3])[0] == 2.0


# --- Mix shift -------------------------------------------------------------------------------------


def test_pure_composition_change_is_all_mix() -> None:
    # Mobile is always 40% negative and web 10%; only the share of mobile customers grew.
    before = {"web": (40, 400), "mobile": (40, 100)}
    after = {"web": (10, 100), "mobile": (160, 400)}
    shift = mix_shift(before, after)
    assert shift.rate_before == pytest.approx(0.16) and shift.rate_after == pytest.approx(0.34)
    assert shift.rate_effect == pytest.approx(0.0, abs=1e-12)
    assert shift.mix_effect == pytest.approx(0.18)
    assert shift.mix_dominates and shift.material
    _strict_json(shift.to_dict())


def test_pure_rate_change_is_all_rate() -> None:
    before = {"web": (20, 200), "mobile": (20, 100)}
    after = {"web": (40, 200), "mobile": (30, 100)}
    shift = mix_shift(before, after)
    assert shift.mix_effect == pytest.approx(0.0, abs=1e-12)
    assert shift.rate_effect == pytest.approx(shift.change)
    assert not shift.mix_dominates
    # Web moved 10 points on two thirds of the weight, mobile 10 points on one third.
    assert [c.segment for c in shift.segments] == ["web", "mobile"]
    assert shift.segments[0].rate_effect == pytest.approx(2 / 3 * 0.10)


def test_segment_present_in_one_period_only() -> None:
    before = {"web": (20, 200)}
    after = {"web": (20, 200), "kiosk": (50, 100)}
    shift = mix_shift(before, after)
    assert shift.rate_effect + shift.mix_effect == pytest.approx(shift.change)
    assert shift.mix_dominates  # the new weak kiosk segment, not web, moved the overall share
    kiosk = next(c for c in shift.segments if c.segment == "kiosk")
    assert kiosk.to_dict()["rate_before"] is None and kiosk.n_before == 0
    assert kiosk.rate_effect == 0.0


def test_tiny_change_is_not_material() -> None:
    shift = mix_shift({"a": (100, 1000), "b": (300, 1000)}, {"a": (101, 1010), "b": (300, 1000)})
    assert not shift.material and not shift.mix_dominates


def test_mix_shift_needs_rows_in_both_periods() -> None:
    with pytest.raises(ValueError):
        mix_shift({}, {"a": (1, 2)})
    with pytest.raises(ValueError):
        mix_shift({"a": (3, 2)}, {"a": (1, 2)})


def test_rate_plus_mix_always_equals_the_change() -> None:
    rng = np.random.default_rng(2026)
    for _ in range(300):
        segments = [f"s{i}" for i in range(rng.integers(1, 7))]
        periods = []
        for _period in range(2):
            counts = {}
            for s in segments:
                if rng.random() < 0.15:
                    continue  # absent from this period
                n = int(rng.integers(1, 500))
                counts[s] = (int(rng.integers(0, n + 1)), n)
            periods.append(counts or {"s0": (1, 3)})
        shift = mix_shift(periods[0], periods[1])
        assert shift.rate_effect + shift.mix_effect == pytest.approx(shift.change, abs=1e-12)
        assert sum(c.contribution for c in shift.segments) == pytest.approx(shift.change, abs=1e-12)
        sizes = [abs(c.contribution) for c in shift.segments]
        assert sizes == sorted(sizes, reverse=True)


# --- Trend by period -------------------------------------------------------------------------------


def test_trend_by_quarter_counts_and_labels() -> None:
    dates = np.array(
        ["2025-11-30", "2026-01-15", "2026-02-01", "2026-03-31", "2026-04-01", "NaT"], dtype="datetime64[D]"
    )
    negative = np.array([True, True, False, False, True, True])
    points = trend_by_period(dates, negative, "quarter")
    assert [p.period for p in points] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert [(p.n, p.negative) for p in points] == [(1, 1), (3, 1), (1, 1)]
    q1 = points[1]
    assert q1.start == "2026-01-01"
    assert q1.share == pytest.approx(1 / 3)
    assert (q1.ci_low, q1.ci_high) == pytest.approx(wilson_interval(1, 3))
    _strict_json([p.to_dict() for p in points])


def test_trend_by_month_and_iso_week() -> None:
    dates = np.array(
        ["2025-12-31T23:00", "2026-01-01T08:00", "2026-01-05", "2026-03-02"], dtype="datetime64[m]"
    )
    negative = [False, True, True, False]
    months = trend_by_period(dates, negative, "month")
    assert [(p.period, p.n) for p in months] == [("2025-12", 1), ("2026-01", 2), ("2026-03", 1)]
    weeks = trend_by_period(dates, negative, "week")
    # 31 Dec 2025 and 1 Jan 2026 fall in ISO week 1 of 2026, which starts on Monday 29 Dec 2025.
    assert [(p.period, p.start, p.n) for p in weeks] == [
        ("2026-W01", "2025-12-29", 2),
        ("2026-W02", "2026-01-05", 1),
        ("2026-W10", "2026-03-02", 1),
    ]


def test_trend_on_many_rows_and_on_none() -> None:
    rng = np.random.default_rng(3)
    days = rng.integers(0, 730, size=200_000)
    dates = np.datetime64("2025-01-01") + days.astype("timedelta64[D]")
    negative = rng.random(200_000) < 0.25
    points = trend_by_period(dates, negative, "month")
    assert len(points) == 24
    assert sum(p.n for p in points) == 200_000
    assert sum(p.negative for p in points) == int(negative.sum())
    assert trend_by_period(np.array([], dtype="datetime64[D]"), np.array([], dtype=bool), "week") == []
    with pytest.raises(ValueError):
        trend_by_period(dates[:3], negative[:2], "month")


# --- Gap contributions -----------------------------------------------------------------------------


def test_gap_contributions_rank_positive_excess() -> None:
    # Rest of the journey is 10% negative. Mobile: 30 negatives of 100 where 10 were expected.
    counts = {"mobile": (30, 100), "web": (5, 100), "kiosk": (20, 50)}
    result = gap_contributions(counts, rest_share=0.10)
    assert [r.key for r in result] == ["mobile", "kiosk"]
    assert result[0].excess_negatives == pytest.approx(20.0)
    assert result[1].excess_negatives == pytest.approx(15.0)
    assert sum(r.share_of_gap for r in result) == pytest.approx(1.0)
    key, excess, share = result[0]
    assert (key, excess, share) == ("mobile", pytest.approx(20.0), pytest.approx(20 / 35))
    assert gap_contributions({"web": (5, 100)}, 0.10) == []
    with pytest.raises(ValueError):
        gap_contributions(counts, 1.5)
