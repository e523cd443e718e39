"""Running the assistant suite: each scenario is one conversation with the real assistant on a fresh
store, in one of three modes.

- scripted: the scripted analyst (analyst.py) replays the scenario's script through the real agent,
  real tools and the real store. Deterministic: CI runs it with a pass-rate threshold of 1.0.
- embedded: no key; the product's fixed pipeline and its local model (assistant/llm, when present).
- openai: OPENAI_API_KEY or OPENAI_BASE_URL from the environment; the real agent with a real model.

An injection scenario runs twice: once on the fixture files with the planted instructions removed (the
control), then on the attacked files; the two must make the same tool calls and state the same numbers.
"""

from __future__ import annotations

import importlib.util
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.chat_app.uploads import stage_upload
from assistant.conversation import Assistant, TurnOptions
from assistant.prompts import load_prompt
from assistant.turns.events import Final
from assistant.turns.grounding import quote_ids
from assistant.workspace import Workspace
from evals.journey_eval.analyst import ScriptedAnalyst
from evals.journey_eval.evaluators import Check, Context, TurnRun, evaluate_turn, same_as_control
from evals.journey_eval.fixtures import FixtureCache, workspace_settings
from evals.journey_eval.scenario import ROOT, Scenario

Mode = Literal["scripted", "embedded", "openai"]
MODES: tuple[Mode, ...] = ("scripted", "embedded", "openai")
Status = Literal["passed", "failed", "error", "skipped", "known_issue", "fixed"]
"""known_issue: failed as its scenario says it still does; fixed: a known issue that now passes (remove
the note)."""

EMBEDDED_LOAD_S = 15.0
EMBEDDED_MODEL_TURN_S = 90.0
EMBEDDED_TURN_S = 10.0
"""The embedded suite's time budget per part: loading the 1.5B model, a turn that generates with it (the
product's budget for a complete map), a turn answered by code alone."""


@dataclass
class ScenarioResult:
    scenario: Scenario
    mode: str
    model: str
    status: Status
    checks: list[Check] = field(default_factory=list)
    turns: list[TurnRun] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    model_usage: dict[str, Any] = field(default_factory=dict)
    """Embedded mode: the local model's generations during the scenario (calls, tokens, seconds)."""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def tokens(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for t in self.turns:
            for k, v in t.tokens.items():
                total[k] = total.get(k, 0) + int(v)
        return total

    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if c.passed is False]


def embedded_runtime_present() -> bool:
    """Whether the embedded model's runtime (assistant/llm, integrated on another branch) is installed."""
    try:
        return importlib.util.find_spec("assistant.llm.generator") is not None
    except ModuleNotFoundError:
        return False


def embedded_budget(scenarios: list[Scenario]) -> dict[str, Any]:
    model_turns = sum(len(s.turns) for s in scenarios if s.embedded == "model")
    other_turns = sum(len(s.turns) for s in scenarios if s.embedded != "model")
    seconds = EMBEDDED_LOAD_S + model_turns * EMBEDDED_MODEL_TURN_S + other_turns * EMBEDDED_TURN_S
    return {
        "scenarios": len(scenarios),
        "model_turns": model_turns,
        "other_turns": other_turns,
        "seconds": seconds,
        "text": (
            f"embedded suite time budget: {seconds / 60:.0f} min = model load {EMBEDDED_LOAD_S:.0f} s + "
            f"{model_turns} turns with the local model × {EMBEDDED_MODEL_TURN_S:.0f} s + {other_turns} turns "
            f"answered by code × {EMBEDDED_TURN_S:.0f} s (plus building the stores once with the embedder)"
        ),
    }


