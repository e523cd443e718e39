"""The rules that pick the breakdown explaining a stage's change (assistant.analysis.change), on
hand-made diagnoses: no store, no labelling."""

from __future__ import annotations

import pytest

from assistant.analysis.change import (
    EXPLAINS_CHANGE,
    NOT_EXPLAINED,
    ChangeShare,
    best_breakdown,
    change_target,
    restates_sentiment,
    share_of_change,
    wants_auto_segment,
)
from assistant.contracts.requests import DiagnoseOptions
from assistant.contracts.results import (
    Diagnosis,
    MixShift,
    SegmentShift,
    SegmentView,
    StageDiagnosis,
    StageMetrics,
)
from assistant.errors import JourneyError


def segment(name: str, n: tuple[int, int], rate: tuple[float, float], contribution: float) -> SegmentShift:
    return SegmentShift(
        segment=name,
        n_before=n[0],
        n_after=n[1],
        weight_before=None,
        weight_after=None,
        rate_before=rate[0],
        rate_after=rate[1],
        rate_effect=None,
        mix_effect=None,
        contribution=contribution,
    )


def shift(
    segments: list[SegmentShift], change: float = 0.2, mix_dominates: bool = False, mix_fraction: float = 0.0
) -> MixShift:
    return MixShift(
        rate_before=0.1,
        rate_after=0.1 + change,
        change=change,
        rate_effect=None,
        mix_effect=None,
        mix_fraction=mix_fraction,
        material=True,
        mix_dominates=mix_dominates,
        segments=segments,
    )


def diagnosis(
    mix: MixShift | None,
    views: dict[str, tuple[int, int]] | None = None,
    ranking: list[str] | None = None,
    segment_by: str | None = "version",
) -> Diagnosis:
    """A diagnosis with one stage, Checkout, and per value of the breakdown (rows, negative rows)."""
    views = views if views is not None else {"1": (200, 40), "2": (200, 60)}
    # Only the fields the rules read: model_construct skips the others (and their validation).
    return Diagnosis.model_construct(  # type: ignore[call-arg]
        stages=[StageDiagnosis.model_construct(stage="Checkout", mix_shift=mix)],  # type: ignore[call-arg]
        ranking=["Checkout"] if ranking is None else ranking,
        segment_by=segment_by,
        segments={
            value: SegmentView.model_construct(  # type: ignore[call-arg]
                stages=[StageMetrics.model_construct(n=n, negative=k)]  # type: ignore[call-arg]
            )
            for value, (n, k) in views.items()
        },
    )


WORSE = [segment("1", (100, 100), (0.1, 0.1), 0.0), segment("2", (100, 100), (0.1, 0.5), 0.2)]


def test_one_value_getting_worse_beyond_noise_carries_the_change() -> None:
    assert share_of_change(diagnosis(shift(WORSE)), "Checkout") == ChangeShare(False, 1.0)


def test_a_value_whose_change_is_noise_explains_nothing() -> None:
    noisy = [segment("1", (10, 10), (0.1, 0.1), 0.0), segment("2", (10, 10), (0.1, 0.2), 0.05)]
    assert share_of_change(diagnosis(shift(noisy, change=0.05)), "Checkout") == NOT_EXPLAINED


def test_a_shift_in_who_answered_comes_first() -> None:
    mixed = diagnosis(shift(WORSE, mix_dominates=True, mix_fraction=0.8))
    assert share_of_change(mixed, "Checkout") == ChangeShare(True, 0.8)
    assert ChangeShare(True, 0.6) > ChangeShare(False, 1.0)


@pytest.mark.parametrize(
    "mix",
    [
        None,
        shift(WORSE, change=0.0),
        shift(WORSE).model_copy(update={"material": False}),
        shift([segment("1", (100, 100), (0.1, 0.5), 0.2), segment("2", (0, 0), (0.0, 0.0), 0.0)]),
    ],
    ids=["no shift", "no change", "not material", "one value"],
)
def test_nothing_to_explain(mix: MixShift | None) -> None:
    assert share_of_change(diagnosis(mix), "Checkout") == NOT_EXPLAINED


def test_a_column_restating_sentiment_explains_nothing() -> None:
    restating = diagnosis(shift(WORSE), views={"neg": (100, 100), "pos": (300, 0)})
    assert restates_sentiment(restating)
    assert share_of_change(restating, "Checkout") == NOT_EXPLAINED
    assert not restates_sentiment(diagnosis(shift(WORSE)))


def test_the_best_breakdown_is_chosen_and_the_plain_one_otherwise() -> None:
    plain = diagnosis(None, segment_by=None)
    weak = diagnosis(shift([*WORSE[:1], segment("2", (100, 100), (0.1, 0.5), 0.2 * EXPLAINS_CHANGE / 2)]))
    value = diagnosis(shift(WORSE), segment_by="version")
    mix = diagnosis(shift(WORSE, mix_dominates=True, mix_fraction=0.6), segment_by="region")
    assert best_breakdown(plain, [weak], "Checkout") is plain
    assert best_breakdown(plain, [value, mix], "Checkout") is mix
    assert best_breakdown(plain, [mix, value], "Checkout") is mix
    assert best_breakdown(plain, [], "Checkout") is plain


def test_candidates_are_computed_in_order_and_all_looked_at() -> None:
    seen: list[str] = []

    def candidates() -> object:
        for column in ("region", "version"):
            seen.append(column)
            yield diagnosis(shift(WORSE), segment_by=column)

    best = best_breakdown(diagnosis(None), candidates(), "Checkout")  # type: ignore[arg-type]
    assert seen == ["region", "version"] and best.segment_by == "region"  # a tie keeps the first


def test_the_target_is_the_stage_asked_else_the_worst() -> None:
    d = diagnosis(None, ranking=["Delivery", "Checkout"])
    assert change_target(d, "Checkout") == "Checkout"
    assert change_target(d) == "Delivery"
    assert change_target(diagnosis(None, ranking=[])) is None


def test_auto_breakdown_only_for_a_comparison_with_the_previous_period() -> None:
    assert not wants_auto_segment(DiagnoseOptions(segment_by="region"))
    assert wants_auto_segment(DiagnoseOptions(segment_by="auto", compare_to="previous"))
    with pytest.raises(JourneyError, match="compare_to 'previous'"):
        wants_auto_segment(DiagnoseOptions(segment_by="auto"))
