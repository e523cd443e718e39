"""The map as a picture: the stage × lane grid shown by `public/elements/JourneyGrid.jsx`.

`grid_props` turns a journey map (and the diff of its last edit) into plain JSON: stages as column
groups (each spans its steps), one row per lane. The JSX only lays it out; every decision about what a
cell says is made here, where it is unit-tested.
"""

from __future__ import annotations

from typing import Any

from assistant.analysis.render import shorten
from assistant.contracts.results import MapDiff
from assistant.domain.map_model import JourneyMap, Origin, Persona, Stage, Step

LANES = (
    "actions",
    "touchpoints",
    "front_stage",
    "back_stage",
    "thoughts",
    "emotion",
    "pain_points",
    "opportunities",
    "kpis",
)
LANE_LABELS = {
    "en": {
        "actions": "Actions",
        "touchpoints": "Touchpoints",
        "front_stage": "Front-stage",
        "back_stage": "Back-stage",
        "thoughts": "Thoughts",
        "emotion": "Emotion",
        "pain_points": "Pain points",
        "opportunities": "Opportunities",
        "kpis": "KPIs",
    },
    "ko": {
        "actions": "행동",
        "touchpoints": "접점",
        "front_stage": "프론트스테이지",
        "back_stage": "백스테이지",
        "thoughts": "생각",
        "emotion": "감정",
        "pain_points": "페인포인트",
        "opportunities": "개선 기회",
        "kpis": "KPI",
    },
}
ORIGIN_LABELS = {
    "en": {"brief": "brief", "feedback": "feedback", "reference": "reference", "model": "inferred"},
    "ko": {"brief": "브리프", "feedback": "피드백", "reference": "참고 여정", "model": "추론"},
}
PERSONA_LABELS = {
    "en": {"goals": "Goals", "needs": "Needs", "frustrations": "Frustrations", "behaviours": "Behaviours"},
    "ko": {"goals": "목표", "needs": "니즈", "frustrations": "불편", "behaviours": "행동 특성"},
}
_LANE_FIELD = {
    "actions": "action",
    "touchpoints": "touchpoint",
    "front_stage": "front_stage",
    "back_stage": "back_stage",
    "thoughts": "thoughts",
    "emotion": "emotion",
}
EMOTION_COLOURS = {-2: "#d64545", -1: "#ee8f52", 0: "#e3b93c", 1: "#8cbf5a", 2: "#3b9a57"}
MAX_CELL = 400


def _short(text: str, limit: int = MAX_CELL) -> str:
    return shorten(text, limit)


def lane_labels(language: str) -> dict[str, str]:
    return LANE_LABELS["ko" if language.startswith("ko") else "en"]


def changed_places(journey: JourneyMap, diff: MapDiff | None) -> tuple[set[str], set[tuple[str, int]]]:
    """The stages and (stage, step index) the diff touched, matched against the map's own stage names."""
    stages: set[str] = set()
    steps: set[tuple[str, int]] = set()
    if diff is None:
        return stages, steps
    names = sorted(journey.stage_names, key=len, reverse=True)
    for change in diff.changes:
        if change.kind == "stage_renamed" and isinstance(change.after, str):
            stages.add(change.after)  # the path names the stage as it was called before
            continue
        for name in names:
            prefix = f"stages[{name}]"
            if not change.path.startswith(prefix):
                continue
            rest = change.path[len(prefix) :]
            if rest.startswith(".steps[") and "]" in rest:
                index = rest[len(".steps[") : rest.index("]")]
                if index.isdigit():
                    steps.add((name, int(index)))
                    break
            stages.add(name)
            break
    return stages, steps


def _origin(origin: Origin | None, field: str | None = None) -> dict[str, str] | None:
    """Where a cell's content comes from: the source word (the JSX mutes `model`, i.e. inferred) and,
    for a reference, which one."""
    if origin is None:
        return None
    source = origin.of(field) if field else origin.source
    return {"source": source, "reference": origin.reference or "" if source == "reference" else ""}


def _step_cell(lane: str, step: Step) -> dict[str, Any]:
    cell = _step_content(lane, step)
    if lane in _LANE_FIELD:
        cell["origin"] = _origin(step.origin, _LANE_FIELD[lane])
    return cell


