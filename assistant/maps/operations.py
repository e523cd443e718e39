"""Typed edits of a journey map: each is a JSON object whose `"op"` names it.

A language model, the CLI and the app all edit maps through these, never through free text, so every
edit is checked twice: the operation against its own schema (published by `journey schema --ops`),
and the edited map against the map's schema. An edit that would make the map invalid is refused with
the JSON path and the reason, and nothing is stored.

Stages are named by their names (case-insensitive). A step is named by its action text (exact, or a
unique part of it) or by its 0-based index within its stage.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from assistant.domain.map_model import (
    KPI,
    Channel,
    Emotion,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Step,
)

StageName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
StepRef = StageName | Annotated[int, Field(ge=0, le=1000)]
"""A step's action text (or a unique part of it), or its 0-based index in the stage."""
Position = Annotated[int, Field(ge=0, le=1000)]


def _op_required(schema: dict[str, Any]) -> None:
    """`op` has a default so code can build operations without naming them twice, but in JSON it is
    required: the parser needs it to tell the operations apart, so the published schema must say so."""
    if "op" in schema.get("properties", {}):
        schema["required"] = ["op", *[k for k in schema.get("required", []) if k != "op"]]


class _Op(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, json_schema_extra=_op_required)


class AddStep(_Op):
    """Add a step to a stage (at the end, or at `position`)."""

    op: Literal["add_step"] = "add_step"
    stage: StageName
    step: Step
    position: Position | None = None
    """0-based place among the stage's steps; the end when omitted."""


class StepChanges(_Op):
    """Fields of a step to change; the ones left out stay as they are."""

    action: StageName | None = None
    touchpoint: str | None = None
    channel: Channel | None = None
    phase: Literal["pre", "during", "post"] | None = None
    front_stage: str | None = None
    back_stage: str | None = None
    thoughts: str | None = None


class UpdateStep(_Op):
    """Change some fields of a step."""

    op: Literal["update_step"] = "update_step"
    stage: StageName
    step: StepRef
    changes: StepChanges


class RemoveStep(_Op):
    op: Literal["remove_step"] = "remove_step"
    stage: StageName
    step: StepRef


class MoveStep(_Op):
    """Move a step within its stage or to another stage."""

    op: Literal["move_step"] = "move_step"
    stage: StageName
    step: StepRef
    to_stage: StageName | None = None
    """The stage to move it to (default: the same stage)."""
    position: Position | None = None
    """0-based place in the target stage; the end when omitted."""


class AddStage(_Op):
    op: Literal["add_stage"] = "add_stage"
    stage: Stage
    position: Position | None = None
    """0-based place among the stages; the end when omitted."""


class UpdateStage(_Op):
    """Change a stage's description or goal."""

    op: Literal["update_stage"] = "update_stage"
    stage: StageName
    description: str | None = None
    goal: str | None = None


class RenameStage(_Op):
    op: Literal["rename_stage"] = "rename_stage"
    stage: StageName
    new_name: StageName


class RemoveStage(_Op):
    op: Literal["remove_stage"] = "remove_stage"
    stage: StageName


class SplitStage(_Op):
    """Split a stage in two: the steps from `at_step` on move into a new stage right after it."""

    op: Literal["split_stage"] = "split_stage"
    stage: StageName
    at_step: StepRef
    new_name: StageName


class MergeStages(_Op):
    """Merge stages into the first of them (in map order); its steps and KPIs follow in order."""

    op: Literal["merge_stages"] = "merge_stages"
    stages: Annotated[list[StageName], Field(min_length=2, max_length=30)]
    new_name: StageName | None = None
    """Name of the merged stage (default: the first stage's name)."""


class ReorderStages(_Op):
    """Put the stages in this order; every stage must be named once."""

    op: Literal["reorder_stages"] = "reorder_stages"
    order: Annotated[list[StageName], Field(min_length=1, max_length=30)]


