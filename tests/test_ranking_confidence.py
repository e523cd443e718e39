"""Known answers for the ranking-confidence bootstrap (tools/journey_tools/ranking_confidence.py)."""

from __future__ import annotations

from journey_tools.ranking_confidence import Group, ranking_stability

STAGES = ["A", "B", "C"]


def groups(neg: dict[str, int], n: dict[str, int], confidence: float = 1.0) -> list[Group]:
    out = []
    for i, s in enumerate(STAGES):
        out.append(Group(i, True, confidence, neg[s]))
        out.append(Group(i, False, confidence, n[s] - neg[s]))
    return out


def test_two_equal_stages_are_within_noise() -> None:
    g = groups({"A": 40, "B": 40, "C": 10}, {"A": 100, "B": 100, "C": 100})
    st = ranking_stability(g, STAGES, ["A", "B", "C"])
    assert st.within_noise is True
    assert 0.3 < (st.top_stays_top or 0) < 0.7


def test_a_clearly_worse_stage_is_not_within_noise() -> None:
    g = groups({"A": 70, "B": 30, "C": 10}, {"A": 100, "B": 100, "C": 100})
    st = ranking_stability(g, STAGES, ["A", "B", "C"])
    assert st.within_noise is False and (st.top_stays_top or 0) > 0.99


def test_low_assignment_confidence_makes_a_moderate_lead_uncertain() -> None:
    neg, n = {"A": 55, "B": 40, "C": 10}, {"A": 100, "B": 100, "C": 100}
    sure = ranking_stability(groups(neg, n, 1.0), STAGES, ["A", "B", "C"])
    unsure = ranking_stability(groups(neg, n, 0.35), STAGES, ["A", "B", "C"])
    assert (unsure.top_stays_top or 0) < (sure.top_stays_top or 0)
    assert unsure.low_confidence_rows == 300 and sure.low_confidence_rows == 0


def test_unassigned_rows_are_counted_and_one_stage_is_no_ranking() -> None:
    g = [Group(-1, True, 0.0, 7), Group(0, True, 1.0, 5)]
    st = ranking_stability(g, STAGES, ["A"])
    assert st.unassigned_rows == 7 and st.within_noise is None
