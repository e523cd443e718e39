"""The assistant behind every face (chat app, `journey chat`, `journey ask`, evals): one `send` per
user message, yielding a stream of events and ending with one grounded final answer.

The mode is chosen once, at start: the tool-calling agent for a cloud, OpenAI-compatible or scripted
model, the fixed embedded pipeline otherwise. Every answer passes the grounding check: if it fails, the
model is asked once to correct it, then the deterministic answer replaces it and the event is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage

from assistant.agent.answers import AgentAnswer, ChatAnswer, DiagnosisAnswer, quote_ids, render
from assistant.agent.providers import build_chat_model, check_endpoint, detect_mode
from assistant.analysis.claims import CheckReport, Claim
from assistant.analysis.question_scope import QuestionScope, read_scope
from assistant.contracts.chat_context import ChatContext, context_line
from assistant.contracts.requests import RowFilter
from assistant.errors import JourneyError, without_paths
from assistant.pipeline.answer_text import compose_diagnosis
from assistant.settings import Settings
from assistant.turns import clarify, routing
from assistant.turns.answer_guard import guard_answer
from assistant.turns.events import DiagnosisView, Event, Final, IdeasView, MapUpdate, ModeInfo, ToolStep
from assistant.turns.grounding import ground
from assistant.turns.threads import ThreadState, ThreadStore
from assistant.turns.turn_context import TurnContext
from assistant.turns.understand import detect_language
from assistant.workspace import Workspace
from journey_tools.language import Language

log = logging.getLogger("journey.assistant")

PROVIDER_TROUBLE = {
    "en": "The model provider did not answer ({why}), even after retrying. Nothing was lost: your "
    "conversation and map are kept. Please try again in a moment.",
    "ko": "모델 제공자가 응답하지 않았습니다({why}). 재시도했지만 실패했습니다. 대화와 지도는 그대로 남아 있으니 "
    "잠시 후 다시 시도해 주세요.",
}
NO_ANSWER = {
    "en": "I could not finish this answer within the limits of one turn. Please ask again, more narrowly.",
    "ko": "한 번의 응답 한도 안에 답을 마치지 못했습니다. 질문 범위를 좁혀 다시 물어봐 주세요.",
}

FILE_TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "map": "{name} is a journey map: I imported **{title}** (version {version}, {stages} stages), and it is "
        "now this conversation's map.",
        "feedback": "{name}: {rows:,} feedback rows stored in the dataset {source}, which this conversation now "
        "reads.",
        "failed": "{name} could not be added: {why}",
    },
    "ko": {
        "map": "{name} 파일은 여정 지도입니다. **{title}** 지도(버전 {version}, {stages}개 단계)를 가져왔고, 이제 이 "
        "대화의 지도입니다.",
        "feedback": "{name}: 피드백 {rows:,}건을 데이터셋 {source}에 저장했고, 이 대화에서 이 데이터를 봅니다.",
        "failed": "{name} 파일을 추가하지 못했습니다: {why}",
    },
}


def _noting_views(events: Generator[Event, None, Final], ctx: TurnContext) -> Generator[Event, None, Final]:
    """Pass the pipeline's events on, noting its diagnoses and maps in the turn (the answer's scope and the
    pending task are read from them, as in the agent mode where the tools note them)."""
    while True:
        try:
            event = next(events)
        except StopIteration as stop:
            final: Final = stop.value
            return final
        if isinstance(event, DiagnosisView | MapUpdate):
            ctx.emit(event)
        yield event


def _guard(final: Final, ctx: TurnContext) -> None:
    """Nothing in the answer follows an instruction from the data (answer_guard.py); what was removed or
    refused is logged and kept with the answer."""
    guarded = guard_answer(
        final.text, ctx.user_text, list(ctx.results.values()), ctx.language, written=ctx.model_written
    )
    final.text = guarded.text
    final.guarded = [*ctx.refused, *guarded.removed]
    if final.guarded:
        log.warning("answer guard (%s): %s", ctx.thread_id, "; ".join(final.guarded))


class _Keep:
    """'Leave it as it is', where None means 'no map'."""


KEEP = _Keep()
MAX_SCOPED_QUESTION = 2000
"""Longer messages are pasted documents: their words are not read as the question's scope."""
MATERIAL_CHARS = 5000
MATERIAL_CHARS_COMPATIBLE = 2400
"""Characters of drafting material (reference journey and notes) for a cloud model and for a local server
(whose context may be 8k tokens; the drafting request without it is about 5,500)."""


