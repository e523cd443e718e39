"""The embedded mode: a fixed pipeline around short, schema-constrained generations.

The in-process 1.5B model writes about six tokens a second and cannot call tools reliably, so it is
never asked to plan. Code understands the request (intent and slots, assistant/turns/understand.py),
answers diagnosis, ideas, survey, search, export and undo requests from the workspace with no model at
all (so they work while the model is still loading), and asks the model only for small structured
pieces: the essentials of a brief, a map outline, one typed edit, a few personas.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from collections.abc import Generator as Gen
from dataclasses import replace
from functools import lru_cache, partial
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model

from assistant.analysis.question_scope import scope_summary, with_scope
from assistant.analysis.render import ideas_answer, survey_answer
from assistant.analysis.stage_focus import focus_stage
from assistant.contracts.requests import DiagnoseOptions, IdeasOptions, SearchRequest, SurveyOptions
from assistant.contracts.results import MapVersion
from assistant.domain.map_model import MAX_PERSONAS, JourneyMap, Persona
from assistant.errors import JourneyError, ModelOutputError, without_paths
from assistant.maps.operations import (
    OPERATION_ADAPTER,
    OPERATION_MODELS,
    OPERATION_NAMES,
    Operation,
    UpsertPersona,
)
from assistant.pipeline.answer_text import compose_diagnosis, compose_search
from assistant.pipeline.diff_text import change_text
from assistant.pipeline.drafts import (
    MIN_DISTINCT_STAGES,
    MISSING_QUESTIONS,
    Brief,
    Generator,
    add_feedback_pain_points,
    draft_map,
)
from assistant.prompts import as_data, load_prompt
from assistant.settings import Settings
from assistant.turns import clarify
from assistant.turns.answer_guard import without_foreign_links
from assistant.turns.edit_rules import element_edit_kind, rule_edit
from assistant.turns.events import (
    DiagnosisView,
    Event,
    FileExport,
    Final,
    IdeasView,
    MapUpdate,
    Status,
    ToolStep,
)
from assistant.turns.routing import route
from assistant.turns.threads import ThreadState
from assistant.turns.turn_context import TurnContext
from assistant.turns.understand import IntentClassifier, Understanding, understand
from assistant.workspace import Workspace
from journey_tools.language import Language

# A draft request that asks to build on the company's feedback: the map then keeps the stages the
# feedback is filed under (see drafting.draft_map).
_ASKS_FOR_FEEDBACK = re.compile(
    r"feedback|reviews?\b|comments|complaints|survey|\bVoC\b|피드백|리뷰|후기|고객 ?의견|불만|설문|VOC",
    re.IGNORECASE,
)

log = logging.getLogger("journey.embedded")

TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "help": "I help you draft personas and customer journey maps, and find out why a stage underperforms "
        "from your own feedback. Try: ‘Draft a journey for first-time borrowers applying for a loan on mobile’, "
        "‘Why is onboarding worse than last quarter?’, ‘How can we improve checkout?’, ‘Export the map as "
        "Excel’. Upload CSV, XLSX or JSON feedback files to analyse them.",
        "no_map": "There is no journey map in this conversation yet. Draft one first (‘Draft a journey for …’), "
        "then ask again.",
        "loading": "Loading the embedded model (first start assembles it; later starts take seconds)…",
        "drafted": "I drafted **{title}** ({stages} stages, {steps} steps; {pains} pain points from your feedback, "
        "each quoted with its id; the rest is marked with where it comes from). Ask me to change anything, "
        "for example ‘rename {first} to …’.",
        "assumed": "What the draft rests on (also in the map's notes):",
        "edited": "Done ({what}). Version {version}:",
        "undone": "Undone. Version {version}:",
        "edit_failed": "I could not turn that into a valid edit: {why}",
        "exported": "Here is **{name}** as {fmt} ({size:,} bytes).",
        "personas": "I drafted {n} persona(s): {names}.",
    },
    "ko": {
        "help": "페르소나와 고객 여정 지도를 함께 만들고, 우리 회사 피드백으로 어느 단계가 왜 부진한지 찾아 드립니다. "
        "예: ‘모바일로 처음 대출을 신청하는 고객 여정 지도를 만들어줘’, ‘지난 분기보다 온보딩이 왜 나빠졌어?’, "
        "‘결제 단계를 어떻게 개선할까?’, ‘엑셀로 내보내줘’. CSV, XLSX, JSON 피드백 파일을 올리면 분석합니다.",
        "no_map": "아직 이 대화에 여정 지도가 없습니다. 먼저 지도를 만든 뒤(‘…여정 지도를 만들어줘’) 다시 물어봐 주세요.",
        "loading": "내장 모델을 불러오는 중입니다(처음에는 모델 파일을 조립하고, 이후에는 몇 초면 됩니다)…",
        "drafted": "**{title}** 지도를 만들었습니다({stages}개 단계, {steps}개 스텝, 피드백에서 찾은 페인포인트 {pains}개는 "
        "원문과 ID로 인용, 나머지는 출처를 표시). ‘{first} 이름을 …로 바꿔줘’처럼 수정을 요청해 보세요.",
        "assumed": "초안의 전제(지도의 메모에도 적어 둠):",
        "edited": "수정했습니다({what}). 버전 {version}:",
        "undone": "되돌렸습니다. 버전 {version}:",
        "edit_failed": "요청을 올바른 수정으로 바꾸지 못했습니다: {why}",
        "exported": "**{name}** 지도를 {fmt} 파일로 준비했습니다({size:,}바이트).",
        "personas": "페르소나 {n}명을 만들었습니다: {names}.",
    },
}

MODEL_INTENTS = {"draft_map", "draft_personas", "edit_map"}


class EmbeddedPipeline:
    def __init__(self, workspace: Workspace, settings: Settings, generator: Generator | None = None) -> None:
        self.workspace = workspace
        self.settings = settings
        self._generator = generator
        self._classifier: IntentClassifier | None = None
        self._lock = threading.Lock()

    def classifier(self) -> IntentClassifier:
        with self._lock:
            if self._classifier is None:
                self._classifier = IntentClassifier(self.workspace.embedder, self.workspace.home / "cache")
            return self._classifier

    def generator(self, status: Callable[[str, float | None], None]) -> Generator:
        with self._lock:
            if self._generator is None:
                from assistant.llm.generator import embedded_generator

                self._generator = embedded_generator(self.settings, status)
            return self._generator

    # --- a turn -----------------------------------------------------------------------------------------

    def handle(
        self, ctx: TurnContext, text: str, state: ThreadState, intent: str | None = None
    ) -> Gen[Event, None, Final]:
        routed = "given"
        if intent == "draft_map":
            u = Understanding(intent="draft_map", confidence=1.0, language=ctx.language, text=text)
        else:
            columns = self.workspace.db.columns() if self.workspace.feedback_count() else []
            u = understand(text, self.classifier(), ctx.journey(), columns, ctx.language)
            # The conversation, not the message alone: a reply to the question a draft asked continues the
            # draft (its answer merged into the brief), a stage edit is an edit (routing.py).
            pending = state.pending_task or ("draft_map" if state.pending_brief is not None else None)
            chosen = route(text, u.intent, u.confidence, pending, ctx.journey())
            routed = chosen.reason
            if chosen.intent != u.intent:
                u = replace(u, intent=chosen.intent, confidence=1.0)  # type: ignore[arg-type]
            if state.pending_brief is not None and u.intent != "draft_map":
                state.pending_brief = None  # a new request replaces the unfinished draft
        ctx.intent = u.intent
        yield ToolStep(
            name="understand",
            input={"text": text},
            output={
                "intent": u.intent,
                "routed": routed,
                "confidence": u.confidence,
                "stage": u.stage,
                "compare_to": u.compare_to,
                "segment_by": u.segment_by,
                **scope_summary(ctx.scope),
            },
        )
        need = clarify.missing(u.intent, ctx.current_map is not None, ctx.has_data)
        if need is not None:
            question, choices = clarify.question(self.workspace, need, ctx.language)
            state.pending_question = text
            return Final(
                text=question,
                language=ctx.language,
                mode="embedded",
                model="embedded",
                needs=need,
                choices=choices,
            )
        misses = ctx.scope.misses if ctx.scope is not None and u.intent in ("diagnose", "ideas") else []
        if misses:
            # "For Unitd": asked back with the closest stored values, never answered on other rows.
            text_out = " ".join(m.text(ctx.language) for m in misses)
            return Final(text=text_out, language=ctx.language, mode="embedded", model="embedded")
        handler = getattr(self, f"_{u.intent}")
        try:
            text_out = yield from handler(ctx, u, state)
        except JourneyError as exc:
            text_out = without_paths(str(exc))
        return Final(text=text_out, language=ctx.language, mode="embedded", model="embedded")

    def _step(
        self, ctx: TurnContext, name: str, args: dict[str, Any], fn: Callable[[], Any]
    ) -> Gen[Event, None, Any]:
        started = time.perf_counter()
        try:
            result = fn()
        except JourneyError as exc:
            # A refused call is a step the user sees too (e.g. an edit naming a stage the map lacks).
            yield ToolStep(
                name=name, input=args, error=without_paths(str(exc)), seconds=time.perf_counter() - started
            )
            raise
        data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        ctx.record(name, data)
        yield ToolStep(name=name, input=args, output=data, seconds=time.perf_counter() - started)
        return result

    def _need_map(self, ctx: TurnContext) -> str:
        """The conversation's map (by name: answers say its version, and its corrections apply). Never
        another conversation's: `handle` asks for one first."""
        if ctx.current_map is None:
            raise JourneyError(TEXT[ctx.language]["no_map"])
        return ctx.current_map

    # --- answered without a model -----------------------------------------------------------------------

    def _help(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        yield from ()
        return TEXT[ctx.language]["help"]

    def _diagnose(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        journey = self._need_map(ctx)
        asked: dict[str, Any] = {"language": ctx.language, "source": ctx.datasets}
        if u.compare_to != "rest":
            asked["compare_to"] = u.compare_to
        if u.segment_by is not None:
            asked["segment_by"] = u.segment_by
        options = with_scope(DiagnoseOptions(**asked), ctx.where, ctx.scope)
        args = options.model_dump(exclude_none=True, exclude_defaults=True)
        run = partial(self.workspace.diagnose, journey, options)
        if options.compare_to == "previous" and options.segment_by is None:
            # "What changed?": the breakdown that explains the change, if one does (the workspace tries
            # the stored columns that could; the step shows which one it kept in its result).
            args["segment_by"] = "auto"
            run = partial(self.workspace.diagnose_change, journey, options, u.stage)
        diagnosis = yield from self._step(ctx, "diagnose_journey", args, run)
        yield DiagnosisView(diagnosis=diagnosis, focus=u.stage)
        target = focus_stage(diagnosis, u.stage)
        ideas = None
        if target and diagnosis.n:
            idea_options = IdeasOptions(
                stage=target,
                language=ctx.language,
                source=options.source,
                where=options.where,
                since=options.since,
                until=options.until,
            )
            ideas = yield from self._step(
                ctx,
                "propose_improvements",
                idea_options.model_dump(exclude_defaults=True),
                lambda: self.workspace.ideas(journey, idea_options),
            )
            yield IdeasView(ideas=ideas)
        text, claims = compose_diagnosis(
            diagnosis,
            ctx.language,
            u.stage,
            ideas,
            _key(ctx, "diagnose_journey"),
            _key(ctx, "propose_improvements"),
        )
        ctx.claims.extend(claims)
        return text

    def _ideas(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        journey = self._need_map(ctx)
        options = with_scope(
            IdeasOptions(stage=u.stage, language=ctx.language, source=ctx.datasets), ctx.where, ctx.scope
        )
        ideas = yield from self._step(
            ctx,
            "propose_improvements",
            options.model_dump(exclude_none=True),
            lambda: self.workspace.ideas(journey, options),
        )
        yield IdeasView(ideas=ideas)
        text, claims = ideas_answer(ideas, ctx.language, _key(ctx, "propose_improvements"))
        ctx.claims.extend(claims)
        return text

    def _survey(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        journey = self._need_map(ctx)
        options = SurveyOptions(stages=[u.stage] if u.stage else [], language=ctx.language)
        result = yield from self._step(
            ctx,
            "propose_survey_questions",
            options.model_dump(),
            lambda: self.workspace.survey_questions(journey, options),
        )
        return survey_answer(result.stages, ctx.language)

    def _search(self, ctx: TurnContext, u: Understanding, collection: str) -> Gen[Event, None, str]:
        request = SearchRequest(
            query=u.text[:2000],
            collection="methodology" if collection == "methodology" else "feedback",
            source=ctx.datasets if collection == "feedback" else [],
        )
        result = yield from self._step(
            ctx, f"search_{collection}", request.model_dump(), lambda: self.workspace.search(request)
        )
        return compose_search(result, ctx.language)

    def _search_methodology(
        self, ctx: TurnContext, u: Understanding, state: ThreadState
    ) -> Gen[Event, None, str]:
        return (yield from self._search(ctx, u, "methodology"))

    def _search_feedback(
        self, ctx: TurnContext, u: Understanding, state: ThreadState
    ) -> Gen[Event, None, str]:
        return (yield from self._search(ctx, u, "feedback"))

    def _export(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        name = self._need_map(ctx)
        journey = self.workspace.get_map(name).map
        fmt = u.export_format or "html"
        result = yield from self._step(
            ctx, "export_map", {"format": fmt}, lambda: self.workspace.export(journey, fmt)
        )
        yield FileExport(export=result)
        return TEXT[ctx.language]["exported"].format(name=journey.title, fmt=fmt.upper(), size=result.size)

    def _undo(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        name = self._need_map(ctx)
        result = yield from self._step(
            ctx, "undo_map_edit", {}, lambda: self.workspace.undo_map(name, "user")
        )
        yield MapUpdate(
            name=result.name, version=result.version, map=self.workspace.get_map(name).map, diff=result.diff
        )
        lines = [TEXT[ctx.language]["undone"].format(version=result.version)]
        lines.extend(f"- {change_text(c, ctx.language)}" for c in result.diff.changes)
        return "\n".join(lines)

    # --- with the model ---------------------------------------------------------------------------------

    def _model(self, ctx: TurnContext) -> Gen[Event, None, Generator]:
        """The ready generator; while it is fetched or loaded, its statuses are passed on as they come
        (the load runs in a thread so a fetch of a minute shows its progress, not a silence)."""
        if self._generator is not None:
            return self._generator
        yield Status(text=TEXT[ctx.language]["loading"])
        updates: queue.Queue[Status | None] = queue.Queue()
        outcome: dict[str, Any] = {}

        def load() -> None:
            try:
                outcome["generator"] = self.generator(lambda t, p: updates.put(Status(text=t, progress=p)))
            except BaseException as exc:  # handed to the turn's thread below
                outcome["error"] = exc
            finally:
                updates.put(None)

        threading.Thread(target=load, name="embedded-model-load", daemon=True).start()
        while (update := updates.get()) is not None:
            yield update
        if "error" in outcome:
            raise outcome["error"]
        generator: Generator = outcome["generator"]
        return generator

    def _model_on_disk(self) -> bool:
        """Whether the embedded model can be loaded without fetching it (drafting never waits for a
        1.1 GB download: with no model it adapts the reference journey in code)."""
        from assistant.llm.model_setup import model_status

        try:
            return model_status(self.settings).present
        except (OSError, JourneyError):
            return False

    def _draft_map(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        from assistant.drafting.compose import draft_journey
        from assistant.drafting.retrieve import CLOSE_ENOUGH

        pending = state.pending_brief or {}
        # A brief is only asked about when it named neither customer nor journey: the answer is the brief.
        request = u.text if pending.get("asked") else " ".join(filter(None, [pending.get("text"), u.text]))
        generator: Generator | None = None
        if self._generator is not None or self._model_on_disk():
            generator = yield from self._model(ctx)
        feedback_stages: list[str] = []
        wants_feedback = bool(_ASKS_FOR_FEEDBACK.search(request))
        if ctx.use_feedback and ctx.has_data and self.workspace.feedback_count() > 0:
            # The feedback that speaks about this journey (its sources), and the stages it is filed under:
            # a map drafted on those stages is one its pain points can be found in.
            search = SearchRequest(query=request[:500], collection="feedback", limit=8, source=ctx.datasets)
            try:
                found = yield from self._step(
                    ctx, "search_feedback", search.model_dump(), lambda: self.workspace.search(search)
                )
            except JourneyError:
                found = None  # shown as a failed step; the draft goes on without the hint
            sources = sorted({h.source for h in found.hits}) if found is not None else []
            if sources:
                feedback_stages = self.workspace.feedback_stages(sources)

        def outline(facts: Any) -> dict[str, Any]:
            """The model's outline on the stages the feedback is filed under (the user asked to build on
            the feedback); everything in it is marked `model`."""
            assert generator is not None
            brief = Brief(who=facts.who, journey=facts.journey, state=facts.state)
            journey = draft_map(self.workspace, generator, request, brief, ctx.language, feedback_stages)
            return journey.model_dump(mode="json", exclude={"created_at", "updated_at", "version"})

        # Built on the feedback's own stages only when the user asked for it and the feedback names enough
        # of them; otherwise the closest reference journey, or the methodology, adapted by the model.
        on_feedback = wants_feedback and len(set(feedback_stages)) >= MIN_DISTINCT_STAGES
        drafted: dict[str, Any] = {}

        def run() -> dict[str, Any]:
            result = draft_journey(
                request,
                self.workspace.embedder,
                language=ctx.language,
                personas=ctx.personas,
                generator=generator,
                outline=outline if on_feedback and generator is not None else None,
                cache_dir=self.workspace.home / "cache",
                ask=not pending.get("asked"),
            )
            drafted["result"] = result
            return {
                "method": result.method,
                "reference": result.reference,
                "matches": [{"domain": m.domain, "score": m.score} for m in result.matches],
                "question": result.question,
                "assumptions": result.assumptions,
                # The numbers the notes state, as fields the answer's claims can cite.
                "close_enough": CLOSE_ENOUGH,
                "adapted_by_model": result.adapted_by_model,
            }

        yield from self._step(
            ctx, "draft_journey_map", {"brief": request, "feedback_stages": feedback_stages}, run
        )
        result = drafted["result"]
        if result.map is None:
            state.pending_brief = {"text": request, "asked": True}
            return result.question or MISSING_QUESTIONS[ctx.language]["head"]
        state.pending_brief = None
        journey = result.map
        if ctx.use_feedback and ctx.has_data and self.workspace.feedback_count() > 0:
            diagnosis = yield from self._step(
                ctx, "diagnose_journey", {"map": journey.title}, lambda: self.workspace.diagnose(journey)
            )
            data = journey.model_dump(mode="json", exclude={"created_at", "updated_at", "version"})
            journey = self.workspace.map_from_data(add_feedback_pain_points(data, diagnosis, ctx.language))
        stored: dict[str, MapVersion] = {}
        pains = sum(
            1 for s in journey.stages for st in s.steps for p in st.pain_points if p.provenance == "feedback"
        )
        steps = sum(len(s.steps) for s in journey.stages)

        def save() -> dict[str, Any]:
            stored["map"] = self.workspace.save_map(
                journey.title, journey, "assistant", "drafted by the embedded assistant"
            )
            # What the answer states about the map, as the step's result: shown with the step, and what
            # the grounding check (and the eval) find the answer's numbers in.
            return {
                "saved_as": stored["map"].name,
                "version": stored["map"].version,
                "stages": journey.stage_names,
                "stage_count": len(journey.stages),
                "step_count": steps,
                "pain_points_from_feedback": pains,
            }

        yield from self._step(ctx, "save_journey_map", {"title": journey.title}, save)
        saved = stored["map"]
        ctx.current_map = saved.name
        yield MapUpdate(name=saved.name, version=saved.version, map=saved.map)
        t = TEXT[ctx.language]
        head = t["drafted"].format(
            title=journey.title,
            stages=len(journey.stages),
            steps=steps,
            pains=pains,
            first=journey.stages[0].name,
        )
        return "\n".join([head, t["assumed"], *(f"- {a}" for a in result.assumptions)])

    def _edit_map(self, ctx: TurnContext, u: Understanding, state: ThreadState) -> Gen[Event, None, str]:
        name = self._need_map(ctx)
        journey = self.workspace.get_map(name).map
        exact = rule_edit(u.text, journey)
        if exact is not None:
            result = yield from self._step(
                ctx,
                "apply_map_operations",
                {"operations": [exact.model_dump(mode="json")]},
                partial(self.workspace.edit_map, name, [exact], "assistant"),
            )
            return (yield from self._edited(ctx, name, exact, result))
        generator = yield from self._model(ctx)
        outline = "\n".join(
            f"- {s.name}: " + "; ".join(f"[{j}] {st.action}" for j, st in enumerate(s.steps))
            for s in journey.stages
        )
        prompt = load_prompt("embedded_edit").render(outline=outline, request=as_data(u.text))
        # Two short generations instead of one under the whole union: which operation, then its fields.
        kind = element_edit_kind(u.text)  # named in words: code chooses, the model fills the fields
        if kind is None:
            try:
                # About ten tokens of JSON; the margin is for Korean requests, where the model has run past 20.
                kind = generator.generate(prompt, u.text, _OperationChoice, max_tokens=48).op
            except ModelOutputError as exc:
                return TEXT[ctx.language]["edit_failed"].format(why=str(exc)[:300])
        model = OPERATION_MODELS[kind]
        error = ""
        for attempt in range(2):
            try:
                raw = generator.generate(prompt + error, u.text, model, max_tokens=300)
                op = OPERATION_ADAPTER.validate_python(raw.model_dump())
                result = yield from self._step(
                    ctx,
                    "apply_map_operations",
                    {"operations": [op.model_dump(mode="json")]},
                    partial(self.workspace.edit_map, name, [op], "assistant"),
                )
                break
            except (ValidationError, JourneyError, ModelOutputError) as exc:
                log.info("edit attempt %d failed: %s", attempt + 1, exc)
                error = f"\n\nYour previous answer was invalid: {str(exc)[:400]}. Fix it."
        else:
            return TEXT[ctx.language]["edit_failed"].format(why=error.strip()[:300])
        return (yield from self._edited(ctx, name, op, result))

    def _edited(self, ctx: TurnContext, name: str, op: Operation, result: Any) -> Gen[Event, None, str]:
        yield MapUpdate(
            name=result.name, version=result.version, map=self.workspace.get_map(name).map, diff=result.diff
        )
        lines = [TEXT[ctx.language]["edited"].format(what=op.op, version=result.version)]
        lines.extend(f"- {change_text(c, ctx.language)}" for c in result.diff.changes)
        return "\n".join(lines)

    def _draft_personas(
        self, ctx: TurnContext, u: Understanding, state: ThreadState
    ) -> Gen[Event, None, str]:
        if _ASKS_TO_SHOW.search(u.text) and not _ASKS_TO_MAKE.search(u.text):
            journey = ctx.journey()
            if journey is not None and journey.personas:
                return (yield from self._show_personas(ctx, journey))
        generator = yield from self._model(ctx)
        hits = (
            self.workspace.search(
                SearchRequest(query=u.text[:500], collection="feedback", limit=5, source=ctx.datasets)
            ).hits
            if ctx.has_data and self.workspace.feedback_count()
            else []
        )
        excerpts = [h.text[:200] for h in hits]
        ctx.record(
            "feedback_excerpts", {"feedback_excerpts": excerpts}
        )  # what the model read: the answer guard checks against it
        prompt = load_prompt("embedded_personas").render(
            count=ctx.personas,
            language="Korean (한국어)" if ctx.language == "ko" else "English",
            request=as_data(u.text),
            feedback=as_data("\n".join(f"- {e}" for e in excerpts) or "-"),
        )
        schema = _personas_schema(ctx.personas)
        result = yield from self._step(
            ctx,
            "draft_personas",
            {"count": ctx.personas},
            lambda: generator.generate(prompt, u.text, schema, max_tokens=200 * ctx.personas + 200),
        )
        # The model read customers' words: a link, path or code in what it wrote came from them.
        drafted = [p.model_dump() for p in result.personas[: ctx.personas]]
        ctx.model_written.append(drafted)
        written, removed = without_foreign_links(drafted, u.text, [{"feedback_excerpts": excerpts}])
        personas = [Persona.model_validate(p) for p in written]
        ctx.refused.extend(f"draft_personas: {r}" for r in removed)
        if ctx.current_map is not None:
            name = ctx.current_map
            edit = self.workspace.edit_map(
                name, [UpsertPersona(persona=p) for p in personas], "assistant", "personas drafted"
            )
            yield MapUpdate(
                name=edit.name, version=edit.version, map=self.workspace.get_map(name).map, diff=edit.diff
            )
        body = "\n".join(
            f"- **{p.name}**: {p.occupation or ''} {('— ' + p.quote) if p.quote else ''}" for p in personas
        )
        return (
            TEXT[ctx.language]["personas"].format(n=len(personas), names=", ".join(p.name for p in personas))
            + "\n"
            + body
        )

    def _show_personas(self, ctx: TurnContext, journey: JourneyMap) -> Gen[Event, None, str]:
        assert ctx.current_map is not None
        # The step's output is what the answer shows, so every number in it (ages) is grounded.
        yield from self._step(
            ctx,
            "get_current_map",
            {},
            lambda: {
                "name": ctx.current_map,
                "personas": [
                    p.model_dump(
                        include={"name", "age", "occupation", "personal_goals", "professional_goals"}
                    )
                    for p in journey.personas
                ],
            },
        )
        head = (
            f"The map '{ctx.current_map}' has {len(journey.personas)} persona(s):"
            if ctx.language == "en"
            else f"'{ctx.current_map}' 지도의 페르소나 {len(journey.personas)}명:"
        )
        return "\n".join([head, *(_persona_line(p, ctx.language) for p in journey.personas)])


def _persona_line(p: Persona, language: Language) -> str:
    """Name, age, occupation and goals: the portrait, not the free-text quotes and lists an imported file
    may fill with anything (they stay on the map, quoted as data)."""
    facts = [x for x in (p.age, p.occupation) if x]
    goals = [*p.personal_goals[:1], *p.professional_goals[:1]]
    head = f"- **{p.name}**" + (f" ({', '.join(facts)})" if facts else "")
    if goals:
        head += (": goals: " if language == "en" else ": 목표: ") + "; ".join(goals)
    return head


_ASKS_TO_SHOW = re.compile(r"요약|보여|알려|정리|설명|summar|show|list|describe|what are|who are", re.I)
_ASKS_TO_MAKE = re.compile(r"만들|추가|새로|생성|초안|더 |draft|creat|add|new|more|generate", re.I)


class _OperationChoice(BaseModel):
    op: Literal[OPERATION_NAMES]  # type: ignore[valid-type]  # the names are known only at import
    """Which kind of edit the request asks for."""


class _Personas(BaseModel):
    personas: Annotated[list[Persona], Field(min_length=1, max_length=MAX_PERSONAS)]
    """At least one: the small model has answered with an empty list."""


@lru_cache(maxsize=MAX_PERSONAS)
def _personas_schema(count: int) -> type[_Personas]:
    """Exactly `count` personas: the schema constrains the generation, so the count asked is the count
    drafted."""
    field: Any = (list[Persona], Field(min_length=count, max_length=count))
    model: type[_Personas] = create_model("_Personas", __base__=_Personas, personas=field)
    return model


def _key(ctx: TurnContext, name: str) -> str:
    """The name the turn's last result of this tool is kept under (`name`, or `name@2` for a second call)."""
    return next((k for k in reversed(list(ctx.results)) if k == name or k.startswith(name + "@")), name)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
