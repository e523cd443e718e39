"""The journey domain model: minimal maps load, bad maps fail with the JSON path of the bad field."""

from __future__ import annotations

import json

import pytest

from assistant.domain import JourneyMap, map_from_data, map_warnings
from assistant.domain.schema import committed_schema_text, schema_text
from assistant.errors import MapValidationError

MINIMAL = {"title": "Loan application", "stages": [{"name": "Discover"}, {"name": "Apply"}]}


def test_minimal_hand_written_map_loads_with_defaults() -> None:
    journey = map_from_data(MINIMAL)
    assert journey.stage_names == ["Discover", "Apply"]
    assert journey.state == "current" and journey.version == 1 and journey.schema_version == "1.0"
    assert journey.stages[0].steps == []


def _paths(data: object) -> list[str]:
    with pytest.raises(MapValidationError) as info:
        map_from_data(data)
    return [p for p, _ in info.value.problems]


def test_unknown_key_is_rejected_with_its_path() -> None:
    data = json.loads(json.dumps(MINIMAL))
    data["stages"][1]["colour"] = "red"
    assert _paths(data) == ["$.stages[1].colour"]


def test_out_of_range_emotion_is_rejected_with_its_path() -> None:
    data = {"title": "t", "stages": [{"name": "a", "steps": [{"action": "x", "emotion": {"score": 3}}]}]}
    assert _paths(data) == ["$.stages[0].steps[0].emotion.score"]


def test_duplicate_stage_names_are_rejected() -> None:
    data = {"title": "t", "stages": [{"name": "Apply"}, {"name": "apply"}]}
    with pytest.raises(MapValidationError, match=r"duplicate stage name 'apply' at \$\.stages\[1\]"):
        map_from_data(data)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"title": "t", "stages": [{"name": f"s{i}"} for i in range(31)]}, "$.stages"),
        ({"title": "t", "stages": [{"name": "a", "steps": [{"action": "x"}] * 61}]}, "$.stages[0].steps"),
        ({"title": "t", "stages": [{"name": "a", "description": "x" * 5001}]}, "$.stages[0].description"),
        ({"title": "t", "stages": []}, "$.stages"),
    ],
)
def test_absurd_sizes_are_rejected(data: object, path: str) -> None:
    assert path in _paths(data)


def test_more_than_three_personas_warns_but_loads() -> None:
    data = dict(MINIMAL, personas=[{"name": f"P{i}"} for i in range(4)])
    journey = map_from_data(data)
    assert any("at most 3" in w for w in map_warnings(journey))


def test_committed_schema_matches_the_model() -> None:
    assert committed_schema_text() == schema_text()
    schema = json.loads(committed_schema_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    assert "description" in schema["properties"]["state"]


def test_json_round_trip_is_exact() -> None:
    journey = map_from_data(MINIMAL)
    again = JourneyMap.model_validate_json(journey.model_dump_json())
    assert again == journey
