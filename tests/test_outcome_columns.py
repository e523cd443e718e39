"""Whether a breakdown column restates the outcome, measured against the base rate (not purity), at
3 %, 10 % and 50 % negative rows: a relabelled sentiment restates it at every rate; a column that really
separates negatives (a version with several times the complaints) and one that does not never do."""

from __future__ import annotations

import pytest

from assistant.analysis.outcome_columns import outcome_information, restates_outcome

ROWS = 2000


def table(shares: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """(share of the rows, negative share within them) per value → (rows, negative rows)."""
    return [(round(ROWS * w), round(ROWS * w * p)) for w, p in shares]


def purity(values: list[tuple[int, int]]) -> float:
    """The old measure: share of rows in their value's majority class."""
    return sum(max(k, n - k) for n, k in values) / sum(n for n, _ in values)


# base rate → (relabelled sentiment, a column that really separates negatives, one that does not)
FIXTURES = {
    0.03: (
        [(0.03, 1.0), (0.97, 0.0)],
        [(0.5, 0.055), (0.5, 0.005)],  # version 2 has eleven times the complaints of version 1
        [(0.5, 0.03), (0.3, 0.03), (0.2, 0.03)],  # three regions, equally unhappy
    ),
    0.10: (
        [(0.10, 1.0), (0.60, 0.0), (0.30, 0.0)],  # negative / neutral / positive labels
        [(0.25, 0.28), (0.75, 0.04)],
        [(0.5, 0.10), (0.5, 0.10)],
    ),
    0.50: (
        [(0.49, 1.0), (0.02, 0.5), (0.49, 0.0)],  # a few rows with no label ("-")
        [(0.5, 0.70), (0.5, 0.30)],
        [(0.4, 0.5), (0.6, 0.5)],
    ),
}


@pytest.mark.parametrize("base", sorted(FIXTURES))
def test_restating_separating_and_unrelated_columns_at_each_base_rate(base: float) -> None:
    restating, separating, unrelated = (table(t) for t in FIXTURES[base])
    for values in (restating, separating, unrelated):
        info = outcome_information(values)
        assert info.base_rate == pytest.approx(base, abs=0.006)
    label = outcome_information(restating)
    assert label.restates and label.uncertainty_coefficient >= 0.95
    real = outcome_information(separating)
    assert not real.restates and real.p_value < 0.001  # it separates negatives, beyond noise
    assert 0.0 < real.uncertainty_coefficient < 0.3
    none = outcome_information(unrelated)
    assert not none.restates and none.p_value > 0.5 and none.uncertainty_coefficient < 0.01


def test_purity_could_not_tell_at_a_low_base_rate() -> None:
    _, separating, unrelated = (table(t) for t in FIXTURES[0.03])
    # The old rule (purity >= 0.9) rejected every column of a store with 3 % negative rows.
    assert purity(separating) >= 0.9 and purity(unrelated) >= 0.9
    assert not restates_outcome(separating) and not restates_outcome(unrelated)


def test_a_strong_cause_concentrated_in_a_small_segment_is_not_a_restatement() -> None:
    # 8 % of the rows (one app build) with 30 % negative, against 0.5 % elsewhere: base rate 2.9 %.
    info = outcome_information(table([(0.08, 0.30), (0.92, 0.005)]))
    assert info.base_rate == pytest.approx(0.029, abs=0.001)
    assert 0.35 < info.uncertainty_coefficient < 0.5 and not info.restates


def test_a_score_column_restates_the_sentiment_made_from_it() -> None:
    # CSAT 1-5 where 1-2 are negative: every value is all or nothing.
    stars = [(60, 60), (40, 40), (300, 0), (800, 0), (800, 0)]
    assert restates_outcome(stars)


@pytest.mark.parametrize(
    "values",
    [[], [(0, 0)], [(100, 0), (50, 0)], [(100, 100)], [(10, 3)]],
    ids=["nothing", "no-rows", "no-negatives", "all-negative", "one-value"],
)
def test_nothing_to_measure_is_never_a_restatement(values: list[tuple[int, int]]) -> None:
    info = outcome_information(values)
    assert not info.restates and info.uncertainty_coefficient == 0.0 and info.p_value == 1.0
