"""Mermaid `journey` diagram: a section per stage, a task per step, scored 1-5 from the emotion."""

from __future__ import annotations

from assistant.domain import JourneyMap
from assistant.exports.sanitize import mermaid_actor, mermaid_label

DEFAULT_ACTOR = "Customer"


def emotion_to_score(emotion: int) -> int:
    """Emotion -2..+2 to Mermaid's 1..5 satisfaction score."""
    return min(max(emotion + 3, 1), 5)


def to_mermaid(journey: JourneyMap) -> str:
    """The map as Mermaid source text; every piece of user text is escaped for the journey grammar."""
    actors = ", ".join(mermaid_actor(p.name) for p in journey.personas) or DEFAULT_ACTOR
    lines = ["journey", f"  title {mermaid_label(journey.title, 120)}"]
    for stage in journey.stages:
        lines.append(f"  section {mermaid_label(stage.name, 60)}")
        if not stage.steps:
            # Mermaid drops a section without tasks; keep the stage visible with one neutral task.
            lines.append(f"    {mermaid_label(stage.name, 80)}: 3: {actors}")
        for step in stage.steps:
            lines.append(
                f"    {mermaid_label(step.action, 80)}: {emotion_to_score(step.emotion.score)}: {actors}"
            )
    return "\n".join(lines) + "\n"
