"""LangChain tools for the agent: adapters over workspace methods, and nothing else.

Each tool's arguments are the workspace's own request models (options only: the map in use is the
conversation's, never a path the model or the user typed), and each returns the workspace's result as
JSON computed from the stored data; the model only words it. The tools are an allow-list: none reads a
file, fetches a URL or runs a query of its own. The turn's context (runtime.context) carries the
workspace and the thread's current map, and collects what the tools produce for the app to show.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Annotated, Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from assistant.agent.model_views import model_view
from assistant.agent.request_size import compact_schema
from assistant.analysis.question_scope import with_scope
from assistant.analysis.stage_focus import focus_stage
from assistant.contracts.requests import (
    DiagnoseOptions,
    ExportFormat,
    IdeasOptions,
    Request,
    SearchRequest,
    SurveyOptions,
)
from assistant.contracts.results import Diagnosis, IdeasResult
from assistant.data_blocks import block
from assistant.domain.map_model import MAX_MAP_PERSONAS, JourneyMap, Persona
from assistant.errors import JourneyError, without_paths
from assistant.maps.operations import Operation
from assistant.maps.personas import persona_count_note, personas_to_keep
from assistant.turns.events import DiagnosisView, FileExport, IdeasView, MapUpdate, ToolStep
from assistant.turns.turn_context import TurnContext


class NoArgs(Request):
    pass


class DiagnosisWithIdeas(BaseModel):
    diagnosis: Diagnosis
    ideas: IdeasResult | None


# The map's and a persona's schemas as the model reads them: inlined, once-described origins, no caps
# (validation still uses the full models; assistant/agent/request_size.py).
_MAP_SCHEMA = WithJsonSchema(compact_schema(JourneyMap))
_PERSONA_SCHEMA = WithJsonSchema(compact_schema(Persona))


class SaveMapArgs(Request):
    map: Annotated[JourneyMap, _MAP_SCHEMA]
    """The complete journey map."""
    name: Annotated[str, Field(max_length=120)] | None = None
    """Name to save it under (default: the map's title)."""
    reason: Annotated[str, Field(max_length=300)] = "drafted by the assistant"


class EditArgs(Request):
    operations: Annotated[list[Operation], Field(min_length=1, max_length=20)]
    """Typed edits applied in order, all or nothing."""
    reason: Annotated[str, Field(max_length=300)] | None = None
    """One line saying why (default: what the operations do)."""


class PersonasArgs(Request):
    personas: Annotated[
        list[Annotated[Persona, _PERSONA_SCHEMA]], Field(min_length=1, max_length=MAX_MAP_PERSONAS)
    ]
    """Personas grounded in the brief and the feedback: as many as the user asked for (at most three)."""


class ExportArgs(Request):
    format: ExportFormat = "html"
    """json, md, csv, xlsx, mermaid or html."""


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _without(model: type[Request], *names: str) -> type[Request]:
    """The request model minus the fields the tool fixes itself."""
    fields: dict[str, Any] = {n: (f.annotation, f) for n, f in model.model_fields.items() if n not in names}
    return create_model(model.__name__ + "Args", __base__=Request, **fields)


def _with_runtime(args: type[BaseModel]) -> type[BaseModel]:
    """The request model plus the injected `runtime`: LangChain leaves it out of the schema the model sees,
    and the request's `extra="forbid"` stays in force for everything else."""
    config = ConfigDict(**{**args.model_config, "arbitrary_types_allowed": True})
    # Excluded from dumps: LangChain dumps the parsed arguments, and a runtime is not data.
    fields = {
        "__annotations__": {"runtime": ToolRuntime},
        "runtime": Field(exclude=True),
        "model_config": config,
    }
    return type(args.__name__ + "Tool", (args,), fields)


def _tool(name: str, description: str, args: type[BaseModel], body: Callable[..., Any]) -> BaseTool:
    """A tool whose result is recorded for the grounding check and shown as a step; a workspace error
    becomes a result the model can read and recover from."""

    def run(runtime: ToolRuntime[TurnContext], **kwargs: Any) -> str:
        ctx = runtime.context
        started = time.perf_counter()
        try:
            raw = body(ctx, **kwargs)
        except JourneyError as exc:
            why = without_paths(str(exc))  # the model may repeat it, and the user sees the step
            ctx.emit(
                ToolStep(
                    name=name, input=_dump_args(kwargs), error=why, seconds=time.perf_counter() - started
                )
            )
            return json.dumps({"error": why}, ensure_ascii=False)
        result = _dump(raw)
        ctx.read_data = True
        view = model_view(raw, kwargs.get("stage"))
        # Both are kept for the claims check: the model words what it was shown (0.455 -> "46%").
        ctx.record(name, result, shown=view)
        ctx.emit(
            ToolStep(
                name=name,
                input=_dump_args(kwargs),
                output=result,
                seconds=round(time.perf_counter() - started, 3),
            )
        )
        text = json.dumps(view, ensure_ascii=False, default=str, separators=(",", ":"))
        # Results carry customers' words: they reach the model inside a data block, never as instructions.
        return block(text, ctx.tag)

    return StructuredTool.from_function(
        run, name=name, description=description, args_schema=_with_runtime(args)
    )


def _need_map(ctx: TurnContext) -> JourneyMap:
    journey = ctx.journey()
    if journey is None:
        raise JourneyError(
            "There is no journey map in this conversation yet; draft one with save_journey_map first."
        )
    return journey


def _dump_args(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: _dump(v) for k, v in kwargs.items()}


# --- the tools' bodies ------------------------------------------------------------------------------------


def _need_data(ctx: TurnContext) -> list[str]:
    """The conversation's datasets ([]: every dataset); the model cannot widen them."""
    if not ctx.has_data:
        raise JourneyError(
            "This conversation has no feedback chosen yet; ask the user which dataset to use (or all feedback)."
        )
    return ctx.datasets


def _map_name(ctx: TurnContext) -> str:
    _need_map(ctx)
    assert ctx.current_map is not None
    return ctx.current_map


def _given(model: type[BaseModel], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments the model chose: the tool layer fills every field's default in, and a default must not
    hide the measure or period the question itself names (with_scope fills only what is unset)."""
    fields = model.model_fields
    return {k: v for k, v in kwargs.items() if k not in fields or v != fields[k].default}


def diagnose(ctx: TurnContext, **kwargs: Any) -> Any:
    """The diagnosis, plus the ideas for the stage asked about (or the worst one): an answer about why a
    stage underperforms needs both, and one tool call instead of two saves a model round trip."""
    name = _map_name(ctx)
    options = with_scope(
        DiagnoseOptions(**_given(DiagnoseOptions, kwargs), source=_need_data(ctx)), ctx.where, ctx.scope
    )
    result = ctx.workspace.diagnose(name, options)
    ctx.emit(DiagnosisView(diagnosis=result, focus=options.stage))
    target = focus_stage(result, options.stage)
    ideas = None
    if target is not None and result.n:
        scope = {
            "source": options.source,
            "where": options.where,
            "since": options.since,
            "until": options.until,
        }
        ideas = ctx.workspace.ideas(name, IdeasOptions(stage=target, language=ctx.language, **scope))
        ctx.emit(IdeasView(ideas=ideas))
    return DiagnosisWithIdeas(diagnosis=result, ideas=ideas)


def ideas(ctx: TurnContext, **kwargs: Any) -> Any:
    options = with_scope(
        IdeasOptions(**_given(IdeasOptions, kwargs), source=_need_data(ctx)), ctx.where, ctx.scope
    )
    result = ctx.workspace.ideas(_map_name(ctx), options)
    ctx.emit(IdeasView(ideas=result))
    return result


def survey(ctx: TurnContext, **kwargs: Any) -> Any:
    return ctx.workspace.survey_questions(_map_name(ctx), SurveyOptions(**kwargs))


def search_methodology(ctx: TurnContext, **kwargs: Any) -> Any:
    return ctx.workspace.search(SearchRequest(**kwargs, collection="methodology"))


def search_feedback(ctx: TurnContext, **kwargs: Any) -> Any:
    return ctx.workspace.search(SearchRequest(**kwargs, collection="feedback", source=_need_data(ctx)))


def feedback_overview(ctx: TurnContext) -> Any:
    ws = ctx.workspace
    sources = ctx.datasets or ws.sources()
    if not ctx.has_data:
        return {"rows": 0, "sources": {}, "note": "no feedback chosen in this conversation"}
    counts = {s: ws.feedback_count(s) for s in sources}
    return {"rows": sum(counts.values()), "sources": counts}


def get_current_map(ctx: TurnContext) -> Any:
    journey = _need_map(ctx)
    return {
        "name": ctx.current_map,
        "map": journey.model_dump(mode="json", exclude={"created_at", "updated_at"}),
    }


def save_map(
    ctx: TurnContext, map: JourneyMap, name: str | None = None, reason: str = "drafted by the assistant"
) -> Any:
    checked, notes = ctx.workspace.ground_map(map)
    note = persona_count_note(len(checked.personas), ctx.personas)
    if note:
        notes.append(note)
    target = name or ctx.current_map or checked.title
    saved = ctx.workspace.save_map(target, checked, "assistant", reason)
    ctx.current_map = saved.name
    ctx.emit(MapUpdate(name=saved.name, version=saved.version, map=saved.map))
    return {"saved_as": saved.name, "version": saved.version, "stages": checked.stage_names, "notes": notes}


def edit_map(ctx: TurnContext, operations: list[Operation], reason: str | None = None) -> Any:
    _need_map(ctx)
    assert ctx.current_map is not None
    result = ctx.workspace.edit_map(ctx.current_map, operations, "assistant", reason)
    saved = ctx.workspace.get_map(result.name, result.version)
    ctx.emit(MapUpdate(name=result.name, version=result.version, map=saved.map, diff=result.diff))
    return result


def undo(ctx: TurnContext) -> Any:
    _need_map(ctx)
    assert ctx.current_map is not None
    result = ctx.workspace.undo_map(ctx.current_map, "assistant")
    saved = ctx.workspace.get_map(result.name, result.version)
    ctx.emit(MapUpdate(name=result.name, version=result.version, map=saved.map, diff=result.diff))
    return result


def personas(ctx: TurnContext, personas: list[Persona]) -> Any:
    from assistant.maps.operations import UpsertPersona

    personas = personas_to_keep(personas, ctx.personas, ctx.personas_asked)
    if ctx.current_map is None:
        return {"personas": [p.model_dump(mode="json") for p in personas], "attached_to": None}
    result = edit_map(ctx, [UpsertPersona(persona=p) for p in personas], "personas drafted by the assistant")
    return {"attached_to": ctx.current_map, "version": result.version}


def export(ctx: TurnContext, format: ExportFormat = "html") -> Any:
    journey = _need_map(ctx)
    result = ctx.workspace.export(journey, format)
    ctx.emit(FileExport(export=result))
    return {"format": format, "filename": result.filename, "bytes": result.size}


def build_tools() -> list[BaseTool]:
    """The agent's allow-list of tools."""
    return list(_allow_list())


@functools.cache
def _allow_list() -> tuple[BaseTool, ...]:
    """Built once per process: the tools hold no state (the turn's context comes with each call), and
    building their schemas reads docstrings from source, about 0.7 s, which every user's assistant paid."""
    return (
        _tool(
            "feedback_overview", "How many feedback rows are stored, per source.", NoArgs, feedback_overview
        ),
        _tool(
            "search_methodology",
            "Passages of the journey-management methodology notes (Korean and English): "
            "stages, personas, moments of truth, touchpoints, KPIs, feedback types, hidden drop-offs.",
            _without(SearchRequest, "collection", "where", "since", "source"),
            search_methodology,
        ),
        _tool(
            "search_feedback",
            "Stored customer feedback rows most similar to the query, with their ids.",
            _without(SearchRequest, "collection", "source"),
            search_feedback,
        ),
        _tool(
            "diagnose_journey",
            "Per-stage feedback metrics of the current map: rows, negative share with 95% "
            "intervals, tests against the rest or the previous period, pain themes with verbatim quotes and ids, "
            "counter-evidence, segments, warnings, on the conversation's datasets. Put the question's scope in "
            "`where` (a stored column's value: airline=United), since/until, and its measure in `metric` "
            "(negative_count for 'most complaints'). Every number you state must come from here.",
            _without(DiagnoseOptions, "source"),
            diagnose,
        ),
        _tool(
            "propose_improvements",
            "Improvement ideas for a stage's pain themes with their computed expected "
            "effect, effort, KPI and measurement plan.",
            _without(IdeasOptions, "source"),
            ideas,
        ),
        _tool(
            "propose_survey_questions",
            "Comparable survey questions for stages with too little feedback.",
            SurveyOptions,
            survey,
        ),
        _tool("get_current_map", "The conversation's current journey map as JSON.", NoArgs, get_current_map),
        _tool(
            "save_journey_map",
            "Save a new or redrafted journey map (validated against the schema; pain points "
            "citing feedback must quote stored rows verbatim with their feedback_id, else they become inferred). "
            "It becomes the conversation's current map.",
            SaveMapArgs,
            save_map,
        ),
        _tool(
            "apply_map_operations",
            "Edit the current map with typed operations (add/update/remove/move a step, "
            "add/rename/split/merge/reorder/remove stages, set an emotion, add a pain point, opportunity or KPI, "
            "upsert a persona). Invalid edits are refused with the JSON path and change nothing.",
            EditArgs,
            edit_map,
        ),
        _tool("undo_map_edit", "Undo the last edit of the current map.", NoArgs, undo),
        _tool(
            "draft_personas",
            "Save drafted personas (attached to the current map when there is one).",
            PersonasArgs,
            personas,
        ),
        _tool(
            "export_map",
            "Export the current map as a file for the user: json, md, csv, xlsx, mermaid, html.",
            ExportArgs,
            export,
        ),
    )
