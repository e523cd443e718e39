"""The published JSON Schema (draft 2020-12) of a journey map, versioned with the model."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from assistant.domain.map_model import SCHEMA_VERSION, JourneyMap

SCHEMA_ID = f"https://journey-assistant.dev/schemas/journey-map-{SCHEMA_VERSION}.schema.json"
SCHEMA_FILE = f"journey-map-{SCHEMA_VERSION}.schema.json"


def journey_map_schema() -> dict[str, Any]:
    """Generate the schema from the Pydantic model (the committed file must equal this)."""
    body = JourneyMap.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **body}


def schema_text() -> str:
    """Canonical text of the schema file."""
    return json.dumps(journey_map_schema(), ensure_ascii=False, indent=2) + "\n"


def committed_schema_text() -> str:
    """The schema file shipped in `assistant/schemas/`."""
    return resources.files("assistant.schemas").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
