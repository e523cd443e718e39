"""Applying typed operations to a map. The input map is never changed; a new, re-validated map is
returned, or MapEditError says which part of the operation is wrong (as a JSON path) and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.domain.loading import map_from_data
from assistant.domain.map_model import JourneyMap
from assistant.errors import MapValidationError
from assistant.maps.operations import (
    AddKpi,
    AddOpportunity,
    AddPainPoint,
    AddStage,
    AddStep,
    MergeStages,
    MoveStep,
    Operation,
    RemoveStage,
    RemoveStep,
    RenameStage,
    ReorderStages,
    SetEmotion,
    SplitStage,
    UpdateStage,
    UpdateStep,
    UpsertPersona,
)


class MapEditError(MapValidationError):
    """An operation cannot be applied to the map; nothing was changed."""


def _stage_index(data: dict[str, Any], name: str, field: str = "stage") -> int:
    for i, stage in enumerate(data["stages"]):
        if stage["name"].casefold() == name.strip().casefold():
            return i
    names = ", ".join(s["name"] for s in data["stages"])
    raise MapEditError(
        f"$.{field}: the map has no stage {name!r}; its stages are {names}.",
        [(f"$.{field}", "unknown stage")],
    )


def _step_index(data: dict[str, Any], stage: int, ref: str | int, field: str = "step") -> int:
    steps = data["stages"][stage]["steps"]
    where = data["stages"][stage]["name"]
    if isinstance(ref, int):
        if ref < len(steps):
            return ref
        raise MapEditError(
            f"$.{field}: stage {where!r} has {len(steps)} steps (0-based indexes 0-{len(steps) - 1}); {ref} is out of range.",
            [(f"$.{field}", "index out of range")],
        )
    wanted = ref.strip().casefold()
    exact = [i for i, s in enumerate(steps) if s["action"].casefold() == wanted]
    if exact:
        return exact[0]
    partial = [i for i, s in enumerate(steps) if wanted and wanted in s["action"].casefold()]
    if len(partial) == 1:
        return partial[0]
    actions = "; ".join(f"{i}: {s['action']}" for i, s in enumerate(steps)) or "none"
    problem = "matches several steps" if partial else "matches no step"
    raise MapEditError(
        f"$.{field}: {ref!r} {problem} of stage {where!r} (steps: {actions}).", [(f"$.{field}", problem)]
    )


def _name_free(data: dict[str, Any], name: str, field: str, keep: Sequence[int] = ()) -> None:
    """Stage names are unique (case-insensitive); say so at the operation's own field, not the map's.
    `keep`: stages that may carry the name (the one renamed, or the stages merged away)."""
    for i, stage in enumerate(data["stages"]):
        if i not in keep and stage["name"].casefold() == name.strip().casefold():
            raise MapEditError(
                f"{field}: the map already has a stage named {stage['name']!r}; stage names are unique.",
                [(field, "duplicate stage name")],
            )


def _insert(items: list[Any], item: Any, position: int | None) -> None:
    items.insert(len(items) if position is None else min(position, len(items)), item)


def apply_operation(journey: JourneyMap, op: Operation) -> JourneyMap:
    """The map after `op`, validated; raises MapEditError (JSON path + reason) and changes nothing otherwise."""
    data = journey.model_dump(mode="json")
    stages: list[dict[str, Any]] = data["stages"]
    match op:
        case AddStep():
            i = _stage_index(data, op.stage)
            _insert(stages[i]["steps"], op.step.model_dump(mode="json"), op.position)
        case UpdateStep():
            i = _stage_index(data, op.stage)
            j = _step_index(data, i, op.step)
            stages[i]["steps"][j].update(op.changes.model_dump(exclude_none=True))
        case RemoveStep():
            i = _stage_index(data, op.stage)
            del stages[i]["steps"][_step_index(data, i, op.step)]
        case MoveStep():
            i = _stage_index(data, op.stage)
            step = stages[i]["steps"].pop(_step_index(data, i, op.step))
            target = _stage_index(data, op.to_stage, "to_stage") if op.to_stage else i
            _insert(stages[target]["steps"], step, op.position)
        case AddStage():
            _name_free(data, op.stage.name, "$.stage.name")
            _insert(stages, op.stage.model_dump(mode="json"), op.position)
        case UpdateStage():
            i = _stage_index(data, op.stage)
            for key in ("description", "goal"):
                if getattr(op, key) is not None:
                    stages[i][key] = getattr(op, key)
        case RenameStage():
            i = _stage_index(data, op.stage)
            _name_free(data, op.new_name, "$.new_name", keep=[i])
            stages[i]["name"] = op.new_name
        case RemoveStage():
            i = _stage_index(data, op.stage)  # an unknown name is reported as such, even in a one-stage map
            if len(stages) == 1:
                raise MapEditError("$.stage: a map needs at least one stage.", [("$.stage", "last stage")])
            del stages[i]
        case SplitStage():
            i = _stage_index(data, op.stage)
            j = _step_index(data, i, op.at_step, "at_step")
            _name_free(data, op.new_name, "$.new_name")
            if j == 0:
                raise MapEditError(
                    "$.at_step: splitting at the first step would leave the stage empty; pick a later step.",
                    [("$.at_step", "first step")],
                )
            moved = stages[i]["steps"][j:]
            stages[i]["steps"] = stages[i]["steps"][:j]
            stages.insert(i + 1, {"name": op.new_name, "steps": moved})
        case MergeStages():
            indexes = sorted({_stage_index(data, name, f"stages[{k}]") for k, name in enumerate(op.stages)})
            if len(indexes) < 2:
                raise MapEditError(
                    "$.stages: name at least two different stages.", [("$.stages", "one stage")]
                )
            first = stages[indexes[0]]
            for k in indexes[1:]:
                first["steps"].extend(stages[k]["steps"])
                first["kpis"].extend(stages[k]["kpis"])
                extra = stages[k]["description"]
                if extra:
                    first["description"] = f"{first['description']} {extra}".strip()
            if op.new_name:
                _name_free(data, op.new_name, "$.new_name", keep=indexes)
                first["name"] = op.new_name
            for k in reversed(indexes[1:]):
                del stages[k]
        case ReorderStages():
            wanted = [n.casefold() for n in op.order]
            have = [s["name"].casefold() for s in stages]
            if sorted(wanted) != sorted(have):
                missing = [s["name"] for s in stages if s["name"].casefold() not in wanted]
                unknown = [n for n in op.order if n.casefold() not in have]
                repeated = [n for k, n in enumerate(op.order) if n.casefold() in wanted[:k]]
                said = "; ".join(
                    f"{what}: {', '.join(repr(n) for n in names)}"
                    for what, names in (("missing", missing), ("unknown", unknown), ("repeated", repeated))
                    if names
                )
                raise MapEditError(
                    f"$.order: name every stage exactly once ({said}).",
                    [("$.order", "not a permutation of the stages")],
                )
            data["stages"] = [stages[have.index(n)] for n in wanted]
        case SetEmotion():
            i = _stage_index(data, op.stage)
            j = _step_index(data, i, op.step)
            emotion = stages[i]["steps"][j]["emotion"]
            emotion["score"] = op.score
            if op.label is not None:
                emotion["label"] = op.label
        case AddPainPoint():
            i = _stage_index(data, op.stage)
            j = _step_index(data, i, op.step)
            stages[i]["steps"][j]["pain_points"].append(op.pain_point.model_dump(mode="json"))
        case AddOpportunity():
            i = _stage_index(data, op.stage)
            j = _step_index(data, i, op.step)
            stages[i]["steps"][j]["opportunities"].append(op.opportunity.model_dump(mode="json"))
        case AddKpi():
            stages[_stage_index(data, op.stage)]["kpis"].append(op.kpi.model_dump(mode="json"))
        case UpsertPersona():
            persona = op.persona.model_dump(mode="json")
            personas = data["personas"]
            same = [k for k, p in enumerate(personas) if p["name"].casefold() == op.persona.name.casefold()]
            if same:
                personas[same[0]] = persona
            else:
                personas.append(persona)
    try:
        return map_from_data(data)
    except MapValidationError as exc:
        raise MapEditError(f"The edit would make the map invalid: {exc}", exc.problems) from None