@dataclass
class TurnOptions:
    language: Literal["auto", "en", "ko"] = "auto"
    """The answer language; "auto" follows the user's message."""
    personas: int = 1
    """Personas to draft when the message names no number (a number in the message wins; at most
    MAX_PERSONAS either way)."""
    current_map: str | None = None
    """Switch the conversation to this saved map before answering."""
    datasets: list[str] | None = None
    """Set the conversation's datasets before answering (None: keep them)."""
    all_feedback: bool | None = None
    """Set whether the conversation reads every dataset (None: keep it)."""
    where: list[RowFilter] = field(default_factory=list)
    """Row filters for this turn's analysis, beside those the question names (`journey ask --where`)."""
    intent: Literal["draft_map"] | None = None
    """Skip understanding: the message is a drafting brief (`journey map`)."""
    use_feedback: bool = True
    """Ground drafted pain points in the stored feedback."""


def checkpoint_serde() -> Any:
    """Checkpoints hold our answer models; only those (and LangGraph's own safe types) may be read back."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from assistant.agent import answers

    names = ["DiagnosisAnswer", "ChatAnswer", "Claim", "IdeaClaim"]
    return JsonPlusSerializer(allowed_msgpack_modules=[(answers.__name__, n) for n in names])


class Assistant:
    """Create with `Assistant.start(workspace)`; `send` is safe to call from several threads."""

    def __init__(
        self, workspace: Workspace, settings: Settings, mode: ModeInfo, chat_model: BaseChatModel | None
    ) -> None:
        self.workspace = workspace
        self.settings = settings
        self.mode = mode
        self.threads = ThreadStore(workspace.db)
        self._chat_model = chat_model
        self._agent: Any = None
        self._pipeline: Any = None
        self._classifier: Any = None
        self._lock = threading.Lock()
        self._close_checkpoints: Callable[[], None] | None = None

    @classmethod
    def start(
        cls, workspace: Workspace, chat_model: BaseChatModel | None = None, check: bool = True
    ) -> Assistant:
        """Choose the mode from the settings (a given chat model means scripted), and check a remote
        endpoint now, so a bad key or URL is reported before the first message."""
        settings = workspace.settings
        if chat_model is not None:
            mode = ModeInfo(mode="scripted", model=type(chat_model).__name__, label="Scripted model (tests)")
        else:
            mode = detect_mode(settings)
            if mode.mode in ("cloud", "compatible"):
                if check:
                    check_endpoint(settings)
                chat_model = build_chat_model(settings)
            elif mode.mode == "scripted":
                from assistant.agent.scripted import ScriptedChatModel

                assert settings.journey_scripted_model is not None
                chat_model = ScriptedChatModel.from_file(settings.journey_scripted_model)
        return cls(workspace, settings, mode, chat_model)

    def close(self) -> None:
        if self._close_checkpoints is not None:
            self._close_checkpoints()

    # --- the parts, created on first use ----------------------------------------------------------------

    def agent(self) -> Any:
        with self._lock:
            if self._agent is None:
                from assistant.agent.agent import build_agent

                assert self._chat_model is not None
                # SQLite in the workspace's home, or the workspace's PostgreSQL schema (DATABASE_URL).
                saver, self._close_checkpoints = self.workspace.checkpointer(checkpoint_serde())
                self._agent = build_agent(self._chat_model, saver)
            return self._agent

    def pipeline(self) -> Any:
        with self._lock:
            if self._pipeline is None:
                from assistant.pipeline.embedded import EmbeddedPipeline

                self._pipeline = EmbeddedPipeline(self.workspace, self.settings)
            return self._pipeline

    # --- a turn -----------------------------------------------------------------------------------------

    def _toolset(
        self, text: str, options: TurnOptions, ctx: TurnContext, state: ThreadState
    ) -> tuple[frozenset[str] | None, str, routing.Route]:
        """The tools this turn's job needs, and the job: read from the message by the local intent
        classifier, then routed in the conversation (a reply to the assistant's question continues its
        task; a stage edit is an edit)."""
        from assistant.agent.agent import toolset_for

        if options.intent == "draft_map":
            return toolset_for("draft_map", 1.0), "draft_map", routing.Route("draft_map", "given")
        with self._lock:
            if self._classifier is None:
                from assistant.turns.understand import IntentClassifier

                self._classifier = IntentClassifier(self.workspace.embedder, self.workspace.home / "cache")
            classifier = self._classifier
        intent, confidence = classifier.classify(text)
        chosen = routing.route(text, intent, confidence, state.pending_task, ctx.journey())
        if chosen.reason != "classifier":
            return toolset_for(chosen.intent, 1.0), chosen.intent, chosen
        return toolset_for(intent, confidence), intent, chosen

    def language_for(self, text: str, options: TurnOptions, state: ThreadState) -> Language:
        if options.language != "auto":
            return options.language
        return detect_language(text, state.language or "en")

    # --- the conversation's context ----------------------------------------------------------------------

    def context(self, thread_id: str) -> ChatContext:
        """The map and data this conversation works on."""
        return self.threads.get(thread_id).context

    def set_context(
        self,
        thread_id: str,
        map: str | _Keep | None = KEEP,
        datasets: list[str] | None = None,
        all_feedback: bool | None = None,
    ) -> ChatContext:
        """Choose the conversation's map and/or data (what is not given stays); checked against the
        workspace, so a name that is not saved or stored is refused with the ones that are."""
        state = self.threads.get(thread_id)
        state.context = self._chosen(state.context, map, datasets, all_feedback)
        self.threads.put(thread_id, state)
        return state.context

    def add_dataset(self, thread_id: str, name: str) -> ChatContext:
        """An upload in this conversation: its dataset joins the conversation's data."""
        state = self.threads.get(thread_id)
        state.context = state.context.with_dataset(name)
        self.threads.put(thread_id, state)
        return state.context

    def add_file(
        self, thread_id: str, path: Path, name: str | None = None, language: Language = "en"
    ) -> Iterator[Event]:
        """A file given in this conversation (an upload in the app, `/file` in `journey chat`): a map file
        becomes the conversation's map (shown as a map update), a feedback file joins its data. Ends with
        a Final saying which; an error is that Final's text, naming the file but never its folder."""
        state = self.threads.get(thread_id)
        shown = name or path.name
        t = FILE_TEXT[language]
        map_name: str | None = state.context.map
        started = time.perf_counter()
        error: str | None = None
        summary: dict[str, Any] = {}
        try:
            added = self.workspace.add_file(path, shown)
        except JourneyError as exc:
            why = error = without_paths(str(exc))
            yield ToolStep(
                name="add_file", input={"file": shown}, error=why, seconds=time.perf_counter() - started
            )
            text = t["failed"].format(name=shown, why=why)
        else:
            # What the answer states, as the step's result: shown with the step, and grounding its numbers.
            summary = {"kind": added.kind, "file": shown}
            if added.map is not None:
                summary |= {
                    "map": added.map.name,
                    "version": added.map.version,
                    "stages": added.map.map.stage_names,
                    "stage_count": len(added.map.map.stages),
                }
            elif added.ingest is not None:
                summary |= {"dataset": added.source, "rows_stored": added.ingest.totals.rows_stored}
            yield ToolStep(
                name="add_file", input={"file": shown}, output=summary, seconds=time.perf_counter() - started
            )
            if added.map is not None:
                saved = added.map
                map_name = saved.name
                state.context = state.context.model_copy(update={"map": saved.name})
                yield MapUpdate(name=saved.name, version=saved.version, map=saved.map)
                text = t["map"].format(
                    name=shown, title=saved.map.title, version=saved.version, stages=len(saved.map.stages)
                )
            else:
                assert added.ingest is not None and added.source is not None
                state.context = state.context.with_dataset(added.source)
                totals = added.ingest.totals
                text = t["feedback"].format(name=shown, rows=totals.rows_stored, source=added.source)
            self.threads.put(thread_id, state)
        guarded = guard_answer(text, shown, language=language)  # a map's title is the file's text
        final = Final(
            text=guarded.text,
            language=language,
            mode=self.mode.mode,
            model=self.mode.model,
            map_name=map_name,
            context=state.context,
            guarded=guarded.removed,
        )
        if error is None:
            self._ground(final, {"add_file": summary})
        yield final

    def take_pending(self, thread_id: str) -> str | None:
        """The question held back for a missing map or data, once (the app asks it again after a pick)."""
        state = self.threads.get(thread_id)
        question, state.pending_question = state.pending_question, None
        if question is not None:
            self.threads.put(thread_id, state)
        return question

    def _chosen(
        self,
        context: ChatContext,
        map: str | _Keep | None = KEEP,
        datasets: list[str] | None = None,
        all_feedback: bool | None = None,
    ) -> ChatContext:
        update: dict[str, Any] = {}
        if not isinstance(map, _Keep):
            if map is not None and not self.workspace.maps.exists(map):
                saved = ", ".join(m.name for m in self.workspace.list_maps()) or "none yet"
                raise JourneyError(f"No saved map named {map!r}; the saved maps are: {saved}.")
            update["map"] = map
        if datasets is not None:
            known = self.workspace.sources()
            unknown = [d for d in datasets if d not in known]
            if unknown:
                raise JourneyError(
                    f"No dataset named {unknown[0]!r}; the datasets are: {', '.join(known) or 'none yet'}."
                )
            update["datasets"] = list(dict.fromkeys(datasets))
            update["all_feedback"] = False
        if all_feedback is not None:
            update["all_feedback"] = all_feedback
        return context.model_copy(update=update)

    # --- a turn -----------------------------------------------------------------------------------------

    def send(self, thread_id: str, text: str, options: TurnOptions | None = None) -> Iterator[Event]:
        options = options or TurnOptions()
        state = self.threads.get(thread_id)
        state.context = self._chosen(
            state.context,
            KEEP if options.current_map is None else options.current_map,
            options.datasets,
            options.all_feedback,
        )
        if state.pending_question is not None:
            # "airline_1500.csv", "the loan map", "all": a typed answer to the assistant's question picks, and
            # the question it held back is the one answered.
            picked = clarify.pick_from_text(text, self.workspace, state.context)
            if picked is not None:
                state.context, text = picked, state.pending_question
            state.pending_question = None
        language = self.language_for(text, options, state)
        asked = routing.persona_count(text)
        ctx = TurnContext(
            self.workspace,
            thread_id,
            state.context.map,
            language,
            routing.personas_to_draft(asked, options.personas),
            personas_asked=asked is not None,
        )
        ctx.user_text = text
        ctx.datasets = state.context.sources()
        ctx.has_data = state.context.has_data()
        ctx.where = list(options.where)
        if ctx.has_data:
            ctx.scope = self._question_scope(text, ctx)
        started = time.perf_counter()
        ctx.use_feedback = options.use_feedback
        if self.mode.mode == "embedded":
            final = yield from _noting_views(self.pipeline().handle(ctx, text, state, options.intent), ctx)
        else:
            ctx.toolset, intent, chosen = self._toolset(text, options, ctx, state)
            ctx.intent = intent
            # Only a confident reading of the job asks first; an unsure one goes to the model with every tool.
            need = (
                clarify.missing(intent, ctx.current_map is not None, ctx.has_data)
                if ctx.toolset is not None
                else None
            )
            misses = ctx.scope.misses if ctx.scope is not None and intent in ("diagnose", "ideas") else []
            if ctx.toolset is None and self.mode.mode == "compatible":
                from assistant.agent.agent import COMPACT_TOOLSET

                # A small local model cannot read every tool's schema on every call (request_size.py).
                ctx.toolset = COMPACT_TOOLSET
            if need is not None:
                final = self.ask_for(need, ctx, text, state)
            elif misses and ctx.toolset is not None:
                final = Final(
                    text=" ".join(m.text(ctx.language) for m in misses),
                    language=ctx.language,
                    mode=self.mode.mode,
                    model=self.mode.model,
                )
            else:
                prompt = text
                if options.intent == "draft_map":
                    prompt = (
                        "Draft a journey map for this brief"
                        + ("" if options.use_feedback else " (do not use the stored feedback)")
                        + ":\n"
                        + text
                    )
                elif chosen.reason == "continues":
                    # The model asked this in its last answer (the checkpoint holds it); say so, so the
                    # reply is read as the missing piece of that task, not as a new request.
                    task = intent.replace("_", " ")
                    prompt = f"[This answers your last question; continue the {task} with it.]\n{text}"
                if intent == "draft_map":
                    ctx.material = self._drafting_material(ctx, text)
                final = yield from self._agent_turn(ctx, prompt)
        too_many = routing.too_many_personas(asked, language)
        if too_many and final.needs is None and ctx.intent in ("draft_personas", "draft_map"):
            # The count asked and the count drafted, as a step: the sentence's numbers come from it.
            counted = {"asked": asked, "drafted": ctx.personas}
            ctx.record("persona_count", counted)
            yield ToolStep(name="persona_count", input={"text": text[:200]}, output=counted)
            final.text = f"{too_many}\n\n{final.text}"
        # A task that stopped to ask the user something waits for the answer (routing.continues_pending).
        made_map = any(isinstance(e, MapUpdate) for e in ctx.events)
        state.pending_task = (
            ctx.intent
            if ctx.intent in routing.PENDING_TASKS
            and final.needs is None
            and not made_map
            and routing.asked_a_question(final.text)
            else None
        )
        final.seconds = round(time.perf_counter() - started, 3)
        final.map_name = ctx.current_map
        state.context = state.context.model_copy(update={"map": ctx.current_map})
        final.context = state.context
        if final.scope is None:
            view = next((e for e in reversed(ctx.events) if isinstance(e, DiagnosisView)), None)
            final.scope = view.diagnosis.scope if view is not None else None
        line = None
        if final.scope is not None and final.needs is None:
            # Every diagnosis answer starts with what it is about, whoever wrote the rest (the model's own
            # text in the agent modes; code in the embedded one already starts with it).
            line = context_line(final.scope, language)
            if not final.text.startswith(line):
                final.text = f"{line}\n\n{final.text}"
        if final.needs is None:
            # The same check in every mode: the answer's claims against this turn's tool results.
            self._ground(final, ctx.results, ctx.claims, line)
        # Then what the data could have planted (links, paths, codes, the instructions' text) comes out.
        _guard(final, ctx)
        state.language = language
        state.history.extend(
            [{"role": "user", "text": text[:2000]}, {"role": "assistant", "text": final.text[:2000]}]
        )
        self.threads.put(thread_id, state)
        yield final

    def _drafting_material(self, ctx: TurnContext, text: str) -> str | None:
        """The reference journey and methodology notes for a drafting brief, compact for a local server's
        small context (assistant/drafting/material.py); None when they cannot be had."""
        from assistant.drafting.material import drafting_material

        budget = MATERIAL_CHARS_COMPATIBLE if self.mode.mode == "compatible" else MATERIAL_CHARS
        try:
            return drafting_material(self.workspace, text, ctx.language, budget, tag=ctx.tag).prompt
        except JourneyError as exc:
            log.warning("drafting material unavailable (%s): %s", ctx.thread_id, exc)
            return None

    def _question_scope(self, text: str, ctx: TurnContext) -> QuestionScope | None:
        """The scope and measure the question names, read against the chat's own data."""
        if len(text) > MAX_SCOPED_QUESTION:
            return None  # a pasted document, not a question
        try:
            values, latest = self.workspace.scope_values(ctx.datasets)
            journey = ctx.journey()
        except JourneyError:
            return None
        stages = journey.stage_names if journey is not None else []
        return read_scope(text, values, date.fromisoformat(latest) if latest else None, stages)

    def ask_for(self, need: clarify.Need, ctx: TurnContext, text: str, state: ThreadState) -> Final:
        """The question for a missing map or data; the user's question waits for the pick."""
        question, choices = clarify.question(self.workspace, need, ctx.language)
        state.pending_question = text
        return Final(
            text=question,
            language=ctx.language,
            mode=self.mode.mode,
            model=self.mode.model,
            needs=need,
            choices=choices,
        )

    def _agent_turn(self, ctx: TurnContext, text: str) -> Generator[Event, None, Final]:
        import openai

        agent = self.agent()
        config = {"configurable": {"thread_id": ctx.thread_id}}
        tokens: dict[str, int] = {"prompt": 0, "completion": 0}
        answer: AgentAnswer | None = None
        try:
            answer = yield from self._run(agent, config, ctx, [HumanMessage(text)], tokens)
            rendered, report = self._checked(answer, ctx)
            if answer is not None and not report.ok:
                log.warning("grounding check failed (%s): %s", ctx.thread_id, report.problems())
                fix = HumanMessage(
                    "[grounding check] Your last answer cannot be shown: "
                    + report.problems()
                    + ". Answer again using only numbers from this turn's tool results and feedback ids they contain."
                )
                answer = yield from self._run(agent, config, ctx, [fix], tokens)
                rendered, report = self._checked(answer, ctx)
        except (openai.APIError, openai.APITimeoutError) as exc:
            why = type(exc).__name__ + (
                f" {exc.status_code}" if isinstance(exc, openai.APIStatusError) else ""
            )
            log.warning("model provider error in %s: %s", ctx.thread_id, exc)
            ctx.record("model_provider", {"error": why, "status_code": getattr(exc, "status_code", None)})
            return Final(
                text=PROVIDER_TROUBLE[ctx.language].format(why=why),
                language=ctx.language,
                mode=self.mode.mode,
                model=self.mode.model,
                tokens=tokens,
            )
        fallback = False
        if answer is None:
            rendered, fallback = self._deterministic(ctx) or NO_ANSWER[ctx.language], True
        elif not report.ok:
            # The deterministic answer if the turn has a diagnosis; else the model's text, from which the
            # final check drops the claims that failed (and says so).
            log.warning("grounding check failed twice (%s); using the deterministic answer", ctx.thread_id)
            rendered, fallback = self._deterministic(ctx) or rendered, True
        return Final(
            text=rendered,
            language=ctx.language,
            mode=self.mode.mode,
            model=self.mode.model,
            fallback=fallback,
            tokens=tokens,
        )

    def _run(
        self,
        agent: Any,
        config: dict[str, Any],
        ctx: TurnContext,
        messages: list[Any],
        tokens: dict[str, int],
    ) -> Generator[Event, None, AgentAnswer | None]:
        sent = len(ctx.events)
        for update in agent.stream({"messages": messages}, config, context=ctx, stream_mode="updates"):
            for node in update.values() if isinstance(update, dict) else ():
                for msg in (node or {}).get("messages", []) if isinstance(node, dict) else ():
                    if isinstance(msg, AIMessage) and msg.usage_metadata:
                        tokens["prompt"] += msg.usage_metadata.get("input_tokens", 0)
                        tokens["completion"] += msg.usage_metadata.get("output_tokens", 0)
            while sent < len(ctx.events):
                yield ctx.events[sent]
                sent += 1
        values = agent.get_state(config).values
        response = values.get("structured_response")
        return response if isinstance(response, DiagnosisAnswer | ChatAnswer) else None

    def _checked(self, answer: AgentAnswer | None, ctx: TurnContext) -> tuple[str, CheckReport]:
        if answer is None:
            return "", CheckReport()
        ids = quote_ids(answer)
        stored = self.workspace.quotes(ids) if ids else {}
        text = render(answer, ctx.language, stored)
        report = self._grounded(text, ctx.results).claims
        missing = [i for i in ids if i not in stored]
        report.extend(
            Claim(kind="quote", feedback_id=i, problem=f"row [{i}] does not exist") for i in missing
        )
        return text, CheckReport(report)

    def _grounded(self, text: str, results: dict[str, Any], given: list[Claim] | None = None) -> Any:
        from assistant.turns.grounding import check_text

        return check_text(text, results, self.workspace.quotes, given or [])

    def _ground(
        self, final: Final, results: dict[str, Any], given: list[Claim] | None = None, skip: str | None = None
    ) -> None:
        """Check the final answer's claims; drop those that fail, with their sentences, and say so."""
        verdict = ground(final.text, results, self.workspace.quotes, final.language, given or [], skip)
        if verdict.dropped:
            log.warning(
                "claims dropped from an answer: %s", "; ".join(str(c.problem) for c in verdict.dropped)
            )
        final.text = verdict.text
        final.claims = verdict.claims
        final.dropped_claims = [*final.dropped_claims, *verdict.dropped]
        final.grounded = verdict.ok and not final.dropped_claims

    def _deterministic(self, ctx: TurnContext) -> str | None:
        """The answer code writes from the turn's last diagnosis (and ideas), if the turn made one; its claims
        join the turn's, citing the diagnose tool's result."""
        diagnosis = next((e for e in reversed(ctx.events) if isinstance(e, DiagnosisView)), None)
        if diagnosis is None:
            return None
        ideas = next((e for e in reversed(ctx.events) if isinstance(e, IdeasView)), None)
        key = next((k for k in reversed(list(ctx.results)) if k.split("@")[0] == "diagnose_journey"), None)
        root = f"{key}.diagnosis" if key else "diagnose_journey"
        ideas_key = next(
            (k for k in reversed(list(ctx.results)) if k.split("@")[0] == "propose_improvements"), None
        )
        has_ideas = key is not None and isinstance(ctx.results[key], dict) and ctx.results[key].get("ideas")
        ideas_root = f"{key}.ideas" if has_ideas or ideas_key is None else ideas_key
        text, claims = compose_diagnosis(
            diagnosis.diagnosis,
            ctx.language,
            diagnosis.focus,
            ideas.ideas if ideas else None,
            root,
            ideas_root,
        )
        ctx.claims = claims
        return text
