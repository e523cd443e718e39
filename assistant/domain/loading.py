"""Load maps from files or plain data, turning validation errors into JSON paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.domain.map_model import MAX_PERSONAS, JourneyMap
from assistant.errors import MapValidationError

MAX_MAP_BYTES = 20 * 1024 * 1024


def json_path(loc: tuple[int | str, ...]) -> str:
    """`('stages', 0, 'steps', 2, 'emotion', 'score')` -> `$.stages[0].steps[2].emotion.score`."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def map_from_data(data: Any) -> JourneyMap:
    """Validate plain data as a JourneyMap, or raise MapValidationError listing each bad field's path."""
    try:
        return JourneyMap.model_validate(data)
    except ValidationError as exc:
        problems = [(json_path(tuple(e["loc"])), e["msg"]) for e in exc.errors()]
        shown = "; ".join(f"{p}: {m}" for p, m in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise MapValidationError(f"Invalid journey map: {shown}{more}", problems) from exc


def load_map(path: Path) -> JourneyMap:
    """Read a journey map from a JSON file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MapValidationError(f"Cannot read map file {path}: {exc.strerror}") from exc
    if size > MAX_MAP_BYTES:
        raise MapValidationError(f"Map file {path} is {size} bytes; the limit is {MAX_MAP_BYTES}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MapValidationError(f"Map file {path} is not valid UTF-8 JSON: {exc}") from exc
    return map_from_data(data)


def map_warnings(journey: JourneyMap) -> list[str]:
    """Methodology advice that does not make a map invalid."""
    warnings = []
    if len(journey.personas) > MAX_PERSONAS:
        warnings.append(
            f"The map follows {len(journey.personas)} personas; start with at most {MAX_PERSONAS} "
            "so each journey stays concrete."
        )
    if all(not s.steps for s in journey.stages):
        warnings.append("No stage has steps yet; add what the customer does in each stage.")
    return warnings
