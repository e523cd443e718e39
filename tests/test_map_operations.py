"""Every typed map operation, applied through `Workspace.edit_map` as the CLI, the agent and the app do.

Each operation has a valid case (the map changes as intended, a new version is stored with its author,
time and reason, and the diff says what changed in words) and invalid cases (refused with the JSON path
of the bad part of the operation and a reason, and nothing stored: the version stays where it was).
The published operation schema (`journey schema --ops`) accepts every example used here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.domain import JourneyMap, map_from_data
from assistant.domain.map_model import MAX_STAGES, MAX_TEXT
from assistant.maps.apply import MapEditError
from assistant.maps.operations import OPERATION_ADAPTER, OPERATION_NAMES, describe
from assistant.workspace import Workspace

NAME = "shop"


def shop_map() -> JourneyMap:
    """Three stages with distinct step texts, a KPI and a persona: small enough to reason about."""
    return map_from_data(
        {
            "title": "Online shop: first purchase",
            "personas": [{"name": "Maya", "age": "30", "needs": ["fast delivery"]}],
            "stages": [
                {
                    "name": "Discover",
                    "steps": [{"action": "Browse the catalogue"}, {"action": "Compare prices"}],
                },
                {
                    "name": "Buy",
                    "goal": "Pay without surprises",
                    "steps": [
                        {"action": "Add to basket"},
                        {"action": "Pay by card"},
                        {"action": "Get receipt"},
                    ],
                    "kpis": [{"name": "Conversion"}],
                },
                {"name": "Deliver", "steps": [{"action": "Track parcel"}, {"action": "Open the box"}]},
            ],
        }
    )


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.save_map(NAME, shop_map(), "user", "first draft")
    return workspace


def stage(journey: JourneyMap, name: str) -> list[str]:
    """The step actions of a stage, in order."""
    return [s.action for s in journey.stage(name).steps]


def step(journey: JourneyMap, stage_name: str, action: str) -> Any:
    return next(s for s in journey.stage(stage_name).steps if s.action == action)


# (operation, what the edited map must show, words the diff must say)
Check = Callable[[JourneyMap], bool]
VALID: dict[str, tuple[dict[str, Any], Check, list[str]]] = {
    "add_step": (
        {
            "op": "add_step",
            "stage": "buy",
            "step": {"action": "Choose delivery", "channel": "web"},
            "position": 1,
        },
        lambda m: stage(m, "Buy") == ["Add to basket", "Choose delivery", "Pay by card", "Get receipt"],
        ["Added step 'Choose delivery' to 'Buy'"],
    ),
    "add_step_at_end": (
        {"op": "add_step", "stage": "Deliver", "step": {"action": "Leave a review"}},
        lambda m: stage(m, "Deliver")[-1] == "Leave a review",
        ["Added step 'Leave a review' to 'Deliver'"],
    ),
    "update_step_fields": (
        {
            "op": "update_step",
            "stage": "Buy",
            "step": 0,
            "changes": {"touchpoint": "basket page", "phase": "during"},
        },
        lambda m: step(m, "Buy", "Add to basket").touchpoint == "basket page",
        ["'Buy' / 'Add to basket': touchpoint '' → 'basket page'", "phase '' → 'during'"],
    ),
    "update_step_action": (
        {"op": "update_step", "stage": "Buy", "step": "Pay", "changes": {"action": "Pay by card or wallet"}},
        lambda m: stage(m, "Buy") == ["Add to basket", "Pay by card or wallet", "Get receipt"],
        ["Renamed step 'Pay by card' → 'Pay by card or wallet' in 'Buy'"],
    ),
    "remove_step": (
        {"op": "remove_step", "stage": "Deliver", "step": "Open the box"},
        lambda m: stage(m, "Deliver") == ["Track parcel"],
        ["Removed step 'Open the box' from 'Deliver'"],
    ),
    "move_step_within": (
        {"op": "move_step", "stage": "Buy", "step": "Get receipt", "position": 0},
        lambda m: stage(m, "Buy") == ["Get receipt", "Add to basket", "Pay by card"],
        ["Moved step 'Get receipt' in 'Buy' from 3 to 1"],
    ),
    "move_step_across": (
        {"op": "move_step", "stage": "Buy", "step": "receipt", "to_stage": "Deliver", "position": 0},
        lambda m: (
            stage(m, "Buy") == ["Add to basket", "Pay by card"] and stage(m, "Deliver")[0] == "Get receipt"
        ),
        ["Moved step 'Get receipt' from 'Buy' to 'Deliver'"],
    ),
    "add_stage": (
        {
            "op": "add_stage",
            "stage": {"name": "Return", "steps": [{"action": "Print a label"}]},
            "position": 3,
        },
        lambda m: m.stage_names == ["Discover", "Buy", "Deliver", "Return"],
        ["Added stage 'Return' at position 4"],
    ),
    "update_stage": (
        {
            "op": "update_stage",
            "stage": "Buy",
            "goal": "Pay in one minute",
            "description": "From basket to receipt",
        },
        lambda m: m.stage("Buy").goal == "Pay in one minute",
        [
            "Stage 'Buy': goal 'Pay without surprises' → 'Pay in one minute'",
            "description '' → 'From basket to receipt'",
        ],
    ),
    "rename_stage": (
        {"op": "rename_stage", "stage": "Buy", "new_name": "Purchase"},
        lambda m: (
            m.stage_names == ["Discover", "Purchase", "Deliver"]
            and stage(m, "Purchase") == ["Add to basket", "Pay by card", "Get receipt"]
        ),
        ["Renamed stage 'Buy' → 'Purchase'"],
    ),
    "rename_stage_case_only": (
        {"op": "rename_stage", "stage": "Buy", "new_name": "BUY"},
        lambda m: m.stage_names == ["Discover", "BUY", "Deliver"],
        ["Renamed stage 'Buy' → 'BUY'"],
    ),
    "remove_stage": (
        {"op": "remove_stage", "stage": "Discover"},
        lambda m: m.stage_names == ["Buy", "Deliver"],
        ["Removed stage 'Discover' (2 steps)"],
    ),
    "split_stage": (
        {"op": "split_stage", "stage": "Buy", "at_step": "Pay by card", "new_name": "Payment"},
        lambda m: (
            m.stage_names == ["Discover", "Buy", "Payment", "Deliver"]
            and stage(m, "Buy") == ["Add to basket"]
            and stage(m, "Payment") == ["Pay by card", "Get receipt"]
        ),
        ["Added stage 'Payment' at position 3", "Moved step 'Pay by card' from 'Buy' to 'Payment'"],
    ),
    "merge_stages": (
        {"op": "merge_stages", "stages": ["Deliver", "Buy"], "new_name": "Buy and deliver"},
        lambda m: (
            m.stage_names == ["Discover", "Buy and deliver"]
            and stage(m, "Buy and deliver")
            == ["Add to basket", "Pay by card", "Get receipt", "Track parcel", "Open the box"]
            and [k.name for k in m.stage("Buy and deliver").kpis] == ["Conversion"]
        ),
        ["Renamed stage 'Buy' → 'Buy and deliver'", "Removed stage 'Deliver'"],
    ),
    "merge_stages_into_second_name": (
        {"op": "merge_stages", "stages": ["Discover", "Buy"], "new_name": "Buy"},
        lambda m: m.stage_names == ["Buy", "Deliver"] and len(stage(m, "Buy")) == 5,
        ["Removed stage 'Discover'"],
    ),
    "reorder_stages": (
        {"op": "reorder_stages", "order": ["Deliver", "Discover", "Buy"]},
        lambda m: m.stage_names == ["Deliver", "Discover", "Buy"],
        ["Moved stage 'Deliver' from position 3 to 1"],
    ),
    "set_emotion": (
        {"op": "set_emotion", "stage": "Buy", "step": "Pay by card", "score": -2, "label": "anxious"},
        lambda m: step(m, "Buy", "Pay by card").emotion.score == -2,
        ["'Buy' / 'Pay by card': emotion.score 0 → -2", "emotion.label '' → 'anxious'"],
    ),
    "add_pain_point": (
        {
            "op": "add_pain_point",
            "stage": "Buy",
            "step": 1,
            "pain_point": {
                "description": "Card declined without a reason",
                "severity": 4,
                "provenance": "feedback",
                "evidence": [{"feedback_id": "f-17", "quote": "declined twice, no idea why"}],
            },
        },
        lambda m: (
            step(m, "Buy", "Pay by card").pain_points[0].evidence[0].feedback_id == "f-17"
            and step(m, "Buy", "Pay by card").pain_points[0].provenance == "feedback"
        ),
        ["pain_points 0 items → 1 item (added 'Card declined without a reason')"],
    ),
    "add_opportunity": (
        {
            "op": "add_opportunity",
            "stage": "Buy",
            "step": "Pay",
            "opportunity": {"description": "Offer a wallet", "effort": "low"},
        },
        lambda m: step(m, "Buy", "Pay by card").opportunities[0].effort == "low",
        ["opportunities 0 items → 1 item (added 'Offer a wallet')"],
    ),
    "add_kpi": (
        {"op": "add_kpi", "stage": "Deliver", "kpi": {"name": "On-time rate", "target": "95 %"}},
        lambda m: [k.name for k in m.stage("Deliver").kpis] == ["On-time rate"],
        ["Stage 'Deliver': kpis 0 items → 1 item (added 'On-time rate')"],
    ),
    "upsert_persona_new": (
        {"op": "upsert_persona", "persona": {"name": "Jon", "occupation": "nurse"}},
        lambda m: [p.name for p in m.personas] == ["Maya", "Jon"],
        ["Added persona 'Jon'"],
    ),
    "upsert_persona_existing": (
        {
            "op": "upsert_persona",
            "persona": {"name": "maya", "age": "31", "needs": ["fast delivery", "free returns"]},
        },
        lambda m: len(m.personas) == 1 and m.personas[0].age == "31",
        ["Persona 'Maya'", "age '30' → '31'"],
    ),
}

# Every operation of the union has at least one valid case here.
assert {case[0]["op"] for case in VALID.values()} == set(OPERATION_NAMES)


@pytest.mark.parametrize("case", VALID, ids=list(VALID))
def test_valid_operation_stores_a_new_version_with_a_readable_diff(ws: Workspace, case: str) -> None:
    raw, check, says = VALID[case]
    op = OPERATION_ADAPTER.validate_python(raw)
    before = datetime.now(UTC) - timedelta(seconds=2)

    result = ws.edit_map(NAME, [op], "assistant", None)

    assert result.version == 2
    saved = ws.get_map(NAME)
    assert saved.version == 2
    assert check(saved.map), saved.map.model_dump(include={"stages", "personas"})
    assert saved.author == "assistant"
    assert saved.reason == describe(op)  # the default reason says what the operation did
    assert before <= saved.created_at <= datetime.now(UTC) + timedelta(seconds=2)
    assert saved.map.version == 2
    # Version 1 is kept as it was.
    assert ws.get_map(NAME, 1).map.model_dump(exclude={"created_at", "updated_at"}) == shop_map().model_dump(
        exclude={"created_at", "updated_at"}
    )
    text = "\n".join(c.text for c in result.diff.changes)
    for words in says:
        assert words in text, text
    # The stored diff between the versions says the same as the edit's result.
    assert ws.diff_map(NAME, 1, 2).changes == result.diff.changes


def test_a_reason_given_is_stored(ws: Workspace) -> None:
    op = OPERATION_ADAPTER.validate_python({"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"})
    ws.edit_map(NAME, [op], "user", "the team calls it checkout")
    history = ws.map_history(NAME)
    assert [(h.version, h.author, h.reason) for h in history] == [
        (1, "user", "first draft"),
        (2, "user", "the team calls it checkout"),
    ]


# (operation, JSON path named in the refusal, words of the reason)
INVALID: dict[str, tuple[dict[str, Any], str, str]] = {
    "unknown_stage": (
        {"op": "add_step", "stage": "Nope", "step": {"action": "x"}},
        "$.stage",
        "no stage 'Nope'",
    ),
    "unknown_target_stage": (
        {"op": "move_step", "stage": "Buy", "step": 0, "to_stage": "Nowhere"},
        "$.to_stage",
        "no stage 'Nowhere'",
    ),
    "step_matches_nothing": (
        {"op": "remove_step", "stage": "Buy", "step": "refund"},
        "$.step",
        "matches no step",
    ),
    "step_matches_several": (
        {"op": "set_emotion", "stage": "Buy", "step": "a", "score": 1},
        "$.step",
        "matches several steps",
    ),
    "step_index_out_of_range": (
        {"op": "update_step", "stage": "Buy", "step": 3, "changes": {"thoughts": "hm"}},
        "$.step",
        "3 is out of range",
    ),
    "rename_to_existing": (
        {"op": "rename_stage", "stage": "Buy", "new_name": "deliver"},
        "$.new_name",
        "already has a stage named 'Deliver'",
    ),
    "add_stage_existing_name": (
        {"op": "add_stage", "stage": {"name": "BUY"}},
        "$.stage.name",
        "already has a stage",
    ),
    "split_into_existing_name": (
        {"op": "split_stage", "stage": "Buy", "at_step": 1, "new_name": "Discover"},
        "$.new_name",
        "already has a stage named 'Discover'",
    ),
    "merge_into_other_existing_name": (
        {"op": "merge_stages", "stages": ["Buy", "Deliver"], "new_name": "Discover"},
        "$.new_name",
        "already has a stage",
    ),
    "reorder_missing_one": (
        {"op": "reorder_stages", "order": ["Buy", "Discover"]},
        "$.order",
        "missing: 'Deliver'",
    ),
    "reorder_repeats_one": (
        {"op": "reorder_stages", "order": ["Buy", "Discover", "Deliver", "buy"]},
        "$.order",
        "repeated: 'buy'",
    ),
    "reorder_unknown": (
        {"op": "reorder_stages", "order": ["Buy", "Discover", "Returns"]},
        "$.order",
        "unknown: 'Returns'",
    ),
    "split_at_first_step": (
        {"op": "split_stage", "stage": "Buy", "at_step": "Add to basket", "new_name": "Later"},
        "$.at_step",
        "first step",
    ),
    "merge_one_stage": ({"op": "merge_stages", "stages": ["Buy", "buy"]}, "$.stages", "two different stages"),
    "over_long_touchpoint": (
        {"op": "update_step", "stage": "Buy", "step": 0, "changes": {"touchpoint": "x" * (MAX_TEXT + 1)}},
        "$.stages[1].steps[0].touchpoint",
        f"at most {MAX_TEXT} characters",
    ),
    "over_long_emotion_label": (
        {"op": "set_emotion", "stage": "Buy", "step": 0, "score": 1, "label": "y" * (MAX_TEXT + 1)},
        "$.stages[1].steps[0].emotion.label",
        f"at most {MAX_TEXT} characters",
    ),
    "over_long_stage_description": (
        {"op": "update_stage", "stage": "Deliver", "description": "d" * (MAX_TEXT + 1)},
        "$.stages[2].description",
        f"at most {MAX_TEXT} characters",
    ),
    "unknown_stage_for_kpi": (
        {"op": "add_kpi", "stage": "Nope", "kpi": {"name": "NPS"}},
        "$.stage",
        "no stage",
    ),
    "unknown_stage_for_pain_point": (
        {"op": "add_pain_point", "stage": "Nope", "step": 0, "pain_point": {"description": "slow"}},
        "$.stage",
        "no stage",
    ),
    "opportunity_step_out_of_range": (
        {"op": "add_opportunity", "stage": "Deliver", "step": 9, "opportunity": {"description": "SMS"}},
        "$.step",
        "out of range",
    ),
    "update_unknown_stage": ({"op": "update_stage", "stage": "Nope", "goal": "g"}, "$.stage", "no stage"),
    "remove_unknown_stage": ({"op": "remove_stage", "stage": "Nope"}, "$.stage", "no stage"),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_invalid_operation_is_refused_with_a_path_and_stores_nothing(ws: Workspace, case: str) -> None:
    raw, path, reason = INVALID[case]
    op = OPERATION_ADAPTER.validate_python(raw)  # a well-formed operation: the map is what refuses it

    with pytest.raises(MapEditError) as refused:
        ws.edit_map(NAME, [op])

    message = str(refused.value)
    assert path in message and reason in message, message
    assert refused.value.problems and refused.value.problems[0][0] == path
    assert ws.get_map(NAME).version == 1
    assert len(ws.map_history(NAME)) == 1
    assert ws.get_map(NAME).map.stage_names == ["Discover", "Buy", "Deliver"]


def test_removing_the_last_stage_is_refused(workspace: Workspace) -> None:
    workspace.save_map("tiny", map_from_data({"title": "Tiny", "stages": [{"name": "Only"}]}))
    op = OPERATION_ADAPTER.validate_python({"op": "remove_stage", "stage": "only"})
    with pytest.raises(MapEditError, match=r"\$\.stage: a map needs at least one stage"):
        workspace.edit_map("tiny", [op])
    assert workspace.get_map("tiny").version == 1


def test_too_many_stages_is_refused_at_the_maps_path(workspace: Workspace) -> None:
    full = map_from_data({"title": "Full", "stages": [{"name": f"S{i}"} for i in range(MAX_STAGES)]})
    workspace.save_map("full", full)
    op = OPERATION_ADAPTER.validate_python({"op": "add_stage", "stage": {"name": "One too many"}})
    with pytest.raises(MapEditError) as refused:
        workspace.edit_map("full", [op])
    assert refused.value.problems[0][0] == "$.stages"
    assert f"at most {MAX_STAGES}" in str(refused.value)
    assert workspace.get_map("full").version == 1


@pytest.mark.parametrize(
    "raw",
    [
        {"op": "set_emotion", "stage": "Buy", "step": 0, "score": 3},  # emotion out of range
        {"op": "add_step", "stage": "Buy", "step": {"action": "x", "emotion": {"score": -5}}},
        {"op": "rename_stage", "stage": "Buy", "new_name": "n" * 201},  # over-long name
        {
            "op": "add_pain_point",
            "stage": "Buy",
            "step": 0,
            "pain_point": {"description": "x", "severity": 9},
        },
        {"op": "reorder_stages", "order": []},
        {"op": "merge_stages", "stages": ["Buy"]},
        {"op": "rename_stage", "stage": "Buy"},
        {"op": "teleport_stage", "stage": "Buy"},
    ],
)
def test_malformed_operations_never_reach_the_map(raw: dict[str, Any]) -> None:
    """Values the model cannot hold are refused when the operation is read, before any map is touched."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        OPERATION_ADAPTER.validate_python(raw)


