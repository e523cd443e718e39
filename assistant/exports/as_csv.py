"""CSV export: one row per step, readable in a spreadsheet and importable again without loss.

Layout (documented here because `importing.py` reads it back):

* One header row, then one row per step in map order. A stage without steps still gets one row with
  empty step columns, so its name, goal and KPIs survive.
* Every row carries its stage (`stage_index`, `stage_name`, `stage_description`, `stage_goal`,
  `stage_kpis`) and its position (`step_index`, 1-based; empty for a stage without steps). Sorting the
  sheet does not lose the order: the importer sorts by the two indices.
* Lists of objects (pain points with their evidence, opportunities, KPIs, personas) are JSON arrays
  in one cell; an empty list is an empty cell.
* Map-level fields (`map_*`, personas included) are filled on the first data row only.
* Every text cell goes through `sanitize.quote_cell`: a leading formula trigger or apostrophe gets an
  apostrophe in front, which the importer removes again.
* Where content comes from travels in the JSON cells (pain points, opportunities, KPIs, personas each
  carry their `origin`), in `origin` for a step (a JSON object) and `stage_origin` for a stage.
* Encoded as UTF-8 with a byte-order mark, so Excel shows Korean text correctly.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from assistant.domain import JourneyMap, Stage, Step
from assistant.exports.sanitize import quote_cell

STAGE_COLUMNS = ["stage_index", "stage_name", "stage_description", "stage_goal", "stage_kpis", "stage_origin"]
STEP_COLUMNS = [
    "step_index",
    "action",
    "touchpoint",
    "channel",
    "phase",
    "front_stage",
    "back_stage",
    "thoughts",
    "emotion_score",
    "emotion_label",
    "pain_points",
    "moment_of_truth",
    "moment_of_truth_why",
    "opportunities",
    "origin",
]
MAP_COLUMNS = [
    "map_title",
    "map_journey_type",
    "map_state",
    "map_scope",
    "map_goal",
    "map_language",
    "map_schema_version",
    "map_created_at",
    "map_updated_at",
    "map_version",
    "map_personas",
    "map_notes",
]
COLUMNS = STAGE_COLUMNS + STEP_COLUMNS + MAP_COLUMNS
# Columns whose cells are numbers or fixed words written by the product, never user text.
PLAIN_COLUMNS = {"stage_index", "step_index", "emotion_score", "map_version"}
YES, NO = "yes", "no"


def json_cell(items: list[Any]) -> str:
    """A list of models as a JSON array (empty list: empty cell)."""
    if not items:
        return ""
    return json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False)


def object_cell(item: Any) -> str:
    """One model as a JSON object (None: empty cell)."""
    if item is None:
        return ""
    return json.dumps(item.model_dump(mode="json"), ensure_ascii=False)


def _stage_cells(index: int, stage: Stage) -> dict[str, str]:
    return {
        "stage_index": str(index),
        "stage_name": stage.name,
        "stage_description": stage.description,
        "stage_goal": stage.goal,
        "stage_kpis": json_cell(stage.kpis),
        "stage_origin": object_cell(stage.origin),
    }


def _step_cells(index: int, step: Step) -> dict[str, str]:
    return {
        "step_index": str(index),
        "action": step.action,
        "touchpoint": step.touchpoint,
        "channel": step.channel,
        "phase": step.phase or "",
        "front_stage": step.front_stage,
        "back_stage": step.back_stage,
        "thoughts": step.thoughts,
        "emotion_score": str(step.emotion.score),
        "emotion_label": step.emotion.label,
        "pain_points": json_cell(step.pain_points),
        "moment_of_truth": YES if step.moment_of_truth.is_moment else NO,
        "moment_of_truth_why": step.moment_of_truth.why,
        "opportunities": json_cell(step.opportunities),
        "origin": object_cell(step.origin),
    }


def _map_cells(journey: JourneyMap) -> dict[str, str]:
    data = journey.model_dump(mode="json", exclude={"stages", "personas", "notes"})
    cells = {f"map_{key}": str(value) for key, value in data.items()}
    cells["map_personas"] = json_cell(journey.personas)
    cells["map_notes"] = json.dumps(journey.notes, ensure_ascii=False) if journey.notes else ""
    return cells


def csv_rows(journey: JourneyMap) -> list[dict[str, str]]:
    """The rows of the CSV export before quoting, in map order."""
    rows: list[dict[str, str]] = []
    for s, stage in enumerate(journey.stages, 1):
        steps: list[Step | None] = list(stage.steps) or [None]
        for n, step in enumerate(steps, 1):
            row = dict.fromkeys(COLUMNS, "")
            row |= _stage_cells(s, stage)
            if step is not None:
                row |= _step_cells(n, step)
            rows.append(row)
    rows[0] |= _map_cells(journey)
    return rows


def to_csv(journey: JourneyMap) -> bytes:
    """The map as CSV bytes (UTF-8 with BOM)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in csv_rows(journey):
        writer.writerow({k: v if k in PLAIN_COLUMNS else quote_cell(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig")
