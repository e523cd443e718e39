"""LangChain tools for the agent: adapters over workspace methods, and nothing else.

Each tool's `args_schema` is the workspace's own request model (options only: the map in use is the
conversation's, never a path the model or the user typed), and each returns the workspace result as
JSON computed from the stored data; the model only words it. The tools are an allow-list: none reads a
file, fetches a URL or runs a query of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel

from assistant.domain.model import JourneyMap
from assistant.errors import JourneyError
from assistant.workspace import Workspace
from assistant.workspace.requests import DiagnoseOptions, IdeasOptions, Request, SearchRequest, SurveyOptions

CurrentMap = Callable[[], JourneyMap | None]
"""Returns the map the conversation is about (None when there is none yet)."""


class NoArgs(Request):
    pass


def _json(model: BaseModel | dict[str, Any]) -> str:
    data = model.model_dump(mode="json") if isinstance(model, BaseModel) else model
    return json.dumps(data, ensure_ascii=False, default=str)


def _safely(fn: Callable[..., str]) -> Callable[..., str]:
    """A workspace error becomes a tool result the model can read and recover from, not a crash."""

    def run(**kwargs: Any) -> str:
        try:
            return fn(**kwargs)
        except JourneyError as exc:
            return _json({"error": str(exc)})

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def build_analysis_tools(workspace: Workspace, current_map: CurrentMap) -> list[BaseTool]:
    """Diagnosis, ideas, surveys and search for the conversation's current map."""

    def need_map() -> JourneyMap:
        journey = current_map()
        if journey is None:
            raise JourneyError("There is no journey map in this conversation yet; draft or load one first.")
        return journey

    def diagnose_journey(**kwargs: Any) -> str:
        return _json(workspace.diagnose(need_map(), DiagnoseOptions(**kwargs)))

    def propose_improvements(**kwargs: Any) -> str:
        return _json(workspace.ideas(need_map(), IdeasOptions(**kwargs)))

    def propose_survey_questions(**kwargs: Any) -> str:
        return _json(workspace.survey_questions(need_map(), SurveyOptions(**kwargs)))

    def search_methodology(**kwargs: Any) -> str:
        return _json(workspace.search(SearchRequest(**{**kwargs, "collection": "methodology"})))

    def search_feedback(**kwargs: Any) -> str:
        return _json(workspace.search(SearchRequest(**{**kwargs, "collection": "feedback"})))

    return [
        StructuredTool.from_function(
            _safely(diagnose_journey),
            name="diagnose_journey",
            description="Per-stage feedback metrics with sample sizes, 95% intervals, tests, pain themes with "
            "quotes and counter-evidence, and warnings, computed from the stored feedback.",
            args_schema=DiagnoseOptions,
        ),
        StructuredTool.from_function(
            _safely(propose_improvements),
            name="propose_improvements",
            description="Improvement ideas for a stage's pain themes, scored by expected impact and effort, "
            "each with a KPI and a measurement plan.",
            args_schema=IdeasOptions,
        ),
        StructuredTool.from_function(
            _safely(propose_survey_questions),
            name="propose_survey_questions",
            description="Survey questions with the same wording and scale for stages with too little evidence.",
            args_schema=SurveyOptions,
        ),
        StructuredTool.from_function(
            _safely(search_methodology),
            name="search_methodology",
            description="Passages of the journey-management methodology notes (Korean and English).",
            args_schema=_without(SearchRequest, "collection", "where", "since"),
        ),
        StructuredTool.from_function(
            _safely(search_feedback),
            name="search_feedback",
            description="Customer feedback rows most similar to the query, with source and row.",
            args_schema=_without(SearchRequest, "collection"),
        ),
    ]


def _without(model: type[Request], *names: str) -> type[Request]:
    """The request model minus some fields (which the tool fixes itself)."""
    from pydantic import create_model

    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in model.model_fields.items() if name not in names
    }
    return create_model(model.__name__ + "Args", __base__=Request, **fields)
