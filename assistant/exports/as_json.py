"""JSON export: the model itself, so importing it gives back an equal map."""

from __future__ import annotations

from assistant.domain import JourneyMap


def to_json(journey: JourneyMap) -> str:
    """The map as indented JSON (UTF-8 text, non-ASCII kept readable)."""
    return journey.model_dump_json(indent=2) + "\n"