@dataclass
class ModelMeter:
    """What the embedded model generated in this process: calls, tokens and seconds (the embedded pipeline
    reports no token counts of its own, and whether a scenario needs the model is otherwise only declared)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def snapshot(self) -> tuple[int, int, int, float]:
        return (self.calls, self.prompt_tokens, self.completion_tokens, self.seconds)

    def since(self, before: tuple[int, int, int, float]) -> dict[str, Any]:
        now = self.snapshot()
        return {
            "calls": now[0] - before[0],
            "prompt_tokens": now[1] - before[1],
            "completion_tokens": now[2] - before[2],
            "seconds": round(now[3] - before[3], 2),
        }


METER = ModelMeter()


def meter_embedded_model() -> None:
    """Count every generation of the embedded model (once per process; a measurement, nothing changes)."""
    if not embedded_runtime_present():
        return
    import functools

    from assistant.llm.embedded import EmbeddedModel

    if getattr(EmbeddedModel.chat, "_metered", False):
        return
    original = EmbeddedModel.chat

    @functools.wraps(original)
    def chat(self: Any, *args: Any, **kwargs: Any) -> Any:
        completion = original(self, *args, **kwargs)
        METER.calls += 1
        METER.prompt_tokens += int(getattr(completion, "prompt_tokens", 0) or 0)
        METER.completion_tokens += int(getattr(completion, "completion_tokens", 0) or 0)
        METER.seconds += float(getattr(completion, "seconds", 0.0) or 0.0)
        return completion

    chat._metered = True  # type: ignore[attr-defined]
    EmbeddedModel.chat = chat  # type: ignore[method-assign]


def share_agent_tools() -> None:
    """Build the agent's tools once per process instead of once per conversation.

    The tools are stateless (each call gets the turn's context at run time), but building them creates
    dozens of Pydantic models whose field docstrings are read from source, about a second of CPU each
    time. The product builds one agent per process; the eval builds one per scenario, so it shares them.
    """
    import functools

    from assistant.agent import agent as agent_module

    if not hasattr(agent_module.build_tools, "cache_info"):
        agent_module.build_tools = functools.cache(agent_module.build_tools)  # type: ignore[assignment]


class ScenarioRunner:
    """Runs scenarios in one mode, sharing built stores between them (fixtures.FixtureCache)."""

    def __init__(self, mode: Mode, embedding: str, work: Path) -> None:
        share_agent_tools()
        if mode == "embedded":
            meter_embedded_model()
        self.mode = mode
        self.embedding = embedding
        self.work = work
        self.cache = FixtureCache(embedding, mode, work / "cache")
        self.system_prompt = load_prompt("system").text
        self.model_name = "ScriptedAnalyst" if mode == "scripted" else "?"

    def close(self) -> None:
        self.cache.close()

    def skip_reason(self, scenario: Scenario) -> str | None:
        if self.mode == "scripted" and not scenario.scripted:
            return "no script for the scripted model"
        if self.mode == "embedded" and scenario.embedded == "model" and not embedded_runtime_present():
            return "needs the embedded model, whose runtime (assistant/llm) is not on this branch yet"
        return None

    def run(self, scenario: Scenario) -> ScenarioResult:
        started = time.perf_counter()
        reason = self.skip_reason(scenario)
        if reason:
            return ScenarioResult(scenario, self.mode, self.model_name, "skipped", error=reason)
        metered = METER.snapshot()
        try:
            checks: list[Check] = []
            control_turns: list[TurnRun] | None = None
            if scenario.job == "injection":
                control_turns, _ = self._conversation(scenario, control=True)
            turns, ctx = self._conversation(scenario, control=False)
            for run, turn in zip(turns, scenario.turns, strict=False):
                checks += evaluate_turn(run, turn, ctx)
            if len(turns) < len(scenario.turns):
                checks.append(
                    Check("completed", False, f"stopped after turn {len(turns)} of {len(scenario.turns)}")
                )
            if control_turns is not None:
                checks.append(same_as_control(turns, control_turns))
            for name, agree in self.cache.agreement(scenario.setup).items():
                if agree.get("rows"):
                    # A measurement, not a gate: what the user sees is checked by the turns' expectations.
                    checks.append(
                        Check(
                            "labels_agree",
                            None,
                            f"{name}: the product's stages match the fixture's answer key on "
                            f"{agree['stage_accuracy']:.1%} of {agree['rows']} rows ({agree['unassigned']} "
                            f"unassigned); sentiment on {agree['sentiment_accuracy']:.1%}",
                            value=agree["stage_accuracy"],
                        )
                    )
        except Exception as exc:  # a crash of the runner itself (a bad fixture, a provider at start)
            return ScenarioResult(
                scenario,
                self.mode,
                self.model_name,
                "error",
                seconds=round(time.perf_counter() - started, 2),
                error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}",
            )
        usage = METER.since(metered) if self.mode == "embedded" else {}
        if usage:
            declared = scenario.embedded == "model"
            used = usage["calls"] > 0
            checks.append(
                Check(
                    "model_used",
                    None,  # reported, not gated: the scenario's `embedded` field says who should answer
                    f"the local model generated {usage['calls']} time(s), {usage['completion_tokens']} tokens"
                    + (
                        ""
                        if declared == used
                        else f" although the scenario says embedded: {scenario.embedded}"
                    ),
                    value=float(usage["calls"]),
                )
            )
        status: Status = "failed" if any(c.passed is False for c in checks) else "passed"
        if scenario.known_issue and self.mode in scenario.known_issue.modes:
            status = "known_issue" if status == "failed" else "fixed"
        return ScenarioResult(
            scenario,
            self.mode,
            self.model_name,
            status,
            checks,
            turns,
            seconds=round(sum(t.seconds for t in turns), 2),
            model_usage=usage,
        )

    # --- one conversation ---------------------------------------------------------------------------------

    def _conversation(self, scenario: Scenario, control: bool) -> tuple[list[TurnRun], Context]:
        target = self.work / "homes" / (scenario.id + ("-control" if control else ""))
        home = self.cache.home_for(scenario.setup, target, control)
        ws = Workspace.open(workspace_settings(home, self.embedding, self.mode))
        model = (
            ScriptedAnalyst.from_turns([t.script or [] for t in scenario.turns])
            if self.mode == "scripted"
            else None
        )
        assistant = Assistant.start(ws, chat_model=model)
        self._check_mode(assistant)
        self.model_name = assistant.mode.model
        ctx = Context(scenario, self.mode, self.system_prompt, {}, self.embedding)
        runs: list[TurnRun] = []
        try:
            map_name = scenario.setup.current_map
            expected = 0
            for k, turn in enumerate(scenario.turns, 1):
                before = _snapshot(ws, map_name)
                ctx.maps_before_turn[k] = before
                run = TurnRun(index=k, user=turn.user, map_before=before)
                known = self._message_ids(assistant, scenario)
                calls_before = len(model.calls) if model else 0
                options = TurnOptions(
                    language=turn.language,
                    personas=turn.personas,
                    current_map=scenario.setup.current_map if k == 1 else None,
                    # The conversation starts on the data set up for it, as a user picks it in a new chat.
                    datasets=scenario.setup.datasets if k == 1 else None,
                    all_feedback=(scenario.setup.datasets is None) if k == 1 else None,
                    intent=turn.intent,
                    use_feedback=turn.use_feedback,
                )
                started = time.perf_counter()
                try:
                    if turn.file is not None:
                        # As the app does: the upload is staged in a server folder the answer must never name.
                        staged = stage_upload(ROOT / turn.file, target / "uploads", Path(turn.file).name)
                        lang = scenario.language if turn.language == "auto" else turn.language
                        for event in assistant.add_file(
                            f"eval-{scenario.id}", staged, Path(turn.file).name, lang
                        ):
                            if isinstance(event, Final) and turn.user.strip():
                                continue  # the message's answer is the turn's answer
                            run.events.append(event)
                    if turn.user.strip():
                        for event in assistant.send(f"eval-{scenario.id}", turn.user, options):
                            run.events.append(event)
                except Exception as exc:  # the turn's failure is the finding; keep what it produced
                    run.error = f"{type(exc).__name__}: {exc}"
                    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("assistant.llm"):
                        run.error = (
                            "the embedded pipeline sent this turn to its language model, whose runtime "
                            "(assistant/llm) is not on this branch yet"
                        )
                run.seconds = round(time.perf_counter() - started, 3)
                final = run.final
                if final is not None and final.map_name:
                    map_name = final.map_name
                run.map_after = _snapshot(ws, map_name)
                self._calls_and_messages(run, assistant, scenario, known, model, calls_before)
                if model is not None:
                    expected += len(turn.script or [])
                    if model.served != expected and run.error is None:
                        run.script_short = (
                            f"the turn used {model.served - (expected - len(turn.script or []))} replies, "
                            f"its script has {len(turn.script or [])}"
                        )
                ids = set(quote_ids(run.answer))
                for u in run.updates():
                    ids |= {
                        ev.feedback_id
                        for s in u.map.stages
                        for st in s.steps
                        for p in st.pain_points
                        for ev in p.evidence
                        if ev.feedback_id
                    }
                run.stored = ws.quotes(sorted(ids)) if ids else {}
                runs.append(run)
                if run.error or run.script_short:
                    break  # the rest of the script no longer lines up with the conversation
        finally:
            assistant.close()
            ws.close()
        return runs, ctx

    def _check_mode(self, assistant: Assistant) -> None:
        got = assistant.mode.mode
        want = {"scripted": ("scripted",), "embedded": ("embedded",), "openai": ("cloud", "compatible")}[
            self.mode
        ]
        if got not in want:
            raise RuntimeError(f"asked for the {self.mode} mode but the assistant started in {got} mode")

    def _state_messages(self, assistant: Assistant, scenario: Scenario) -> list[Any]:
        if self.mode == "embedded":
            return []
        state = assistant.agent().get_state({"configurable": {"thread_id": f"eval-{scenario.id}"}})
        return list(state.values.get("messages", [])) if state and state.values else []

    def _message_ids(self, assistant: Assistant, scenario: Scenario) -> set[str]:
        return {str(m.id) for m in self._state_messages(assistant, scenario)}

    def _calls_and_messages(
        self,
        run: TurnRun,
        assistant: Assistant,
        scenario: Scenario,
        known: set[str],
        model: ScriptedAnalyst | None,
        calls_before: int,
    ) -> None:
        if self.mode == "embedded":
            run.tool_calls = [{"name": s.name, "args": s.input} for s in run.steps()]
            return
        new = [m for m in self._state_messages(assistant, scenario) if str(m.id) not in known]
        run.tool_calls = [
            {"name": c["name"], "args": c.get("args", {})}
            for m in new
            for c in (getattr(m, "tool_calls", None) or [])
        ]
        run.messages = new
        if model is not None:
            calls = model.calls[calls_before:]
            run.offered = [(c["offered"], c["called"]) for c in calls]
            if calls:
                run.messages = list(
                    calls[-1]["messages"]
                )  # everything the model was given, system prompt too


def _snapshot(ws: Workspace, name: str | None) -> dict[str, Any] | None:
    if name is None or not ws.maps.exists(name):
        return None
    saved = ws.get_map(name)
    return {
        "name": saved.name,
        "version": saved.version,
        "map": saved.map.model_dump(mode="json", exclude={"created_at", "updated_at", "version"}),
    }