class SetEmotion(_Op):
    op: Literal["set_emotion"] = "set_emotion"
    stage: StageName
    step: StepRef
    score: Annotated[int, Field(ge=-2, le=2)]
    """-2 (very negative) to +2 (very positive)."""
    label: str | None = None
    """A word for the feeling, e.g. anxious, relieved."""


class AddPainPoint(_Op):
    op: Literal["add_pain_point"] = "add_pain_point"
    stage: StageName
    step: StepRef
    pain_point: PainPoint


class AddOpportunity(_Op):
    op: Literal["add_opportunity"] = "add_opportunity"
    stage: StageName
    step: StepRef
    opportunity: Opportunity


class AddKpi(_Op):
    op: Literal["add_kpi"] = "add_kpi"
    stage: StageName
    kpi: KPI


class UpsertPersona(_Op):
    """Add a persona, or replace the one with the same name."""

    op: Literal["upsert_persona"] = "upsert_persona"
    persona: Persona


Operation = Annotated[
    AddStep
    | UpdateStep
    | RemoveStep
    | MoveStep
    | AddStage
    | UpdateStage
    | RenameStage
    | RemoveStage
    | SplitStage
    | MergeStages
    | ReorderStages
    | SetEmotion
    | AddPainPoint
    | AddOpportunity
    | AddKpi
    | UpsertPersona,
    Field(discriminator="op"),
]

OPERATION_ADAPTER: TypeAdapter[Operation] = TypeAdapter(Operation)
OPERATION_MODELS: dict[str, type[BaseModel]] = {
    m.model_fields["op"].default: m
    for m in (
        AddStep,
        UpdateStep,
        RemoveStep,
        MoveStep,
        AddStage,
        UpdateStage,
        RenameStage,
        RemoveStage,
        SplitStage,
        MergeStages,
        ReorderStages,
        SetEmotion,
        AddPainPoint,
        AddOpportunity,
        AddKpi,
        UpsertPersona,
    )
}
OPERATION_NAMES: tuple[str, ...] = tuple(OPERATION_MODELS)


def operations_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one operation: a union discriminated by `op`."""
    schema = OPERATION_ADAPTER.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://journey-assistant.local/schemas/map-operation-1.0.schema.json",
        "title": "Journey map operation",
        "description": __doc__.strip().split("\n\n")[0],
        **schema,
    }


def describe(op: Operation) -> str:
    """One line saying what an operation does (the default reason stored with a new version)."""
    match op:
        case AddStep():
            return f"add step '{op.step.action}' to {op.stage}"
        case UpdateStep():
            fields = ", ".join(k for k, v in op.changes.model_dump().items() if v is not None)
            return f"update {fields or 'nothing'} of step {op.step!r} in {op.stage}"
        case RemoveStep():
            return f"remove step {op.step!r} from {op.stage}"
        case MoveStep():
            return f"move step {op.step!r} of {op.stage}" + (f" to {op.to_stage}" if op.to_stage else "")
        case AddStage():
            return f"add stage {op.stage.name}"
        case UpdateStage():
            return f"update stage {op.stage}"
        case RenameStage():
            return f"rename stage {op.stage} to {op.new_name}"
        case RemoveStage():
            return f"remove stage {op.stage}"
        case SplitStage():
            return f"split {op.stage} at step {op.at_step!r} into {op.new_name}"
        case MergeStages():
            return f"merge stages {', '.join(op.stages)}"
        case ReorderStages():
            return "reorder stages"
        case SetEmotion():
            return f"set emotion of step {op.step!r} in {op.stage} to {op.score}"
        case AddPainPoint():
            return f"add pain point to step {op.step!r} in {op.stage}"
        case AddOpportunity():
            return f"add opportunity to step {op.step!r} in {op.stage}"
        case AddKpi():
            return f"add KPI {op.kpi.name} to {op.stage}"
        case UpsertPersona():
            return f"add or update persona {op.persona.name}"
    return op.op  # pragma: no cover - every member of the union is matched above


__all__ = [
    "OPERATION_ADAPTER",
    "OPERATION_MODELS",
    "OPERATION_NAMES",
    "Emotion",
    "Operation",
    "describe",
    "operations_schema",
]