def test_several_operations_are_one_version(ws: Workspace) -> None:
    ops = [
        OPERATION_ADAPTER.validate_python(o)
        for o in (
            {"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"},
            {"op": "add_step", "stage": "Checkout", "step": {"action": "Choose delivery"}, "position": 1},
            {"op": "set_emotion", "stage": "Checkout", "step": "Pay by card", "score": -1},
        )
    ]
    result = ws.edit_map(NAME, ops, "assistant")
    assert result.version == 2 and len(ws.map_history(NAME)) == 2
    journey = ws.get_map(NAME).map
    assert stage(journey, "Checkout") == ["Add to basket", "Choose delivery", "Pay by card", "Get receipt"]
    assert ws.get_map(NAME).reason == "; ".join(describe(op) for op in ops)
    text = [c.text for c in result.diff.changes]
    assert "Renamed stage 'Buy' → 'Checkout'" in text
    assert "Added step 'Choose delivery' to 'Checkout'" in text


def test_several_operations_are_all_or_nothing(ws: Workspace) -> None:
    ops = [
        OPERATION_ADAPTER.validate_python(o)
        for o in (
            {"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"},
            {"op": "remove_step", "stage": "Checkout", "step": "Add to basket"},
            {"op": "remove_step", "stage": "Buy", "step": 0},  # "Buy" no longer exists after the rename
        )
    ]
    with pytest.raises(MapEditError) as refused:
        ws.edit_map(NAME, ops)
    assert str(refused.value).startswith("Operation 3 (remove_step): $.stage: the map has no stage 'Buy'")
    assert ws.get_map(NAME).version == 1
    assert ws.get_map(NAME).map.stage_names == ["Discover", "Buy", "Deliver"]
    assert stage(ws.get_map(NAME).map, "Buy")[0] == "Add to basket"