def _persona_card(p: Persona) -> dict[str, Any]:
    return {
        "name": p.name,
        "role": _short(p.occupation, 120),
        "situation": _short(p.life_situation, 240),
        "goals": [_short(g, 120) for g in (p.personal_goals + p.professional_goals)[:3]],
        "needs": [_short(n, 120) for n in p.needs[:3]],
        "frustrations": [_short(f, 120) for f in p.frustrations[:3]],
        "behaviours": [_short(b, 120) for b in p.behaviours[:3]],
        "channels": list(p.channels),
        "quote": _short(p.quote, 240),
        "origin": _origin(p.origin),
    }


def _step_content(lane: str, step: Step) -> dict[str, Any]:
    if lane == "actions":
        return {"text": _short(step.action)}
    if lane == "touchpoints":
        return {"text": _short(step.touchpoint), "chip": step.channel if step.channel != "other" else ""}
    if lane in ("front_stage", "back_stage", "thoughts"):
        return {"text": _short(getattr(step, lane))}
    if lane == "emotion":
        score = step.emotion.score
        return {
            "score": score,
            "label": _short(step.emotion.label, 60),
            "colour": EMOTION_COLOURS[score],
        }
    if lane == "pain_points":
        return {
            "items": [
                {
                    "text": _short(p.description, 240),
                    "severity": p.severity,
                    "provenance": p.provenance,
                    "origin": _origin(p.origin),
                    "evidence": [
                        {"id": e.feedback_id or "", "quote": _short(e.quote, 160)} for e in p.evidence[:2]
                    ],
                }
                for p in step.pain_points
            ]
        }
    if lane == "opportunities":
        return {
            "items": [
                {
                    "text": _short(o.description, 240),
                    "kpi": _short(o.kpi, 80),
                    "effort": o.effort or "",
                    "origin": _origin(o.origin),
                }
                for o in step.opportunities
            ]
        }
    raise ValueError(lane)


def _kpi_cell(stage: Stage) -> dict[str, Any]:
    return {
        "items": [
            {
                "text": _short(k.name, 80),
                "target": _short(k.target, 80),
                "owner": _short(k.owner, 60),
                "origin": _origin(k.origin),
            }
            for k in stage.kpis
        ]
    }


def grid_props(journey: JourneyMap, name: str, version: int, diff: MapDiff | None = None) -> dict[str, Any]:
    """Props for the JourneyGrid element: stages with their spans, step columns, and the nine lanes."""
    labels = lane_labels(journey.language)
    changed_stages, changed_steps = changed_places(journey, diff)
    stages: list[dict[str, Any]] = []
    columns: list[dict[str, Any]] = []
    for s_index, stage in enumerate(journey.stages):
        span = max(1, len(stage.steps))
        stages.append(
            {
                "name": stage.name,
                "goal": _short(stage.goal, 160),
                "span": span,
                "changed": stage.name in changed_stages,
            }
        )
        if not stage.steps:
            columns.append({"stage": s_index, "step": None, "first": True, "moment": False, "changed": False})
        for j, step in enumerate(stage.steps):
            columns.append(
                {
                    "stage": s_index,
                    "step": j,
                    "first": j == 0,
                    "moment": step.moment_of_truth.is_moment,
                    "moment_why": _short(step.moment_of_truth.why, 200),
                    "changed": (stage.name, j) in changed_steps,
                }
            )
    lanes: list[dict[str, Any]] = []
    for lane in LANES:
        cells: list[dict[str, Any]] = []
        for stage in journey.stages:
            if lane == "kpis":
                cells.append({**_kpi_cell(stage), "span": max(1, len(stage.steps))})
            elif not stage.steps:
                cells.append({"empty": True, "span": 1})
            else:
                cells.extend({**_step_cell(lane, step), "span": 1} for step in stage.steps)
        lanes.append({"key": lane, "label": labels[lane], "cells": cells})
    return {
        "title": journey.title,
        "name": name,
        "version": version,
        "state": journey.state,
        "language": journey.language,
        "stages": stages,
        "columns": columns,
        "lanes": lanes,
        "personas": [p.name for p in journey.personas],
        "persona_cards": [_persona_card(p) for p in journey.personas],
        "origins": ORIGIN_LABELS["ko" if journey.language.startswith("ko") else "en"],
        "labels": {
            "persona": PERSONA_LABELS["ko" if journey.language.startswith("ko") else "en"],
            "moment": "결정적 순간" if journey.language.startswith("ko") else "Moment of truth",
            "empty": "단계에 스텝 없음" if journey.language.startswith("ko") else "no steps yet",
            "state": ("현재(As-is)" if journey.state == "current" else "미래(To-be)")
            if journey.language.startswith("ko")
            else ("As-is" if journey.state == "current" else "To-be"),
        },
    }
