"""Which stage an answer is about and which stages are too thin (assistant.analysis.stage_focus)."""

from __future__ import annotations

import pytest

from assistant.analysis.stage_focus import (
    check_stages,
    focus_stage,
    is_moment_of_truth,
    map_description,
    thin_stages,
)
from assistant.contracts.results import Diagnosis, StageDiagnosis
from assistant.domain import map_from_data
from assistant.errors import JourneyError
from journey_tools.stats import MIN_N

JOURNEY = map_from_data(
    {
        "title": "Shop",
        "stages": [
            {"name": "Browse", "description": "finding a product"},
            {"name": "Checkout", "steps": [{"action": "Pay", "moment_of_truth": {"is_moment": True}}]},
            {"name": "Delivery"},
        ],
    }
)


def diagnosis(rows: dict[str, int], ranking: list[str]) -> Diagnosis:
    return Diagnosis.model_construct(  # type: ignore[call-arg]
        stages=[StageDiagnosis.model_construct(stage=s, n=n) for s, n in rows.items()],  # type: ignore[call-arg]
        ranking=ranking,
    )


def test_the_stage_asked_else_the_worst() -> None:
    d = diagnosis({"Browse": 50, "Checkout": 80}, ["Checkout", "Browse"])
    assert focus_stage(d, "Browse") == "Browse"
    assert focus_stage(d) == "Checkout"
    assert focus_stage(diagnosis({}, [])) is None


def test_thin_stages_in_the_order_given() -> None:
    d = diagnosis({"Browse": MIN_N - 1, "Checkout": MIN_N, "Delivery": 0}, [])
    assert thin_stages(JOURNEY.stage_names, d) == ["Browse", "Delivery"]
    assert thin_stages(["delivery", "Returns"], d) == ["delivery"]  # unknown names are left out


def test_stages_asked_must_be_the_maps() -> None:
    check_stages(["checkout", "Browse"], JOURNEY.stage_names)
    with pytest.raises(JourneyError, match="no stage 'Returns'; its stages are Browse, Checkout, Delivery"):
        check_stages(["Browse", "Returns"], JOURNEY.stage_names)


def test_moments_of_truth_and_what_the_map_is_about() -> None:
    assert is_moment_of_truth(JOURNEY, "Checkout") and not is_moment_of_truth(JOURNEY, "Browse")
    assert map_description(JOURNEY).startswith("Shop Browse finding a product Checkout")