def test_no_operation_is_an_error(ws: Workspace) -> None:
    from assistant.errors import JourneyError

    with pytest.raises(JourneyError, match="No operation"):
        ws.edit_map(NAME, [])
    assert ws.get_map(NAME).version == 1


def test_editing_a_map_that_does_not_exist_says_so(workspace: Workspace) -> None:
    from assistant.maps.store import MapNotFound

    op = OPERATION_ADAPTER.validate_python({"op": "remove_stage", "stage": "Buy"})
    with pytest.raises(MapNotFound, match="No saved map is called 'ghost'"):
        workspace.edit_map("ghost", [op])


# --- the published schema -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ops_schema() -> dict[str, Any]:
    result = CliRunner().invoke(app, ["schema", "--ops"])
    assert result.exit_code == 0, result.output
    schema: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("case", VALID, ids=list(VALID))
def test_schema_accepts_every_example(ops_schema: dict[str, Any], case: str) -> None:
    jsonschema.Draft202012Validator(ops_schema).validate(VALID[case][0])


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_schema_accepts_well_formed_operations_the_map_refuses(ops_schema: dict[str, Any], case: str) -> None:
    """The schema checks the operation's shape; whether it fits the map is the workspace's call."""
    jsonschema.Draft202012Validator(ops_schema).validate(INVALID[case][0])


@pytest.mark.parametrize(
    "bad",
    [
        {"op": "teleport_stage", "stage": "Buy"},
        {"op": "rename_stage", "stage": "Buy"},
        {"op": "set_emotion", "stage": "Buy", "step": 0, "score": 3},
        {"op": "rename_stage", "stage": "Buy", "new_name": "Checkout", "colour": "red"},
        {"stage": "Buy", "new_name": "Checkout"},
    ],
)
def test_schema_rejects_a_bad_operation(ops_schema: dict[str, Any], bad: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(ops_schema).validate(bad)


def test_schema_names_every_operation(ops_schema: dict[str, Any]) -> None:
    assert ops_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(ops_schema["discriminator"]["mapping"]) == set(OPERATION_NAMES)
