"""Thin LangChain tool wrappers over the analysis functions, for the agent.

Built by a factory with their dependencies passed in (store, map, encoder), so nothing is global and
tools never read UI session state. Each tool returns JSON text computed from the stored data; the
model only words it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from assistant.domain.model import JourneyMap
from assistant.feedback.store import FeedbackStore
from tools.encoders import Encoder
from tools.ideas import ideas_for_stage, survey_questions


class DiagnoseArgs(BaseModel):
    stage: str | None = Field(None, description="Focus on one stage of the map (exact name), or all.")
    segment_by: str | None = Field(None, description="A stored column to break results down by.")
    since: str | None = Field(None, description="First date, YYYY-MM-DD.")
    until: str | None = Field(None, description="Last date, YYYY-MM-DD.")
    compare_to: Literal["rest", "previous"] = Field(
        "rest", description="Compare with other stages or the previous period."
    )


class IdeasArgs(BaseModel):
    stage: str = Field(description="Stage name to propose improvements for.")
    language: Literal["en", "ko"] = Field("en", description="Language of the ideas.")


class SurveyArgs(BaseModel):
    stages: list[str] = Field(description="Stages that need more evidence.")
    language: Literal["en", "ko"] = Field("en")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def build_analysis_tools(
    store: FeedbackStore, journey: Callable[[], JourneyMap], encoder_factory: Callable[[], Encoder]
) -> list[BaseTool]:
    """The analysis tools for the current map (`journey` returns the map in force when a tool runs)."""
    from assistant.analysis.service import DiagnoseOptions, run_diagnosis

    def diagnose_journey(**kwargs: Any) -> str:
        options = DiagnoseOptions(**DiagnoseArgs(**kwargs).model_dump())
        return _dumps(run_diagnosis(store, journey(), encoder_factory, options))

    def propose_improvements(stage: str, language: Literal["en", "ko"] = "en") -> str:
        current = journey()
        result = run_diagnosis(store, current, encoder_factory, DiagnoseOptions(stage=stage))
        if not result["stages"]:
            return _dumps({"error": f"no stage {stage!r} in the map"})
        entry = result["stages"][0]
        mot = any(s.moment_of_truth.is_moment for s in current.stage(entry["stage"]).steps)
        return _dumps(
            {"stage": entry["stage"], "ideas": ideas_for_stage(entry, language, moment_of_truth=mot)}
        )

    def propose_survey_questions(stages: list[str], language: Literal["en", "ko"] = "en") -> str:
        current = journey()
        chosen = [
            current.stage(s) for s in stages if s.casefold() in {n.casefold() for n in current.stage_names}
        ]
        return _dumps(survey_questions([{"name": s.name, "goal": s.goal} for s in chosen], language))

    return [
        StructuredTool.from_function(
            diagnose_journey,
            name="diagnose_journey",
            description="Per-stage feedback metrics with sample sizes, 95% intervals, tests, pain themes with "
            "quotes and counter-evidence, and warnings, computed from the stored feedback.",
            args_schema=DiagnoseArgs,
        ),
        StructuredTool.from_function(
            propose_improvements,
            name="propose_improvements",
            description="Improvement ideas for a stage's pain themes, scored by expected impact and effort, "
            "each with a KPI and a measurement plan.",
            args_schema=IdeasArgs,
        ),
        StructuredTool.from_function(
            propose_survey_questions,
            name="propose_survey_questions",
            description="Survey questions with the same wording and scale for stages with too little evidence.",
            args_schema=SurveyArgs,
        ),
    ]
