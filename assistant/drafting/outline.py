"""A complete map (as data) from an outline the model wrote on the feedback's stages: the model wrote each
step's action, touchpoint, channel and emotion; the rules in `lanes` fill the rest, and every element is
marked `model` (an inference), never evidence. Pain points with evidence come only from the stored
feedback, quoted with their row ids. Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.drafting.lanes import back_stage, front_stage, kpi_for, moments_of_truth, phase
from journey_tools.language import Language

if TYPE_CHECKING:
    from assistant.contracts.results import Diagnosis

INFERRED = {"source": "model"}


@dataclass
class OutlineStage:
    name: str
    steps: list[Mapping[str, Any]] = field(default_factory=list)
    """Each with action, touchpoint, channel and emotion (an int from −2 to 2)."""


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def merge_repeated_stages(stages: Sequence[OutlineStage]) -> list[OutlineStage]:
    """One stage per name: the small model sometimes writes a stage twice (Korean especially), which a
    map cannot hold. The steps of a repeat join the first stage of that name, without repeating actions."""
    merged: dict[str, OutlineStage] = {}
    for stage in stages:
        first = merged.get(_key(stage.name))
        if first is None:
            merged[_key(stage.name)] = OutlineStage(stage.name, list(stage.steps))
            continue
        seen = {_key(st["action"]) for st in first.steps}
        first.steps.extend(st for st in stage.steps if _key(st["action"]) not in seen)
    return list(merged.values())


def fill_outline(
    title: str,
    stages: Sequence[OutlineStage],
    language: Language,
    *,
    who: str | None = None,
    journey: str | None = None,
    journey_type: str | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    """The map's data: the model's steps with front/back stage, phase, moments of truth and one KPI per
    stage filled in by rule, all marked inferred; the persona is the brief's own words (`brief`)."""
    stages = merge_repeated_stages(stages)
    moments = moments_of_truth([[int(st["emotion"]) for st in s.steps] for s in stages], language)
    out = []
    for i, s in enumerate(stages):
        steps = []
        for j, st in enumerate(s.steps):
            why = moments.get((i, j))
            steps.append(
                {
                    "action": st["action"],
                    "touchpoint": st["touchpoint"],
                    "channel": st["channel"],
                    "phase": phase(i, len(stages)),
                    "front_stage": front_stage(st["channel"], st["touchpoint"], language),
                    "back_stage": back_stage(st["channel"], st["touchpoint"], language),
                    "emotion": {"score": int(st["emotion"])},
                    "moment_of_truth": {"is_moment": why is not None, "why": why or ""},
                    # The model wrote the action, touchpoint, channel and emotion; the rules filled the
                    # rest from the channel and position: all of it an inference, none of it evidence.
                    "origin": dict(INFERRED),
                }
            )
        kpi = {**kpi_for(i, len(stages), language), "origin": dict(INFERRED)}
        out.append({"name": s.name, "steps": steps, "kpis": [kpi], "origin": dict(INFERRED)})
    return {
        "title": title,
        "language": language,
        "journey_type": journey_type or "other",
        "state": state or "current",
        "scope": journey or "",
        "personas": [{"name": who[:200], "segment": who, "origin": {"source": "brief"}}] if who else [],
        "stages": out,
    }


def add_feedback_pain_points(
    data: dict[str, Any], diagnosis: Diagnosis | None, language: Language
) -> dict[str, Any]:
    """Pain points with evidence from the stored feedback: each stage's top two themes, on its worst-felt
    step, quoted verbatim with the rows' ids (severity 4 when the theme holds 30 % of the stage's
    negative comments, else 3)."""
    if diagnosis is None:
        return data
    for stage in data["stages"]:
        d = diagnosis.stage(stage["name"])
        if d is None or not d.themes or not stage["steps"]:
            continue
        target = min(stage["steps"], key=lambda st: st["emotion"]["score"])
        for theme in d.themes[:2]:
            if not theme.quotes:
                continue
            text = (
                f"{theme.label}: {theme.n} of {d.negative} negative comments in this stage"
                if language == "en"
                else f"{theme.label}: 이 단계 부정 의견 {d.negative}건 중 {theme.n}건"
            )
            target.setdefault("pain_points", []).append(
                {
                    "description": text,
                    "severity": 4 if (theme.share_of_negative or 0) >= 0.3 else 3,
                    "provenance": "feedback",
                    "evidence": [
                        {"feedback_id": q.feedback_id, "row": q.row, "quote": q.text, "sentiment": "negative"}
                        for q in theme.quotes[:2]
                    ],
                    "origin": {
                        "source": "feedback",
                        "feedback_ids": [q.feedback_id for q in theme.quotes[:2] if q.feedback_id],
                    },
                }
            )
    return data
